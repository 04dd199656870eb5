"""Writing the catalog: the one way down for the API, the fixture loader and the importers.

    with store.writing(conn, actor="fixtures") as w:
        w.put("offerings", record)      # references checked, written, appended to the feed
        w.delete("regions", ("aws", "us-east-1"))
    # leaving the block checks the exclusivity rule over what was written, then commits

Anything refused raises a `Refused` (a 409 over HTTP, a named problem in the loader) and rolls
the whole transaction back. Records come in validated, in fixture form (no server timestamps).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from .. import resources
from ..core import identity, instants, pricing, reading, rules
from ..declarations.resource import TIMESTAMPS, Key, Resource, quote, record_id
from . import queries
from .refusals import (
    AfterRetirement,
    AliasTaken,
    AlreadyExists,
    BrokenReference,
    Contradiction,
    NothingToExclude,
    Overlap,
    StillReferenced,
    WindowOverlap,
)

Record = dict[str, Any]


WINDOWS = "exclusivity-windows"
DERIVED = ("spans",)  # shown by the API, never written (a first-ship window's spans)


def fixture_form(record: Record) -> Record:
    """A record without its server-set timestamps and derived fields: what clients write."""
    return {n: value for n, value in record.items() if n not in TIMESTAMPS and n not in DERIVED}


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
                # A feed entry from before the list existed (as_of replays it) has none.
                for position, item in enumerate(record.get(name) or [])
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
        if resource.aliases:
            self._check_aliases(record, record[resource.aliases])
        if before is not None and fixture_form(before) == record:
            return None
        if name == "prices":
            self._fit_price(record)
        elif name == WINDOWS:
            self._fit_window(record)
        write_row(self.conn, resource, record, self.now, None)
        after = self._as_stored(resource, record, before)
        self._feed("create" if before is None else "update", name, key, before, after)
        if name == "offerings":
            self.touched.add(record["id"])
            self._keep_priced_regions(record)
            for price, ended in pricing.retired(self.conn, record, before):  # the one rule
                if ended is None:
                    self.delete("prices", (price["id"],))
                else:
                    self.put("prices", ended)
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
        found = reading.find_contradictions(self.conn, ids)
        if found:
            raise Contradiction(found)

    def _fit_price(self, price: Record) -> None:
        """A price is set in one of its offering's regions (or all), overlaps no other of its
        series, and closes the open latest one it starts after: that write is fed too."""
        offering = self.get("offerings", (price["offering"],))
        assert offering is not None  # references are checked first
        if price["region"] not in (None, *(offering["regions"] or ())):
            message = f"offering {offering['id']!r} is not offered in {price['region']!r}"
            raise BrokenReference(f"The price's region is wrong: {message}.",
                                  errors={"region": [message]})  # fmt: skip
        late = pricing.past_retirement(price, offering)
        if late is not None:
            raise AfterRetirement(price, *late)
        found = pricing.fit(price, pricing.series(self.conn, price))
        if found.conflict is not None:
            raise Overlap(price, found.conflict)
        if found.closes is not None:
            self.put("prices", fixture_form(found.closes))

    def _fit_window(self, window: Record) -> None:
        """A window bars some cloud, and overlaps no other of its kind on its subject and scope."""
        model = self.get("models", (window["model"],)) if window["model"] else None
        maker = model["provider"] if model else window["provider"]
        clouds = queries.list_records(self.conn, resources.get("clouds"), {})
        pointless = _pointless(window, maker, {c["id"]: c for c in clouds})
        if pointless is not None:
            raise NothingToExclude(*pointless)
        kind = window.get("kind", "exclusive")
        for other in queries.list_records(self.conn, resources.get(WINDOWS), {}, sort="starts_at"):
            same = all(other[n] == window[n] for n in ("scope", "model", "provider"))
            if other["id"] != window["id"] and other["kind"] == kind and same:
                if rules.overlaps(window["starts_at"], window["ends_at"], other["starts_at"],
                                  other["ends_at"]):  # fmt: skip
                    raise WindowOverlap(window, other)

    def _keep_priced_regions(self, offering: Record) -> None:
        """An offering keeps the regions its prices are set for."""
        found = [f"prices/{row[0]}" for row in self.conn.execute(
            "SELECT id FROM prices WHERE offering = ? AND region IS NOT NULL "
            "AND region NOT IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT 10",
            [offering["id"], json.dumps(offering["regions"] or [])])]  # fmt: skip
        if found:
            raise StillReferenced(
                f"Prices are set for regions this offering would drop: {', '.join(found)}.",
                extra={"referrers": found},
            )

    def _as_stored(self, resource: Resource, record: Record, before: Record | None) -> Record:
        """The record as the API now shows it, without reading it back: its fields in order
        (lists kept in child tables are stored as given), then the server's timestamps."""
        if set(resource.computed) - set(resource.children):
            found = self.get(resource.name, resource.key_of(record))
            assert found is not None  # written just now, in this transaction
            return found
        shown = {name: record[name] for name in resource.fields if name not in TIMESTAMPS}
        created = before["created_at"] if before is not None else self.now
        return shown | {"created_at": created, "updated_at": self.now}

    def _check_aliases(self, record: Record, aliases: list[str]) -> None:
        """A model's id and aliases name no other model (a 409 naming the one they do)."""
        found = identity.alias_conflicts(self.conn, record["id"], aliases)
        if found:
            reasons = " ".join(reason for messages in found.values() for reason in messages)
            raise AliasTaken(f"Model {record['id']!r} cannot take these names: {reasons}",
                             errors=found)  # fmt: skip

    def _exists(self, name: str, key: Key) -> bool:
        resource = resources.get(name)
        where = " AND ".join(f"{quote(c)} = ?" for c in resource.key)
        return self.conn.execute(f"SELECT 1 FROM {quote(resource.table)} WHERE {where}",
                                 key).fetchone() is not None  # fmt: skip

    def _check_references(self, resource: Resource, record: Record) -> None:
        missing = {
            ref.field: f"no {resources.get(ref.target).noun} {record_id(key)!r}"
            for ref in resource.references
            for key in ref.targets(record)
            if not self._exists(ref.target, key)
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
            [self.now, self.actor, action, name, record_id(key),
             json.dumps(before) if before is not None else None,
             json.dumps(after) if after is not None else None],
        )  # fmt: skip


