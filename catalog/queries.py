"""Reading the catalog: SQL as plain functions, a connection in, dicts out. No Flask here.

Filters are fixed SQL fragments with named parameters; the only identifiers that vary (sort
columns) come from a whitelist and are quoted. Values are never formatted into SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any
from urllib import parse as urlparse

REGIONS_OF_OFFERING = (
    "(SELECT json_group_array(region) FROM "
    "(SELECT region FROM offering_regions WHERE offering = t.id ORDER BY position))"
)


@dataclass(frozen=True, eq=False)
class Collection:
    """How one collection is stored and filtered."""

    name: str
    table: str
    fields: tuple[str, ...]
    # Each filter's SQL condition; None for an argument that only feeds another's condition.
    filters: Mapping[str, str | None] = field(default_factory=dict)
    booleans: tuple[str, ...] = ()
    computed: Mapping[str, str] = field(default_factory=dict)
    json_fields: tuple[str, ...] = ()
    key: str = "id"  # unique: the tie-breaker of every sort, and what cursors end in

    @cached_property
    def select_list(self) -> str:
        """The SELECT list, in field order."""
        return ", ".join(
            f"{self.computed[name]} AS {quote(name)}"
            if name in self.computed
            else f"t.{quote(name)}"
            for name in self.fields
        )


TIMESTAMPS = ("created_at", "updated_at")
_MODEL_IN = "t.model IN (SELECT id FROM models WHERE {} = :{})"
# Rows whose subject covers the model :model: the model itself, or its provider's models
# (open-weight ones only where the window includes them). rules.covers() says the same in
# Python; a test holds the two to each other.
_COVERS_MODEL = (
    "(t.model = :model OR (t.model IS NULL "
    "AND t.provider = (SELECT provider FROM models WHERE id = :model) "
    "AND (t.includes_open_weights = 1 OR (SELECT open_weights FROM models WHERE id = :model) = 0)))"
)
_WINDOW_STATE = (
    "(CASE WHEN t.starts_at > :at THEN 'upcoming' "
    "WHEN t.ends_at IS NOT NULL AND t.ends_at <= :at THEN 'ended' ELSE 'active' END) = :state"
)

COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection("providers", "providers", ("id", "name", "website", *TIMESTAMPS)),
        Collection(
            "models",
            "models",
            ("id", "provider", "name", "family", "open_weights", *TIMESTAMPS),
            filters={
                "provider": "t.provider = :provider",
                "family": "t.family = :family",
                "open_weights": "t.open_weights = :open_weights",
                "q": "(t.id LIKE :q ESCAPE '\\' OR t.name LIKE :q ESCAPE '\\' "
                "OR t.family LIKE :q ESCAPE '\\')",
            },
            booleans=("open_weights",),
        ),
        Collection(
            "clouds",
            "clouds",
            ("id", "name", "kind", "provider", *TIMESTAMPS),
            filters={"kind": "t.kind = :kind"},
        ),
        Collection(
            "regions",
            "regions",
            ("cloud", "id", "name", "geography", *TIMESTAMPS),
            filters={"cloud": "t.cloud = :cloud", "geography": "t.geography = :geography"},
        ),
        Collection(
            "offerings",
            "offerings",
            (
                "id",
                "model",
                "cloud",
                "deployment_type",
                "cloud_model_id",
                "cloud_model_version",
                "regions",
                "stage",
                "available_from",
                "available_from_certainty",
                "available_from_source",
                "deprecated_from",
                "deprecated_from_certainty",
                "deprecated_from_source",
                "retired_from",
                "retired_from_certainty",
                "retired_from_source",
                "notes",
                "origin",
                *TIMESTAMPS,
            ),
            filters={
                "model": "t.model = :model",
                "family": _MODEL_IN.format("family", "family"),
                "provider": _MODEL_IN.format("provider", "provider"),
                "cloud": "t.cloud = :cloud",
                "region": "EXISTS (SELECT 1 FROM offering_regions r "
                "WHERE r.offering = t.id AND r.region = :region)",
                "deployment_type": "t.deployment_type = :deployment_type",
                "stage": "t.stage = :stage",
                "at": "t.available_from <= :at "
                "AND (t.retired_from IS NULL OR t.retired_from > :at)",
            },
            computed={"regions": REGIONS_OF_OFFERING},
            json_fields=("regions",),
        ),
        Collection(
            "exclusivity-windows",
            "exclusivity_windows",
            (
                "id",
                "holder",
                "model",
                "provider",
                "includes_open_weights",
                "scope",
                "basis",
                "starts_at",
                "starts_at_certainty",
                "starts_at_source",
                "ends_at",
                "ends_at_certainty",
                "ends_at_source",
                "terms",
                *TIMESTAMPS,
            ),
            filters={
                "model": _COVERS_MODEL,
                "provider": "(t.provider = :provider OR t.model IN "
                "(SELECT id FROM models WHERE provider = :provider))",
                "cloud": "t.holder = :cloud",
                "state": _WINDOW_STATE,
                "at": None,
                "ends_before": "t.ends_at IS NOT NULL AND t.ends_at < :ends_before",
            },
            booleans=("includes_open_weights",),
        ),
        Collection(
            "changes",
            "changes",
            ("seq", "recorded_at", "actor", "action", "resource", "id", "before", "after"),
            filters={
                "after": "t.seq > :after",
                "resource": "t.resource = :resource",
                "record": "t.record_id = :record",
                "as_of": "t.recorded_at <= :as_of",
            },
            computed={"id": "t.record_id"},
            json_fields=("before", "after"),
            key="seq",
        ),
        Collection(
            "timeline",
            "timeline_events",
            (
                "id",
                "at",
                "event",
                "certainty",
                "source",
                "summary",
                "offering",
                "window",
                "model",
                "provider",
                "cloud",
                "updated_at",
            ),
            filters={
                "from": "t.at >= :from",
                "to": "t.at < :to",
                "model": _COVERS_MODEL,
                "provider": "t.provider = :provider",
                "cloud": "t.cloud = :cloud",
                "window": 't."window" = :window',
            },
        ),
    )
}


def quote(identifier: str) -> str:
    """Quote an SQL identifier (all of ours come from the code, never from a request)."""
    return '"' + identifier.replace('"', '""') + '"'


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's own wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def to_record(collection: Collection, row: sqlite3.Row) -> dict[str, Any]:
    """A row as the API shows it."""
    record = dict(zip(collection.fields, row, strict=True))
    for name in collection.booleans:
        record[name] = bool(record[name])
    for name in collection.json_fields:
        if record[name] is not None:
            record[name] = json.loads(record[name])
    return record


def encode_cursor(column: str, value: Any, last_id: Any, key: str = "id") -> str:
    """The cursor of the page after the row (value, last_id) in a walk sorted by `column`.

    Printable ASCII whatever the value (it is percent-encoded), so it stays short in a URL. Every
    string decodes to some position (see decode_cursor): any cursor makes a valid request, and a
    client that makes one up pages from wherever it points, as with Datasette's tokens.
    """
    if column == key:
        return str(last_id)
    return f"{urlparse.quote(str(value), safe=':-._')}~{last_id}"


def decode_cursor(cursor: str, column: str, key: str = "id") -> tuple[Any, str]:
    """The (sort value, id) a cursor stands for: ids never hold "~", so the last one splits."""
    if column == key:
        return cursor, cursor
    value, _, last_id = cursor.rpartition("~")
    return urlparse.unquote(value), last_id


def _params(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The bound values of the filters that are set."""
    params: dict[str, Any] = {}
    for name, value in filters.items():
        if value is None:
            continue
        if name == "q":
            value = like_pattern(value)
        elif isinstance(value, bool):
            value = int(value)
        params[name] = value
    return params


