"""A disk that fills up under a served catalog: 507, nothing half-written, reads go on, recovery.

The database lives on a real tmpfs of 32 MB, mounted by the test (it runs as root, as
CI does), which a filler file then fills to the last byte.
"""

from __future__ import annotations

import errno
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from helpers import assert_problem, bearer
from servers import Server

from catalog.storage import disk as storage
from catalog.storage.db import get_write_db


def assert_problem_json(response: requests.Response, status: int) -> dict[str, object]:
    """An RFC 9457 problem with this status, over real HTTP."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs of its own: room for the seeded catalog and its write-ahead log while
    seeding (about 33 MB), which 32 MB no longer was."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path) -> Path:
    """Write a file until the file system has no byte left."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        chunk = b"\0" * 65536
        while True:
            try:
                out.write(chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC
                if len(chunk) == 1:
                    break
                chunk = chunk[: len(chunk) // 2]
    return filler


def test_a_full_disk_refuses_writes_and_recovers(tmp_path: Path, disk: Path) -> None:
    server = Server(tmp_path, database=disk / "catalog.db")
    server.start()
    try:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {server.token()}"
        assert requests.get(f"{server.url}/readyz", timeout=10).json()["writable"] is True

        acknowledged: list[str] = []

        def write(n: int) -> requests.Response:
            record = {"id": f"disk-{n}", "name": f"Disk test {n} " + "x" * 180}
            response = session.post(f"{server.url}/v1/providers", json=record, timeout=30)
            if response.status_code == 201:
                acknowledged.append(record["id"])
            return response

        for n in range(20):
            assert write(n).status_code == 201
        filler = fill(disk)
        # The write-ahead log may still have room from earlier writes: write until it has none.
        n = 20
        while (response := write(n)).status_code == 201:
            n += 1
            assert n < 20000, "the disk never filled"
        body = assert_problem_json(response, 507)
        assert body["type"] == "/problems/storage-full"
        assert write(n + 1).status_code == 507  # and it stays refused while the disk is full

        ready = requests.get(f"{server.url}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["writable"] is False
        # Reads go on, and every acknowledged write is there.
        for provider in acknowledged:
            assert (
                requests.get(f"{server.url}/v1/providers/{provider}", timeout=10).status_code == 200
            )
        assert requests.get(f"{server.url}/v1/providers/disk-{n}", timeout=10).status_code == 404

        filler.unlink()
        # Writes resume with no restart, within seconds (polled; no sleep decides the outcome).
        deadline = time.monotonic() + 30
        while (response := write(n + 2)).status_code != 201:
            assert response.status_code == 507, response.text
            assert time.monotonic() < deadline, "writes did not resume"
            time.sleep(0.2)
        assert requests.get(f"{server.url}/readyz", timeout=10).json()["writable"] is True
    finally:
        server.stop()
    with sqlite3.connect(disk / "catalog.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in conn.execute("SELECT id FROM providers WHERE id LIKE 'disk-%'")}
        # Every acknowledged write, and nothing the catalog refused.
        assert stored == set(acknowledged)
        changes = conn.execute(
            "SELECT count(*) FROM changes WHERE record_id LIKE 'disk-%'"
        ).fetchone()
        assert changes[0] == len(acknowledged)


def test_writable_follows_free_space(disk: Path) -> None:
    database = disk / "catalog.db"
    database.touch()
    assert storage.writable(database)
    filler = fill(disk)
    assert not storage.writable(database)
    filler.unlink()
    assert storage.writable(database)


def test_a_read_only_file_system_is_not_writable(tmp_path: Path) -> None:
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mount)], check=True)
    try:
        assert not storage.writable(mount / "catalog.db")
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def real_error(tmp_path: Path, kind: str) -> sqlite3.OperationalError:
    """The error SQLite itself raises: a full database, a read-only one, a locked one."""
    path = tmp_path / f"{kind}.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE t (x)")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if kind == "full":  # a page limit fills the database as a full disk would
            conn.execute("PRAGMA max_page_count = 2")
            conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
        elif kind == "read-only":
            sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True).execute(
                "INSERT INTO t VALUES (1)"
            )
        else:
            conn.execute("BEGIN IMMEDIATE")
            other = sqlite3.connect(path, timeout=0)
            other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        return error
    finally:
        conn.close()
    raise AssertionError("SQLite raised nothing")


@pytest.mark.parametrize(
    ("kind", "status", "problem", "message"),
    [
        ("full", 507, "storage-full", "database or disk is full"),
        ("read-only", 507, "storage-read-only", "attempt to write a readonly database"),
        ("locked", 503, "database-busy", "database is locked"),
    ],
)
def test_storage_errors_map_to_problems(
    app: Flask, tmp_path: Path, kind: str, status: int, problem: str, message: str
) -> None:
    error = real_error(tmp_path, kind)
    assert str(error) == message
    assert storage.refusal(error) is not None
    with app.test_request_context("/v1/providers", method="POST"):
        response = app.handle_user_exception(error)
    assert response.status_code == status
    body = response.get_json()
    assert body["type"] == f"/problems/{problem}" and body["status"] == status
    assert "nothing of this write was stored" in body["detail"]
    assert ("Retry-After" in response.headers) == (status == 503)
    storage._full_at.clear()  # the "full" case noted this disk as full


def test_other_sqlite_errors_stay_500(app: Flask) -> None:
    with app.test_request_context("/v1/providers"):
        response = app.handle_user_exception(sqlite3.OperationalError("no such table: x"))
    assert response.status_code == 500
    assert storage.refusal(sqlite3.OperationalError("no code")) is None


def test_a_full_database_writes_nothing_half(
    writable_app: Flask, writable_db: Path, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write that does not fit is refused whole: no record, no feed entry."""
    monkeypatch.setattr(storage, "_full_at", {})
    client = writable_app.test_client()
    with writable_app.app_context():  # the pool's write connection, limited to its size now
        conn = get_write_db()
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    for n in range(500):  # until the free pages inside the file are used up too
        refused = f"too-much-{n}"
        response = client.post(
            "/v1/providers",
            json={"id": refused, "name": "x" * 200},
            headers=bearer(tokens["write"]),
        )
        if response.status_code != 201:
            break
    assert assert_problem(response, 507)["type"] == "/problems/storage-full"
    assert client.get(f"/v1/providers/{refused}").status_code == 404
    if n:  # the writes before it, while there was room, were stored
        assert client.get(f"/v1/providers/too-much-{n - 1}").status_code == 200
    with sqlite3.connect(writable_db) as check:
        fed = check.execute("SELECT count(*) FROM changes WHERE record_id = ?", [refused])
        assert fed.fetchone()[0] == 0
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_readyz_says_whether_writes_can_be_stored(app: Flask, writable_app: Flask) -> None:
    replica = app.test_client().get("/readyz")  # the shared app is a read-only replica
    assert replica.status_code == 200 and replica.json["writable"] is False
    primary = writable_app.test_client().get("/readyz")
    assert primary.status_code == 200 and primary.json["writable"] is True
