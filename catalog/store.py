"""Writing the catalog: the one way down for the API, the fixture loader and the importers.

    with store.writing(conn, actor="fixtures") as w:
        w.put("offerings", record)      # references checked, written, appended to the feed
        w.delete("regions", ("aws", "us-east-1"))
    # leaving the block checks the exclusivity rule over what was written, then commits

Anything refused raises a `Refused` (a 409 over HTTP, a named problem in the loader) and rolls
the whole transaction back. Records come in validated, in fixture form (no server timestamps).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from . import instants, queries, resources, rules
from .resource import TIMESTAMPS, Key, Resource, quote, record_id

Record = dict[str, Any]


class Refused(Exception):
    """A write the catalog will not take; says what it conflicts with."""

    problem = "conflict"

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None,
                 extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None
                 ) -> None:  # fmt: skip
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra or {}
        self.headers = headers or {}


class BrokenReference(Refused):
    problem = "broken-reference"


class AlreadyExists(Refused):
    problem = "already-exists"


class StillReferenced(Refused):
    problem = "still-referenced"


class Contradiction(Refused):
    problem = "exclusivity-conflict"

    def __init__(self, pairs: list[tuple[Record, Record]]) -> None:
        offering, window = pairs[0]
        until = window["ends_at"] or "further notice"
        super().__init__(
            f"Offering {offering['id']!r} ({offering['model']} on {offering['cloud']} from "
            f"{offering['available_from']}) contradicts exclusivity window {window['id']!r}: "
            f"{window['holder']} holds it from {window['starts_at']} until {until}.",
            extra={
                "conflicts": [
                    {"offering": o["id"], "exclusivity_window": w["id"]} for o, w in pairs[:20]
                ]
            },
        )
        self.pairs = pairs


def fixture_form(record: Record) -> Record:
    """A record without its server-set timestamps: what clients and fixtures write."""
    return {name: value for name, value in record.items() if name not in TIMESTAMPS}


def etag(record: Record) -> str:
    """A strong entity tag: the hash of the record as the API shows it."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def latest_seq(conn: sqlite3.Connection) -> int:
    """The newest change's seq (0 for none): the catalog's version."""
    row = conn.execute("SELECT seq FROM changes ORDER BY seq DESC LIMIT 1").fetchone()
    return int(row[0]) if row else 0


def write_row(
    conn: sqlite3.Connection, resource: Resource, record: Record, now: str, created_at: str | None
) -> None:
    """Insert or replace one record's rows, nothing else (no checks, no feed); created_at
    survives a replace unless given (rebuilding a past state gives both timestamps)."""
    values = {name: record[name] for name in resource.stored}
    for name in resource.booleans:
        values[name] = int(values[name])
    columns = resource.stored
    updates = ", ".join(
        f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in resource.key
    )
    conn.execute(
        f"INSERT INTO {quote(resource.table)} "
        f"({', '.join(map(quote, columns))}, created_at, updated_at) "
        f"VALUES ({', '.join(':' + c for c in columns)}, :created_at, :now) "
        f"ON CONFLICT ({', '.join(resource.key)}) DO UPDATE SET {updates}, updated_at = :now",
        {**values, "now": now, "created_at": created_at or now},
    )
    for name, child in resource.children.items():
        owner = record[resource.tiebreak]
        conn.execute(f"DELETE FROM {quote(child.table)} WHERE {quote(child.owner)} = ?", [owner])
        columns = (child.owner, *child.copied, child.item, "position")
        conn.executemany(
            f"INSERT INTO {quote(child.table)} ({', '.join(map(quote, columns))}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            [
                (owner, *(record[c] for c in child.copied), item, position)
                for position, item in enumerate(record[name])
            ],
        )


@dataclass
class Writer:
    """One transaction's writes: each checked, recorded in the feed, the rule checked at the end."""

    conn: sqlite3.Connection
    actor: str
    now: str
    touched: set[str] = field(default_factory=set)  # offering ids written
    whole_catalog: bool = False  # a window, model or cloud changed: check every offering

    def get(self, name: str, key: Key) -> Record | None:
        """A record by key, as the API shows it."""
        return queries.get_by_key(self.conn, resources.get(name), key)

    def put(self, name: str, record: Record, *, create_only: bool = False) -> Record | None:
        """Write a validated record; returns it as stored, or None if it was unchanged."""
        resource = resources.get(name)
        key = resource.key_of(record)
        before = self.get(name, key)
        if before is not None and create_only:
            raise AlreadyExists(
                f"There is already a {resource.noun} {record_id(key)!r}; "
                "PUT or PATCH it with If-Match to change it.",
                headers={"Location": resource.location(key)},
            )
        self._check_references(resource, record)
        if before is not None and fixture_form(before) == record:
            return None
        write_row(self.conn, resource, record, self.now, None)
        after = self.get(name, key)
        self._feed("create" if before is None else "update", name, key, before, after)
        if name == "offerings":
            self.touched.add(record["id"])
        elif name in ("exclusivity-windows", "models", "clouds"):
            # A window, or a model's open weights or a cloud's kind, can put existing offerings
            # in contradiction: the rule is then checked over every offering.
            self.whole_catalog = True
        return after

    def delete(self, name: str, key: Key) -> Record | None:
        """Delete a record (its history keeps it); None if there was nothing to delete."""
        resource = resources.get(name)
        before = self.get(name, key)
        if before is None:
            return None
        params = {"id": key[-1], "cloud": key[0]}
        found = [
            row[0]
            for sql in resources.referrers_of(name)
            for row in self.conn.execute(f"{sql} LIMIT 10", params)
        ][:10]
        if found:
            raise StillReferenced(
                f"Other records still refer to this {resource.noun}: {', '.join(found)}.",
                extra={"referrers": found},
            )
        where = " AND ".join(f"{quote(c)} = ?" for c in resource.key)
        self.conn.execute(f"DELETE FROM {quote(resource.table)} WHERE {where}", key)
        self._feed("delete", name, key, before, None)
        return before

    def check_rule(self) -> None:
        """Refuse the transaction if an offering now runs where a window excludes its cloud."""
        if not (self.touched or self.whole_catalog):
            return
        ids = None if self.whole_catalog else self.touched
        found = rules.find_contradictions(self.conn, ids)
        if found:
            raise Contradiction(found)

    def _check_references(self, resource: Resource, record: Record) -> None:
        missing = {
            ref.field: f"no {resources.get(ref.target).noun} {record_id(key)!r}"
            for ref in resource.references
            for key in ref.targets(record)
            if self.get(ref.target, key) is None
        }
        if missing:
            raise BrokenReference(
                "The record refers to records that do not exist: "
                + "; ".join(f"{field}: {message}" for field, message in missing.items())
                + ".",
                errors={field: [message] for field, message in missing.items()},
            )

    def _feed(
        self, action: str, name: str, key: Key, before: Record | None, after: Record | None
    ) -> None:
        self.conn.execute(
            "INSERT INTO changes (recorded_at, actor, action, resource, record_id, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                self.now,
                self.actor,
                action,
                name,
                record_id(key),
                json.dumps(before) if before is not None else None,
                json.dumps(after) if after is not None else None,
            ],
        )


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


@contextmanager
def writing(conn: sqlite3.Connection, actor: str) -> Iterator[Writer]:
    """One all-or-nothing batch of writes by `actor`, all recorded at the same instant."""
    with transaction(conn):
        writer = Writer(conn, actor, instants.now())
        yield writer
        writer.check_rule()
