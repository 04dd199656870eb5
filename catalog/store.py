"""Writing the catalog: one record at a time, each write with its entry in the change feed.

Both the fixture loader and the HTTP API write through here, so references, the exclusivity
rule and history are enforced in one place.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import instants, queries, rules

# Parents before children, so references resolve in this order.
ORDER = ("providers", "clouds", "regions", "models", "offerings", "exclusivity-windows")

Key = tuple[str, ...]

# For a deletion: the records that still point at the one to delete, as "collection/id".
REFERRERS: dict[str, tuple[str, ...]] = {
    "providers": (
        "SELECT 'models/' || id FROM models WHERE provider = :id",
        "SELECT 'clouds/' || id FROM clouds WHERE provider = :id",
        "SELECT 'exclusivity-windows/' || id FROM exclusivity_windows WHERE provider = :id",
    ),
    "clouds": (
        "SELECT 'clouds/' || cloud || '/regions/' || id FROM regions WHERE cloud = :id",
        "SELECT 'offerings/' || id FROM offerings WHERE cloud = :id",
        "SELECT 'exclusivity-windows/' || id FROM exclusivity_windows WHERE holder = :id",
    ),
    "regions": (
        "SELECT 'offerings/' || offering FROM offering_regions "
        "WHERE cloud = :cloud AND region = :id",
    ),
    "models": (
        "SELECT 'offerings/' || id FROM offerings WHERE model = :id",
        "SELECT 'exclusivity-windows/' || id FROM exclusivity_windows WHERE model = :id",
    ),
    "offerings": (),
    "exclusivity-windows": (),
}


def key_of(collection: str, record: dict[str, Any]) -> Key:
    """A record's key: (cloud, id) for regions, (id,) for the rest."""
    return (record["cloud"], record["id"]) if collection == "regions" else (record["id"],)


def record_id(key: Key) -> str:
    """The key as one string, as the change feed names records ("aws/us-east-1" for a region)."""
    return "/".join(key)


def references(collection: str, record: dict[str, Any]) -> Iterator[tuple[str, str, Key]]:
    """(field, target collection, target key) for every record this one points at."""
    if collection == "models":
        yield "provider", "providers", (record["provider"],)
    elif collection == "clouds" and record["provider"]:
        yield "provider", "providers", (record["provider"],)
    elif collection == "regions":
        yield "cloud", "clouds", (record["cloud"],)
    elif collection == "offerings":
        yield "model", "models", (record["model"],)
        yield "cloud", "clouds", (record["cloud"],)
        for region in record["regions"]:
            yield "regions", "regions", (record["cloud"], region)
    elif collection == "exclusivity-windows":
        yield "holder", "clouds", (record["holder"],)
        if record["model"]:
            yield "model", "models", (record["model"],)
        if record["provider"]:
            yield "provider", "providers", (record["provider"],)


def missing_reference(target: str, key: Key) -> str:
    """The message for a reference to nothing."""
    return f"no {target.removesuffix('s')} {record_id(key)!r}"


def get(conn: sqlite3.Connection, collection: str, key: Key) -> dict[str, Any] | None:
    """A record by key, as the API shows it."""
    spec = queries.COLLECTIONS[collection]
    if collection == "regions":
        return queries.get_record(conn, spec, key[1], cloud=key[0])
    return queries.get_record(conn, spec, key[0])


def fixture_form(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its server-set timestamps: what clients and fixtures write."""
    return {name: value for name, value in record.items() if name not in queries.TIMESTAMPS}


def etag(record: dict[str, Any]) -> str:
    """A strong entity tag: the hash of the record as the API shows it."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT: the write lock is taken up front, so two writers queue (for
    up to the busy timeout) instead of one failing halfway with "database is locked"."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def write_record(
    conn: sqlite3.Connection,
    collection: str,
    record: dict[str, Any],
    now: str,
    created_at: str | None = None,
) -> None:
    """Insert or replace one validated record; created_at survives a replace.

    With `created_at`, both timestamps are taken as given (rebuilding a past state).
    """
    spec = queries.COLLECTIONS[collection]
    columns = [c for c in spec.fields if c not in spec.computed and c not in queries.TIMESTAMPS]
    values = {name: record[name] for name in columns}
    for name in spec.booleans:
        values[name] = int(values[name])
    key = ["cloud", "id"] if collection == "regions" else ["id"]
    updates = ", ".join(
        f"{queries.quote(c)} = excluded.{queries.quote(c)}" for c in columns if c not in key
    )
    conn.execute(
        f"INSERT INTO {queries.quote(spec.table)} "
        f"({', '.join(map(queries.quote, columns))}, created_at, updated_at) "
        f"VALUES ({', '.join(':' + c for c in columns)}, :created_at, :now) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}, updated_at = :now",
        {**values, "now": now, "created_at": created_at or now},
    )
    if collection == "offerings":
        conn.execute("DELETE FROM offering_regions WHERE offering = ?", [record["id"]])
        conn.executemany(
            "INSERT INTO offering_regions (offering, cloud, region, position) VALUES (?, ?, ?, ?)",
            [(record["id"], record["cloud"], r, i) for i, r in enumerate(record["regions"])],
        )


