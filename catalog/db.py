"""The SQLite database: opening it, bringing its schema up to date, the connections requests use."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from flask import current_app, g
from sqlite_utils import Database

from . import config
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


def _reopen_if_replaced(path: str) -> None:
    """On a replica, drop this thread's read connection when the file at the path was replaced.

    A new snapshot renamed into place is another inode: a connection kept open would read the
    old file forever. (Pages rewritten in place, as `litestream restore -f` does, need nothing:
    SQLite notices the file change counter move, the file being in rollback-journal mode.)
    """
    try:
        st = os.stat(path)
        identity: tuple[int, int] | None = (st.st_dev, st.st_ino)
    except OSError:
        identity = None
    seen: dict[str, tuple[int, int] | None] = _local.__dict__.setdefault("identities", {})
    if seen.get(path, ()) != identity:
        seen[path] = identity
        conn = getattr(_local, "connections", {}).pop((path, True), None)
        if conn is not None:
            conn.close()


def _read_connection() -> sqlite3.Connection:
    path = current_app.config["DATABASE"]
    if config.flag(current_app, "READ_ONLY") and not g.get("db_file_checked"):
        g.db_file_checked = True  # one stat per request
        _reopen_if_replaced(path)
    return _thread_connection(path, read_only=True)


def get_db() -> sqlite3.Connection:
    """The connection this request reads from: the live catalog, or the `as_of` rebuild that
    api.args.read_as_of chose for it."""
    as_of_db: sqlite3.Connection | None = g.get("as_of_db")
    if as_of_db is not None:
        return as_of_db
    return _read_connection()


def get_live_db() -> sqlite3.Connection:
    """This thread's read-only connection to the live catalog, whatever `as_of` says."""
    return _read_connection()


def get_write_db() -> sqlite3.Connection:
    """This thread's read-write connection (the caller has checked that this is no replica)."""
    return _thread_connection(current_app.config["DATABASE"], read_only=False)


def close_thread_connections() -> None:
    """Close this thread's connections (tests that delete database files call it)."""
    for conn in getattr(_local, "connections", {}).values():
        conn.close()
    _local.connections = {}
