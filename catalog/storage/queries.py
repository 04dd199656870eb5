"""Reading the catalog: SQL as plain functions, a connection in, dicts out. No Flask here.

Filters are fixed SQL fragments with named parameters; the only identifiers that vary (sort
columns) come from a whitelist and are quoted. Values are never formatted into SQL.
"""

from __future__ import annotations

import json
import json.scanner
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..core.identity import resolve_filters
from ..declarations.resource import Resource, quote


def values(collection: Resource, row: Sequence[Any]) -> Sequence[Any]:
    """A row's values as the API shows them, in the collection's field order: booleans as
    bool, JSON decoded. The row itself when it holds neither."""
    booleans, json_fields = collection.positions
    if not booleans and not json_fields:
        return row
    shown = list(row)
    for i in booleans:
        shown[i] = bool(shown[i])
    for i in json_fields:
        if shown[i] is not None:
            shown[i] = _json(shown[i])
    return shown


_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def _json(text: str) -> Any:
    """json.loads(text), without its Python layers when the text is one value and nothing else
    (as stored JSON is): a quarter of the cost, for every list in every row."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        end = -1
    return value if end == len(text) else json.loads(text)


def to_record(collection: Resource, row: Sequence[Any]) -> dict[str, Any]:
    """A row as the API shows it."""
    return dict(zip(collection.fields, values(collection, row), strict=True))


def _params(resource: Resource, filters: Mapping[str, Any]) -> dict[str, Any]:
    """The bound values of the filters that are set."""
    params: dict[str, Any] = {}
    for name, value in filters.items():
        if value is None:
            continue
        declared = resource.filters.get(name)
        if declared is not None and declared.bind is not None:
            value = declared.bind(value)
        elif isinstance(value, bool):
            value = int(value)
        params[name] = value
    return params


@lru_cache(maxsize=512)
def _select(
    collection: Resource,
    filters: tuple[str, ...],
    sort: str,
    after: bool,
    limit: bool,
    keys: bool = False,
) -> str:
    """The SELECT for one shape of query (if `keys`, only each row's key and sort value). Only
    names go in (all from the code); the values are bound as parameters. Cached: a worker
    builds each shape once."""
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in collection.fields or column in collection.computed:
        raise ValueError(f"cannot sort {collection.name} by {column}")
    conditions = [c for c in (collection.filters[name].sql for name in filters) if c is not None]
    direction, compare = ("DESC", "<") if descending else ("ASC", ">")
    key = f"t.{quote(collection.tiebreak)}"
    if after:
        if column == collection.tiebreak:
            conditions.append(f"{key} {compare} :after_id")
        else:
            conditions.append(
                f"({collection.sort_key(column)}, {key}) {compare} "
                f"({collection.sort_key(column, ':after_value')}, :after_id)"
            )
    if keys:  # the key, then the sort column's value (a page's cursor carries it)
        columns = ", ".join(f"t.{quote(k)}" for k in (*collection.key, column))
    else:
        columns = collection.select_list
    sql = f"SELECT {columns} FROM {quote(collection.table)} AS t"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    sql += f" ORDER BY {collection.sort_key(column)} {direction}"
    if column != collection.tiebreak:
        sql += f", {key} {direction}"
    if limit:
        sql += " LIMIT :limit"
    return sql


def list_records(
    conn: sqlite3.Connection,
    collection: Resource,
    filters: Mapping[str, Any],
    *,
    sort: str = "id",
    limit: int | None = None,
    after: tuple[Any, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Matching records in a stable order: `sort` (a field, `-` for descending), then its key.

    `after` is the (sort value, key) of the last row already seen; `limit` None means all rows.
    A filter that names a record takes an alias for its id; an unknown name is identity.Unknown,
    raised by the call itself (not by the first row): a streamed answer has not begun yet.
    """
    rows = matching(conn.cursor(), collection, filters, sort, limit, after)
    return (to_record(collection, row) for row in rows)


def matching(
    cursor: sqlite3.Cursor,
    collection: Resource,
    filters: Mapping[str, Any],
    sort: str,
    limit: int | None,
    after: tuple[Any, str] | None,
    keys: bool = False,
) -> sqlite3.Cursor:
    if collection.refers:
        filters = resolve_filters(cursor.connection, collection.refers, filters)
    params = _params(collection, filters)
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
        keys,
    )
    return cursor.execute(sql, params)


def get_record(
    conn: sqlite3.Connection, collection: Resource, record_id: str, **scope: str
) -> dict[str, Any] | None:
    """One record by id (regions also by cloud), or None."""
    row = conn.execute(_by_id(collection, tuple(scope)), {"id": record_id, **scope}).fetchone()
    return to_record(collection, row) if row else None


@lru_cache(maxsize=64)
def _by_id(collection: Resource, scope: tuple[str, ...]) -> str:
    conditions = ["t.id = :id", *(f"t.{quote(name)} = :{name}" for name in scope)]
    return (
        f"SELECT {collection.select_list} FROM {quote(collection.table)} AS t "
        f"WHERE {' AND '.join(conditions)}"
    )


def get_by_key(
    conn: sqlite3.Connection, resource: Resource, key: tuple[str, ...]
) -> dict[str, Any] | None:
    """One record by its key ((cloud, id) for a region), or None."""
    *scope, record_id = key
    return get_record(conn, resource, record_id, **dict(zip(resource.key, scope, strict=False)))
