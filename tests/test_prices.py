"""Prices over HTTP: writes and their refusals, the series rule, at and as_of, exact amounts,
the comparison, and price events in the timeline. The amounts and sources here are made up
for the tests (example.org), not facts about any vendor."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import Clock
from flask.testing import FlaskClient
from helpers import assert_problem, copy_database, walk

from catalog.core import pricing
from catalog.storage import db, store

GCP = "gcp:claude-3-5-sonnet:serverless:20241022"  # regions us-east5, europe-west1
SOURCE = "https://example.org/price-list"


@pytest.fixture(scope="module")
def priceless_db(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded catalog with its shipped prices deleted (through the store, so the feed and
    as_of agree): these tests build their own price series."""
    path = copy_database(seeded_db, tmp_path_factory.mktemp("priceless") / "catalog.db")
    conn = db.connect(path)
    ids = [row[0] for row in conn.execute("SELECT id FROM prices")]
    with store.writing(conn, "tests") as writer:
        for price_id in ids:
            writer.delete("prices", (price_id,))
        # Retirements would end the prices written here (tests/test_retirement_prices.py).
        ended = ("retired_from", "retired_from_certainty", "retired_from_source")
        for (key,) in conn.execute("SELECT id FROM offerings WHERE retired_from IS NOT NULL"):
            record = store.fixture_form(writer.get("offerings", (key,)) or {})
            writer.put("offerings", record | dict.fromkeys(ended))
    conn.close()
    return path


@pytest.fixture
def writable_db(priceless_db: Path, tmp_path: Path) -> Path:
    """This module's writable copy starts from the priceless catalog."""
    return copy_database(priceless_db, tmp_path / "writable.db")


def new_price(pid: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "offering": GCP,
        "unit": "input-1m-tokens",
        "amount": "3.00",
        "currency": "USD",
        "effective_from": "2024-10-24",
        "effective_from_certainty": "exact",
        "source": SOURCE,
    } | fields


def feed_length(client: FlaskClient) -> int:
    return len(walk(client, "/v1/changes?limit=500"))


def test_create_read_list_csv_and_the_offerings_prices(writer: FlaskClient) -> None:
    created = writer.post("/v1/prices", json=new_price("p1", amount="0.075"))
    assert created.status_code == 201, created.json
    assert created.headers["Location"] == "/v1/prices/p1"
    body = created.json
    assert body["amount"] == "0.075" and body["region"] is None and body["origin"] == "curated"
    assert body["effective_from"] == "2024-10-24T00:00:00Z" and body["effective_until"] is None
    assert writer.get("/v1/prices/p1").json == body
    assert [p["id"] for p in writer.get("/v1/prices?model=claude-3-5-sonnet").json["items"]] == [
        "p1"
    ]
    assert writer.get("/v1/prices?cloud=aws").json["items"] == []
    assert [p["id"] for p in writer.get(f"/v1/offerings/{GCP}/prices").json["items"]] == ["p1"]
    assert_problem(writer.get("/v1/offerings/no-such-offering/prices"), 404)
    csv = writer.get("/v1/prices?format=csv").get_data(as_text=True).splitlines()
    assert csv[0].startswith("id,offering,region,unit,amount,currency,effective_from")
    assert csv[1].startswith(f"p1,{GCP},,input-1m-tokens,0.075,USD,")


def test_bad_amounts_are_refused_naming_amount(writer: FlaskClient) -> None:
    before = feed_length(writer)
    for amount in (3.0, 3, "-1", "0.0000000000001", "1e3", "03.5", "1000000000"):
        body = assert_problem(writer.post("/v1/prices", json=new_price("p", amount=amount)), 400)
        assert list(body["errors"]) == ["amount"], amount
    assert list(
        assert_problem(writer.post("/v1/prices", json=new_price("p", currency="usd")), 400)[
            "errors"
        ]
    ) == ["currency"]
    body = assert_problem(
        writer.post("/v1/prices", json=new_price("p", effective_until="2024-01-01")), 422
    )
    assert list(body["errors"]) == ["effective_until"]
    assert feed_length(writer) == before and writer.get("/v1/prices").json["items"] == []


