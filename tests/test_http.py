"""Speaking HTTP well: ETags and 304s, Cache-Control, CSV exports, request ids, logs, metrics."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import Clock
from flask import Flask
from flask.testing import FlaskClient
from helpers import walk

READS = [
    "/v1/offerings?model=mistral-large-2402",
    "/v1/models?limit=5",
    "/v1/clouds/aws/regions",
    "/v1/models/mistral-large-2402/availability/aws?at=2024-03-15",
    "/v1/models/gpt-4o/availability?at=2025-01-01",
    "/v1/exclusivity-windows?state=active&at=2025-01-01",
    "/v1/timeline?from=2024-02-01&to=2024-05-01",
    "/v1/timeline?format=ics",
    "/v1/offerings?format=csv",
    "/v1/changes?after=100",
    "/v1/models/gpt-4o",
    "/v1/offerings/aws:mistral-large-2402:serverless/history",
]


@pytest.mark.parametrize("url", READS)
def test_repeated_gets_are_304s(client: FlaskClient, url: str) -> None:
    first = client.get(url)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"')  # strong
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_etag_depends_on_the_representation(client: FlaskClient) -> None:
    as_json = client.get("/v1/offerings").headers["ETag"]
    as_csv = client.get("/v1/offerings", headers={"Accept": "text/csv"}).headers["ETag"]
    filtered = client.get("/v1/offerings?cloud=aws").headers["ETag"]
    assert len({as_json, as_csv, filtered}) == 3


def test_a_write_changes_list_etags(writable_app: Flask, tokens: dict[str, str]) -> None:
    client = writable_app.test_client()
    before = client.get("/v1/providers")
    modified = before.headers["Last-Modified"]
    assert client.get("/v1/providers", headers={"If-Modified-Since": modified}).status_code == 304
    client.post(
        "/v1/providers",
        json={"id": "example-maker", "name": "Example Labs"},
        headers={"Authorization": f"Bearer {tokens['write']}"},
    )
    after = client.get("/v1/providers", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    # The rendered answer kept for the old version is not served for the new one.
    assert "example-maker" not in {p["id"] for p in before.json["items"]}
    assert "example-maker" in {p["id"] for p in client.get("/v1/providers").json["items"]}


def test_kept_answers_are_the_same_bytes(client: FlaskClient) -> None:
    url = "/v1/offerings?model=mistral-large-2402&limit=2"
    first, second = client.get(url), client.get(url)
    assert first.data == second.data
    assert first.headers["Link"] == second.headers["Link"]
    assert first.headers["Content-Type"] == second.headers["Content-Type"] == "application/json"


def test_kept_csv_and_records_answer_like_fresh_ones(client: FlaskClient) -> None:
    for url in (
        "/v1/offerings?format=csv&cloud=aws",
        "/v1/offerings/aws:mistral-large-2402:serverless",
    ):
        fresh = client.get(url)
        fresh_body = fresh.get_data()  # a streamed answer is finished (and kept) once read
        kept = client.get(url)
        assert fresh_body == kept.get_data()
        assert fresh.headers["Content-Type"] == kept.headers["Content-Type"]
        assert fresh.headers["ETag"] == kept.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": kept.headers["ETag"]}).status_code == 304


def test_response_cache_is_bounded() -> None:
    from catalog.http.caching import ResponseCache

    cache = ResponseCache(max_bytes=1000)
    for n in range(50):
        cache.put(f"t{n}", b"x" * 100, [])
    assert cache.size <= 1000 and cache.get("t49") is not None and cache.get("t0") is None
    cache.put("big", b"x" * 200, [])  # more than an eighth of the budget: not kept
    assert cache.get("big") is None


@pytest.mark.parametrize(
    "url",
    [
        "/v1/models/gpt-4o/availability/azure",
        "/v1/checks?pair=gpt-4o:azure&pair=mistral-large-2402:aws",
        "/",
    ],
)
def test_answers_about_now_revalidate_within_the_minute(
    client: FlaskClient, clock: Clock, url: str
) -> None:
    """ "Now" is the current UTC minute: a poll a second later gets a 304 (the CI answer and the
    matrix alike), its max-age no longer than the rest of the minute; a new minute, a new answer."""
    clock.moment = clock.moment.replace(second=10)
    first = client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"].endswith("max-age=50")
    if url.startswith("/v1/models"):
        assert first.get_json()["at"] == "2030-01-01T00:00:00Z"  # the minute it speaks of
    if url.startswith("/v1/checks"):
        assert {item["at"] for item in first.get_json()["items"]} == {"2030-01-01T00:00:00Z"}
    clock.advance()
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"].endswith("max-age=49")
    clock.advance(49)  # 00:01:00, a new minute
    turned = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert turned.status_code == 200 and turned.headers["ETag"] != first.headers["ETag"]
    assert turned.headers["Cache-Control"].endswith("max-age=60")
    pinned = "/v1/models/gpt-4o/availability/azure?at=2025-01-01"
    tag = client.get(pinned).headers["ETag"]
    clock.advance(120)
    assert client.get(pinned, headers={"If-None-Match": tag}).status_code == 304


def test_errors_and_writes_are_not_cached(client: FlaskClient) -> None:
    assert client.get("/v1/models/nope").headers["Cache-Control"] == "no-store"
    assert client.post("/v1/providers", json={}).headers["Cache-Control"] == "no-store"
    assert client.get("/metrics").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "collection",
    [
        "/v1/providers",
        "/v1/models?provider=mistral-ai",
        "/v1/clouds",
        "/v1/clouds/azure/regions",
        "/v1/offerings",
        "/v1/exclusivity-windows",
        "/v1/timeline",
        "/v1/changes",
    ],
)
def test_csv_rows_equal_the_paginated_walk(client: FlaskClient, collection: str) -> None:
    joiner = "&" if "?" in collection else "?"
    walked = walk(client, f"{collection}{joiner}limit=13")
    response = client.get(f"{collection}{joiner}format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8; header=present"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
    key = "seq" if "changes" in collection else "id"
    assert [r[key] for r in rows] == [str(i[key]) for i in walked]
    assert response.get_data(as_text=True).endswith("\r\n")  # RFC 4180 line ends


def test_csv_flattens_nested_values_readably(client: FlaskClient) -> None:
    text = client.get("/v1/changes?format=csv&limit=1").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["before"] == "" and json.loads(row["after"])["id"] == row["id"]


def test_request_id_is_echoed_or_made(client: FlaskClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "ci-run-42"}).headers["X-Request-ID"]
        == "ci-run-42"
    )
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    hostile = client.get("/healthz", headers={"X-Request-ID": "a b <c>"}).headers["X-Request-ID"]
    assert hostile != "a b <c>" and len(hostile) == 32
    assert client.get("/v1/models/nope").headers["X-Request-ID"]  # errors too


def test_one_json_log_line_per_request(
    client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    client.get("/v1/models/gpt-4o?as_of=2099-01-01", headers={"X-Request-ID": "abc"})
    client.get("/v1/models/nope")
    lines = capsys.readouterr().err.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["request_id"] == "abc" and first["method"] == "GET"
    assert first["route"] == "/v1/models/<model_id>" and first["status"] == 200
    assert first["duration_ms"] >= 0
    assert second["status"] == 404


def test_metrics_in_process(client: FlaskClient) -> None:
    client.get("/v1/clouds")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'catalog_http_requests_total{method="GET",route="/v1/clouds",status="200"}' in text
    assert "catalog_http_request_duration_seconds_bucket" in text


def test_readyz_reports_the_schema(client: FlaskClient) -> None:
    body = client.get("/readyz").json
    assert body["status"] == "ready" and body["schema"].startswith("m0")
