"""The catalog as it was recorded at an instant (`as_of`), rebuilt from the change feed.

Every record's last version at or before the instant is replayed into an in-memory database with
the same schema, and the ordinary queries run against it: one code path answers both the
present and the past. Rebuilds are cached by the feed position they stand for, so every `as_of`
between two writes shares one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict

from sqlite_utils import Database

from .. import resources
from . import store
from .migrations import migrations

_cache: OrderedDict[tuple[str, int], sqlite3.Connection] = OrderedDict()
_lock = threading.Lock()
CACHED = 4

LAST_VERSIONS = """
    SELECT resource, after FROM changes
    WHERE seq IN (SELECT max(seq) FROM changes WHERE seq <= ? GROUP BY resource, record_id)
"""


def position(conn: sqlite3.Connection, as_of: str) -> int:
    """The seq of the last change recorded at or before `as_of` (0: before the first)."""
    row = conn.execute(
        "SELECT seq FROM changes WHERE recorded_at <= ? ORDER BY recorded_at DESC, seq DESC "
        "LIMIT 1",
        [as_of],
    ).fetchone()
    return int(row[0]) if row else 0


def rebuild(conn: sqlite3.Connection, upto: int) -> sqlite3.Connection:
    """A new in-memory catalog holding every record as of change `upto`."""
    memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    memory.row_factory = sqlite3.Row
    migrations.apply(Database(memory))
    by_collection: dict[str, list[dict[str, object]]] = {name: [] for name in resources.WRITABLE}
    for resource, after in conn.execute(LAST_VERSIONS, [upto]):
        if after is not None:
            by_collection[resource].append(json.loads(after))
    with store.transaction(memory):
        for name, records in by_collection.items():
            resource = resources.get(name)
            for record in records:
                updated_at, created_at = str(record["updated_at"]), str(record["created_at"])
                store.write_row(memory, resource, record, updated_at, created_at)
    return memory


def catalog_at(conn: sqlite3.Connection, path: str, as_of: str) -> sqlite3.Connection:
    """A read connection to the catalog as recorded at `as_of` (cached per feed position)."""
    upto = position(conn, as_of)
    key = (path, upto)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    built = rebuild(conn, upto)
    with _lock:
        _cache[key] = built
        while len(_cache) > CACHED:
            _cache.popitem(last=False)  # closed when no request holds it any more
    return built
