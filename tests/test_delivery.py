"""Webhook deliveries: signed, retried, in feed order, timed out, and kept across a SIGKILL."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from helpers import bearer
from receivers import Receiver, verify
from servers import CHECKOUT, Server, free_port

from catalog.server import deliverer, delivery
from catalog.storage import db

SETTINGS = delivery.Settings(timeout=2.0, allow_private=True)
NOW = 2_000_000_000.0  # the deliverer's clock in these tests (it only decides what is due)


@pytest.fixture
def hooks(writer: FlaskClient, writable_app: Flask) -> FlaskClient:
    writable_app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    return writer


@pytest.fixture
def conn(writable_db: Path) -> Any:
    connection = db.connect(writable_db)
    yield connection
    connection.close()


def _subscribe(client: FlaskClient, url: str, events: list[str]) -> dict[str, Any]:
    created = client.post("/v1/subscriptions", json={"url": url, "events": events})
    assert created.status_code == 201, created.json
    return dict(created.json)


def _provider(client: FlaskClient, ident: str) -> int:
    assert client.post("/v1/providers", json={"id": ident, "name": ident}).status_code == 201
    return int(client.get("/v1/changes?sort=-seq&limit=1").json["items"][0]["seq"])


def _deliveries(client: FlaskClient, subscription: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/subscriptions/{subscription}/deliveries")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return list(response.json["items"])


def test_a_delivery_is_signed_as_standard_webhooks_say(hooks: FlaskClient, conn: Any) -> None:
    with Receiver() as receiver:
        sub = _subscribe(hooks, receiver.url, ["providers.create"])
        seq = _provider(hooks, "new-lab")
        assert delivery.deliver_due(conn, SETTINGS, now=NOW) == 1
        [got] = receiver.received
    verify(sub["secret"], got)  # the HMAC recomputed as a receiver would
    assert got.headers["webhook-id"] == f"msg_{seq}_{sub['id']}"
    assert got.headers["content-type"] == "application/json"
    body = json.loads(got.body)
    assert body["type"] == "providers.create"
    change = hooks.get(f"/v1/changes?after={seq - 1}&limit=1").json["items"][0]
    assert body["data"] == change and body["timestamp"] == change["recorded_at"]
    # A forged body fails the check.
    got.body = got.body.replace(b"new-lab", b"evil-lab")
    with pytest.raises(AssertionError):
        verify(sub["secret"], got)
    [attempt] = _deliveries(hooks, sub["id"])
    assert attempt | {"at": None, "duration_ms": None} == {
        "webhook_id": f"msg_{seq}_{sub['id']}", "seq": seq, "event": "providers.create",
        "attempt": 1, "at": None, "status": 200, "error": None, "duration_ms": None,
        "state": "delivered",
    }  # fmt: skip
    assert delivery.deliver_due(conn, SETTINGS, now=NOW + 3600) == 0  # at least once, not again


def test_failures_are_retried_with_growing_delays_and_the_same_id(
    hooks: FlaskClient, conn: Any
) -> None:
    with Receiver(answers=[500, 503]) as receiver:
        sub = _subscribe(hooks, receiver.url, ["*"])
        _provider(hooks, "new-lab")
        assert delivery.deliver_due(conn, SETTINGS, now=NOW) == 1  # 500
        assert delivery.deliver_due(conn, SETTINGS, now=NOW + 4) == 0  # not due before 5 s
        assert delivery.deliver_due(conn, SETTINGS, now=NOW + 5) == 1  # 503
        assert delivery.deliver_due(conn, SETTINGS, now=NOW + 5 + 29) == 0  # then 30 s
        assert delivery.deliver_due(conn, SETTINGS, now=NOW + 5 + 30) == 1  # 200
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(receiver.received) == 3 and len(ids) == 1
    assert len({r.body for r in receiver.received}) == 1
    for got in receiver.received:
        verify(sub["secret"], got)
    attempts = _deliveries(hooks, sub["id"])
    assert [(a["attempt"], a["status"], a["error"]) for a in attempts] == [
        (1, 500, "answered 500"), (2, 503, "answered 503"), (3, 200, None),
    ]  # fmt: skip
    assert {a["state"] for a in attempts} == {"delivered"}


def test_feed_order_per_subscription(hooks: FlaskClient, conn: Any) -> None:
    with Receiver(answers=[500]) as receiver:
        _subscribe(hooks, receiver.url, ["providers.*"])
        first, second = _provider(hooks, "lab-one"), _provider(hooks, "lab-two")
        delivery.deliver_due(conn, SETTINGS, now=NOW)  # the first fails: the second waits
        assert delivery.deliver_due(conn, SETTINGS, now=NOW + 1) == 0
        delivery.deliver_due(conn, SETTINGS, now=NOW + 5)
        delivery.deliver_due(conn, SETTINGS, now=NOW + 5)
    seqs = [json.loads(r.body)["data"]["seq"] for r in receiver.received]
    assert seqs == [first, first, second]


def test_a_hanging_receiver_times_out_and_is_retried(hooks: FlaskClient, conn: Any) -> None:
    with Receiver(answers=["hang"]) as receiver:
        sub = _subscribe(hooks, receiver.url, ["*"])
        _provider(hooks, "new-lab")
        started = time.monotonic()
        fast = delivery.Settings(timeout=0.5, allow_private=True)
        assert delivery.deliver_due(conn, fast, now=NOW) == 1
        assert time.monotonic() - started < 2.5  # the receiver would hang for 3 s
        assert delivery.deliver_due(conn, fast, now=NOW + 5) == 1
    first, second = _deliveries(hooks, sub["id"])
    assert (first["status"], first["error"]) == (None, "timed out after 0.5 s")
    assert 400 <= first["duration_ms"] < 2500
    assert (second["status"], second["error"], second["state"]) == (200, None, "delivered")


def test_after_24_hours_a_change_is_given_up_and_the_next_goes(
    hooks: FlaskClient, conn: Any
) -> None:
    with Receiver(answers=[500] * 50) as receiver:
        sub = _subscribe(hooks, receiver.url, ["*"])
        _provider(hooks, "lab-one")
        _provider(hooks, "lab-two")
        moment = NOW
        while delivery.deliver_due(conn, SETTINGS, now=moment) and len(receiver.received) < 13:
            head = "SELECT next_attempt_at FROM webhook_outbox WHERE state = 'pending' ORDER BY id"
            moment = max(moment, conn.execute(head).fetchone()[0])
    attempts = _deliveries(hooks, sub["id"])
    first_change = [a for a in attempts if a["seq"] == attempts[0]["seq"]]
    # 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h: the 11th is the last within 24 h
    assert len(first_change) == 11 and first_change[-1]["state"] == "failed"
    assert [a["seq"] for a in attempts[11:]] == [attempts[0]["seq"] + 1] * (len(attempts) - 11)
    assert delivery.next_delay(1) == 5 and delivery.next_delay(2) == 30
    assert delivery.next_delay(9) == delivery.next_delay(20) == 8 * 3600


def test_the_log_keeps_30_days(hooks: FlaskClient, conn: Any) -> None:
    with Receiver(answers=[500]) as receiver:
        sub = _subscribe(hooks, receiver.url, ["*"])
        _provider(hooks, "lab-one")
        delivery.deliver_due(conn, SETTINGS, now=NOW)  # 500: still pending
        _provider(hooks, "lab-two")
        delivery.deliver_due(conn, SETTINGS, now=NOW + 5)  # lab-one delivered
        delivery.deliver_due(conn, SETTINGS, now=NOW + 5)  # lab-two delivered
    assert deliverer.prune(conn, NOW + 5 + 30 * 86400) == 0  # exactly 30 days: kept
    assert len(_deliveries(hooks, sub["id"])) == 3
    assert deliverer.prune(conn, NOW + 6 + 30 * 86400) == 2
    assert _deliveries(hooks, sub["id"]) == []
    assert conn.execute("SELECT count(*) FROM webhook_outbox").fetchone()[0] == 0
    assert len(receiver.received) == 3


def test_one_deliverer_holds_the_lease(conn: sqlite3.Connection) -> None:
    assert deliverer.hold_lease(conn, "elsewhere:1", NOW)
    assert not deliverer.hold_lease(conn, "elsewhere:2", NOW + 1)  # another machine, still held
    assert deliverer.hold_lease(conn, "elsewhere:1", NOW + 5)  # renewed by its holder
    assert not deliverer.hold_lease(conn, "elsewhere:2", NOW + 14)
    assert deliverer.hold_lease(conn, "elsewhere:2", NOW + 16)  # expired: taken over


def test_a_subscription_deleted_during_an_attempt(hooks: FlaskClient, conn: Any) -> None:
    def delete_it() -> int:
        other = db.connect(database)
        other.execute("DELETE FROM subscriptions WHERE id = ?", [sub["id"]])
        other.close()
        return 500

    database = conn.execute("PRAGMA database_list").fetchone()["file"]
    with Receiver(answers=[delete_it]) as receiver:
        sub = _subscribe(hooks, receiver.url, ["*"])
        _provider(hooks, "new-lab")
        assert delivery.deliver_due(conn, SETTINGS, now=NOW) == 1  # no error: nothing to keep
        assert delivery.deliver_due(conn, SETTINGS, now=NOW + 60) == 0
    assert conn.execute("SELECT count(*) FROM webhook_attempts").fetchone()[0] == 0
    assert len(receiver.received) == 1


def test_the_docker_images_command_runs_the_deliverer(tmp_path: Path) -> None:
    """The image runs gunicorn with catalog.server.gunicorn_conf (not `catalog serve`): its CMD."""
    dockerfile = (CHECKOUT / "Dockerfile").read_text()
    command = json.loads(re.findall(r"^CMD (\[.*\])$", dockerfile, re.M)[-1])
    assert command[0] == "gunicorn"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")} | {
        "CATALOG_DATABASE": str(tmp_path / "catalog.db"),
        "CATALOG_BIND": f"127.0.0.1:{port}",
        "CATALOG_WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    with (tmp_path / "image.log").open("wb") as log:
        process = subprocess.Popen([gunicorn, *command[1:]], env=env, cwd=tmp_path, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    server = Server(tmp_path, database=tmp_path / "catalog.db", port=port, process=process)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or seeding on a busy machine
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        auth = bearer(server.token())
        with Receiver() as receiver:
            hook = {"url": receiver.url, "events": ["providers.*"]}
            sub = requests.post(f"{server.url}/v1/subscriptions", json=hook, headers=auth).json()
            made = requests.post(f"{server.url}/v1/providers", json={"id": "lab", "name": "L"},
                                 headers=auth)  # fmt: skip
            assert made.status_code == 201
            verify(sub["secret"], receiver.wait(1)[0])
    finally:
        server.stop()


def test_a_queued_delivery_survives_a_sigkill_of_the_server(tmp_path: Path) -> None:
    """catalog serve; subscribe; write while the receiver is down (the first attempt fails);
    SIGKILL master, workers and deliverer; restart: the receiver gets it, signed, same id."""
    server = Server(tmp_path, database=tmp_path / "catalog.db",
                    settings={"CATALOG_WEBHOOKS_ALLOW_PRIVATE": "1"})  # fmt: skip
    receiver = Receiver(port=free_port())  # not listening yet
    server.start()
    try:
        auth = bearer(server.token())
        hook = {"url": receiver.url, "events": ["providers.create"]}
        sub = requests.post(f"{server.url}/v1/subscriptions", json=hook, headers=auth).json()
        made = requests.post(f"{server.url}/v1/providers", json={"id": "new-lab", "name": "N"},
                             headers=auth)  # fmt: skip
        assert made.status_code == 201
        log = f"{server.url}/v1/subscriptions/{sub['id']}/deliveries"
        deadline = time.monotonic() + 20
        while not requests.get(log, headers=auth).json()["items"]:
            assert time.monotonic() < deadline, "the deliverer never tried"
            time.sleep(0.1)
        [failed] = requests.get(log, headers=auth).json()["items"]
        assert failed["status"] is None and failed["state"] == "pending"
        server.kill()
        with receiver:
            server.start()
            [got] = receiver.wait(1, seconds=30)
            verify(sub["secret"], got)
            assert got.headers["webhook-id"] == failed["webhook_id"]
            assert json.loads(got.body)["data"]["id"] == "new-lab"
            deadline = time.monotonic() + 10
            while len(attempts := requests.get(log, headers=auth).json()["items"]) < 2:
                assert time.monotonic() < deadline
                time.sleep(0.1)
            assert [(a["attempt"], a["status"]) for a in attempts] == [(1, None), (2, 200)]
            time.sleep(1)
            assert len(receiver.received) == 1
            # The master restarts a deliverer that dies (here: SIGKILLed by its pid alone).
            holder = sqlite3.connect(server.database).execute(
                "SELECT holder FROM webhook_lease").fetchone()[0]  # fmt: skip
            os.kill(int(holder.rpartition(":")[2]), signal.SIGKILL)
            again = requests.post(f"{server.url}/v1/providers", json={"id": "lab-2", "name": "L"},
                                  headers=auth)  # fmt: skip
            assert again.status_code == 201
            assert json.loads(receiver.wait(2, seconds=30)[1].body)["data"]["id"] == "lab-2"
    finally:
        server.stop()
