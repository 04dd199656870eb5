"""The SQLite database: opening it, bringing its schema up to date, the connections requests use."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from flask import current_app, g
from sqlite_utils import Database

from .migrations import migrations


def connect(path: str | Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open the database with the settings every connection needs."""
    if read_only:
        conn = sqlite3.connect(
            f"{Path(path).absolute().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
    else:
        # Autocommit at the driver; transactions are explicit (store.writing, db.atomic).
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    # Writers wait for each other instead of failing with "database is locked".
    conn.execute("PRAGMA busy_timeout = 10000")
    if not read_only:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def migrate(path: str | Path) -> Database:
    """Open the database for writing and bring its schema up to date."""
    db = Database(connect(path))
    migrations.apply(db)
    return db


def is_empty(db: Database) -> bool:
    """Whether the catalog holds no records yet."""
    return db.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM providers)").fetchone()[0] == 1


# One read connection per thread and database file: opening SQLite costs more than most
# queries do, and a gunicorn sync worker serves one request at a time on one thread.
_local = threading.local()


def _thread_connection(path: str, read_only: bool) -> sqlite3.Connection:
    cache: dict[tuple[str, bool], sqlite3.Connection] | None = getattr(_local, "connections", None)
    if cache is None:
        cache = _local.connections = {}
    conn = cache.get((path, read_only))
    if conn is None:
        conn = cache[(path, read_only)] = connect(path, read_only=read_only)
    return conn


def get_db() -> sqlite3.Connection:
    """The connection this request reads from: the live catalog, or the `as_of` rebuild that
    api.args.read_as_of chose for it."""
    as_of_db: sqlite3.Connection | None = g.get("as_of_db")
    if as_of_db is not None:
        return as_of_db
    return _thread_connection(current_app.config["DATABASE"], read_only=True)


def get_live_db() -> sqlite3.Connection:
    """This thread's read-only connection to the live catalog, whatever `as_of` says."""
    return _thread_connection(current_app.config["DATABASE"], read_only=True)


def get_write_db() -> sqlite3.Connection:
    """This thread's read-write connection (the caller has checked that this is no replica)."""
    return _thread_connection(current_app.config["DATABASE"], read_only=False)


def close_thread_connections() -> None:
    """Close this thread's connections (tests that delete database files call it)."""
    for conn in getattr(_local, "connections", {}).values():
        conn.close()
    _local.connections = {}
