"""The SQLite database: opening it, bringing its schema up to date, the connections requests use."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from flask import Flask, current_app, g
from sqlite_utils import Database

from .. import config
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


# A small pool per process and database file: a request takes a connection the first time it
# asks and gives it back when its app context ends. Opening SQLite costs more than most queries
# do, and under gevent one thread runs many requests at once (a threading.local would be per
# greenlet, that is per request), so connections are kept per process, one per request running.
POOL_KEEP = 16  # idle connections kept per (file, mode); more are closed when given back
# Pool keys: (path, read_only, the file's identity when opened: None but on a replica).
PoolKey = tuple[str, bool, "tuple[int, int] | None"]
_idle: dict[PoolKey, list[sqlite3.Connection]] = {}
_identities: dict[str, tuple[int, int] | None] = {}  # a replica's file, as last seen


def _connection(
    path: str, read_only: bool, identity: tuple[int, int] | None = None
) -> sqlite3.Connection:
    held: dict[tuple[str, bool], tuple[sqlite3.Connection, PoolKey]] = g.setdefault("_db_held", {})
    found = held.get((path, read_only))
    if found is None:
        key: PoolKey = (path, read_only, identity)
        idle = _idle.get(key)
        conn = idle.pop() if idle else connect(path, read_only=read_only)
        found = held[(path, read_only)] = (conn, key)
    return found[0]


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _reopen_if_replaced(path: str) -> tuple[int, int] | None:
    """On a replica, the file's identity now; idle connections to a file since replaced close.

    A new snapshot renamed into place is another inode: a connection kept open would read the
    old file forever. (Pages rewritten in place, as `litestream restore -f` does, need nothing:
    SQLite notices the file change counter move, the file being in rollback-journal mode.)
    """
    identity = _file_identity(path)
    if _identities.get(path, ()) != identity:
        _identities[path] = identity
        for key in [k for k in _idle if k[0] == path and k[2] != identity]:
            for conn in _idle.pop(key):
                conn.close()
    return identity


def _read_connection() -> sqlite3.Connection:
    # Asked for several times a request: found once, then kept in g until it is given back.
    state = g._get_current_object()
    found: sqlite3.Connection | None = state.get("_db_read")
    if found is not None:
        return found
    path = current_app.config["DATABASE"]
    if not config.flag(current_app, "READ_ONLY"):
        found = _connection(path, read_only=True)
    else:
        if "db_identity" not in state:
            state.db_identity = _reopen_if_replaced(path)  # one stat per request
        found = _connection(path, read_only=True, identity=state.db_identity)
    state._db_read = found
    return found


def release(error: BaseException | None = None) -> None:
    """Give this request's connections back to the pool (teardown_appcontext)."""
    g.pop("_db_read", None)
    held: dict[tuple[str, bool], tuple[sqlite3.Connection, PoolKey]] = g.pop("_db_held", {})
    for conn, key in held.values():
        idle = _idle.setdefault(key, [])
        replaced = key[2] is not None and _identities.get(key[0]) != key[2]
        if conn.in_transaction or replaced or len(idle) >= POOL_KEEP:
            conn.close()  # closing rolls back whatever a failed request left open
        else:
            idle.append(conn)


def discard() -> None:
    """Close this request's connections instead of pooling them (after a storage error)."""
    g.pop("_db_read", None)
    for conn, _ in g.pop("_db_held", {}).values():
        conn.close()


def get_db() -> sqlite3.Connection:
    """The connection this request reads from: the live catalog, or the `as_of` rebuild that
    context.request_args chose for it."""
    as_of_db: sqlite3.Connection | None = g.get("as_of_db")
    return as_of_db if as_of_db is not None else _read_connection()


def get_live_db() -> sqlite3.Connection:
    """This request's read-only connection to the live catalog, whatever `as_of` says."""
    return _read_connection()


def get_write_db() -> sqlite3.Connection:
    """This request's read-write connection (the caller has checked that this is no replica)."""
    return _connection(current_app.config["DATABASE"], read_only=False)


def close_thread_connections() -> None:
    """Close the pooled idle connections (tests that delete database files call it)."""
    for idle in _idle.values():
        while idle:
            idle.pop().close()


def init_app(app: Flask) -> None:
    """Every request gives its connections back when it ends."""
    app.teardown_appcontext(release)
