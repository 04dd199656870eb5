"""catalog import azure-docs, the model-by-region tables (tests/data/azure-docs/newest, the
newest stored versions): a table per deployment type, regions the catalog lacks, history dating,
bad input; and the buyer's questions the shipped catalog answers with one request each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from azure_helpers import FOUNDRY, MATRIX, NEWEST, broken, planned, run, table, without_routes
from flask.testing import FlaskClient
from helpers import walk
from registry_helpers import commit, git, snapshot

from catalog.importers import azure_maas, azure_regions, facts

GLOBAL = MATRIX + "standard-global.md"
ZONES = MATRIX + "datazone-standard.md"
BLOB = "https://github.com/MicrosoftDocs/azure-ai-docs/blob/"


def test_each_table_is_a_column_per_model_version_and_a_row_per_region() -> None:
    shown = table(GLOBAL)
    assert len(shown.columns) == 57 and len(shown.rows) == 28
    j = shown.columns.index(("gpt-4o", "2024-11-20"))
    line, served = shown.rows["swedencentral"]
    assert j in served and line > 14
    zones = table(ZONES)
    assert ("gpt-5.2", "2025-12-11") in zones.columns
    assert zones.columns.index(("gpt-5.2", "2025-12-11")) not in zones.rows["westeurope"][1]
    for name in azure_regions.TABLES:
        assert table(name).rows, name


@pytest.fixture
def no_routes_db(seeded_db: Path, tmp_path: Path) -> Path:
    """The shipped catalog without the routes and regions the tables gave it."""
    return without_routes(
        seeded_db,
        tmp_path,
        "DELETE FROM regions WHERE cloud = 'azure' AND id NOT IN "
        "(SELECT region FROM offering_regions WHERE cloud = 'azure')",
    )


def test_a_table_per_deployment_type_gives_its_own_offering(no_routes_db: Path) -> None:
    found = planned(no_routes_db, NEWEST)
    added = {r["id"]: r for r in found.records["offerings"] if r["origin"] == "azure-docs"}
    world = added["azure:gpt-4o:global"]
    assert world["deployment_type"] == "global" and world["geography"] is None
    assert "swedencentral" in world["regions"] and world["cloud_model_id"] == "gpt-4o"
    eu, us = added["azure:gpt-4o:data-zone-eu"], added["azure:gpt-4o:data-zone-us"]
    assert (eu["geography"], us["geography"]) == ("EU", "US")
    assert "swedencentral" in eu["regions"] and "eastus" not in eu["regions"]
    assert "eastus" in us["regions"] and "westeurope" not in us["regions"]
    assert added["azure:o3:provisioned"]["deployment_type"] == "provisioned"
    # Dated by the file (no history): its ms.date, or the newest version it names if later.
    assert world["available_from"] == "2026-01-14T00:00:00Z"
    assert world["available_from_certainty"] == "on-or-before"
    assert world["available_from_source"].startswith("https://learn.microsoft.com/azure/")
    # Standard's regions go to the in-region offerings, each version its own.
    planned_ids = {r["id"] for r in found.records["offerings"]}
    assert "azure:gpt-4o:serverless" not in planned_ids  # the shipped one already has them
    names = {r["id"] for r in found.records["regions"]}
    assert {"italynorth", "switzerlandwest"} <= names  # only the routes serve these


def test_a_region_without_a_geography_is_refused_and_reported(
    no_routes_db: Path, tmp_path: Path
) -> None:
    row = "| westus3 |"
    checkout = broken(tmp_path, ZONES, row, "| marsnorth |")
    mapping = facts.load_mapping("azure-regions.json")
    found = planned(no_routes_db, checkout, mapping)
    refused = dict(found.report.refused)
    line = next(k for k in refused if k.startswith(ZONES))
    assert "'marsnorth': not in the catalog, and no geography" in refused[line]
    assert all("marsnorth" not in (r["regions"] or []) for r in found.records["offerings"])
    # With a geography from the reviewed mapping, the region is added and served.
    given = {**mapping, "regions": {**mapping["regions"], "marsnorth": ["Mars North", "US"]}}
    found = planned(no_routes_db, checkout, given)
    assert any(r["id"] == "marsnorth" and r["geography"] == "US" for r in found.records["regions"])
    zone = next(r for r in found.records["offerings"] if r["id"] == "azure:gpt-4o:data-zone-us")
    assert "marsnorth" in zone["regions"]


GLOBAL_PTU = MATRIX + "provisioned-global.md"
ZONE_BATCH = MATRIX + "global-batch-datazone.md"
IMAGES = MATRIX + "standard-image-generation.md"
DIRECT = FOUNDRY + "global-standard.md"


@pytest.mark.parametrize(
    ("path", "old", "new", "said"),
    [
        (GLOBAL, "**gpt-4o**, **2024-11-20**", "gpt-4o (2024-11-20)", f"{GLOBAL}:15: the table's"),
        (GLOBAL, "| **Region**", "| **Area**", f"{GLOBAL}:15: the table's columns changed"),
        (GLOBAL, "| swedencentral | ✅", "| swedencentral | maybe", f"{GLOBAL}:37: a cell says"),
        (GLOBAL_PTU, "**o1**, **2024-12-17**", "o1 (2024-12-17)", f"{GLOBAL_PTU}:12: the table"),
        (ZONE_BATCH, "| francecentral | ✅", "| francecentral | soon", f"{ZONE_BATCH}:16: a cell"),
        (IMAGES, "| eastus | ✅ |", "| eastus |", f"{IMAGES}:18: not a row of 4 models"),
    ],
)
def test_a_changed_table_is_exit_2_naming_file_and_line(
    no_routes_db: Path, tmp_path: Path, path: str, old: str, new: str, said: str
) -> None:
    checkout = broken(tmp_path, path, old, new)
    before = snapshot(no_routes_db)
    result = run(no_routes_db, checkout)
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert snapshot(no_routes_db) == before


@pytest.mark.parametrize("path", [ZONES, DIRECT])
def test_a_missing_table_is_exit_2_and_writes_nothing(
    no_routes_db: Path, tmp_path: Path, path: str
) -> None:
    checkout = tmp_path / "sparse"
    shutil.copytree(NEWEST, checkout)
    (checkout / path).unlink()
    before = snapshot(no_routes_db)
    result = run(no_routes_db, checkout)
    assert result.exit_code == 2
    assert f"{checkout / path}: missing" in result.output
    assert snapshot(no_routes_db) == before


def test_history_dates_a_route_by_the_commit_that_first_showed_it(
    no_routes_db: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "azure-ai-docs"
    repo.mkdir()
    git(repo, "init", "-q")
    newest = {str(p.relative_to(NEWEST)): p.read_text() for p in NEWEST.rglob("*.md")}
    head = table(GLOBAL)
    j = head.columns.index(("gpt-5.2", "2025-12-11"))
    lines = newest[GLOBAL].splitlines()
    # The older version: no cell of gpt-5.2 served anywhere yet.
    for line, _ in head.rows.values():
        cells = [c.strip() for c in lines[line - 1].strip().strip("|").split("|")]
        cells[j + 1] = "-"
        lines[line - 1] = "| " + " | ".join(cells) + " |"
    first = commit(repo, {**newest, GLOBAL: "\n".join(lines) + "\n"}, "2025-11-01T10:00:00Z")
    second = commit(repo, {GLOBAL: newest[GLOBAL]}, "2026-01-20T10:00:00Z")
    found = planned(no_routes_db, repo)
    by_id = {r["id"]: r for r in found.records["offerings"]}
    late, early = by_id["azure:gpt-5.2:global"], by_id["azure:gpt-4o:global"]
    assert late["available_from"] == "2026-01-20T00:00:00Z"
    assert late["available_from_source"] == f"{BLOB}{second}/{GLOBAL}"
    assert early["available_from"] == "2025-11-01T00:00:00Z"
    assert early["available_from_source"] == f"{BLOB}{first}/{GLOBAL}"


def test_buyer_eu_offerings_of_gpt_4o_in_one_request(client: FlaskClient) -> None:
    """ "EU offerings of gpt-4o": its EU data zone and the in-region offerings in EU regions;
    never the global route, though it can be deployed in an EU region."""
    found = {o["id"]: o for o in walk(client, "/v1/offerings?model=gpt-4o&geography=EU")}
    assert "azure:gpt-4o:data-zone-eu" in found and "azure:gpt-4o:global" not in found
    assert found["azure:gpt-4o:data-zone-eu"]["geography"] == "EU"
    assert "azure:gpt-4o:serverless:2024-11-20" in found  # swedencentral


def test_buyer_is_gpt_4o_in_swedencentral_and_how(client: FlaskClient) -> None:
    answer = client.get("/v1/offerings?model=gpt-4o&region=swedencentral&cloud=azure").json
    types = {o["deployment_type"] for o in answer["items"]}
    assert {"serverless", "global", "data-zone", "provisioned"} <= types


MAAS = "articles/ai-foundry/includes/region-availability-maas.md"


def test_the_serverless_api_list_gives_regions_and_anthropics_global_routes() -> None:
    rows = azure_maas.parse_maas(MAAS, (NEWEST / MAAS).read_text())
    by_name = {name: row for row in rows for name in row.names}
    assert by_name["Claude Sonnet 4.5 (preview)"].global_route  # its footnote: Global Standard
    assert by_name["Claude Sonnet 4.5 (preview)"].regions == ["eastus2", "swedencentral"]
    assert not by_name["Codestral-2501"].global_route
    assert by_name["mistral-document-ai-2505"].regions == ["eastus2", "swedencentral"]  # EastUS2
    assert "phi4minireasoning" in {k for n in by_name for k in azure_maas.candidates(n)}
    assert "mistralmedium2505" in azure_maas.candidates("Mistral Medium 3 (25.05)")
    assert "commandrplus082024" in azure_maas.candidates("Cohere Command R+ 08-2024")


def test_shipped_serverless_apis_carry_their_regions(client: FlaskClient) -> None:
    cohere = client.get("/v1/offerings/azure:command-r-plus-08-2024:serverless").json
    assert {"eastus", "swedencentral"} <= set(cohere["regions"])
    claude = client.get("/v1/offerings/azure:claude-sonnet-4-5:global").json
    assert claude["regions"] == ["eastus2", "swedencentral"] and claude["stage"] == "preview"


def test_a_changed_serverless_api_table_is_exit_2(no_routes_db: Path, tmp_path: Path) -> None:
    checkout = broken(tmp_path, MAAS, "| Hub/Project Region for Deployment  |", "| Regions |")
    before = snapshot(no_routes_db)
    result = run(no_routes_db, checkout)
    assert result.exit_code == 2, result.output
    assert f"{MAAS}:" in result.output and "the table's columns changed" in result.output
    assert snapshot(no_routes_db) == before
