"""Which record a name stands for: ids, a model's aliases, and the known names close to a typo.

Plain functions on a connection (no Flask): the path hook (paths.py), the filters (queries.py)
and the store's alias check all call these, so every route resolves a name the same way.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..storage import versions

SUGGESTIONS = 5
CLAUDE_TIERS = ("opus", "sonnet", "haiku", "instant")


@dataclass(frozen=True)
class Kind:
    """A kind of name a path or filter takes: how to know it, follow an alias, list the rest."""

    noun: str
    known: str  # SQL: a row when :value is an id (of :cloud's, for a region, if given)
    names: str  # SQL: (name, id) of every known name, aliases included
    aliased: str | None = None  # SQL: the id an alias :value stands for
    ids: str | None = None  # SQL: every id, where they are read once per catalog version


_IN_CLOUD = "(:cloud IS NULL OR cloud = :cloud)"
KINDS: dict[str, Kind] = {
    "models": Kind(
        "model",
        "SELECT 1 FROM models WHERE id = :value",
        "SELECT id, id FROM models UNION ALL SELECT alias, model FROM model_aliases",
        "SELECT model FROM model_aliases WHERE alias = :value",
        "SELECT id FROM models",
    ),
    "clouds": Kind(
        "cloud",
        "SELECT 1 FROM clouds WHERE id = :value",
        "SELECT id, id FROM clouds",
        ids="SELECT id FROM clouds",
    ),
    "providers": Kind(
        "provider", "SELECT 1 FROM providers WHERE id = :value", "SELECT id, id FROM providers"
    ),
    "families": Kind(
        "family",
        "SELECT 1 FROM models WHERE family = :value LIMIT 1",
        "SELECT DISTINCT family, family FROM models WHERE family IS NOT NULL",
    ),
    "regions": Kind(
        "region",
        f"SELECT 1 FROM regions WHERE id = :value AND {_IN_CLOUD} LIMIT 1",
        f"SELECT DISTINCT id, id FROM regions WHERE {_IN_CLOUD}",
    ),
    # The regions' geographies and the data zones' (US, EU, ...); `eu` stands for `EU`.
    "geographies": Kind(
        "geography",
        "SELECT 1 FROM regions WHERE geography = :value UNION ALL "
        "SELECT 1 FROM offerings WHERE geography = :value LIMIT 1",
        "SELECT geography, geography FROM regions UNION "
        "SELECT geography, geography FROM offerings WHERE geography IS NOT NULL",
        "SELECT geography FROM regions WHERE geography = upper(:value) UNION ALL "
        "SELECT geography FROM offerings WHERE geography = upper(:value) LIMIT 1",
    ),
}


class Unknown(LookupError):
    """Names the catalog does not know: a 404 in a path (field None), a 400 in a filter."""

    def __init__(
        self,
        noun: str,
        value: str,
        suggestions: list[str],
        field: str | None = None,
        where: str | None = None,
    ) -> None:
        self.detail = f"There is no {noun} {value!r}{f' on {where}' if where else ''}."
        super().__init__(self.detail)
        self.field = field
        self.suggestions = suggestions
        self.errors: dict[str, list[str]] = {field: [self.detail]} if field else {}


def spelling_key(name: str) -> str:
    """What spellings of one id share: lowercase, no `-`, `.` or `_`, Claude's tier word first
    (`claude-4-sonnet` and `claude-sonnet-4` both give `claudesonnet4`)."""
    parts = [p for p in re.split(r"[-._]+", name.lower()) if p]
    if parts[:1] == ["claude"]:
        tiers = [p for p in parts[1:] if p in CLAUDE_TIERS]
        parts = ["claude", *tiers, *(p for p in parts[1:] if p not in CLAUDE_TIERS)]
    return "".join(parts)


def resolve(
    conn: sqlite3.Connection, kind: str, value: str, cloud: str | None = None
) -> str | None:
    """The id `value` names (itself, or the model an alias stands for), or None."""
    declared = KINDS[kind]
    if declared.ids is not None and value in _ids(conn, declared.ids):
        return value  # the common case: every path of every read names a model or cloud
    params = {"value": value, "cloud": cloud}
    if conn.execute(declared.known, params).fetchone() is not None:
        return value
    if declared.aliased is not None:
        row = conn.execute(declared.aliased, params).fetchone()
        if row is not None:
            return str(row[0])
    return None


def _ids(conn: sqlite3.Connection, sql: str) -> frozenset[str]:
    return versions.per_version(
        conn, ("ids", sql), lambda: frozenset(row[0] for row in conn.execute(sql))
    )


def known_names(conn: sqlite3.Connection, kind: str) -> dict[str, str]:
    """Every name of this kind the catalog knows, ids and aliases, each to the id it stands for
    (for bulk matching, as an importer does: one query instead of one per name)."""
    return {str(n): str(i) for n, i in conn.execute(KINDS[kind].names, {"cloud": None})}


def suggest(conn: sqlite3.Connection, kind: str, value: str, cloud: str | None = None) -> list[str]:
    """Up to five known ids close to `value`: same spelling key first (`claude-sonnet-4.5` for
    `claude-sonnet-4-5`), then difflib's closest names; a matching alias suggests its id."""
    pairs = [(str(n), str(i)) for n, i in conn.execute(KINDS[kind].names, {"cloud": cloud})]
    target = value.lower()
    key = spelling_key(value)
    found = [i for n, i in pairs if spelling_key(n) == key]
    by_name = {n.lower(): i for n, i in pairs}  # case aside (geographies are upper case)
    found += [by_name[n] for n in difflib.get_close_matches(target, by_name, n=10, cutoff=0.6)]
    return list(dict.fromkeys(found))[:SUGGESTIONS]


