"""The catalog's version, and what is kept until it changes.

The version is the newest change's seq: every write adds one. Work that depends only on it (the
clouds, the menus, a model's offerings, an export's encoded rows) is done once per version and
per worker (per_version), not once per request.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

LATEST = "SELECT seq, recorded_at FROM changes ORDER BY seq DESC LIMIT 1"
# The version each read connection saw last, under the PRAGMA data_version it saw it at: the
# pragma changes when another connection commits, and costs less than the query. Bounded:
# connections come and go (one a greenlet under gevent). Each entry holds its connection, so
# an id is never mistaken for a closed connection's.
_versions: dict[int, tuple[sqlite3.Connection, int, int, str | None, str]] = {}
# The version each pinned connection answers with, while pinned().
_pins: dict[int, tuple[int, str | None, str]] = {}


def catalog_version(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """The catalog's version (its newest change's seq, 0 if none) and when it was recorded."""
    version, recorded_at, _ = _version_of(conn)
    return version, recorded_at


@contextmanager
def pinned(conn: sqlite3.Connection) -> Iterator[None]:
    """Within it, the connection's version is asked of SQLite once: every read of one answer
    sees one version (and five PRAGMAs of a rendered CI answer become one)."""
    if id(conn) in _pins:  # already pinned, by an outer call
        yield
        return
    _pins[id(conn)] = _version_of(conn)
    try:
        yield
    finally:
        del _pins[id(conn)]


def _version_of(conn: sqlite3.Connection) -> tuple[int, str | None, str]:
    pin = _pins.get(id(conn))
    if pin is not None:
        return pin
    data_version = conn.execute("PRAGMA data_version").fetchone()[0]
    seen = _versions.get(id(conn))
    if seen is not None and seen[0] is conn and seen[1] == data_version:
        return seen[2], seen[3], seen[4]
    row = conn.execute(LATEST).fetchone()
    version, recorded_at = (row[0], row[1]) if row else (0, None)
    database = seen[4] if seen is not None and seen[0] is conn else _file_of(conn)
    if len(_versions) > 256:
        _versions.clear()
    _versions[id(conn)] = (conn, data_version, version, recorded_at, database)
    return version, recorded_at, database


def _file_of(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2] or "")  # "": in memory (an as_of rebuild)


def kept_under(conn: sqlite3.Connection) -> tuple[str, int] | None:
    """The database file and version what this connection reads may be kept under; None where
    nothing may be kept: an in-memory rebuild (as_of), or a write's transaction (what it sees
    may yet be rolled back, and its version then given to another write)."""
    version, _, database = _version_of(conn)
    if not database or conn.in_transaction:
        return None
    return database, version


# What per_version keeps, the least recently used let go past MAX_KEPT entries (most are a
# model's: its offerings, its facts; a few are every request's: the encoded rows, the ids).
MAX_KEPT = 4096
_kept: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_newest: dict[str, int] = {}  # the newest version anything was kept for, per database file


def per_version(conn: sqlite3.Connection, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """compute(), kept until the catalog changes (per database file and `key`): what every read
    would otherwise recompute (the clouds, the windows, the menus); nothing where kept_under
    says so. Callers must not change what they get."""
    under = kept_under(conn)
    if under is None:
        return compute()
    database, version = under
    full = (database, version, *key)
    if full in _kept:
        _kept.move_to_end(full)
    else:
        if _newest.get(database, version) < version:  # what older versions kept is stale
            for old in [k for k in _kept if k[0] == database and k[1] < version]:
                del _kept[old]
        _newest[database] = max(version, _newest.get(database, version))
        _kept[full] = compute()
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    found: T = _kept[full]
    return found
