"""Small helpers the tests share (fixtures are in conftest.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient


def walk(client: FlaskClient, url: str) -> list[dict[str, Any]]:
    """Every item of a collection, following Link headers."""
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.json
        body = response.json
        items.extend(body["items"])
        link = response.headers.get("Link")
        assert (link is None) == (body["next_cursor"] is None)
        next_url = link[1 : link.index(">")] if link else None
    return items


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.json
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == status
    assert isinstance(body["title"], str) and isinstance(body["detail"], str) and body["detail"]
    return body


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a test database (SQLite's backup API), for a test to change."""
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    reading.backup(writing)
    reading.close()
    writing.close()
    return target