@lru_cache(maxsize=512)
def _select(
    collection: Collection, filters: tuple[str, ...], sort: str, after: bool, limit: bool
) -> str:
    """The SELECT for one shape of query. Only names go in (all from the code); the values are
    bound as parameters. Cached: a worker builds each shape once."""
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in collection.fields or column in collection.computed:
        raise ValueError(f"cannot sort {collection.name} by {column}")
    conditions = [c for c in (collection.filters[name] for name in filters) if c is not None]
    direction, compare = ("DESC", "<") if descending else ("ASC", ">")
    key = f"t.{quote(collection.key)}"
    if after:
        if column == collection.key:
            conditions.append(f"{key} {compare} :after_id")
        else:
            conditions.append(f"(t.{quote(column)}, {key}) {compare} (:after_value, :after_id)")
    sql = f"SELECT {collection.select_list} FROM {quote(collection.table)} AS t"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    sql += f" ORDER BY t.{quote(column)} {direction}"
    if column != collection.key:
        sql += f", {key} {direction}"
    if limit:
        sql += " LIMIT :limit"
    return sql


def list_records(
    conn: sqlite3.Connection,
    collection: Collection,
    filters: Mapping[str, Any],
    *,
    sort: str = "id",
    limit: int | None = None,
    after: tuple[Any, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Matching records in a stable order: `sort` (a field, `-` for descending), then its key.

    `after` is the (sort value, key) of the last row already seen; `limit` None means all rows.
    """
    params = _params(filters)
    if after is not None:
        params["after_value"], params["after_id"] = after
    if limit is not None:
        params["limit"] = limit
    sql = _select(
        collection,
        tuple(sorted(params.keys() & collection.filters.keys())),
        sort,
        after is not None,
        limit is not None,
    )
    for row in conn.execute(sql, params):
        yield to_record(collection, row)


def page(
    conn: sqlite3.Connection,
    collection: Collection,
    filters: Mapping[str, Any],
    *,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a collection and the cursor of the next (None on the last page)."""
    column = sort.lstrip("-")
    after = decode_cursor(cursor, column, collection.key) if cursor else None
    # One row more than asked tells whether another page exists, without counting.
    items = list(list_records(conn, collection, filters, sort=sort, limit=limit + 1, after=after))
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    last = items[-1]
    return items, encode_cursor(column, last[column], last[collection.key], collection.key)


def get_record(
    conn: sqlite3.Connection, collection: Collection, record_id: str, **scope: str
) -> dict[str, Any] | None:
    """One record by id (regions also by cloud), or None."""
    conditions = ["t.id = :id", *(f"t.{quote(name)} = :{name}" for name in scope)]
    sql = (
        f"SELECT {collection.select_list} FROM {quote(collection.table)} AS t "
        f"WHERE {' AND '.join(conditions)}"
    )
    row = conn.execute(sql, {"id": record_id, **scope}).fetchone()
    return to_record(collection, row) if row else None