def delete_record(conn: sqlite3.Connection, collection: str, key: Key) -> None:
    """Delete one record (its offering_regions go with it)."""
    spec = queries.COLLECTIONS[collection]
    if collection == "regions":
        conn.execute("DELETE FROM regions WHERE cloud = ? AND id = ?", key)
    else:
        conn.execute(f"DELETE FROM {queries.quote(spec.table)} WHERE id = ?", key)


def referrers(conn: sqlite3.Connection, collection: str, key: Key, most: int = 10) -> list[str]:
    """Records that point at this one (which a deletion would leave dangling)."""
    params = {"id": key[-1], "cloud": key[0]}
    found: list[str] = []
    for sql in REFERRERS[collection]:
        found.extend(row[0] for row in conn.execute(f"{sql} LIMIT {most}", params))
    return found[:most]


def contradictions(
    conn: sqlite3.Connection, collection: str, record: dict[str, Any]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(offering, window) pairs the record, just written, takes part in against the rule."""
    if collection == "offerings":
        return rules.find_contradictions(conn, [record["id"]])
    if collection in ("exclusivity-windows", "models", "clouds"):
        # A window, or a model's open weights or a cloud's kind, can put existing offerings
        # in contradiction; the rule is checked over every offering it could touch.
        return rules.find_contradictions(conn)
    return []


def record_change(
    conn: sqlite3.Connection,
    *,
    actor: str,
    action: str,
    collection: str,
    key: Key,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: str,
) -> int:
    """Append one entry to the change feed; returns its seq."""
    cursor = conn.execute(
        "INSERT INTO changes (recorded_at, actor, action, resource, record_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            now,
            actor,
            action,
            collection,
            record_id(key),
            json.dumps(before) if before is not None else None,
            json.dumps(after) if after is not None else None,
        ],
    )
    return int(cursor.lastrowid or 0)


def save(
    conn: sqlite3.Connection, collection: str, record: dict[str, Any], actor: str, now: str
) -> tuple[str, dict[str, Any]] | None:
    """Write a validated record and its change; returns (action, record) or None if unchanged.

    The caller holds the transaction and has checked references and preconditions.
    """
    key = key_of(collection, record)
    before = get(conn, collection, key)
    if before is not None and fixture_form(before) == record:
        return None
    write_record(conn, collection, record, now)
    after = get(conn, collection, key)
    assert after is not None
    action = "create" if before is None else "update"
    record_change(
        conn,
        actor=actor,
        action=action,
        collection=collection,
        key=key,
        before=before,
        after=after,
        now=now,
    )
    return action, after


def remove(
    conn: sqlite3.Connection, collection: str, key: Key, actor: str, now: str
) -> dict[str, Any] | None:
    """Delete a record and record it; returns what was deleted (None if there was nothing)."""
    before = get(conn, collection, key)
    if before is None:
        return None
    delete_record(conn, collection, key)
    record_change(
        conn,
        actor=actor,
        action="delete",
        collection=collection,
        key=key,
        before=before,
        after=None,
        now=now,
    )
    return before


def latest_seq(conn: sqlite3.Connection) -> int:
    """The newest change's seq (0 for none): the catalog's version."""
    row = conn.execute("SELECT seq FROM changes ORDER BY seq DESC LIMIT 1").fetchone()
    return int(row[0]) if row else 0


def now() -> str:
    """The instant a write is recorded at."""
    return instants.now()
