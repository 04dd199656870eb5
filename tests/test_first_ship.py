"""First-ship windows: the per-model spans derived from offerings, through HTTP and as plain
functions; the windows that are refused (nothing to exclude, an overlap)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import assert_problem, bearer

from catalog import create_app
from catalog.core import rules
from catalog.core.verdicts import verdict
from catalog.http import auth
from catalog.storage import db

EVIDENCE = "https://example.org/evidence"

CLAUSE = {
    "id": "azure-acme-first-ship",
    "holder": "azure",
    "provider": "acme",
    "scope": "hyperscalers",
    "kind": "first-ship",
    "basis": "contractual",
    "starts_at": "2027-01-01",
    "starts_at_certainty": "exact",
    "starts_at_source": EVIDENCE,
    "terms": "Acme's models ship first on Azure.",
}


def acme_offering(cloud: str, day: str) -> dict[str, Any]:
    return {
        "id": f"{cloud}:acme-one:serverless",
        "model": "acme-one",
        "cloud": cloud,
        "deployment_type": "serverless",
        "cloud_model_id": "acme-one",
        "regions": [],
        "stage": "ga",
        "available_from": day,
        "available_from_certainty": "exact",
        "available_from_source": EVIDENCE,
    }


def answer(client: FlaskClient, cloud: str, day: str) -> dict[str, Any]:
    response = client.get(f"/v1/models/acme-one/availability/{cloud}?at={day}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.json
    return body


def test_first_ship_window_and_two_offerings_through_the_api(writer: FlaskClient) -> None:
    assert writer.post("/v1/providers", json={"id": "acme", "name": "Acme"}).status_code == 201
    model = {"id": "acme-one", "provider": "acme", "name": "Acme One", "open_weights": False}
    assert writer.post("/v1/models", json=model).status_code == 201
    created = writer.post("/v1/exclusivity-windows", json=CLAUSE)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.json["kind"] == "first-ship"

    # Azure offers it first: its span is open while no other hyperscaler has it.
    assert (
        writer.post("/v1/offerings", json=acme_offering("azure", "2027-02-01")).status_code == 201
    )
    open_span = answer(writer, "azure", "2027-02-15")["exclusivity"]
    assert open_span["state"] == "exclusive" and open_span["kind"] == "first-ship"
    assert (open_span["ends_at"], open_span["days_remaining"]) == (None, None)
    (listed_open,) = writer.get("/v1/exclusivity-windows/azure-acme-first-ship").json["spans"]
    assert (listed_open["ends_at"], listed_open["ended_by"]) == (None, None)

    # Bedrock offers it a month later: not a contradiction, it ends the span.
    response = writer.post("/v1/offerings", json=acme_offering("aws", "2027-03-01"))
    assert response.status_code == 201, response.get_data(as_text=True)

    # Before either offering: nothing to say.
    before = {cloud: answer(writer, cloud, "2027-01-15") for cloud in ("azure", "aws")}
    assert [(a["available"], a["exclusivity"]) for a in before.values()] == [
        (False, {"state": "none"}),
        (False, {"state": "none"}),
    ]
    # Between them: Azure exclusive until Bedrock's day, Bedrock excluded, the window named.
    azure, aws = answer(writer, "azure", "2027-02-15"), answer(writer, "aws", "2027-02-15")
    assert azure["available"] and not aws["available"]
    assert azure["exclusivity"] | {"holder_name": None} == {
        "state": "exclusive",
        "holder": "azure",
        "holder_name": None,
        "window": "azure-acme-first-ship",
        "scope": "hyperscalers",
        "kind": "first-ship",
        "ends_at": "2027-03-01T00:00:00Z",
        "ends_at_certainty": "exact",
        "ends_at_source": EVIDENCE,
        "days_remaining": 14,
    }
    assert aws["exclusivity"]["state"] == "excluded"
    assert aws["exclusivity"]["window"] == "azure-acme-first-ship"
    # After Bedrock's offering: both available, no exclusivity (the clause itself stays open).
    after = {cloud: answer(writer, cloud, "2027-03-15") for cloud in ("azure", "aws")}
    assert [(a["available"], a["exclusivity"]) for a in after.values()] == [
        (True, {"state": "none"}),
        (True, {"state": "none"}),
    ]
    # The window lists its span, derived from the two offerings.
    (span,) = writer.get("/v1/exclusivity-windows/azure-acme-first-ship").json["spans"]
    assert span == {
        "model": "acme-one",
        "starts_at": "2027-02-01T00:00:00Z",
        "starts_at_certainty": "exact",
        "starts_at_source": EVIDENCE,
        "started_by": "azure:acme-one:serverless",
        "ends_at": "2027-03-01T00:00:00Z",
        "ends_at_certainty": "exact",
        "ends_at_source": EVIDENCE,
        "ended_by": "aws:acme-one:serverless",
    }
    listed = writer.get("/v1/exclusivity-windows?provider=acme&kind=first-ship").json["items"]
    assert [w["spans"] for w in listed] == [[span]]
    # A client cannot write spans: they are derived.
    body = CLAUSE | {"id": "other", "spans": []}
    assert (
        "spans" in assert_problem(writer.post("/v1/exclusivity-windows", json=body), 400)["errors"]
    )


def test_shipped_gpt_5_6_span_on_azure_ends_on_or_before_bedrock(client: FlaskClient) -> None:
    url = "/v1/models/gpt-5.6/availability/{}?at=2026-07-10"
    azure = client.get(url.format("azure")).json["exclusivity"]
    assert (azure["state"], azure["kind"], azure["window"]) == (
        "exclusive",
        "first-ship",
        "azure-openai-first-ship",
    )
    assert (azure["ends_at"], azure["ends_at_certainty"], azure["days_remaining"]) == (
        "2026-07-13T00:00:00Z",
        "on-or-before",
        3,
    )
    assert client.get(url.format("aws")).json["exclusivity"]["state"] == "excluded"
    later = client.get("/v1/models/gpt-5.6/availability/aws?at=2026-07-14").json
    assert later["available"] and later["exclusivity"] == {"state": "none"}
    window = client.get("/v1/exclusivity-windows/azure-openai-first-ship").json
    spans = {s["model"]: s for s in window["spans"]}
    assert (spans["gpt-5.6"]["ended_by"], spans["gpt-5.6"]["ends_at_certainty"]) == (
        "aws:gpt-5.6:serverless",
        "on-or-before",
    )
    kinds = client.get("/v1/exclusivity-windows?kind=exclusive").json["items"]
    assert [w["id"] for w in kinds] == ["azure-mistral-large-2402", "azure-openai-api"]
    # GPT-5.5 reached Azure before the clause: not covered; exclusive windows list no spans.
    assert "gpt-5.5" not in spans
    assert client.get("/v1/exclusivity-windows/azure-openai-api").json["spans"] is None


def test_the_matrix_and_check_name_the_first_ship_window(client: FlaskClient) -> None:
    page = client.get("/?at=2026-07-10&q=gpt-5.6").get_data(as_text=True)
    cell = page[page.index('data-model="gpt-5.6" data-cloud="azure"') :][:600]
    assert 'data-state="exclusive"' in cell and "first-ship exclusivity" in cell
    held, line = verdict(
        client.get("/v1/models/gpt-5.6/availability/aws?at=2026-07-10").json, False, None
    )
    assert not held
    assert line == (
        "gpt-5.6 is not available on aws at 2026-07-10: Azure holds first-ship exclusivity "
        "(window azure-openai-first-ship) until no later than 2026-07-13 (on-or-before; 3 days)"
    )


def test_overlapping_windows_of_one_kind_are_refused(writer: FlaskClient) -> None:
    second = {
        **CLAUSE,
        "id": "aws-openai-first-ship",
        "holder": "aws",
        "provider": "openai",
        "starts_at": "2026-06-01",
    }
    body = assert_problem(writer.post("/v1/exclusivity-windows", json=second), 409)
    assert body["conflicts_with"] == "azure-openai-first-ship"
    assert "azure-openai-first-ship" in body["detail"]
    # Nothing was stored.
    assert writer.get("/v1/exclusivity-windows/aws-openai-first-ship").status_code == 404


def test_a_makers_own_platform_holds_no_window(writer: FlaskClient) -> None:
    own = {**CLAUSE, "id": "openai-own", "holder": "openai-api", "provider": "openai"}
    body = assert_problem(writer.post("/v1/exclusivity-windows", json=own), 422)
    assert list(body["errors"]) == ["holder"]


@pytest.fixture
def bare(tmp_path: Path) -> tuple[Flask, dict[str, str]]:
    """An empty catalog with one hyperscaler and one inference host: a small world."""
    path = tmp_path / "bare.db"
    db.migrate(path).conn.close()
    conn = db.connect(path)
    token = auth.create(conn, "maintainer", ["write"])
    conn.close()
    return create_app({"TESTING": True, "DATABASE": str(path)}), bearer(token)


def test_a_scope_that_leaves_nothing_to_exclude_is_a_422(
    bare: tuple[Flask, dict[str, str]],
) -> None:
    app, headers = bare
    client = app.test_client()
    for collection, record in (
        ("providers", {"id": "acme", "name": "Acme"}),
        ("clouds", {"id": "azure", "name": "Azure", "kind": "hyperscaler"}),
        ("clouds", {"id": "together", "name": "Together", "kind": "inference-host"}),
    ):
        assert client.post(f"/v1/{collection}", json=record, headers=headers).status_code == 201
    window = CLAUSE | {"kind": "exclusive"}
    body = assert_problem(client.post("/v1/exclusivity-windows", json=window, headers=headers), 422)
    assert list(body["errors"]) == ["scope"]
    assert client.get("/v1/exclusivity-windows").json["items"] == []
    wider = window | {"scope": "all-third-party"}
    assert client.post("/v1/exclusivity-windows", json=wider, headers=headers).status_code == 201
    db.close_thread_connections()


# ---- the one function, directly

AZURE = {"id": "azure", "kind": "hyperscaler", "provider": None}
AWS = {"id": "aws", "kind": "hyperscaler", "provider": "amazon"}
OPENAI_API = {"id": "openai-api", "kind": "first-party", "provider": "openai"}
CLOUDS = {c["id"]: c for c in (AZURE, AWS, OPENAI_API)}
MODEL = {"id": "m", "provider": "openai", "open_weights": False}
FIRST_SHIP = {
    "id": "fs",
    "kind": "first-ship",
    "holder": "azure",
    "model": None,
    "provider": "openai",
    "includes_open_weights": False,
    "scope": "hyperscalers",
    "starts_at": "2026-04-27T00:00:00Z",
    "ends_at": None,
    "ends_at_certainty": None,
    "ends_at_source": None,
}


def on(cloud: str, day: str, certainty: str = "exact") -> dict[str, Any]:
    return {
        "id": f"{cloud}:m",
        "model": "m",
        "cloud": cloud,
        "available_from": f"{day}T00:00:00Z",
        "available_from_certainty": certainty,
        "available_from_source": f"https://example.org/{cloud}",
        "retired_from": None,
    }


@pytest.mark.parametrize(
    ("offerings", "expected"),
    [
        ([on("azure", "2026-07-09"), on("aws", "2026-07-13", "on-or-before")], "2026-07-13"),
        ([on("openai-api", "2026-07-01"), on("azure", "2026-07-09")], None),  # open
        ([on("aws", "2026-07-09"), on("azure", "2026-07-13")], "no span"),  # AWS was first
        ([on("aws", "2026-07-09"), on("azure", "2026-07-09")], "no span"),  # the same day
        ([on("azure", "2026-03-01"), on("aws", "2026-07-13")], "no span"),  # before the clause
        ([on("azure", "2026-07-09", "on-or-before")], "no span"),  # may predate the clause
        ([on("openai-api", "2026-07-09")], "no span"),  # the holder never had it
    ],
)
def test_first_ship_span(offerings: list[dict[str, Any]], expected: str | None) -> None:
    span = rules.first_ship_span(FIRST_SHIP, MODEL, offerings, CLOUDS)
    if expected == "no span":
        assert span is None
        return
    assert span is not None and span["starts_at"] == "2026-07-09T00:00:00Z"
    assert span["ends_at"] == (expected and f"{expected}T00:00:00Z")


def test_a_span_is_cut_where_the_clause_ends() -> None:
    ended = FIRST_SHIP | {
        "ends_at": "2026-08-01T00:00:00Z",
        "ends_at_certainty": "announced",
        "ends_at_source": "https://example.org/end",
    }
    span = rules.first_ship_span(ended, MODEL, [on("azure", "2026-07-09")], CLOUDS)
    assert span is not None
    assert (span["ends_at"], span["ends_at_certainty"], span["ended_by"]) == (
        "2026-08-01T00:00:00Z",
        "announced",
        None,
    )


def test_in_force_shapes_spans_as_windows_and_keeps_exclusive_ones() -> None:
    exclusive = FIRST_SHIP | {"id": "ex", "kind": "exclusive", "ends_at": "2026-04-27T00:00:00Z"}
    offerings = [on("azure", "2026-07-09"), on("aws", "2026-07-13")]
    found = rules.in_force([exclusive, FIRST_SHIP], MODEL, offerings, CLOUDS)
    assert [(w["id"], w["model"], w["starts_at"]) for w in found] == [
        ("ex", None, "2026-04-27T00:00:00Z"),
        ("fs", "m", "2026-07-09T00:00:00Z"),
    ]
    state = rules.exclusivity_state(MODEL, AWS, found, "2026-07-10T00:00:00Z")
    assert (state["state"], state["window"], state["kind"]) == ("excluded", "fs", "first-ship")
    # Bedrock's offering overlaps the span, and still contradicts nothing.
    assert not rules.contradicts(offerings[1], MODEL, AWS, FIRST_SHIP)


def test_the_timeline_and_model_page_draw_the_span_as_what_it_is(client: FlaskClient) -> None:
    chart = client.get("/timeline?model=gpt-5.6").get_data(as_text=True)
    assert 'data-window="azure-openai-first-ship" data-kind="first-ship">' in chart  # the clause
    span = chart[chart.index('data-kind="first-ship" data-span="gpt-5.6"') :][:900]
    assert 'data-end="uncertain"' in span and "first-ship span: GPT-5.6" in chart
    events = client.get("/v1/timeline?event=window-starts&model=gpt-5.6").json["items"]
    assert {e["window"]: e["summary"] for e in events} == {
        "azure-openai-api": "Azure exclusivity on OpenAI models starts",
        "azure-openai-first-ship": "Azure first-ship clause on OpenAI models starts",
    }
    page = client.get("/models/gpt-5.6?at=2026-07-10").get_data(as_text=True)
    assert "exclusive from" in page and "no later than 2026-07-13 (on-or-before)" in page
    older = client.get("/models/gpt-5.5?at=2026-07-10").get_data(as_text=True)
    assert "none: not covered" in older


def test_a_get_etag_changes_a_first_ship_window(writer: FlaskClient) -> None:
    got = writer.get("/v1/exclusivity-windows/azure-openai-first-ship")
    assert got.json["spans"]  # the ETag covers the derived spans too
    patch = writer.patch(
        "/v1/exclusivity-windows/azure-openai-first-ship",
        json={"terms": "Ship first on Azure."},
        headers={"If-Match": got.headers["ETag"], "Content-Type": "application/merge-patch+json"},
    )
    assert patch.status_code == 200, patch.get_data(as_text=True)
    assert (
        patch.json["spans"] == got.json["spans"] and patch.json["terms"] == "Ship first on Azure."
    )
    assert (
        writer.get("/v1/exclusivity-windows/azure-openai-first-ship").headers["ETag"]
        == (patch.headers["ETag"])
    )
