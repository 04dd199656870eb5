"""catalog import azure-docs, the model-by-region tables beyond Standard, Global Standard, Data
Zone Standard and Provisioned (tests/data/azure-docs/newest): Global and Data Zone Provisioned,
Global and Data Zone Batch, the per-family Standard tables, the Foundry Models sold directly by
Azure; each table's parsing, the offering it makes, and what it refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from azure_helpers import FOUNDRY, MATRIX, NEWEST, broken, planned, table, without_routes
from flask.testing import FlaskClient
from helpers import walk
from registry_helpers import rows

from catalog.importers import azure_matrix

GLOBAL_PTU = MATRIX + "provisioned-global.md"
ZONE_PTU = MATRIX + "datazone-provisioned-managed.md"
BATCH = MATRIX + "global-batch.md"
ZONE_BATCH = MATRIX + "global-batch-datazone.md"
IMAGES = MATRIX + "standard-image-generation.md"
DIRECT = FOUNDRY + "global-standard.md"
DIRECT_ZONES = FOUNDRY + "data-zone-standard.md"
PAGE = "https://learn.microsoft.com/azure/ai-foundry/"


def test_every_stored_table_is_read_as_a_column_per_model_and_a_row_per_region() -> None:
    for path in azure_matrix.TABLES:
        shown = table(path)
        assert shown.columns and shown.rows, path
    ptu = table(GLOBAL_PTU)
    assert len(ptu.columns) == 16 and len(ptu.rows) == 28
    j = ptu.columns.index(("gpt-5.2", "2025-12-11"))
    assert {r for r, (_, served) in ptu.rows.items() if j in served} == {"eastus2", "uksouth"}
    zones = table(ZONE_PTU)
    italy = zones.rows["italynorth"][1]
    assert {zones.columns[j][0] for j in italy} == {"o3", "o4-mini", "gpt-4.1", "gpt-4.1-nano"}


def test_a_column_naming_no_version_serves_every_version_and_empty_cells_serve_nothing() -> None:
    images = table(IMAGES)
    assert images.columns[0] == ("dall-e-3", "3.0")
    assert images.columns[1] == ("gpt-image-1", azure_matrix.ANY)
    served = {images.columns[j][0] for j in images.rows["australiaeast"][1]}
    assert served == {"dall-e-3"}  # "|  |" is not served
    direct = table(DIRECT)
    assert ("Llama-3.3-70B-Instruct", "2") in direct.columns
    assert ("Llama-3.3-70B-Instruct", azure_matrix.ANY) in direct.columns


def test_each_kind_says_where_and_how_it_is_bought() -> None:
    kinds = azure_matrix.TABLES
    assert (kinds[GLOBAL_PTU].deployment_type, kinds[GLOBAL_PTU].bought) == (
        "global",
        "provisioned",
    )
    assert (kinds[ZONE_PTU].deployment_type, kinds[ZONE_PTU].bought) == ("data-zone", "provisioned")
    assert (kinds[BATCH].deployment_type, kinds[BATCH].bought) == ("global", "batch")
    assert (kinds[ZONE_BATCH].deployment_type, kinds[ZONE_BATCH].bought) == ("data-zone", "batch")
    assert not kinds[IMAGES].makes and kinds[MATRIX + "standard-models.md"].makes


@pytest.fixture
def no_routes_db(seeded_db: Path, tmp_path: Path) -> Path:
    """The shipped catalog without the routes the tables gave it, nor any azure regions list."""
    return without_routes(seeded_db, tmp_path, "DELETE FROM offering_regions WHERE cloud = 'azure'")


@pytest.fixture
def plan(no_routes_db: Path) -> Any:
    return planned(no_routes_db, NEWEST)


def offerings(found: Any) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in found.records["offerings"]}


def test_global_provisioned_and_global_batch_are_global_routes_bought_their_way(plan: Any) -> None:
    made = offerings(plan)
    ptu, batch = made["azure:gpt-4o:global-provisioned"], made["azure:o3:global-batch"]
    for route in (ptu, batch):
        assert route["deployment_type"] == "global" and route["geography"] is None
        assert route["origin"] == "azure-docs" and route["cloud"] == "azure"
    assert "Global Provisioned" in ptu["notes"] and "Global Batch" in batch["notes"]
    assert "southeastasia" in ptu["regions"] and "southeastasia" not in batch["regions"]
    # Dated by the file: its ms.date (01/06/2026), later than any version it names.
    assert ptu["available_from"] == "2026-01-06T00:00:00Z"
    assert ptu["available_from_certainty"] == "on-or-before"
    assert ptu["available_from_source"] == PAGE + "openai/concepts/models"
    only_two = made["azure:gpt-5.2:global-provisioned"]
    assert only_two["regions"] == ["eastus2", "uksouth"]


def test_data_zone_provisioned_and_batch_are_a_route_per_zone(plan: Any) -> None:
    made = offerings(plan)
    eu, us = made["azure:gpt-4o:data-zone-eu-provisioned"], made["azure:gpt-4o:data-zone-us-batch"]
    assert (eu["deployment_type"], eu["geography"]) == ("data-zone", "EU")
    assert (us["deployment_type"], us["geography"]) == ("data-zone", "US")
    assert "italynorth" not in eu["regions"]  # its row serves o3..gpt-4.1-nano, not gpt-4o
    assert "italynorth" in made["azure:o3:data-zone-eu-provisioned"]["regions"]
    assert set(us["regions"]) <= {"eastus", "eastus2", "northcentralus", "southcentralus",
                                  "westus", "westus3"}  # fmt: skip
    # o3-mini has no EU data-zone batch: every EU row says "-".
    assert "azure:o3-mini:data-zone-eu-batch" not in made
    assert "azure:o3-mini:data-zone-us-batch" in made
    # Azure's retirement of the model applies to the new route too.
    assert us["retired_from"] and us["retired_from_source"].startswith(PAGE)


def test_foundry_models_sold_directly_get_their_routes_from_their_own_page(plan: Any) -> None:
    made = offerings(plan)
    zone = made["azure:grok-3:data-zone-us"]
    assert zone["geography"] == "US" and "eastus" in zone["regions"]
    assert zone["available_from_source"] == (
        PAGE + "foundry-models/concepts/models-sold-directly-by-azure"
    )
    assert zone["available_from"] == "2025-10-07T00:00:00Z"  # data-zone-standard.md's ms.date
    assert made["azure:deepseek-r1:global-provisioned"]["deployment_type"] == "global"
    llama = made["azure:llama-3-3-70b-instruct:global"]
    assert "a column naming no version" in llama["notes"]


def test_per_family_standard_tables_only_add_regions_to_in_region_offerings(plan: Any) -> None:
    made = offerings(plan)
    old = made["azure:gpt-4-32k:serverless"]
    assert old["origin"] != "azure-docs"
    assert {"australiaeast", "switzerlandnorth"} <= set(old["regions"])  # standard-gpt-4.md
    why = dict(plan.report.changed)["offerings/azure:gpt-4-32k:serverless"]
    assert why.startswith("Azure's Standard (GPT-4) table: regions + australiaeast")
    # A version gets its own column's regions (the table spells it 1106-Preview).
    preview = made["azure:gpt-4-turbo:serverless:1106-preview"]["regions"]
    assert "norwayeast" in preview and "eastus" not in preview
    # gpt-35-turbo-16k is a catalog model with no azure in-region offering: none is made.
    assert "azure:gpt-3.5-turbo-16k:serverless" not in made
    kept = dict(plan.report.kept)
    assert "these tables make none" in kept["azure:gpt-3.5-turbo-16k:serverless"]


def test_an_offering_no_table_names_keeps_unknown_regions(no_routes_db: Path, plan: Any) -> None:
    """A table lists a model's regions only where it names the model: the others stay null
    ("not known"), never [] ("nowhere")."""
    unnamed = rows(
        no_routes_db,
        "SELECT id FROM offerings o WHERE cloud = 'azure' AND model = 'deepseek-v3.2' "
        "AND NOT EXISTS (SELECT 1 FROM offering_regions r WHERE r.offering = o.id)",
    )
    assert unnamed  # deepseek-v3.2 is in no stored table
    planned_ids = set(offerings(plan))
    assert not planned_ids & {row["id"] for row in unnamed}


def test_rows_and_columns_it_cannot_place_are_refused_and_reported(plan: Any) -> None:
    refused = plan.report.refused
    # Azure's Data Zone Standard table lists Swiss and Norwegian regions; the reviewed data
    # zones (EU, US) do not hold them, so those rows are refused, not guessed into EU.
    lines = [where for where, why in refused if why.startswith("switzerlandnorth (CH)")]
    assert lines == [DIRECT_ZONES + ":23"]
    assert all("switzerlandnorth" not in (r["regions"] or [])
               for r in plan.records["offerings"] if r.get("geography") == "EU")  # fmt: skip
    unknown = [why for where, why in refused if where == DIRECT]
    assert any(
        why.startswith("FLUX-1.1-pro (every version): not a catalog model") for why in unknown
    )


def test_a_region_without_a_geography_in_a_new_table_is_refused(
    no_routes_db: Path, tmp_path: Path
) -> None:
    checkout = broken(tmp_path, BATCH, "| uksouth |", "| marsnorth |")
    found = planned(no_routes_db, checkout)
    refused = dict(found.report.refused)
    assert "'marsnorth': not in the catalog, and no geography" in refused[BATCH + ":33"]
    assert "uksouth" not in offerings(found)["azure:o3:global-batch"]["regions"]


def test_buyer_eu_routes_of_gpt_4o_keep_data_in_the_eu(client: FlaskClient) -> None:
    """The shipped catalog: EU data-zone provisioned and batch routes answer geography=EU; the
    global provisioned and batch routes do not, though they can be deployed in EU regions."""
    found = {o["id"] for o in walk(client, "/v1/offerings?model=gpt-4o&geography=EU")}
    assert {"azure:gpt-4o:data-zone-eu-provisioned", "azure:gpt-4o:data-zone-eu-batch"} <= found
    assert not found & {"azure:gpt-4o:global-provisioned", "azure:gpt-4o:global-batch"}
    shown = client.get("/v1/offerings/azure:gpt-4o:global-batch").json
    assert shown["deployment_type"] == "global" and "westeurope" in shown["regions"]
