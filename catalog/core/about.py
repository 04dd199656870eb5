"""What the data is and how fresh: the sources taken in, the newest fact, the counts.

Read from the data itself, so it is true of whatever database answers: a registry's revision is
the commit its newest fact cites (and that commit's day); the curated core's date is its newest
fact's. GET /v1/about (api/about.py) answers it; every page says "data as of" its newest fact.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from marshmallow import Schema, fields

from .. import resources
from ..declarations.fields import Instant, url
from ..declarations.resource import quote
from ..storage import versions

COMMIT = re.compile(r"/(?:blob|tree|commit)/([0-9a-f]{7,40})(?:/|$)")
REGISTRIES = {"models.dev": "https://github.com/anomalyco/models.dev"}
# Facts dated by the source they came from: (table, date column, its source, its certainty).
DATED = (
    ("offerings", "available_from", "available_from_source", "available_from_certainty"),
    ("offerings", "deprecated_from", "deprecated_from_source", "deprecated_from_certainty"),
    ("offerings", "retired_from", "retired_from_source", "retired_from_certainty"),
    ("prices", "effective_from", "source", "effective_from_certainty"),
)
PLANNED = "('announced', 'not-before')"
# Every date of the timeline (timeline_events): DATED's, and the windows' starts and ends.
TIMELINE_DATES = (
    *((table, column, certainty) for table, column, _, certainty in DATED),
    ("exclusivity_windows", "starts_at", "starts_at_certainty"),
    ("exclusivity_windows", "ends_at", "ends_at_certainty"),
)
# The newest fact that has happened (a date a vendor set in advance has not: it is no evidence
# of how fresh the data is). Each table's own max, not the view's: the view joins every row to
# its model and cloud for words this does not need (1.9 s at 100,000 offerings, against 25 ms;
# tests/test_about.py holds the two equal).
NEWEST_FACT = (
    "SELECT max(at) FROM ("
    + " UNION ALL ".join(
        f"SELECT max({quote(column)}) AS at FROM {quote(table)} "
        f"WHERE {quote(column)} <= :now AND {quote(certainty)} NOT IN {PLANNED}"
        for table, column, certainty in TIMELINE_DATES
    )
    + ")"
)


class SourceSchema(Schema):
    name = fields.String(required=True, metadata={"description": "curated, models.dev, ..."})
    revision = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The registry commit its newest fact cites (null: curated)."},
    )
    date = Instant(required=True, metadata={"description": "That revision's day, or the newest "
                                            "fact's for the curated core."})  # fmt: skip
    url = url(required=True, allow_none=True)
    records = fields.Integer(required=True, metadata={"description": "Dated facts from it."})


class AboutSchema(Schema):
    sources = fields.List(fields.Nested(SourceSchema), required=True)
    newest_fact = Instant(
        required=True,
        allow_none=True,
        metadata={"description": "The latest date any fact states as happened (not announced)."},
    )
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Records by resource."},
    )


def _sources(conn: sqlite3.Connection, now: str) -> list[dict[str, Any]]:
    newest: dict[str, tuple[str, str]] = {}  # origin -> (date, source) of its newest fact
    counted: dict[str, int] = {}
    for table, column, source, certainty in DATED:
        sql = (
            f"SELECT origin, {quote(column)}, {quote(source)}, n FROM (SELECT origin, "
            f"{quote(column)}, {quote(source)}, count(*) OVER (PARTITION BY origin) AS n, "
            f"row_number() OVER (PARTITION BY origin ORDER BY {quote(column)} DESC) AS r "
            f"FROM {quote(table)} WHERE {quote(column)} <= :now "
            f"AND {quote(certainty)} NOT IN {PLANNED} "
            # An imported row may carry a vendor's fact (it outranks the registry's): a
            # registry's revision is read from the facts that cite the registry itself.
            f"AND (origin = 'curated' OR {quote(source)} LIKE 'https://github.com/%')) "
            "WHERE r = 1"
        )
        for origin, date, cited, count in conn.execute(sql, {"now": now}):
            counted[origin] = counted.get(origin, 0) + count
            if origin not in newest or date > newest[origin][0]:
                newest[origin] = (date, cited)
    found = []
    for origin in sorted(newest, key=lambda o: (o != "curated", o)):
        date, cited = newest[origin]
        commit = COMMIT.search(cited or "") if origin != "curated" else None
        found.append(
            {
                "name": origin,
                "revision": commit.group(1) if commit else None,
                "date": date,
                "url": REGISTRIES.get(origin),
                "records": counted[origin],
            }
        )
    return found


def describe(conn: sqlite3.Connection, now: str) -> dict[str, Any]:
    """The about answer at `now`: sources, the newest fact as happened, counts by resource."""
    counts = {
        name: conn.execute(f"SELECT count(*) FROM {quote(resources.get(name).table)}").fetchone()[0]
        for name in resources.WRITABLE
    }
    return {
        "sources": _sources(conn, now),
        "newest_fact": conn.execute(NEWEST_FACT, {"now": now}).fetchone()[0],
        "counts": counts,
    }


def data_as_of(conn: sqlite3.Connection, now: str) -> str | None:
    """The day of the newest fact at `now` (for "data as of" on pages), kept per catalog
    version and day."""

    def newest_day() -> str | None:
        newest = conn.execute(NEWEST_FACT, {"now": now}).fetchone()[0]
        return newest[:10] if newest else None

    found: str | None = versions.per_version(conn, ("data as of", now[:10]), newest_day)
    return found
