"""Answers kept per moment: what is made for an instant `at`, made once for every `at` alike.

The rules compare `at` with facts' instants, as text (rules.py), and do nothing else with it.
So an answer made only that way is the same for every `at` that falls between the same two of
its facts' instants: a moment, as `moment` names it (asking at a fact's own instant is a
moment of its own). A page asked a minute later, or for another hour of the same day, is the
same page; it is made once per catalog version and moment, not once per instant asked. An
answer that does more with `at` must put what it shows in its key: the whole days from `at`
to each later fact (`days_to`: an exclusivity's days_remaining), the day asked (a page).
A list's rows are chosen the same way where its conditions only compare `at` with columns
(`rows`): its moments are then among those columns' values, every row's.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from ..declarations.resource import Resource, quote
from . import versions

_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")  # canonical: instants.py
# What the kept answers may hold per worker, in characters or bytes (the newest used kept
# longest).
MAX_CHARS = 8_000_000


class Instants(NamedTuple):
    """Facts' instants, sorted: the ends of their moments; and each as a datetime."""

    texts: list[str]
    times: list[datetime]


def instants_in(records: Iterable[Mapping[str, Any]]) -> Instants:
    """Every instant the records hold, in any field."""
    texts = sorted(
        {
            value
            for record in records
            for value in record.values()
            if isinstance(value, str) and _INSTANT.fullmatch(value)
        }
    )
    return Instants(texts, [datetime.fromisoformat(text) for text in texts])


def moment(instants: Instants, at: str) -> tuple[int, int]:
    """Which moment `at` falls in: how many of the instants come before it, and how many up
    to it (equal when `at` is none of them). Two instants in the same moment compare alike
    with every one of them."""
    return bisect_left(instants.texts, at), bisect_right(instants.texts, at)


def days_to(instants: Instants, at: str) -> tuple[int, ...]:
    """The whole days from `at` to each later instant (as rules.days_remaining counts them)."""
    asked = datetime.fromisoformat(at)
    return tuple((time - asked).days for time in instants.times[bisect_right(instants.texts, at) :])


T = TypeVar("T")
_kept: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()  # (answer, its weight)
_size = 0


def _weight(value: Any) -> int:
    """A kept answer's weight: a page's characters; a JSON answer's bytes either side of `at`."""
    return len(value) if isinstance(value, str) else len(value[0]) + len(value[1])


def per_moment(
    conn: sqlite3.Connection,
    key: tuple[Any, ...],
    make: Callable[[], T],
    weight: Callable[[T], int] = _weight,
) -> T:
    """make(), kept for this catalog version and `key` (which names the answer, its moment and
    whatever else it shows), the least recently used let go past MAX_CHARS of `weight`;
    nothing is kept where versions.kept_under says so."""
    global _size
    found: T | None = kept(conn, key)
    if found is not None:
        return found
    made = make()
    under = versions.kept_under(conn)
    if under is None:
        return made
    database, version = under
    full = (database, version, *key)
    if full in _kept:  # kept meanwhile (another request made it)
        return made
    for old in [k for k in _kept if k[0] == database and k[1] < version]:
        _size -= _kept.pop(old)[1]  # another version's: stale
    heavy = weight(made)
    _kept[full] = (made, heavy)
    _size += heavy
    while _size > MAX_CHARS and _kept:
        _size -= _kept.popitem(last=False)[1][1]
    return made


def kept(conn: sqlite3.Connection, key: tuple[Any, ...]) -> Any:
    """What per_moment keeps for `key` in this catalog version, if it does."""
    under = versions.kept_under(conn)
    if under is None:
        return None
    full = (*under, *key)
    found = _kept.get(full)
    if found is None:
        return None
    _kept.move_to_end(full)
    return found[0]


def rows(
    conn: sqlite3.Connection,
    collection: Resource,
    filters: Mapping[str, Any],
    shape: tuple[Any, ...],
    choose: Callable[[], list[tuple[Any, ...]]],
) -> Chosen:
    """choose(): the keys of the rows a query of `collection` keeps (`shape`: its sort, limit,
    page). Where `at` meets only conditions that compare it with columns (Filter.compares),
    kept per moment of `at` among those columns' values: an export asked a minute later keeps
    the same rows (and what its caller derived from them, in `derived`)."""
    used = [collection.filters[name] for name in filters if name in collection.filters]
    on_at = [f for f in used if f.sql is not None and ":at" in f.sql]
    if filters.get("at") is None or not on_at or not all(f.compares for f in on_at):
        return Chosen(choose())
    columns = tuple(sorted({column for f in on_at for column in f.compares}))
    ends = versions.per_version(
        conn, ("compared", collection.name, columns), lambda: _values(conn, collection, columns)
    )
    rest = tuple(sorted((n, repr(v)) for n, v in filters.items() if n != "at"))
    key = ("rows", collection.name, rest, *shape, moment(ends, filters["at"]))
    return per_moment(conn, key, lambda: Chosen(choose()), weight=lambda found: 150 * len(found))


class Chosen(list[tuple[Any, ...]]):
    """A list's rows (their keys and sort value), and what was derived from them for as long
    as they are kept (an export's encoded lines, by form: encoded.py)."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        super().__init__(rows)
        self.derived: dict[str, Any] = {}


def _values(conn: sqlite3.Connection, collection: Resource, columns: tuple[str, ...]) -> Instants:
    """Every value of the columns, as a condition compares them with `at`: as text, whatever
    their form (no datetimes: days_to is not for these)."""
    table = quote(collection.table)
    found = {
        str(value)
        for column in columns
        for (value,) in conn.execute(f"SELECT DISTINCT {quote(column)} FROM {table}")
        if value is not None
    }
    return Instants(sorted(found), [])


def clear() -> None:
    """Let every kept answer go."""
    global _size
    _kept.clear()
    _size = 0
