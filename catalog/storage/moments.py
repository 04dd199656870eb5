"""Answers kept per moment: what is made for an instant `at`, made once for every `at` alike.

The rules compare `at` with facts' instants, as text (rules.py), and do nothing else with it.
So an answer made only that way is the same for every `at` that falls between the same two of
its facts' instants: a moment, as `moment` names it (asking at a fact's own instant is a
moment of its own). A page asked a minute later, or for another hour of the same day, is the
same page; it is made once per catalog version and moment, not once per instant asked. An
answer that does more with `at` (counts the days to an end, shows `at` itself) must put what
it shows in its key.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import versions

_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")  # canonical: instants.py
# What the kept answers may hold per worker, in characters (the newest used kept longest).
MAX_CHARS = 8_000_000


def instants_in(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every instant the records hold, in any field, sorted: the ends of their moments."""
    return sorted(
        {
            value
            for record in records
            for value in record.values()
            if isinstance(value, str) and _INSTANT.fullmatch(value)
        }
    )


def moment(instants: list[str], at: str) -> tuple[int, int]:
    """Which moment `at` falls in: how many of the sorted instants come before it, and how
    many up to it (equal when `at` is none of them). Two instants in the same moment compare
    alike with every one of them."""
    return bisect_left(instants, at), bisect_right(instants, at)


_kept: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_size = 0


def per_moment(conn: sqlite3.Connection, key: tuple[Any, ...], make: Callable[[], str]) -> str:
    """make(), kept for this catalog version and `key` (which names the answer, its moment and
    whatever else it shows), the least recently used let go past MAX_CHARS; nothing is kept
    where versions.kept_under says so."""
    global _size
    found = kept(conn, key)
    if found is not None:
        return found
    made = make()
    under = versions.kept_under(conn)
    if under is None or (*under, *key) in _kept:  # kept meanwhile (another request made it)
        return made
    for old in [k for k in _kept if k[0] == under[0] and k[1] < under[1]]:
        _size -= len(_kept.pop(old))  # another version's: stale
    _kept[(*under, *key)] = made
    _size += len(made)
    while _size > MAX_CHARS and _kept:
        _size -= len(_kept.popitem(last=False)[1])
    return made


def kept(conn: sqlite3.Connection, key: tuple[Any, ...]) -> str | None:
    """What per_moment keeps for `key` in this catalog version, if it does."""
    under = versions.kept_under(conn)
    if under is None:
        return None
    full = (*under, *key)
    found = _kept.get(full)
    if found is not None:
        _kept.move_to_end(full)
    return found


def clear() -> None:
    """Let every kept answer go."""
    global _size
    _kept.clear()
    _size = 0