def unknown(
    conn: sqlite3.Connection, kind: str, value: str, *, field: str | None = None,
    cloud: str | None = None,
) -> Unknown:  # fmt: skip
    """The error for a name the catalog does not know, with its suggestions."""
    return Unknown(KINDS[kind].noun, value, suggest(conn, kind, value, cloud), field, cloud)


def resolve_filters(
    conn: sqlite3.Connection, refers: Mapping[str, str], filters: Mapping[str, Any]
) -> dict[str, Any]:
    """The filters with each name that refers to a record (`refers`: filter -> kind) replaced
    by the id it names; Unknown (a 400) naming every filter whose name is unknown."""
    resolved = dict(filters)
    failed: Unknown | None = None
    for name, kind in refers.items():
        value = filters.get(name)
        if value is None:
            continue
        cloud = filters.get("cloud") if kind == "regions" else None
        found = resolve(conn, kind, value, cloud)
        if found is not None:
            resolved[name] = found
        elif failed is None:
            failed = unknown(conn, kind, value, field=name, cloud=cloud)
        else:
            failed.errors[name] = [f"There is no {KINDS[kind].noun} {value!r}."]
    if failed is not None:
        raise failed
    return resolved


def alias_conflicts(
    conn: sqlite3.Connection, model_id: str, aliases: list[str]
) -> dict[str, list[str]]:
    """What a model's id and aliases collide with: another model's id or alias (field -> why)."""
    found: dict[str, list[str]] = {}
    row = conn.execute(
        "SELECT model FROM model_aliases WHERE alias = ? AND model != ?", [model_id, model_id]
    ).fetchone()
    if row is not None:
        found["id"] = [f"{model_id!r} is an alias of model {row[0]!r}."]
    for alias in aliases:
        if alias == model_id:  # the schema's rules say that one (a 422)
            continue
        other = conn.execute("SELECT id FROM models WHERE id = ?", [alias]).fetchone()
        if other is None:
            other = conn.execute(
                "SELECT model FROM model_aliases WHERE alias = ? AND model != ?", [alias, model_id]
            ).fetchone()
            why = f"{alias!r} is already an alias of model {other[0]!r}." if other else None
        else:
            why = f"{alias!r} is the id of model {alias!r}."
        if why:
            found.setdefault("aliases", []).append(why)
    return found
