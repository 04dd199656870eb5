"""A read answered from the kept answers carries one ETag field, as the first one did: a shared
cache (nginx, a CDN) stores and revalidates whatever it is given."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_a_repeat_read_has_one_etag(client: FlaskClient) -> None:
    first = client.get("/v1/models?limit=3")
    again = client.get("/v1/models?limit=3")
    assert first.headers.getlist("ETag") == again.headers.getlist("ETag")
    assert len(again.headers.getlist("ETag")) == 1
