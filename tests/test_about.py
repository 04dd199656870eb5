"""GET /v1/about: the sources, the newest fact, the counts; "data as of" on every page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from helpers import assert_problem

from catalog.core import about
from catalog.storage import db

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


def test_the_newest_fact_is_the_timelines_newest_event_that_happened(seeded_db: Path) -> None:
    """NEWEST_FACT reads each table's dates; the timeline's events are the same dates."""
    conn = db.connect(seeded_db, read_only=True)
    over_the_view = (
        f"SELECT max(at) FROM timeline_events WHERE at <= :now AND certainty NOT IN {about.PLANNED}"
    )
    days = [r[0] for r in conn.execute("SELECT DISTINCT at FROM timeline_events ORDER BY at")]
    assert len(days) > 100
    for now in (*days[:: len(days) // 40], "2030-01-01T00:00:00Z", "1999-01-01T00:00:00Z"):
        assert (
            conn.execute(about.NEWEST_FACT, {"now": now}).fetchone()
            == conn.execute(over_the_view, {"now": now}).fetchone()
        ), now
    events = {r[0].split(":")[0] for r in conn.execute("SELECT id FROM timeline_events")}
    conn.close()
    # Every kind of event the view has is among the dates read (a new kind would be missed).
    kinds = {"offering-available", "offering-deprecated", "offering-retired", "window-starts"}
    assert events <= kinds | {"window-ends", "price-effective"} and kinds <= events


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


# The notable models launched since the registry copy (2026-07-01), from dated sources.
NEW = {
    # offering: (available_from, certainty, source host)
    "xai-api:grok-4.5:serverless": ("2026-07-08", "on-or-before", "github.com"),
    "xai-api:grok-4.6:serverless": ("2026-08-12", "exact", "x.ai"),
    "xai-api:grok-4.7:serverless": ("2026-09-21", "exact", "x.ai"),
    "moonshot-api:kimi-k3:serverless": ("2026-07-16", "exact", "www.kimi.com"),
    "anthropic-api:claude-opus-5:serverless": ("2026-07-24", "exact", "www.anthropic.com"),
    "aws:claude-opus-5:serverless": ("2026-07-25", "on-or-before", "github.com"),
    "gcp:claude-opus-5:serverless": ("2026-07-25", "on-or-before", "github.com"),
    "azure:claude-opus-5:serverless": ("2026-07-25", "on-or-before", "github.com"),
    "alibaba-cloud:qwen3.8-max:serverless": ("2026-08-03", "on-or-before", "github.com"),
    "zai-api:glm-5.3:serverless": ("2026-08-19", "on-or-before", "github.com"),
    "deepseek-api:deepseek-v4.1-flash:serverless": ("2026-09-10", "exact", "api-docs.deepseek.com"),
    "gemini-api:gemini-3.8-flash:serverless": ("2026-09-02", "on-or-before", "github.com"),
    "gemini-api:gemini-3.7-flash:serverless": ("2026-08-13", "on-or-before", "github.com"),
    "anthropic-api:claude-fable-5-1:serverless": ("2026-09-01", "exact", "www.anthropic.com"),
}


@pytest.mark.parametrize("offering_id", sorted(NEW))
def test_new_model_offering(client: FlaskClient, offering_id: str) -> None:
    date, certainty, host = NEW[offering_id]
    offering = client.get(f"/v1/offerings/{offering_id}").json
    assert offering["available_from"] == f"{date}T00:00:00Z"
    assert offering["available_from_certainty"] == certainty
    assert offering["available_from_source"].split("/")[2] == host
    assert offering["origin"] == "curated" and offering["stage"] == "ga"
    model = client.get(f"/v1/models/{offering['model']}").json
    assert model["id"] == offering["model"] and model["aliases"] == []


def test_new_models_answer_today(client: FlaskClient) -> None:
    answer = client.get("/v1/models/claude-opus-5/availability?at=2026-12-01").json
    on = {c["cloud"] for c in answer["clouds"] if c["available"]}
    assert on == {"anthropic-api", "aws", "gcp", "azure"}
    # The DeepSeek API serves V4.1 Flash under the id its bill shows.
    found = client.get("/v1/offerings?cloud_model_id=deepseek-flash").json["items"]
    assert [o["model"] for o in found] == ["deepseek-v4.1-flash"]


def test_data_is_as_of_the_newest_launch(client: FlaskClient) -> None:
    assert client.get("/v1/about").json["newest_fact"] == "2026-09-21T00:00:00Z"
