"""Shared fixtures, as in flaskr: the app on a seeded (read-only) database, its client, a writer
client with a token on a private copy, a CLI runner, and a clock the tests set by hand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from helpers import copy_database
from registry_helpers import curated_db

from catalog import create_app
from catalog.core import instants
from catalog.http import auth
from catalog.storage import db, loading


@pytest.fixture(autouse=True)
def _no_catalog_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CATALOG_* variable of the shell running the tests leaks into them."""
    import os

    for name in [n for n in os.environ if n.startswith("CATALOG_")]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database seeded from the shipped fixtures, shared by read-only tests."""
    path = tmp_path_factory.mktemp("seeded") / "catalog.db"
    assert loading.seed_if_empty(path)
    return path


@pytest.fixture
def app(seeded_db: Path) -> Iterator[Flask]:
    """The app on the shared database, as a replica: a test that writes by accident fails."""
    yield create_app({"TESTING": True, "DATABASE": str(seeded_db), "READ_ONLY": True})
    db.close_thread_connections()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose CATALOG_DATABASE is a fresh file."""
    monkeypatch.setenv("CATALOG_DATABASE", str(tmp_path / "cli.db"))
    return CliRunner()


@pytest.fixture
def writable_db(seeded_db: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded database, for tests that write."""
    return copy_database(seeded_db, tmp_path / "writable.db")


@pytest.fixture
def writable_app(writable_db: Path) -> Iterator[Flask]:
    yield create_app({"TESTING": True, "DATABASE": str(writable_db)})
    db.close_thread_connections()


@pytest.fixture
def tokens(writable_db: Path) -> dict[str, str]:
    """A write token, a read-only token and a revoked one, by scope."""
    conn = db.connect(writable_db)
    made = {
        "write": auth.create(conn, "maintainer", ["write"]),
        "read": auth.create(conn, "reader", ["read"]),
        "revoked": auth.create(conn, "former", ["write"]),
    }
    auth.revoke(conn, "former")
    conn.close()
    return made


@pytest.fixture
def writer(writable_app: Flask, tokens: dict[str, str]) -> FlaskClient:
    """A client on the private copy that sends the write token with every request."""
    client = writable_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens['write']}"
    return client


@dataclass
class Clock:
    """The catalog's idea of now, set and moved by the test (whole seconds, like the feed)."""

    moment: datetime

    def now(self) -> str:
        return self.moment.strftime(instants.FORMAT)

    def advance(self, seconds: int = 1) -> str:
        """Move on and return the new now."""
        self.moment += timedelta(seconds=seconds)
        return self.now()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A frozen clock for everything the catalog stamps or compares: 2030-01-01T00:00:00Z,
    later than the seeding of the shared database, so recorded history stays in order."""
    frozen = Clock(datetime(2030, 1, 1, tzinfo=UTC))
    monkeypatch.setattr(instants, "now", frozen.now)
    return frozen


@pytest.fixture
def catalog_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small curated catalog of registry_helpers in a fresh database, named by
    CATALOG_DATABASE (what the importers' commands write to)."""
    path = curated_db(tmp_path)
    monkeypatch.setenv("CATALOG_DATABASE", str(path))
    return path
