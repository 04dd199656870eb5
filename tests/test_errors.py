"""Every error path answers the one problem+json shape (RFC 9457)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import assert_problem

from catalog import create_app

ERROR_PATHS = [
    ("GET", "/v1/models?colour=red", 400, "colour"),
    ("GET", "/v1/offerings?limit=501", 400, "limit"),
    ("GET", "/v1/offerings?limit=0", 400, "limit"),
    ("GET", "/v1/offerings?limit=ten", 400, "limit"),
    ("GET", "/v1/offerings?at=yesterday", 400, "at"),
    ("GET", "/v1/offerings?at=2024-02-30", 400, "at"),
    ("GET", "/v1/offerings?sort=price", 400, "sort"),
    ("GET", "/v1/offerings?cursor=", 400, "cursor"),
    ("GET", "/v1/offerings?model=a&model=b", 400, "model"),
    ("GET", "/v1/offerings?stage=beta", 400, "stage"),
    ("GET", "/v1/offerings?format=xml", 400, "format"),
    ("GET", "/v1/models?open_weights=maybe", 400, "open_weights"),
    ("GET", "/v1/models?provider=Not%20A%20Slug", 400, "provider"),
    ("GET", "/v1/models/gpt-4o?verbose=1", 400, "verbose"),
    ("GET", "/v1/exclusivity-windows?state=soon", 400, "state"),
    ("GET", "/v1/timeline?from=never", 400, "from"),
    ("GET", "/v1/models/gpt-4o/availability/aws?region=Bad_Region", 400, "region"),
    ("GET", "/v1/models/no-such-model", 404, None),
    ("GET", "/v1/providers/nobody", 404, None),
    ("GET", "/v1/clouds/nowhere", 404, None),
    ("GET", "/v1/offerings/nothing", 404, None),
    ("GET", "/v1/exclusivity-windows/none", 404, None),
    ("GET", "/v1/models/no-such-model/availability", 404, None),
    ("GET", "/v1/models/gpt-4o/availability/nowhere", 404, None),
    ("GET", "/v1/models/gpt-4o/availability/aws?region=mars-1", 404, None),
    ("GET", "/v1/no-such-collection", 404, None),
    ("GET", "/nothing-here", 404, None),
    ("DELETE", "/v1/models", 405, None),
    ("PUT", "/healthz", 405, None),
]


@pytest.mark.parametrize(("method", "url", "status", "field"), ERROR_PATHS)
def test_error_paths(
    client: FlaskClient, method: str, url: str, status: int, field: str | None
) -> None:
    body = assert_problem(client.open(url, method=method), status)
    if field is not None:
        assert field in body["errors"], body
        assert all(isinstance(m, str) for m in body["errors"][field])
        assert body["type"] == "/problems/invalid-request"


def test_405_says_what_is_allowed(client: FlaskClient) -> None:
    response = client.delete("/v1/models")
    assert "GET" in response.headers["Allow"]


def test_406_for_a_format_not_offered(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/models", headers={"Accept": "application/xml"}), 406)
    assert "text/csv" in body["detail"]
    assert_problem(client.get("/v1/models", headers={"Accept": "text/calendar"}), 406)


def test_unknown_parameter_is_named_in_the_detail(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/offerings?colour=red&limit=900"), 400)
    assert set(body["errors"]) == {"colour", "limit"}
    assert "colour" in body["detail"] and "limit" in body["detail"]


def test_500_shows_no_internals(seeded_db: Any) -> None:
    app: Flask = create_app({"DATABASE": str(seeded_db)})

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: /etc/passwd")

    body = assert_problem(app.test_client().get("/boom"), 500)
    assert "secret" not in str(body) and "RuntimeError" not in str(body)


def test_an_id_in_the_wrong_form_says_what_form_ids_take(client: FlaskClient) -> None:
    # A display name where an id goes (the newcomer's "East US"): the 400 names the field and
    # shows an id, not the pattern's regex.
    problem = assert_problem(
        client.get("/v1/models/gpt-4o/availability/azure?region=East%20US"), 400
    )
    (message,) = problem["errors"]["region"]
    assert "lowercase" in message and "eastus" in message
