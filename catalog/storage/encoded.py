"""Exports' and pages' rows, encoded once per catalog version and kept by the worker.

Reading 25 columns into Python and encoding them was 90% of a CSV export's CPU: each row is
encoded once per version and form (CSV, a JSON page's item), then an export costs a query of
its rows' keys (kept per moment of `at`, moments.rows) and a lookup each.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..declarations.resource import Resource, quote
from . import cursors, moments, queries, versions
from .versions import per_version

# Each worker keeps an export's encoded rows up to this many bytes per collection and form; rows
# past it are encoded again each time.
KEEP_ENCODED = 32 * 2**20


class _Encoded(dict[tuple[Any, ...], bytes]):
    size = 0


def encoded_rows(
    conn: sqlite3.Connection,
    collection: Resource,
    filters: Mapping[str, Any],
    *,
    sort: str,
    form: str,
    encode: Callable[[Sequence[Any]], bytes],
) -> Iterator[bytes]:
    """Every matching row (its values(), in field order) through `encode`, in order."""
    return _encoded(conn, collection, filters, sort, form, encode, None, None)[1]


def kept_lines(
    conn: sqlite3.Connection,
    collection: Resource,
    filters: Mapping[str, Any],
    *,
    sort: str,
    form: str,
) -> list[bytes] | None:
    """Every matching row's encoding in `form`, in order, where each is kept already; None
    where one is not (encoded_rows makes it)."""
    return _whole(collection, form, *_chosen(conn, conn.cursor(), collection, filters, sort, form))


def _chosen(
    conn: sqlite3.Connection,
    cursor: sqlite3.Cursor,
    collection: Resource,
    filters: Mapping[str, Any],
    sort: str,
    form: str,
    limit: int | None = None,
    after: tuple[Any, str] | None = None,
) -> tuple[moments.Chosen, _Encoded]:
    """The matching rows' (key..., sort value), and the encodings kept, of one version."""
    cursor.row_factory = None
    with versions.pinned(conn):
        kept = per_version(conn, ("encoded", collection.name, form), _Encoded)
        keyed = moments.rows(
            conn,
            collection,
            filters,
            (sort, limit, after),
            lambda: queries.matching(
                cursor, collection, filters, sort, limit, after, keys=True
            ).fetchall(),
        )
    return keyed, kept


def _whole(
    collection: Resource, form: str, keyed: moments.Chosen, kept: _Encoded
) -> list[bytes] | None:
    """The rows' encodings, where every one is kept: the list is kept with the rows for their
    moment, so the next export of that moment takes it whole (800 rows: a lookup, not 1,600)."""
    lines: list[bytes] | None = keyed.derived.get(form)
    if lines is None:
        keys = [row[: len(collection.key)] for row in keyed]
        if not all(key in kept for key in keys):
            return None
        keyed.derived[form] = lines = [kept[key] for key in keys]
    return lines


def _encoded(
    conn: sqlite3.Connection,
    collection: Resource,
    filters: Mapping[str, Any],
    sort: str,
    form: str,
    encode: Callable[[Sequence[Any]], bytes],
    limit: int | None,
    after: tuple[Any, str] | None,
) -> tuple[list[tuple[Any, ...]], Iterator[bytes]]:
    """The matching rows' (key..., sort value), and their encodings, kept or made."""
    cursor = conn.cursor()
    keyed, kept = _chosen(conn, cursor, collection, filters, sort, form, limit, after)
    lines = _whole(collection, form, keyed, kept)
    if lines is not None:  # no query, no version to check
        return keyed, iter(lines)
    keys = [row[: len(collection.key)] for row in keyed]
    return keyed, _lines(cursor, collection, keys, kept, encode, _data_version(cursor))


BLOCK = 500  # rows read and encoded at a time, where they are not kept


def _lines(
    cursor: sqlite3.Cursor,
    collection: Resource,
    keys: list[tuple[Any, ...]],
    kept: _Encoded,
    encode: Callable[[Sequence[Any]], bytes],
    seen: int,
) -> Iterator[bytes]:
    """Each key's encoded row, in order: kept, or read by key and encoded a block at a time.
    Exports of the same new rows at once (a burst after a write, a new worker's first
    clients) share the work: each finds kept the blocks another made before it paused (each
    made every row itself before: 32 at once, 0.5 s each). Rows read after a write landed
    are not kept under the version before it (`seen`: PRAGMA data_version when the keys were
    read); a row it deleted is left out."""
    at = [collection.fields.index(name) for name in collection.key]
    for start in range(0, len(keys), BLOCK):
        block = keys[start : start + BLOCK]
        missing = [key for key in block if key not in kept]
        made: dict[tuple[Any, ...], bytes] = {}
        rows = (
            cursor.execute(_by_keys(collection), {"keys": json.dumps(missing)}) if missing else ()
        )
        keep = missing and _data_version(cursor) == seen
        for row in rows:
            key = tuple(row[i] for i in at)
            made[key] = line = encode(queries.values(collection, row))
            if keep and kept.size < KEEP_ENCODED:
                kept[key] = line
                kept.size += len(line)
        yield from filter(None, (kept.get(key) or made.get(key) for key in block))


def _data_version(cursor: sqlite3.Cursor) -> int:
    """PRAGMA data_version: it moves when another connection commits."""
    return int(cursor.connection.execute("PRAGMA data_version").fetchone()[0])


@lru_cache(maxsize=64)
def _by_keys(collection: Resource) -> str:
    """The SELECT of the rows whose keys a JSON list of lists holds (:keys)."""
    columns = ", ".join(f"t.{quote(name)}" for name in collection.key)
    parts = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(collection.key)))
    return (
        f"SELECT {collection.select_list} FROM {quote(collection.table)} AS t "
        f"WHERE ({columns}) IN (SELECT {parts} FROM json_each(:keys))"
    )


def page(
    conn: sqlite3.Connection,
    collection: Resource,
    filters: Mapping[str, Any],
    *,
    sort: str,
    limit: int,
    cursor: str | None,
    form: str,
    encode: Callable[[Sequence[Any]], bytes],
) -> tuple[list[bytes], str | None]:
    """One page of a collection, each row through `encode` (kept as encoded_rows keeps them),
    and the cursor of the next page (None on the last)."""
    column = sort.lstrip("-")
    key = collection.tiebreak
    after = (
        cursors.decode(cursors.checked(collection.name, sort, cursor), column, key)
        if cursor
        else None
    )
    # One row more than asked tells whether another page exists, without counting.
    keyed, lines = _encoded(conn, collection, filters, sort, form, encode, limit + 1, after)
    items = list(lines)[:limit]  # the extra row encoded too: the next request finds it kept
    if len(keyed) <= limit:
        return items, None
    last = keyed[limit - 1]  # its key (the tiebreak last), then its sort value
    return items, cursors.encode(
        collection.name, sort, last[-1], last[len(collection.key) - 1], key
    )
