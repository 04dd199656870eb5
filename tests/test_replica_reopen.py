"""A read-only replica picks up a new catalog file without a restart: one renamed into place (a
new snapshot) and one rewritten in place (what `litestream restore -f` does)."""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from servers import Server

from catalog.storage import db

NEW = "replica-new"


@pytest.fixture
def catalogs(seeded_db: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The served file (the seeded catalog, in WAL mode as the writer leaves it) and a snapshot
    of a newer catalog: one provider and one change more, taken as `catalog snapshot` takes it."""
    served = tmp_path / "served.db"
    shutil.copyfile(seeded_db, served)
    newer = tmp_path / "newer.db"
    shutil.copyfile(seeded_db, newer)
    conn = db.connect(newer)
    now = "2026-12-01T00:00:00Z"
    conn.execute(
        "INSERT INTO providers (id, name, website, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        [NEW, "Replica New", None, now, now],
    )
    conn.execute(
        "INSERT INTO changes (recorded_at, actor, action, resource, record_id, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [now, "test", "create", "providers", NEW, None, "{}"],
    )
    snapshot = tmp_path / "snapshot.db"
    conn.execute("VACUUM INTO ?", [str(snapshot)])
    conn.close()
    return served, snapshot


@pytest.fixture
def replica(catalogs: tuple[Path, Path], tmp_path: Path) -> Iterator[Server]:
    served, _ = catalogs
    running = Server(tmp_path, database=served, settings={"CATALOG_READ_ONLY": "1"})
    running.start(workers=2)
    yield running
    running.stop()


def statuses(server: Server, n: int = 8) -> set[int]:
    """Status codes of `n` reads of the new provider (more than the workers, so each answers)."""
    url = f"{server.url}/v1/providers/{NEW}"
    return {requests.get(url, timeout=5).status_code for _ in range(n)}


def test_a_snapshot_renamed_into_place_is_read_at_once(
    replica: Server, catalogs: tuple[Path, Path]
) -> None:
    served, snapshot = catalogs
    assert statuses(replica) == {404}
    snapshot.replace(served)
    assert statuses(replica) == {200}
    assert replica.process is not None and replica.process.poll() is None  # no restart


def test_a_file_rewritten_in_place_is_read_at_once(
    catalogs: tuple[Path, Path], tmp_path: Path
) -> None:
    """What `litestream restore -f` does. It relies on the file being in rollback-journal mode
    (deploy/litestream/replica puts it there): then readers hold no lock between requests, and
    SQLite notices the new pages by the file change counter."""
    served, snapshot = catalogs
    conn = sqlite3.connect(served)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    replica = Server(tmp_path, database=served, settings={"CATALOG_READ_ONLY": "1"})
    replica.start(workers=2)
    try:
        assert statuses(replica) == {404}
        inode = served.stat().st_ino
        with served.open("r+b") as target:
            # SQLite's PENDING byte and SHARED range, as an EXCLUSIVE lock takes them (and as
            # litestream does): it fails at once if a reader holds a lock.
            fcntl.lockf(target, fcntl.LOCK_EX | fcntl.LOCK_NB, 512, 0x40000000)
            target.write(snapshot.read_bytes())
            target.truncate()
        assert served.stat().st_ino == inode
        assert statuses(replica) == {200}
    finally:
        replica.stop()