def test_region_must_be_one_of_the_offerings(writer: FlaskClient) -> None:
    body = assert_problem(writer.post("/v1/prices", json=new_price("p", region="us-east-1")), 409)
    assert body["type"] == "/problems/broken-reference" and list(body["errors"]) == ["region"]
    assert writer.post("/v1/prices", json=new_price("p", region="us-east5")).status_code == 201


def test_a_later_price_closes_the_current_one_in_the_same_write(writer: FlaskClient) -> None:
    assert writer.post("/v1/prices", json=new_price("p1")).status_code == 201
    later = writer.post(
        "/v1/prices", json=new_price("p2", amount="2.50", effective_from="2025-01-01")
    )
    assert later.status_code == 201
    assert writer.get("/v1/prices/p1").json["effective_until"] == "2025-01-01T00:00:00Z"
    closing, creating = writer.get("/v1/changes?sort=-seq&limit=2").json["items"][::-1]
    assert (closing["id"], closing["action"], creating["id"], creating["action"]) == (
        "p1",
        "update",
        "p2",
        "create",
    )
    assert closing["before"]["effective_until"] is None
    assert closing["recorded_at"] == creating["recorded_at"]
    # Another series (a region, another unit or currency) is left alone.
    for other in (
        new_price("r", region="us-east5", effective_from="2025-02-01"),
        new_price("u", unit="output-1m-tokens", effective_from="2025-02-01"),
        new_price("c", currency="EUR", effective_from="2025-02-01"),
    ):
        assert writer.post("/v1/prices", json=other).status_code == 201
    assert writer.get("/v1/prices/p2").json["effective_until"] is None

    def ids(query: str) -> set[str]:
        return {p["id"] for p in writer.get(f"/v1/prices?{query}").json["items"]}

    # A price for every region applies in each of them; one for a region only there.
    assert ids("region=us-east5") == {"p1", "p2", "r", "u", "c"}
    assert ids("region=europe-west1") == {"p1", "p2", "u", "c"}
    assert ids("region=us-east-1") == set()
    assert ids("unit=output-1m-tokens") == {"u"} and ids("currency=EUR") == {"c"}
    assert ids("at=2025-03-01&currency=USD&unit=input-1m-tokens") == {"p2", "r"}


