"""Webhook subscriptions over HTTP, and the outbox each matching change is queued in."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import assert_problem, bearer

from catalog import create_app
from catalog.core import webhooks
from catalog.storage import db

HOOK = {"url": "http://127.0.0.1:9/hook", "events": ["providers.*"]}


@pytest.fixture
def hooks(writer: FlaskClient, writable_app: Flask) -> FlaskClient:
    """The writer, on a catalog that allows loopback receivers (CATALOG_WEBHOOKS_ALLOW_PRIVATE)."""
    writable_app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    return writer


def test_ipv6_private_addresses_are_private_too() -> None:
    for address in ("::1", "fe80::1%eth0", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"):
        assert webhooks.is_private(address), address
    assert not webhooks.is_private("2606:4700::1111") and not webhooks.is_private("1.1.1.1")
    with pytest.raises(webhooks.UnsafeURL, match="private"):
        webhooks.check_url("http://[::1]:8000/hook", allow_private=False)
    webhooks.check_url("http://[::1]:8000/hook", allow_private=True)


def _outbox(path: Path) -> list[tuple[str, int, str]]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT subscription, seq, event FROM webhook_outbox ORDER BY id")
    found = [tuple(row) for row in rows]
    conn.close()
    return found  # type: ignore[return-value]


def test_create_shows_the_secret_once(hooks: FlaskClient) -> None:
    created = hooks.post("/v1/subscriptions", json=HOOK | {"model": "gpt-4o"})
    assert created.status_code == 201, created.json
    body = created.json
    assert created.headers["Location"] == f"/v1/subscriptions/{body['id']}"
    assert created.headers["Cache-Control"] == "no-store"
    assert body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"))) == 32
    assert body | {"secret": None} == {
        "id": body["id"], "url": HOOK["url"], "events": ["providers.*"], "model": "gpt-4o",
        "cloud": None, "provider": None, "created_at": body["created_at"],
        "updated_at": body["created_at"], "secret": None,
    }  # fmt: skip
    shown = hooks.get(created.headers["Location"])
    assert shown.status_code == 200 and "secret" not in shown.json
    assert shown.json == {k: v for k, v in body.items() if k != "secret"}
    assert (
        hooks.get(
            created.headers["Location"], headers={"If-None-Match": shown.headers["ETag"]}
        ).status_code
        == 304
    )
    listed = hooks.get("/v1/subscriptions").json
    assert [s["id"] for s in listed["items"]] == [body["id"]] and listed["next_cursor"] is None
    assert "secret" not in listed["items"][0]


def test_every_route_needs_the_write_scope(writable_app: Flask, tokens: dict[str, str]) -> None:
    client = writable_app.test_client()
    for method, path in (("post", "/v1/subscriptions"), ("get", "/v1/subscriptions"),
                         ("get", "/v1/subscriptions/sub_x"),
                         ("get", "/v1/subscriptions/sub_x/deliveries")):  # fmt: skip
        assert_problem(getattr(client, method)(path, json=HOOK), 401)
        reader = bearer(tokens["read"])
        assert_problem(getattr(client, method)(path, json=HOOK, headers=reader), 403)


def test_unknown_events_are_a_400_listing_the_known_ones(hooks: FlaskClient) -> None:
    body = assert_problem(
        hooks.post("/v1/subscriptions", json=HOOK | {"events": ["offerings.created", "*"]}), 400
    )
    assert set(body["errors"]) == {"events"}
    assert "offerings.created" in body["errors"]["events"][0]
    assert "offerings.create" in body["known_events"] and "*" in body["known_events"]
    assert "prices.*" in body["detail"]
    assert hooks.get("/v1/subscriptions").json["items"] == []


@pytest.mark.parametrize(
    "url", ["ftp://example.org/hook", "file:///etc/passwd", "http://", "javascript:alert(1)"]
)
def test_a_url_that_is_not_http_is_a_400_naming_url(hooks: FlaskClient, url: str) -> None:
    assert set(
        assert_problem(hooks.post("/v1/subscriptions", json=HOOK | {"url": url}), 400)["errors"]
    ) == {"url"}


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/hook", "http://localhost:8080/", "http://10.1.2.3/", "http://0.0.0.0/",
     "http://169.254.169.254/latest/meta-data/", "http://192.168.0.1/", "http://100.64.0.1/"],
)  # fmt: skip
def test_private_addresses_are_refused_without_the_setting(writer: FlaskClient, url: str) -> None:
    body = assert_problem(writer.post("/v1/subscriptions", json=HOOK | {"url": url}), 400)
    assert set(body["errors"]) == {"url"}
    assert "CATALOG_WEBHOOKS_ALLOW_PRIVATE" in body["errors"]["url"][0]


def test_the_setting_comes_from_the_environment(
    writable_db: Path, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_WEBHOOKS_ALLOW_PRIVATE", "1")
    app = create_app({"TESTING": True, "DATABASE": str(writable_db)})
    response = app.test_client().post(
        "/v1/subscriptions", json=HOOK, headers=bearer(tokens["write"])
    )
    assert response.status_code == 201
    db.close_thread_connections()


def test_public_addresses_are_taken(writer: FlaskClient) -> None:
    # A literal public address needs no DNS (the tests run offline).
    assert (
        writer.post("/v1/subscriptions", json=HOOK | {"url": "https://93.184.215.14/h"}).status_code
        == 201
    )


def test_bad_fields_are_400s_naming_them(hooks: FlaskClient) -> None:
    for body, field in (
        (HOOK | {"model": "no-such-model"}, "model"),
        (HOOK | {"cloud": "no-such-cloud"}, "cloud"),
        (HOOK | {"provider": "nobody"}, "provider"),
        (HOOK | {"secret": "whsec_mine"}, "secret"),
        (HOOK | {"colour": "red"}, "colour"),
        (HOOK | {"events": []}, "events"),
        ({"url": HOOK["url"]}, "events"),
    ):
        assert set(assert_problem(hooks.post("/v1/subscriptions", json=body), 400)["errors"]) == {
            field
        }
    assert hooks.get("/v1/subscriptions").json["items"] == []


def test_matching_changes_are_queued_in_their_own_transaction(
    hooks: FlaskClient, writable_db: Path
) -> None:
    everything = hooks.post("/v1/subscriptions", json=HOOK | {"events": ["*"]}).json["id"]
    providers = hooks.post("/v1/subscriptions", json=HOOK).json["id"]
    aws = hooks.post(
        "/v1/subscriptions",
        json=HOOK | {"events": ["offerings.*", "regions.create"], "cloud": "aws"},
    ).json["id"]
    assert hooks.post("/v1/providers", json={"id": "new-lab", "name": "New Lab"}).status_code == 201
    region = {"id": "mars-1", "name": "Mars", "geography": "US"}
    assert hooks.post("/v1/clouds/aws/regions", json=region).status_code == 201
    assert hooks.post("/v1/clouds/gcp/regions", json=region).status_code == 201
    seqs = [c["seq"] for c in hooks.get("/v1/changes?sort=-seq&limit=3").json["items"]][::-1]
    queued = _outbox(writable_db)
    assert [seq for _, seq, _ in queued] == sorted(seq for _, seq, _ in queued)  # feed order
    assert sorted(queued) == sorted([
        (everything, seqs[0], "providers.create"), (providers, seqs[0], "providers.create"),
        (aws, seqs[1], "regions.create"), (everything, seqs[1], "regions.create"),
        (everything, seqs[2], "regions.create"),
    ])  # fmt: skip
    # A refused write (a reference to nothing: 409) records no change and queues nothing.
    before = _outbox(writable_db)
    bad = {"id": "x", "name": "X", "kind": "hyperscaler", "provider": "nobody"}
    assert hooks.post("/v1/clouds", json=bad).status_code in (400, 409)
    assert _outbox(writable_db) == before


def test_a_model_filter_takes_the_provider_wide_windows_covering_it(
    hooks: FlaskClient, writable_db: Path
) -> None:
    closed = hooks.post("/v1/subscriptions", json=HOOK | {"events": ["exclusivity-windows.*"],
                        "model": "gpt-4o"}).json["id"]  # fmt: skip
    open_weights = hooks.post("/v1/subscriptions", json=HOOK | {"events": ["*"],
                              "model": "gpt-oss-120b"}).json["id"]  # fmt: skip
    path = "/v1/exclusivity-windows/azure-openai-api"
    etag = hooks.get(path).headers["ETag"]
    changed = hooks.patch(path, json={"terms": "Amended."}, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.json
    assert [row[0] for row in _outbox(writable_db)] == [closed]
    assert open_weights not in [row[0] for row in _outbox(writable_db)]


def test_delete_needs_if_match_and_drops_the_queue(hooks: FlaskClient, writable_db: Path) -> None:
    created = hooks.post("/v1/subscriptions", json=HOOK).json
    hooks.post("/v1/providers", json={"id": "new-lab", "name": "New Lab"})
    assert len(_outbox(writable_db)) == 1
    path = f"/v1/subscriptions/{created['id']}"
    assert_problem(hooks.delete(path), 428)
    assert_problem(hooks.delete(path, headers={"If-Match": '"stale"'}), 412)
    etag = hooks.get(path).headers["ETag"]
    assert hooks.delete(path, headers={"If-Match": etag}).status_code == 204
    assert_problem(hooks.get(path), 404)
    assert _outbox(writable_db) == []


def test_signatures_are_standard_webhooks() -> None:
    # The example of the Standard Webhooks specification (and its reference libraries).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert webhooks.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )
