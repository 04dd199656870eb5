"""GET /v1/about: the sources, the newest fact, the counts; "data as of" on every page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from helpers import assert_problem

from catalog import about, db

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_about_names_the_sources_the_newest_fact_and_the_counts(client: FlaskClient) -> None:
    response = client.get("/v1/about")
    assert response.status_code == 200 and response.headers["ETag"]
    body = response.json
    assert set(body) == {"sources", "newest_fact", "counts"}
    by_name = {s["name"]: s for s in body["sources"]}
    registry = by_name["models.dev"]
    assert re.fullmatch(r"[0-9a-f]{40}", registry["revision"])
    assert registry["url"] == "https://github.com/anomalyco/models.dev"
    # The pinned import (2026-07-01): its newest fact is from the day before.
    assert "2026-06-01" <= registry["date"] <= "2026-07-02"
    assert by_name["curated"]["revision"] is None
    assert body["newest_fact"] >= max(s["date"] for s in body["sources"])
    for name, count in body["counts"].items():
        assert count == len(json.loads((FIXTURES / f"{name}.json").read_text())), name


def test_newest_fact_is_never_a_planned_date(seeded_db: Path) -> None:
    conn = db.connect(seeded_db, read_only=True)
    found = about.describe(conn, now="2027-12-31T00:00:00Z")
    planned = conn.execute(
        "SELECT max(retired_from) FROM offerings WHERE retired_from_certainty = 'announced'"
    ).fetchone()[0]
    conn.close()
    assert planned is not None and found["newest_fact"] < planned


def test_about_as_of_before_the_seed_is_empty(client: FlaskClient) -> None:
    body = client.get("/v1/about?as_of=2020-01-01").json
    assert body["sources"] == [] and body["newest_fact"] is None
    assert set(body["counts"].values()) == {0}


def test_about_refuses_unknown_arguments(client: FlaskClient) -> None:
    assert "model" in assert_problem(client.get("/v1/about?model=x"), 400)["errors"]


@pytest.mark.parametrize("path", ["/", "/models/gpt-4o", "/timeline", "/models/nope"])
def test_every_page_says_data_as_of(client: FlaskClient, path: str) -> None:
    newest = client.get("/v1/about").json["newest_fact"][:10]
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'Data as of <time datetime="{newest}">{newest}</time>' in page