def test_an_offering_keeps_the_regions_its_prices_name(writer: FlaskClient) -> None:
    writer.post("/v1/prices", json=new_price("p", region="us-east5"))
    etag = writer.get(f"/v1/offerings/{GCP}").headers["ETag"]
    dropped = writer.patch(
        f"/v1/offerings/{GCP}",
        json={"regions": ["europe-west1"]},
        headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    body = assert_problem(dropped, 409)
    assert body["type"] == "/problems/still-referenced" and body["referrers"] == ["prices/p"]


def test_an_overlap_is_a_409_naming_the_price_and_changes_nothing(writer: FlaskClient) -> None:
    writer.post("/v1/prices", json=new_price("p1"))
    writer.post("/v1/prices", json=new_price("p2", effective_from="2025-01-01"))
    before = feed_length(writer)
    inside = writer.post("/v1/prices", json=new_price("p3", effective_from="2024-12-01"))
    body = assert_problem(inside, 409)
    assert body["type"] == "/problems/price-overlap" and body["conflicts_with"] == "p1"
    assert "'p1'" in body["detail"]
    same_start = writer.post("/v1/prices", json=new_price("p3", effective_from="2025-01-01"))
    assert assert_problem(same_start, 409)["conflicts_with"] == "p2"
    # Known to have ended: fits before p1, ending where p1 starts (half-open).
    earlier = new_price("p0", effective_from="2024-10-01", effective_until="2024-10-24")
    assert feed_length(writer) == before
    assert writer.post("/v1/prices", json=earlier).status_code == 201
    # Moving p2 back over p1 with If-Match: refused too.
    etag = writer.get("/v1/prices/p2").headers["ETag"]
    moved = writer.patch(
        "/v1/prices/p2",
        json={"effective_from": "2024-11-01"},
        headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert assert_problem(moved, 409)["conflicts_with"] == "p1"


def test_at_is_half_open_and_as_of_shows_what_was_known(writer: FlaskClient, clock: Clock) -> None:
    writer.post("/v1/prices", json=new_price("p1"))
    known_then = clock.advance()
    clock.advance()
    writer.post("/v1/prices", json=new_price("p2", amount="2.5", effective_from="2025-01-01"))

    def ids(query: str) -> list[str]:
        return [p["id"] for p in writer.get(f"/v1/prices?{query}").json["items"]]

    assert ids("at=2024-10-23T23:59:59Z") == []
    assert ids("at=2024-10-24") == ["p1"]
    assert ids("at=2024-12-31T23:59:59Z") == ["p1"]
    assert ids("at=2025-01-01") == ["p2"]
    assert ids(f"at=2025-06-01&as_of={known_then}") == ["p1"]
    assert writer.get(f"/v1/prices/p1?as_of={known_then}").json["effective_until"] is None
    assert_problem(writer.get(f"/v1/prices/p2?as_of={known_then}"), 404)
    compared = "/v1/models/claude-3-5-sonnet/prices?at=2025-06-01"
    # The other offerings of the model then have no price: listed after, amount null.
    assert [i["amount"] for i in writer.get(compared).json["items"] if i["amount"]] == ["2.5"]
    then = writer.get(f"{compared}&as_of={known_then}").json["items"]
    assert [i["amount"] for i in then if i["amount"]] == ["3.00"]
    assert [i["id"] for i in walk(writer, f"/v1/offerings/{GCP}/prices?as_of={known_then}")] == [
        "p1"
    ]


def test_sorting_by_amount_is_exact_across_pages(writer: FlaskClient) -> None:
    amounts = ["10", "9.5", "0.075", "100", "0.1", "0.10", "2", "0.000000000001", "19.99"]
    units = ("input-1m-tokens", "output-1m-tokens", "cached-input-1m-tokens")
    for n, amount in enumerate(amounts):
        # One series each: distinct (unit, currency) pairs, so none closes another.
        record = new_price(
            f"p{n}", amount=amount, unit=units[n % 3], currency="XA" + "ABCDEFGHIJ"[n]
        )
        assert writer.post("/v1/prices", json=record).status_code == 201, record
    up = [p["amount"] for p in walk(writer, "/v1/prices?sort=amount&limit=2")]
    assert [Decimal(a) for a in up] == sorted(Decimal(a) for a in amounts)
    down = [p["amount"] for p in walk(writer, "/v1/prices?sort=-amount&limit=3")]
    assert [Decimal(a) for a in down] == sorted((Decimal(a) for a in amounts), reverse=True)
    assert pricing.total(up) == "141.765000000001"  # exactly; floats would not say so


def test_the_comparison_cheapest_first_with_exclusivity(writer: FlaskClient) -> None:
    # mistral-large-2402 on 2024-03-15: Azure holds a window; la-plateforme and Snowflake not.
    offerings = {
        "azure": "azure:mistral-large-2402:serverless",
        "la-plateforme": "la-plateforme:mistral-large-2402:serverless",
        "snowflake-cortex": "snowflake-cortex:mistral-large-2402:serverless",
        "aws": "aws:mistral-large-2402:serverless",  # not available until 2024-04-04
    }
    amounts = {
        "azure": "8.000000000001",
        "la-plateforme": "8",
        "snowflake-cortex": "12",
        "aws": "1",
    }
    for cloud, offering in offerings.items():
        for unit, factor in (("input-1m-tokens", 1), ("output-1m-tokens", 3)):
            record = new_price(
                f"{cloud}-{unit}",
                offering=offering,
                unit=unit,
                amount=str(Decimal(amounts[cloud]) * factor),
                effective_from="2024-02-26",
            )
            assert writer.post("/v1/prices", json=record).status_code == 201, record
    answer = writer.get("/v1/models/mistral-large-2402/prices?at=2024-03-15").json
    assert answer["model"] == "mistral-large-2402" and answer["at"] == "2024-03-15T00:00:00Z"
    rows = [(i["unit"], i["cloud"], i["amount"]) for i in answer["items"]]
    assert rows == [
        ("input-1m-tokens", "la-plateforme", "8"),
        ("input-1m-tokens", "azure", "8.000000000001"),
        ("input-1m-tokens", "snowflake-cortex", "12"),
        ("output-1m-tokens", "la-plateforme", "24"),
        ("output-1m-tokens", "azure", "24.000000000003"),
        ("output-1m-tokens", "snowflake-cortex", "36"),
    ]
    states = {i["cloud"]: i["exclusivity"]["state"] for i in answer["items"]}
    assert states == {"azure": "exclusive", "la-plateforme": "none", "snowflake-cortex": "none"}
    only = writer.get("/v1/models/mistral-large-2402/prices?at=2024-05-01&unit=input-1m-tokens")
    assert [i["cloud"] for i in only.json["items"] if i["amount"]] == [
        "aws",
        "la-plateforme",
        "azure",
        "snowflake-cortex",
    ]
    assert only.json["items"][0]["exclusivity"] == {"state": "none"}
    region = writer.get("/v1/models/mistral-large-2402/prices?at=2024-05-01&region=eu-west-3")
    assert {i["cloud"] for i in region.json["items"]} == {"aws"}
    assert_problem(writer.get("/v1/models/no-such-model/prices"), 404)
    assert_problem(writer.get("/v1/models/mistral-large-2402/prices?unit=litre"), 400)


LLAMA = "llama-3-1-405b-instruct"


def test_the_comparison_marks_free_unpriced_and_deprecated(writer: FlaskClient) -> None:
    # Llama 3.1 405B on 2026-03-01: OpenRouter (a free tier here), AWS (us-west-2 only; made
    # deprecated from 2026-02-15 below), Azure (six US regions), GCP with no price here.
    aws = f"aws:{LLAMA}:serverless"
    etag = writer.get(f"/v1/offerings/{aws}").headers["ETag"]
    deprecated = {
        "deprecated_from": "2026-02-15",
        "deprecated_from_certainty": "exact",
        "deprecated_from_source": SOURCE,
    }
    patched = writer.patch(
        f"/v1/offerings/{aws}",
        json=deprecated,
        headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.json
    for cloud, amount in (("openrouter", "0.00"), ("aws", "2.40"), ("azure", "5.33")):
        for unit in ("input-1m-tokens", "output-1m-tokens"):
            record = new_price(
                f"{cloud}-405b-{unit}",
                offering=f"{cloud}:{LLAMA}:serverless",
                unit=unit,
                amount=amount,
                effective_from="2026-02-01",
            )
            assert writer.post("/v1/prices", json=record).status_code == 201, record
    items = writer.get(f"/v1/models/{LLAMA}/prices?at=2026-03-01").json["items"]
    offered = {
        o["cloud"] for o in walk(writer, f"/v1/offerings?model={LLAMA}&at=2026-03-01&limit=100")
    }
    assert offered >= {"aws", "azure", "gcp", "openrouter"}
    rows = [(i["unit"], i["cloud"], i["amount"], i["free"]) for i in items]
    assert rows == [
        # The free tier is not the cheapest paid price: it comes after them.
        ("input-1m-tokens", "aws", "2.40", False),
        ("input-1m-tokens", "azure", "5.33", False),
        ("input-1m-tokens", "openrouter", "0.00", True),
        ("output-1m-tokens", "aws", "2.40", False),
        ("output-1m-tokens", "azure", "5.33", False),
        ("output-1m-tokens", "openrouter", "0.00", True),
        # Offered then with no price known: listed after the priced ones, amount null.
        *((None, cloud, None, False) for cloud in sorted(offered - {"aws", "azure", "openrouter"})),
    ]
    by_cloud = {i["cloud"]: i for i in items}
    assert by_cloud["aws"]["lifecycle"] == {
        "state": "deprecated",
        "deprecated_from": "2026-02-15T00:00:00Z",
        "retires_at": None,
        "retires_at_certainty": None,
        "replacement": None,
    }
    assert by_cloud["azure"]["lifecycle"]["state"] == "available"
    assert {i["deployment_type"] for i in items} == {"serverless"}
    # Geography: the one every region of the offering lies in; unknown without regions.
    assert (by_cloud["aws"]["geography"], by_cloud["azure"]["geography"]) == ("US", "US")
    # Vertex serves it in us-central1 only (its locations table); OpenRouter lists no regions.
    assert (by_cloud["gcp"]["geography"], by_cloud["openrouter"]["geography"]) == ("US", None)
    assert by_cloud["gcp"]["currency"] is None and by_cloud["gcp"]["price"] is None
    # Before AWS's deprecation it is plain available.
    earlier = writer.get(f"/v1/models/{LLAMA}/prices?at=2026-02-10&unit=input-1m-tokens").json
    before = next(i for i in earlier["items"] if i["cloud"] == "aws")
    assert before["lifecycle"]["state"] == "available"
    assert before["lifecycle"]["deprecated_from"] == "2026-02-15T00:00:00Z"

    # The spreadsheet: one row per offering and price region, one column per unit.
    sheet = writer.get(f"/v1/models/{LLAMA}/prices?at=2026-03-01&format=csv")
    assert sheet.status_code == 200 and sheet.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(sheet.get_data(as_text=True))))
    assert [(r["cloud"], r["input-1m-tokens"], r["output-1m-tokens"]) for r in table] == [
        ("aws", "2.40", "2.40"),
        ("azure", "5.33", "5.33"),
        ("openrouter", "0.00", "0.00"),
        *((cloud, "", "") for cloud in sorted(offered - {"aws", "azure", "openrouter"})),
    ]
    assert table[0]["lifecycle"] == "deprecated" and table[0]["geography"] == "US"
    assert table[0]["region"] == "" and table[0]["hour"] == ""
    accepted = writer.get(
        f"/v1/models/{LLAMA}/prices?at=2026-03-01", headers={"Accept": "text/csv"}
    )
    assert accepted.data == sheet.data
    assert_problem(writer.get(f"/v1/models/{LLAMA}/prices?format=xml"), 400)


def test_price_changes_are_timeline_events(writer: FlaskClient) -> None:
    writer.post("/v1/prices", json=new_price("p1"))
    writer.post("/v1/prices", json=new_price("p2", amount="2.50", effective_from="2025-01-01"))
    events = writer.get("/v1/timeline?event=price-effective&model=claude-3-5-sonnet").json["items"]
    assert [(e["id"], e["at"], e["price"]) for e in events] == [
        ("price-effective:p1", "2024-10-24T00:00:00Z", "p1"),
        ("price-effective:p2", "2025-01-01T00:00:00Z", "p2"),
    ]
    assert "2.50 USD per input-1m-tokens" in events[1]["summary"]
    assert events[1]["certainty"] == "exact" and events[1]["source"] == SOURCE
    others = writer.get("/v1/timeline?event=window-starts").json["items"]
    assert others and {e["event"] for e in others} == {"window-starts"}
    calendar = writer.get("/v1/timeline?event=price-effective&format=ics").get_data(as_text=True)
    assert (
        "UID:price-effective:p2@catalog" in calendar and "DTSTART;VALUE=DATE:20250101" in calendar
    )


def test_delete_and_history_and_a_priced_offering_stays(writer: FlaskClient) -> None:
    writer.post("/v1/prices", json=new_price("p1"))
    etag = writer.get(f"/v1/offerings/{GCP}").headers["ETag"]
    refused = writer.delete(f"/v1/offerings/{GCP}", headers={"If-Match": etag})
    assert assert_problem(refused, 409)["referrers"] == ["prices/p1"]
    etag = writer.get("/v1/prices/p1").headers["ETag"]
    assert writer.delete("/v1/prices/p1", headers={"If-Match": etag}).status_code == 204
    history = walk(writer, "/v1/prices/p1/history")
    assert [h["action"] for h in history] == ["create", "delete"]
