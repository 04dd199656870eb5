"""The vendors' lifecycle facts curated by hand (fixtures/registry/vendor-lifecycle.json), applied
to the offerings the catalog has, so that a rebuild from a registry gets them back.

No repository holds Bedrock's, Google's, Anthropic's, OpenAI's or Mistral's schedules as data, so
a maintainer reads each page and writes each fact down once, with its URL and certainty, in that
file: deprecation and retirement ({day, certainty}), the replacement the vendor names, and a
registry start the schedule proves late (a model the vendor deprecated or retired before the
registry first listed it began on or before the day before). A fact names its offering by id; an
unknown id or a fact that would put the dates out of order is refused and reported.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from .facts import SourceError
from .plan import Plan, Planner, take

DATES = ("available_from", "deprecated_from", "retired_from")


def plan_import(
    conn: sqlite3.Connection,
    *,
    mapping: Any = None,
    progress: Callable[[int], Callable[[int], None] | None] | None = None,
) -> Plan:
    """The plan of applying the curated facts (`mapping`: the file's JSON)."""
    if not isinstance(mapping, dict) or not isinstance(mapping.get("facts"), list):
        raise SourceError("vendor-lifecycle.json: no list of facts")
    planner = Planner(conn, "vendor lifecycle facts (fixtures/registry/vendor-lifecycle.json)")
    known = planner.known["offerings"]
    step = progress(len(mapping["facts"])) if progress else None
    for number, fact in enumerate(mapping["facts"], start=1):
        where = f"vendor-lifecycle.json: fact {number}"
        try:
            key, record = applied(known, fact)
        except (KeyError, TypeError, ValueError) as error:
            planner.plan.report.refused.append((where, f"unreadable: {error!r}"))
            continue
        if key is None:
            planner.plan.report.refused.append((where, f"no offering {fact['offering']!r}"))
        elif record != known[key]:
            planner.offer(record, take(f"{fact['source']}: {said(record, known[key])}"), where)
        if step:
            step(1)
    return planner.finish()


def applied(
    known: dict[str, dict[str, Any]], fact: dict[str, Any]
) -> tuple[str | None, dict[str, Any]]:
    """The offering the fact names (None if the catalog lacks it) with the fact applied."""
    key = fact["offering"]
    if key not in known:
        return None, {}
    record = dict(known[key])
    for name in DATES:
        given = fact.get(name)
        if given is None:
            continue
        record[name] = given["day"] + "T00:00:00Z"
        record[f"{name}_certainty"] = given["certainty"]
        record[f"{name}_source"] = fact["source"]
    if "replacement" in fact:
        record["replacement"] = fact["replacement"]
    return key, record


def said(record: dict[str, Any], old: dict[str, Any]) -> str:
    """What changed, in words."""
    parts = [
        f"{name.removesuffix('_from')} {record[name][:10]} ({record[name + '_certainty']})"
        for name in DATES
        if record[name] != old[name] or record[f"{name}_source"] != old[f"{name}_source"]
    ]
    if record.get("replacement") != old.get("replacement"):
        parts.append(f"replacement {record['replacement']}")
    return ", ".join(parts)
