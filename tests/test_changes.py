"""GET /v1/changes: `since` (entries recorded at or after an instant) beside `after`."""

from __future__ import annotations

from conftest import Clock
from flask.testing import FlaskClient
from helpers import assert_problem, walk


def _provider(writer: FlaskClient, ident: str) -> None:
    response = writer.post("/v1/providers", json={"id": ident, "name": ident.title()})
    assert response.status_code == 201, response.json


def test_since_lists_entries_recorded_at_or_after_it(writer: FlaskClient, clock: Clock) -> None:
    _provider(writer, "first-lab")
    clock.advance(86400)
    boundary = clock.now()
    _provider(writer, "second-lab")
    clock.advance(86400)
    _provider(writer, "third-lab")

    items = walk(writer, f"/v1/changes?since={boundary}")
    assert [i["id"] for i in items] == ["second-lab", "third-lab"]  # at the instant: included
    assert all(i["recorded_at"] >= boundary for i in items)

    # A date is its midnight UTC; a numeric offset is answered in UTC.
    assert [i["id"] for i in walk(writer, "/v1/changes?since=2030-01-03")] == ["third-lab"]
    offset = walk(writer, "/v1/changes?since=2030-01-02T01:00:00%2B01:00")
    assert [i["id"] for i in offset] == ["second-lab", "third-lab"]
    # It combines with after and resource, and a far future is an empty list, not an error.
    first = items[0]["seq"]
    assert [i["id"] for i in walk(writer, f"/v1/changes?since={boundary}&after={first}")] == [
        "third-lab"
    ]
    assert walk(writer, "/v1/changes?since=2099-01-01") == []


def test_since_that_is_not_an_instant_is_a_400_naming_it(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/changes?since=last-month"), 400)
    assert set(body["errors"]) == {"since"}
