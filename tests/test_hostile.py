"""Hostile and careless input (issue 24): instants at the edge of the calendar, malformed JSON
bodies, forged cursors, unknown methods, bodies over the limit, If-None-Match: * on a PUT."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import assert_problem

from catalog.storage import loading

OFFERING = "azure:mistral-large-2402:serverless"
WINDOW = "azure-mistral-large-2402"


def offering_body(**changes: Any) -> dict[str, Any]:
    body = {
        "id": "edge-offering",
        "model": "mistral-large-2402",
        "cloud": "azure",
        "deployment_type": "serverless",
        "available_from": "2024-02-26",
        "available_from_certainty": "exact",
        "available_from_source": "https://example.com/a",
        "cloud_model_id": "mistral-large-edge",
        "regions": [],
        "stage": "ga",
    }
    return body | changes


@pytest.mark.parametrize("edge", ["9999-12-31", "0001-01-01", "1969-12-31T23:59:59Z", "2100-01-02"])
def test_a_write_refuses_an_instant_outside_the_calendar(writer: FlaskClient, edge: str) -> None:
    body = offering_body(
        retired_from=edge,
        retired_from_certainty="announced",
        retired_from_source="https://example.com/r",
    )
    problem = assert_problem(writer.post("/v1/offerings", json=body), 400)
    assert "retired_from" in problem["errors"]
    assert writer.get("/v1/offerings/edge-offering").status_code == 404


def test_the_bounds_themselves_are_accepted(writer: FlaskClient) -> None:
    body = offering_body(
        available_from="1970-01-01",
        retired_from="2100-01-01",
        retired_from_certainty="announced",
        retired_from_source="https://example.com/r",
    )
    assert writer.post("/v1/offerings", json=body).status_code == 201


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/timeline?start=0001-01-01", "start"),
        ("/timeline?end=9999-12-31", "end"),
        ("/v1/timeline?from=0001-01-01", "from"),
        ("/v1/offerings?at=9999-12-31", "at"),
    ],
)
def test_a_query_refuses_an_instant_outside_the_calendar(
    client: FlaskClient, url: str, field: str
) -> None:
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 400
    if url.startswith("/v1/"):
        assert field in assert_problem(response, 400)["errors"]
    else:
        assert field in response.get_data(as_text=True)


def test_fixtures_refuse_an_instant_outside_the_calendar() -> None:
    record = offering_body(
        retired_from="9999-12-31",
        retired_from_certainty="announced",
        retired_from_source="https://example.com/r",
    )
    _, problems = loading.validate({"offerings": [("offerings.json", record)]})  # type: ignore[list-item]
    assert problems and "retired_from" in problems[0]


@pytest.fixture
def far_dates(writable_db: Path) -> Path:
    """Dates no write can store now, put in by hand (or by an older version of the service)."""
    conn = sqlite3.connect(writable_db)
    with conn:
        conn.execute(
            "UPDATE offerings SET retired_from = '9999-12-31T00:00:00Z', "
            "retired_from_certainty = 'announced', retired_from_source = 'https://example.com/r' "
            "WHERE id = ?",
            (OFFERING,),
        )
        conn.execute(
            "UPDATE exclusivity_windows SET starts_at = '0001-01-01T00:00:00Z', "
            "ends_at = '9999-12-31T00:00:00Z' WHERE id = ?",
            (WINDOW,),
        )
    conn.close()
    return writable_db


@pytest.mark.parametrize(
    "url",
    [
        "/timeline",
        "/timeline?scope=all",
        "/timeline?model=mistral-large-2402",
        "/v1/timeline?format=ics",
        "/v1/exclusivity-windows?format=ics",
        "/v1/timeline?format=csv",
        "/v1/timeline",
        "/",
        "/models/mistral-large-2402",
    ],
)
def test_pages_and_exports_survive_any_stored_date(
    far_dates: Path, writer: FlaskClient, url: str
) -> None:
    response = writer.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_an_unknown_method_is_a_405_and_no_new_metric_label(client: FlaskClient) -> None:
    for method in ("AAAAA", "AAAAB", "PROPFIND"):
        response = client.open("/healthz", method=method)
        assert_problem(response, 405)
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'method="AAAAA"' not in metrics and 'method="PROPFIND"' not in metrics
    assert 'method="OTHER"' in metrics


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"id": "deep", "name": "Deep", "x": ' + "[" * 1000 + "]" * 1000 + "}", "body"),
        ('{"id": "deep", "name": "Deep", "website": ' + "[" * 70 + "]" * 70 + "}", "website"),
        ('{"id": "lone", "name": "\\ud800"}', "name"),
        ('{"id": "nul", "name": "a\\u0000b"}', "name"),
    ],
)
def test_unstorable_json_is_a_400_before_storage(writer: FlaskClient, raw: str, field: str) -> None:
    for method, url in (("POST", "/v1/providers"), ("PATCH", "/v1/providers/mistral-ai")):
        response = writer.open(url, method=method, data=raw, content_type="application/json")
        assert field in assert_problem(response, 400)["errors"]
    assert writer.get("/v1/providers/deep").status_code == 404


def test_nesting_up_to_the_limit_is_judged_by_the_schema(writer: FlaskClient) -> None:
    raw = '{"id": "deep", "name": "Deep", "website": ' + "[" * 62 + "]" * 62 + "}"
    problem = assert_problem(
        writer.post("/v1/providers", data=raw, content_type="application/json"), 400
    )
    assert list(problem["errors"]) == ["website"]
    assert "deeper" not in str(problem["errors"])


def test_a_forged_cursor_is_a_400(client: FlaskClient) -> None:
    for cursor in ("garbage", "~~~", "-1", "%00", "azure"):
        problem = assert_problem(client.get(f"/v1/clouds?cursor={cursor}"), 400)
        assert "cursor" in problem["errors"]
    handed_out = client.get("/v1/offerings?sort=-available_from&limit=2").json["next_cursor"]
    assert client.get(f"/v1/offerings?sort=-available_from&cursor={handed_out}").status_code == 200
    # a cursor of one sort is not one of another
    other_sort = client.get(f"/v1/offerings?sort=available_from&cursor={handed_out}")
    assert "cursor" in assert_problem(other_sort, 400)["errors"]


def test_a_chunked_body_over_the_limit_is_a_413(writer: FlaskClient) -> None:
    big = ('{"id": "big", "name": "' + "y" * 300_000 + '"}').encode()
    response = writer.post(
        "/v1/providers",
        input_stream=io.BytesIO(big),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_problem(response, 413)
    small = b'{"id": "small-chunked", "name": "Small"}'
    response = writer.post(
        "/v1/providers",
        input_stream=io.BytesIO(small),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 201


def test_put_if_none_match_star_on_an_existing_record_is_a_412(writer: FlaskClient) -> None:
    before = writer.get("/v1/providers/mistral-ai")
    body = {"name": "Overwritten", "website": "https://example.com"}
    response = writer.put("/v1/providers/mistral-ai", json=body, headers={"If-None-Match": "*"})
    assert assert_problem(response, 412)["type"] == "/problems/precondition-failed"
    assert writer.get("/v1/providers/mistral-ai").json == before.json
    created = writer.put("/v1/providers/brand-new", json=body, headers={"If-None-Match": "*"})
    assert created.status_code == 201


def test_the_body_limit_is_at_most_1_mib(writable_db: Path, tokens: dict[str, str]) -> None:
    from catalog import create_app
    from catalog.storage import db

    app = create_app({"DATABASE": str(writable_db), "MAX_CONTENT_LENGTH": 50 * 1024 * 1024})
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    body = b'{"id": "huge", "name": "' + b"y" * (2 * 1024 * 1024) + b'"}'
    response = app.test_client().post(
        "/v1/providers",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens['write']}"},
    )
    assert response.status_code == 413
    db.close_thread_connections()
