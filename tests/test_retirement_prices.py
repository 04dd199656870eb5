"""An offering's prices end no later than its retirement, on every path that sets or moves
`retired_from`: an API write (PATCH), the vendor schedules (`catalog import vendor-lifecycle`,
`catalog import azure-docs`), a registry's prices (the plans' price series; the models.dev
delisting is tests/test_import_delisting.py), and `catalog load`, which refuses a fixture
price in force after its offering's retirement. A `not-before` retirement ends nothing. The
amounts and example.org sources here are made up for the tests."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from helpers import assert_problem, copy_database
from registry_helpers import snapshot

from catalog import cli
from catalog.core import pricing
from catalog.importers import plan
from catalog.storage import db, loading, store

ROOT = Path(__file__).parent.parent
OFFERING = "gcp:claude-3-5-sonnet:serverless:20240620"  # curated, no end, no prices shipped
SOURCE = "https://example.org/retired"
IN_FORCE_AFTER = (
    "SELECT count(*) FROM prices p JOIN offerings o ON o.id = p.offering "
    "WHERE o.retired_from IS NOT NULL AND o.retired_from_certainty != 'not-before' "
    "AND (p.effective_until IS NULL OR p.effective_until > o.retired_from)"
)


def price(pid: str, start: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "offering": OFFERING,
        "unit": "input-1m-tokens",
        "amount": "3.00",
        "currency": "USD",
        "effective_from": start,
        "effective_from_certainty": "exact",
        "source": SOURCE,
    } | fields


def patch(client: FlaskClient, url: str, body: dict[str, Any]) -> Any:
    etag = client.get(url).headers["ETag"]
    headers = {"If-Match": etag, "Content-Type": "application/merge-patch+json"}
    return client.patch(url, data=json.dumps(body), headers=headers)


def retire(day: str | None, certainty: str = "exact") -> dict[str, Any]:
    if day is None:
        return dict.fromkeys(("retired_from", "retired_from_certainty", "retired_from_source"))
    return {"retired_from": day, "retired_from_certainty": certainty, "retired_from_source": SOURCE}


def ends(client: FlaskClient) -> dict[str, str | None]:
    items = client.get(f"/v1/offerings/{OFFERING}/prices").json["items"]
    return {p["id"]: p["effective_until"] for p in items}


def test_an_api_retirement_ends_the_prices_and_a_moved_one_moves_them(writer: FlaskClient) -> None:
    for body in (
        price("old", "2024-06-21", effective_until="2025-01-01"),
        price("current", "2025-01-01", amount="2.50"),
        price("output", "2024-06-21", unit="output-1m-tokens"),
        price("late", "2026-01-01", unit="cached-input-1m-tokens"),
    ):
        assert writer.post("/v1/prices", json=body).status_code == 201
    url = f"/v1/offerings/{OFFERING}"
    assert patch(writer, url, retire("2025-10-22")).status_code == 200
    assert ends(writer) == {
        "old": "2025-01-01T00:00:00Z",  # ended before: untouched
        "current": "2025-10-22T00:00:00Z",
        "output": "2025-10-22T00:00:00Z",
    }  # "late" starts after the retirement: never in force, it went
    assert writer.get("/v1/prices/current").json["source"] == SOURCE  # its own source kept
    assert writer.get("/v1/prices/late").status_code == 404
    assert (
        writer.get("/v1/prices?model=claude-3-5-sonnet&cloud=gcp&at=2025-11-01").json["items"] == []
    )
    # Moved later: the prices it ended end at the new day; "old" stays as it was.
    assert patch(writer, url, retire("2025-12-01", "announced")).status_code == 200
    assert ends(writer)["current"] == ends(writer)["output"] == "2025-12-01T00:00:00Z"
    assert ends(writer)["old"] == "2025-01-01T00:00:00Z"
    # Only "no earlier than": the offering goes on, and so do its prices.
    assert patch(writer, url, retire("2026-03-01", "not-before")).status_code == 200
    assert ends(writer) == {"old": "2025-01-01T00:00:00Z", "current": None, "output": None}
    # Withdrawn after an end, the same.
    assert patch(writer, url, retire("2026-02-01")).status_code == 200
    assert patch(writer, url, retire(None)).status_code == 200
    assert ends(writer)["current"] is None


def test_a_price_in_force_after_the_retirement_is_a_409_naming_the_field(
    writer: FlaskClient,
) -> None:
    assert patch(writer, f"/v1/offerings/{OFFERING}", retire("2025-10-22")).status_code == 200
    body = assert_problem(writer.post("/v1/prices", json=price("open", "2025-01-01")), 409)
    assert body["type"] == "/problems/price-after-retirement"
    assert "2025-10-22" in body["errors"]["effective_until"][0] and body["offering"] == OFFERING
    late = price("late", "2025-10-22", effective_until="2026-01-01")
    assert "effective_from" in assert_problem(writer.post("/v1/prices", json=late), 409)["errors"]
    ended = price("ended", "2025-01-01", effective_until="2025-10-22")
    assert writer.post("/v1/prices", json=ended).status_code == 201


def test_the_rule_as_functions() -> None:
    offering = {"id": "o", "retired_from": "2025-10-22T00:00:00Z"}
    offering["retired_from_certainty"] = "exact"
    assert pricing.ends_by(offering) == "2025-10-22T00:00:00Z"
    assert pricing.ends_by({**offering, "retired_from_certainty": "not-before"}) is None
    assert pricing.ends_by({**offering, "retired_from": None}) is None
    open_price = {"effective_from": "2025-01-01T00:00:00Z", "effective_until": None}
    assert pricing.past_retirement(open_price, offering)[0] == "effective_until"  # type: ignore[index]
    ended = {**open_price, "effective_until": "2025-10-22T00:00:00Z"}
    assert pricing.past_retirement(ended, offering) is None


def test_a_fixture_price_after_its_offerings_retirement_is_refused_naming_file_and_record(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "fixtures"
    shutil.copytree(ROOT / "fixtures", folder, ignore=shutil.ignore_patterns("registry", "*.py"))
    prices = json.loads((folder / "prices.json").read_text())
    cut = next(p for p in prices if p["id"].startswith("la-plateforme:mistral-large-2402:"))
    cut["effective_until"] = None  # the shipped row ends on the retirement, 2025-06-16
    (folder / "prices.json").write_text(json.dumps(prices))
    database = db.migrate(tmp_path / "catalog.db")
    with pytest.raises(loading.LoadError) as refused:
        loading.load_records(database, loading.read_fixture_dir(folder), actor="fixtures")
    (problem,) = refused.value.problems
    assert problem.startswith(f"{folder / 'prices.json'}: record {prices.index(cut)} (id ")
    assert "effective_until: must end by 2025-06-16" in problem
    assert database.conn.execute("SELECT count(*) FROM offerings").fetchone()[0] == 0


def test_the_shipped_catalog_has_no_price_after_its_offerings_retirement(seeded_db: Path) -> None:
    conn = db.connect(seeded_db, read_only=True)
    try:
        assert conn.execute(IN_FORCE_AFTER).fetchone()[0] == 0
        retired = conn.execute(
            "SELECT count(*) FROM offerings WHERE retired_from IS NOT NULL AND id IN "
            "(SELECT offering FROM prices)"
        ).fetchone()[0]
    finally:
        conn.close()
    assert retired > 100


def reopened(seeded_db: Path, tmp_path: Path, offering: str) -> Path:
    """A copy whose offering has lost its end and whose prices run on (as before this rule)."""
    path = copy_database(seeded_db, tmp_path / "catalog.db")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE offerings SET retired_from = NULL, retired_from_certainty = NULL, "
            "retired_from_source = NULL WHERE id = ?",
            [offering],
        )
        conn.execute(
            "UPDATE prices SET effective_until = NULL WHERE offering = ? AND id IN (SELECT id "
            "FROM prices p WHERE p.offering = ? AND NOT EXISTS (SELECT 1 FROM prices q WHERE "
            "q.offering = p.offering AND q.unit = p.unit AND q.effective_from > p.effective_from))",
            [offering, offering],
        )
    conn.close()
    return path


@pytest.mark.parametrize(
    ("command", "offering", "day"),
    [
        (["import", "vendor-lifecycle"], "anthropic-api:claude-3-5-haiku:serverless", "2026-02-19"),
        (
            ["import", "azure-docs", str(ROOT / "tests/data/azure-docs/newest")],
            "azure:gpt-4o-mini:serverless",
            "2026-03-31",
        ),
    ],
)
def test_a_vendor_schedule_ends_the_prices_once(
    seeded_db: Path, tmp_path: Path, command: list[str], offering: str, day: str
) -> None:
    path = reopened(seeded_db, tmp_path, offering)
    env = {"CATALOG_DATABASE": str(path)}
    first = CliRunner().invoke(cli.main, command, env=env)
    assert first.exit_code == 0, first.output
    conn = db.connect(path, read_only=True)
    try:
        found = conn.execute(
            "SELECT p.effective_until, o.retired_from FROM prices p JOIN offerings o "
            "ON o.id = p.offering WHERE p.offering = ? ORDER BY p.effective_from DESC LIMIT 1",
            [offering],
        ).fetchone()
        assert conn.execute(IN_FORCE_AFTER).fetchone()[0] == 0
    finally:
        conn.close()
    assert tuple(found) == (f"{day}T00:00:00Z", f"{day}T00:00:00Z")
    after = snapshot(path)
    second = CliRunner().invoke(cli.main, command, env=env)
    assert "added nothing; changed 0," in second.output
    assert snapshot(path) == after


def test_an_imports_price_series_ends_at_the_retirement(writable_db: Path) -> None:
    """A registry's price that runs on past a retirement the catalog knows is cut there; one
    that starts after it is refused and reported (a second import finds them as stored)."""
    conn = db.connect(writable_db)
    try:
        with store.writing(conn, "tests") as writer:
            record = store.fixture_form(writer.get("offerings", (OFFERING,)) or {})
            writer.put("offerings", {**record, **retire("2025-10-22T00:00:00Z")})
            report = plan.Report()
            found = plan.price_series(
                conn,
                [
                    plan.validated("prices", price("a", "2024-06-21", origin="models.dev")),
                    plan.validated("prices", price("b", "2025-11-01", origin="models.dev")),
                ],
                report,
            )
    finally:
        conn.close()
    assert [(p["id"], p["effective_until"]) for p in found] == [("a", "2025-10-22T00:00:00Z")]
    assert report.refused == [("prices/b", "starts after retirement 2025-10-22T00:00:00Z")]
