"""Shared fixtures: an app on a seeded database, its client, and a CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from catalog import create_app, db


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database seeded from the shipped fixtures, shared by read-only tests."""
    path = tmp_path_factory.mktemp("seeded") / "catalog.db"
    assert db.ensure_database(path)
    return path


@pytest.fixture
def app(seeded_db: Path) -> Iterator[Flask]:
    yield create_app({"TESTING": True, "DATABASE": str(seeded_db)})
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
    import sqlite3

    path = tmp_path / "writable.db"
    source = sqlite3.connect(seeded_db)
    target = sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return path


@pytest.fixture
def writable_app(writable_db: Path) -> Iterator[Flask]:
    yield create_app({"TESTING": True, "DATABASE": str(writable_db)})
    db.close_thread_connections()


@pytest.fixture
def tokens(writable_db: Path) -> dict[str, str]:
    """A write token, a read-only token and a revoked one, by scope."""
    from catalog import auth

    conn = db.connect(writable_db)
    made = {
        "write": auth.create(conn, "maintainer", ["write"]),
        "read": auth.create(conn, "reader", ["read"]),
        "revoked": auth.create(conn, "former", ["write"]),
    }
    auth.revoke(conn, "former")
    conn.close()
    return made
