"""Where: regions null when unknown, data-zone routes with their geography, and the `geography`
filter on offerings, availability, the price comparison and the matrix page."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from helpers import assert_problem, walk

from catalog import resources
from catalog.resources.offerings import offering_id
from catalog.storage import db, queries
from catalog.storage.migrations import schema_version

DAY = "2025-08-01"  # o1-mini on Azure and on OpenAI's API
SOURCE = "https://learn.microsoft.com/azure/ai-foundry/openai/concepts/models"


def route(deployment_type: str, geography: str | None = None, **more: Any) -> dict[str, Any]:
    """An Azure o1-mini offering under this route (the shipped data has none but Standard)."""
    return {
        "id": offering_id("azure", "o1-mini", deployment_type, geography),
        "model": "o1-mini",
        "cloud": "azure",
        "deployment_type": deployment_type,
        "geography": geography,
        "cloud_model_id": "o1-mini",
        "regions": [],
        "stage": "ga",
        "available_from": "2025-01-01",
        "available_from_certainty": "on-or-before",
        "available_from_source": SOURCE,
    } | more


def add_routes(writer: FlaskClient) -> None:
    """A Data Zone EU route (regions unknown), a US one, and a Global route deployable in
    swedencentral (an EU region: but a global route keeps no data in the EU); with prices."""
    for record in (
        route("data-zone", "EU"),
        route("data-zone", "US", regions=["eastus"]),
        route("global", regions=["swedencentral", "eastus"]),
    ):
        response = writer.post("/v1/offerings", json=record)
        assert response.status_code == 201, response.json
    for offering, amount in (
        ("data-zone-eu", "2.75"),
        ("data-zone-us", "2.75"),
        ("global", "2.50"),
    ):
        price = {
            "id": f"azure:o1-mini:{offering}:input",
            "offering": f"azure:o1-mini:{offering}",
            "region": None,
            "unit": "input-1m-tokens",
            "amount": amount,
            "currency": "USD",
            "effective_from": "2025-01-01",
            "effective_from_certainty": "on-or-before",
            "source": SOURCE,
        }
        response = writer.post("/v1/prices", json=price)
        assert response.status_code == 201, response.json


def test_the_migration_adds_the_geography_column(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    db.migrate(path).conn.close()
    conn = sqlite3.connect(path)
    columns = {row[1]: row for row in conn.execute("PRAGMA table_info(offerings)")}
    assert "geography" in columns and columns["geography"][3] == 0  # nullable
    indexes = {row[1] for row in conn.execute("PRAGMA index_list(offerings)")}
    assert "offerings_geography" in indexes


def test_an_offerings_regions_are_read_in_order_from_an_index(tmp_path: Path) -> None:
    assert schema_version() == "m013_offering_regions_order"
    path = tmp_path / "fresh.db"
    db.migrate(path).conn.close()
    conn = sqlite3.connect(path)
    sql = queries._select(resources.get("offerings"), ("model",), "id", False, False)
    plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", {"model": "m"})]
    assert any("offering_regions_order" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan


def test_offering_ids_name_the_route() -> None:
    assert offering_id("azure", "gpt-4o", "serverless") == "azure:gpt-4o:serverless"
    assert offering_id("azure", "gpt-4o", "data-zone", "EU") == "azure:gpt-4o:data-zone-eu"
    assert offering_id("aws", "m", "global", version="v1") == "aws:m:global:v1"


def test_regions_are_null_when_unknown_and_a_list_when_known(client: FlaskClient) -> None:
    unknown = client.get("/v1/offerings/openai-api:gpt-4o:serverless").json
    assert unknown["regions"] is None and unknown["geography"] is None
    known = client.get("/v1/offerings/azure:gpt-4o:serverless:2024-08-06").json
    assert "swedencentral" in known["regions"]
    items = walk(client, "/v1/offerings?model=gpt-4o")
    assert all(o["regions"] is None or o["regions"] for o in items)  # never []
    sheet = client.get("/v1/offerings?model=o1-mini&format=csv").get_data(as_text=True)
    assert "[]" not in sheet


def test_a_write_of_no_regions_reads_back_null(writer: FlaskClient) -> None:
    created = writer.post("/v1/offerings", json=route("data-zone", "EU"))
    assert created.status_code == 201 and created.json["regions"] is None
    assert writer.get(created.headers["Location"]).json == created.json
    assert created.json["id"] == "azure:o1-mini:data-zone-eu"


def test_geography_goes_with_data_zone_only(writer: FlaskClient) -> None:
    body = assert_problem(writer.post("/v1/offerings", json=route("data-zone")), 422)
    assert "geography" in body["errors"]
    wrong = route("global") | {"geography": "EU"}
    body = assert_problem(writer.post("/v1/offerings", json=wrong), 422)
    assert "geography" in body["errors"]
    body = assert_problem(writer.post("/v1/offerings", json=route("data-zone", "eu")), 400)
    assert "geography" in body["errors"]


def test_geography_filter_takes_data_zones_and_leaves_global_routes(writer: FlaskClient) -> None:
    add_routes(writer)
    in_eu = {o["id"] for o in walk(writer, "/v1/offerings?model=o1-mini&geography=EU")}
    assert "azure:o1-mini:data-zone-eu" in in_eu  # its data zone, though no region is listed
    assert "azure:o1-mini:global" not in in_eu  # deployable in swedencentral, routed anywhere
    assert "azure:o1-mini:data-zone-us" not in in_eu
    # The in-region offering: swedencentral, by Azure's Standard chat completions table.
    assert in_eu == {"azure:o1-mini:data-zone-eu", "azure:o1-mini:serverless"}
    lower = {o["id"] for o in walk(writer, "/v1/offerings?model=o1-mini&geography=eu")}
    assert lower == in_eu  # `eu` stands for EU
    in_us = {o["id"] for o in walk(writer, "/v1/offerings?model=o1-mini&geography=US")}
    assert "azure:o1-mini:data-zone-us" in in_us and "azure:o1-mini:data-zone-eu" not in in_us
    # The region filter still finds the global route where it can be deployed.
    sweden = {o["id"] for o in walk(writer, "/v1/offerings?model=o1-mini&region=swedencentral")}
    assert "azure:o1-mini:global" in sweden


def test_unknown_geography_is_a_400_with_suggestions(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/offerings?geography=EUR"), 400)
    assert body["errors"]["geography"] == ["There is no geography 'EUR'."]
    assert "EU" in body["suggestions"]
    body = assert_problem(client.get("/v1/models/gpt-4o/availability?geography=EUR"), 400)
    assert "EU" in body["suggestions"]
    body = assert_problem(client.get("/v1/models/gpt-4o/prices?geography=EUR"), 400)
    assert "EU" in body["suggestions"]
    body = assert_problem(client.get("/v1/models/gpt-4o/prices?region=swedencentra"), 400)
    assert "swedencentral" in body["suggestions"]


def test_availability_in_a_geography(writer: FlaskClient) -> None:
    add_routes(writer)
    clouds = writer.get(f"/v1/models/o1-mini/availability?geography=EU&at={DAY}").json["clouds"]
    azure = next(c for c in clouds if c["cloud"] == "azure")
    ids = {o["id"] for o in azure["offerings"]}
    assert azure["available"] and "azure:o1-mini:data-zone-eu" in ids
    assert not ids & {"azure:o1-mini:global", "azure:o1-mini:data-zone-us"}
    openai = next(c for c in clouds if c["cloud"] == "openai-api")
    assert not openai["available"]  # sold, but nowhere known to be in the EU
    everywhere = writer.get(f"/v1/models/o1-mini/availability?at={DAY}").json["clouds"]
    assert next(c for c in everywhere if c["cloud"] == "openai-api")["available"]
    answer = writer.get(f"/v1/models/o1-mini/availability/azure?geography=US&at={DAY}").json
    assert "azure:o1-mini:data-zone-us" in {o["id"] for o in answer["offerings"]}


def test_comparison_in_a_geography(writer: FlaskClient) -> None:
    add_routes(writer)
    rows = writer.get(f"/v1/models/o1-mini/prices?geography=EU&at={DAY}").json["items"]
    by_offering = {r["offering"]: r for r in rows}
    zone = by_offering["azure:o1-mini:data-zone-eu"]
    assert zone["amount"] == "2.75" and zone["geography"] == "EU"
    assert zone["deployment_type"] == "data-zone"
    assert "azure:o1-mini:global" not in by_offering
    assert "azure:o1-mini:data-zone-us" not in by_offering
    assert all(r["geography"] == "EU" for r in rows)
    every = writer.get(f"/v1/models/o1-mini/prices?at={DAY}").json["items"]
    assert {"azure:o1-mini:global", "azure:o1-mini:data-zone-us"} <= {r["offering"] for r in every}
    sheet = writer.get(f"/v1/models/o1-mini/prices?geography=EU&at={DAY}&format=csv")
    assert "azure:o1-mini:data-zone-eu,data-zone,,EU,USD,2.75" in sheet.get_data(as_text=True)


def test_matrix_page_in_a_geography(writer: FlaskClient) -> None:
    # A model sold on Azure only through an EU data zone (no region listed) is in the EU matrix.
    model = {"id": "zone-only", "name": "Zone Only", "provider": "openai"}
    model |= {"open_weights": False}
    response = writer.post("/v1/models", json=model)
    assert response.status_code == 201, response.json
    zoned = route("data-zone", "EU") | {"id": "azure:zone-only:data-zone-eu", "model": "zone-only"}
    assert writer.post("/v1/offerings", json=zoned).status_code == 201
    html = writer.get(f"/?geography=EU&q=zone+only&at={DAY}").get_data(as_text=True)
    assert "Zone Only" in html
    html = writer.get(f"/?geography=US&q=zone+only&at={DAY}").get_data(as_text=True)
    assert "Zone Only" not in html
    assert "EU" in writer.get("/").get_data(as_text=True)
