"""Reading the catalog: SQL as plain functions, a connection in, dicts out. No Flask here.

Filters are fixed SQL fragments with named parameters; the only identifiers that vary (sort
columns) come from a whitelist and are quoted. Values are never formatted into SQL.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import json.scanner
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar
from urllib import parse as urlparse

from ..core.identity import resolve_filters
from ..declarations.resource import Resource, quote

T = TypeVar("T")

LATEST = "SELECT seq, recorded_at FROM changes ORDER BY seq DESC LIMIT 1"
# The version each read connection saw last, under the PRAGMA data_version it saw it at: the
# pragma changes when another connection commits, and costs less than the query. Bounded:
# connections come and go (one a greenlet under gevent). Each entry holds its connection, so
# an id is never mistaken for a closed connection's.
_versions: dict[int, tuple[sqlite3.Connection, int, int, str | None, str]] = {}


def catalog_version(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """The catalog's version (its newest change's seq, 0 if none) and when it was recorded."""
    version, recorded_at, _ = _version_of(conn)
    return version, recorded_at


def _version_of(conn: sqlite3.Connection) -> tuple[int, str | None, str]:
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


_kept: dict[tuple[Any, ...], Any] = {}


def per_version(conn: sqlite3.Connection, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """compute(), kept until the catalog changes (per database file and `key`): what every read
    would otherwise recompute (the clouds, the windows, the menus). An in-memory rebuild
    (as_of) keeps nothing. Callers must not change what they get."""
    version, _, database = _version_of(conn)
    if not database:
        return compute()
    full = (database, version, *key)
    if full not in _kept:
        if len(_kept) > 256:
            _kept.clear()
        _kept[full] = compute()
    found: T = _kept[full]
    return found


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


def encode_cursor(column: str, value: Any, last_id: Any, key: str = "id") -> str:
    """The cursor of the page after the row (value, last_id) in a walk sorted by `column`.

    Printable ASCII whatever the value (it is percent-encoded), so it stays short in a URL.
    page() adds a check to it: a cursor it did not hand out is refused (BadCursor).
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


class BadCursor(ValueError):
    """A cursor this catalog did not hand out (made up, cut short, or from another sort)."""


def _check(collection: Resource, sort: str, cursor: str) -> str:
    # A checksum, not a secret: it tells a forged or mangled cursor from one page() made, for
    # this collection and sort. Someone who computes it only pages from a position of their
    # choosing, which a filter lets anyone do anyway.
    text = f"{collection.name}\x1f{sort}\x1f{cursor}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def _checked(collection: Resource, sort: str, cursor: str) -> str:
    """The cursor without its check; BadCursor if the check does not match."""
    raw, _, check = cursor.rpartition(".")
    if not raw or not hmac.compare_digest(check, _check(collection, sort, raw)):
        raise BadCursor("Not a cursor this catalog handed out: use next_cursor as it came.")
    return raw


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
    collection: Resource, filters: tuple[str, ...], sort: str, after: bool, limit: bool
) -> str:
    """The SELECT for one shape of query. Only names go in (all from the code); the values are
    bound as parameters. Cached: a worker builds each shape once."""
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
    sql = f"SELECT {collection.select_list} FROM {quote(collection.table)} AS t"
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
    rows = _rows(conn.cursor(), collection, filters, sort, limit, after)
    return (to_record(collection, row) for row in rows)


def list_values(
    conn: sqlite3.Connection, collection: Resource, filters: Mapping[str, Any], *, sort: str = "id"
) -> Iterator[Sequence[Any]]:
    """Every matching row as list_records gives it, but as its values in the collection's field
    order (values()), not a dict: for exports, which write every field of every row."""
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: no Row object per row
    rows = _rows(cursor, collection, filters, sort, None, None)
    return (values(collection, row) for row in rows)


def _rows(
    cursor: sqlite3.Cursor,
    collection: Resource,
    filters: Mapping[str, Any],
    sort: str,
    limit: int | None,
    after: tuple[Any, str] | None,
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
    )
    return cursor.execute(sql, params)


def page(
    conn: sqlite3.Connection,
    collection: Resource,
    filters: Mapping[str, Any],
    *,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a collection and the cursor of the next (None on the last page)."""
    column = sort.lstrip("-")
    if cursor:
        after = decode_cursor(_checked(collection, sort, cursor), column, collection.tiebreak)
    else:
        after = None
    # One row more than asked tells whether another page exists, without counting.
    items = list(list_records(conn, collection, filters, sort=sort, limit=limit + 1, after=after))
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    last = items[-1]
    key = collection.tiebreak
    raw = encode_cursor(column, last[column], last[key], key)
    return items, f"{raw}.{_check(collection, sort, raw)}"


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