def _pointless(
    window: Record, maker: str | None, clouds: dict[str, Record]
) -> tuple[str, str] | None:
    """(field, why) if the window would bar no cloud: held by the maker's own platform, or a
    scope that leaves no other cloud of the catalog to exclude; None for a real window."""
    if clouds[window["holder"]]["provider"] == maker:
        return "holder", "a maker's own platform holds no window: it is never excluded anyway."
    # A model the subject covers, as far as exclusion goes: the maker's, open weights as said.
    subject = {"id": window["model"], "provider": maker, "open_weights": False}
    if any(rules.excludes(window, subject, cloud) for cloud in clouds.values()):
        return None
    return "scope", f"{window['scope']} leaves no cloud for this window to exclude."


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT: the write lock is taken up front, so two writers queue (for
    up to the busy timeout) instead of one failing halfway with "database is locked"."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")  # inside: a full disk fails here, and is rolled back too
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (SQLITE_FULL can)
            with suppress(sqlite3.Error):  # if not, the pool closes the connection, which does
                conn.execute("ROLLBACK")
        raise


@contextmanager
def writing(conn: sqlite3.Connection, actor: str) -> Iterator[Writer]:
    """One all-or-nothing batch of writes by `actor`, all recorded at the same instant."""
    with transaction(conn):
        writer = Writer(conn, actor, instants.now())
        yield writer
        writer.check_rule()
