"""The read API through HTTP, as clients use it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from helpers import walk

from catalog.declarations.fields import CURSOR

FIXTURES = Path(__file__).parents[1] / "fixtures"


def fixture_ids(name: str) -> set[str]:
    return {r["id"] for r in json.loads((FIXTURES / f"{name}.json").read_text())}


def ids(response: Any) -> list[str]:
    return [item["id"] for item in response.json["items"]]


def test_must_show_offerings_during_the_window(client: FlaskClient) -> None:
    during = client.get("/v1/offerings?model=mistral-large-2402&at=2024-03-15").json["items"]
    clouds = {o["cloud"] for o in during}
    assert {"azure", "la-plateforme"} <= clouds
    hyperscalers = {"aws", "gcp", "oci", "azure"}
    assert clouds & hyperscalers == {"azure"}
    after = client.get("/v1/offerings?model=mistral-large-2402&at=2024-06-01").json["items"]
    assert "aws" in {o["cloud"] for o in after}


def test_walk_with_limit_7_returns_every_offering_once(client: FlaskClient) -> None:
    items = walk(client, "/v1/offerings?limit=7")
    assert len(items) == len({i["id"] for i in items}) == len(fixture_ids("offerings"))
    assert [i["id"] for i in items] == sorted(i["id"] for i in items)


@pytest.mark.parametrize(
    "sort", ["available_from", "-available_from", "-id", "cloud", "model", "-updated_at"]
)
def test_walk_under_every_sort_is_complete_and_ordered(client: FlaskClient, sort: str) -> None:
    items = walk(client, f"/v1/offerings?limit=9&sort={sort}")
    assert len({i["id"] for i in items}) == len(items) == len(fixture_ids("offerings"))
    field = sort.lstrip("-")
    keys = [(i[field], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


def test_link_keeps_the_filters(client: FlaskClient) -> None:
    response = client.get("/v1/offerings?cloud=azure&limit=2")
    link = response.headers["Link"]
    query = parse_qs(urlsplit(link[1 : link.index(">")]).query)
    assert query["cloud"] == ["azure"] and query["limit"] == ["2"] and "cursor" in query
    assert link.endswith('rel="next"')


@pytest.mark.parametrize(
    ("collection", "fixture"),
    [
        ("providers", "providers"),
        ("models", "models"),
        ("clouds", "clouds"),
        ("offerings", "offerings"),
    ],
)
def test_collections_and_items(client: FlaskClient, collection: str, fixture: str) -> None:
    items = walk(client, f"/v1/{collection}?limit=500")
    assert {i["id"] for i in items} == fixture_ids(fixture)
    first = items[0]
    one = client.get(f"/v1/{collection}/{first['id']}")
    assert one.status_code == 200 and one.json == first
    assert first["created_at"].endswith("Z") and first["updated_at"].endswith("Z")


def test_regions_of_a_cloud(client: FlaskClient) -> None:
    items = walk(client, "/v1/clouds/aws/regions")
    assert {"us-east-1", "us-west-2", "eu-west-3"} <= {r["id"] for r in items}
    assert {r["cloud"] for r in items} == {"aws"}
    assert client.get("/v1/clouds/nowhere/regions").status_code == 404
    eu = client.get("/v1/clouds/azure/regions?geography=EU").json["items"]
    assert eu and {r["geography"] for r in eu} == {"EU"}


def test_model_filters(client: FlaskClient) -> None:
    mistral = client.get("/v1/models?provider=mistral-ai&limit=500").json["items"]
    assert mistral and {m["provider"] for m in mistral} == {"mistral-ai"}
    family = ids(client.get("/v1/models?family=mistral-large"))
    assert {"mistral-large-2402", "mistral-large-2407"} <= set(family)
    open_weights = client.get("/v1/models?open_weights=true&limit=500").json["items"]
    assert "gpt-oss-120b" in {m["id"] for m in open_weights} and all(
        m["open_weights"] for m in open_weights
    )
    closed = ids(client.get("/v1/models?open_weights=false&limit=500"))
    assert "gpt-4o" in closed and "gpt-oss-120b" not in closed


def test_model_text_search(client: FlaskClient) -> None:
    found = ids(client.get("/v1/models?q=LARGE&limit=500"))
    assert "mistral-large-2402" in found and "gpt-4o" not in found
    assert ids(client.get("/v1/models?q=%25")) == []  # LIKE wildcards are literal


def test_cloud_kind_filter(client: FlaskClient) -> None:
    everything = walk(client, "/v1/clouds?limit=500")
    for kind in ("hyperscaler", "first-party", "data-platform", "inference-host", "gateway"):
        expected = {c["id"] for c in everything if c["kind"] == kind}
        assert expected, f"the shipped data has no {kind}"
        assert {c["id"] for c in walk(client, f"/v1/clouds?kind={kind}")} == expected
    first_party = {c["id"]: c["provider"] for c in everything if c["kind"] == "first-party"}
    assert {"la-plateforme", "openai-api", "anthropic-api"} <= set(first_party)
    assert all(first_party.values())  # each names its maker


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("cloud=aws", lambda o: o["cloud"] == "aws"),
        ("provider=anthropic", lambda o: o["model"].startswith("claude")),
        ("family=mistral-large", lambda o: o["model"].startswith("mistral-large")),
        ("region=eu-west-3", lambda o: "eu-west-3" in (o["regions"] or ())),
        ("deployment_type=provisioned", lambda o: o["deployment_type"] == "provisioned"),
        ("stage=preview", lambda o: o["stage"] == "preview"),
    ],
)
def test_offering_filters(client: FlaskClient, query: str, check: Any) -> None:
    everything = walk(client, "/v1/offerings?limit=500")
    expected = {o["id"] for o in everything if check(o)}
    assert expected, query
    assert {o["id"] for o in walk(client, f"/v1/offerings?{query}&limit=500")} == expected


def test_offering_at_filter_is_half_open(client: FlaskClient) -> None:
    everything = walk(client, "/v1/offerings?limit=500")
    retired = next(o for o in everything if o["retired_from"])
    at_end = {
        o["id"] for o in walk(client, f"/v1/offerings?at={retired['retired_from']}&limit=500")
    }
    assert retired["id"] not in at_end
    at_start = {
        o["id"] for o in walk(client, f"/v1/offerings?at={retired['available_from']}&limit=500")
    }
    assert retired["id"] in at_start


def test_csv_has_every_row_and_a_header(client: FlaskClient) -> None:
    response = client.get("/v1/offerings?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == len(fixture_ids("offerings"))
    azure = next(r for r in rows if r["id"] == "azure:mistral-large-2402:serverless")
    assert "eastus2" in azure["regions"].split("; ")
    by_accept = client.get("/v1/models?provider=openai", headers={"Accept": "text/csv"})
    assert by_accept.mimetype == "text/csv"
    assert len(list(csv.reader(io.StringIO(by_accept.get_data(as_text=True))))) == 1 + len(
        walk(client, "/v1/models?provider=openai")
    )


def test_csv_neutralises_formulas() -> None:
    from catalog.api.formats import csv_cell

    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("-1") == "'-1"
    assert csv_cell("@x") == "'@x" and csv_cell("+x") == "'+x"
    assert csv_cell(["a", "b"]) == "a; b" and csv_cell(None) == "" and csv_cell(True) == "true"


def test_json_is_the_default_and_accept_is_honoured(client: FlaskClient) -> None:
    assert client.get("/v1/clouds").mimetype == "application/json"
    assert client.get("/v1/clouds", headers={"Accept": "*/*"}).mimetype == "application/json"
    assert client.get(
        "/v1/clouds", headers={"Accept": "text/csv;q=0.9, application/json"}
    ).mimetype == ("application/json")


def test_a_cursor_not_handed_out_is_refused(client: FlaskClient) -> None:
    """A cursor is opaque to clients: one they make up is a 400 naming it (test_hostile.py)."""
    assert client.get("/v1/clouds?cursor=azure").status_code == 400
    assert client.get("/v1/offerings?sort=-available_from&cursor=whatever").status_code == 400


TEXT_SORTS = ["/v1/models?sort=name&limit=3", "/v1/providers?sort=-name&limit=2"]


@pytest.mark.parametrize("url", TEXT_SORTS)
def test_cursors_are_short_ascii_under_a_text_sort(client: FlaskClient, url: str) -> None:
    seen: list[str] = []
    response = client.get(url)
    while True:
        cursor = response.json["next_cursor"]
        seen.extend(ids(response))
        if cursor is None:
            break
        assert re.match(CURSOR, cursor) and len(cursor) <= 1000
        response = client.get(f"{url}&{urlencode({'cursor': cursor})}")
    collection = url.split("?")[0]
    assert sorted(seen) == sorted(i["id"] for i in walk(client, f"{collection}?limit=500"))


@pytest.mark.parametrize(
    "billed",
    [
        "anthropic.claude-3-7-sonnet-20250219-v1:0",  # as the catalog holds it
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",  # a cross-region profile on the bill
        "global.anthropic.claude-3-7-sonnet-20250219-v1:0",
    ],
)
def test_a_bill_line_finds_its_model(client: FlaskClient, billed: str) -> None:
    items = walk(client, f"/v1/offerings?cloud_model_id={billed}")
    assert [(o["model"], o["cloud"]) for o in items] == [("claude-3-7-sonnet", "aws")]


def test_an_unknown_bill_line_is_an_empty_list(client: FlaskClient) -> None:
    response = client.get("/v1/offerings?cloud_model_id=us.nothing-like-it-v1:0")
    assert response.status_code == 200 and response.json["items"] == []


def test_geography_and_cloud_kind_filters(client: FlaskClient) -> None:
    regions = {
        (r["cloud"], r["id"]): r["geography"] for r in walk(client, "/v1/clouds/aws/regions")
    }
    in_eu = walk(client, "/v1/offerings?geography=EU&cloud=aws")

    def kept_in_eu(o: dict[str, Any]) -> bool:  # its data zone, or a region of it (not global)
        placed = any(regions[("aws", r)] == "EU" for r in o["regions"] or ())
        return o["geography"] == "EU" or (o["deployment_type"] != "global" and placed)

    assert in_eu and all(kept_in_eu(o) for o in in_eu)
    assert any(o["deployment_type"] == "data-zone" for o in in_eu)  # Bedrock's eu. profiles
    everything = walk(client, "/v1/offerings?cloud=aws&limit=500")
    assert len(in_eu) == sum(kept_in_eu(o) for o in everything)
    kinds = {c["id"]: c["kind"] for c in walk(client, "/v1/clouds")}
    platforms = walk(client, "/v1/offerings?cloud_kind=data-platform")
    assert platforms and {kinds[o["cloud"]] for o in platforms} == {"data-platform"}
    assert len(platforms) == sum(
        kinds[o["cloud"]] == "data-platform" for o in walk(client, "/v1/offerings?limit=500")
    )
