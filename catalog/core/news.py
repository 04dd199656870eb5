"""The catalog's news: the changes a watcher cares about, derived from the change feed.

An offering added or ended, a lifecycle date announced or moved, a window starting or ending,
a price changed: one event per change-feed entry that says one of these, newest first by when
the catalog recorded it. Everything else the feed holds (a new region, a renamed provider, an
offering's notes) is not news. No Flask here: feeds.py renders these as Atom and JSON Feed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .instants import said

KINDS = (
    "offering-added",
    "offering-ended",
    "lifecycle-announced",
    "lifecycle-moved",
    "window-starts",
    "window-ends",
    "price-changed",
)
PLANNED = ("announced", "not-before")  # a date set in advance: it has not happened
LIFECYCLE = (("available_from", "availability"), ("deprecated_from", "deprecation"),
             ("retired_from", "retirement"))  # fmt: skip

# Where each kind of news says its fact comes from, in order of preference.
SOURCES = {
    "offering-added": ("available_from_source",),
    "offering-ended": ("retired_from_source",),
    "lifecycle-announced": ("retired_from_source", "deprecated_from_source"),
    "lifecycle-moved": ("retired_from_source", "deprecated_from_source", "available_from_source"),
    "window-starts": ("starts_at_source",),
    "window-ends": ("ends_at_source",),
    "price-changed": ("source",),
}
# A change is about a model if it names it, or if it is a window over the model's whole
# provider that covers it (open-weight models only when the window includes them), as the
# timeline's model filter says. The subscriptions' trigger (m008) applies the same rule.
COVERS_MODEL = """(x.model = {model} OR (c.resource = 'exclusivity-windows' AND x.model IS NULL
    AND x.provider = (SELECT provider FROM models WHERE id = {model})
    AND (json_extract(coalesce(c.after, c.before), '$.includes_open_weights') = 1
         OR (SELECT open_weights FROM models WHERE id = {model}) = 0)))"""
# `+c.resource`: not by the (resource, record) index, which would read every entry and sort
# them; walking changes_recorded_at newest first stops after `limit` events (161 ms -> 18 ms
# for the seeded catalog's newest 50).
_SQL = """
    SELECT c.seq, c.recorded_at, c.actor, c.action, c.resource, c.record_id, c.before, c.after,
           x.model, x.cloud, x.provider
    FROM changes AS c JOIN change_subjects AS x ON x.seq = c.seq
    WHERE +c.resource IN ('offerings', 'prices', 'exclusivity-windows') {where}
    ORDER BY c.recorded_at DESC, c.seq DESC
"""


@dataclass(frozen=True)
class Event:
    """One piece of news: which change, what kind, in words, and where to read more."""

    seq: int
    kind: str
    recorded_at: str
    title: str
    detail: str
    path: str  # the page it is about: /models/{id}, or the timeline
    resource: str
    record_id: str
    action: str
    model: str | None
    provider: str | None
    cloud: str | None


def _date(record: dict[str, Any], field: str) -> str:
    return said(record[field], record.get(f"{field}_certainty"))


def _lifecycle(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, list[str]] | None:
    """The kind and the words of an offering's update, if a lifecycle date moved."""
    kinds, words = [], []
    for field, noun in LIFECYCLE:
        old, new = before.get(field), after.get(field)
        same = old == new and before.get(f"{field}_certainty") == after.get(f"{field}_certainty")
        if same:
            continue
        planned = after.get(f"{field}_certainty") in PLANNED
        if old is None and field == "retired_from" and not planned:
            kinds.append("offering-ended")
            words.append(f"retired {_date(after, field)}")
        elif old is None:
            kinds.append("lifecycle-announced")
            words.append(f"{noun}: {_date(after, field)}")
        elif new is None:
            kinds.append("lifecycle-moved")
            words.append(f"{noun} date withdrawn (was {_date(before, field)})")
        else:
            kinds.append("lifecycle-moved")
            words.append(f"{noun} moved: was {_date(before, field)}, now {_date(after, field)}")
    if not kinds:
        return None
    return min(kinds, key=KINDS.index), words


def _offering(action: str, before: Any, after: Any, names: dict[str, str]) -> tuple[str, str]:
    record = after or before
    model, cloud = record["model"], record["cloud"]
    what = f"{names.get(model, model)} on {names.get(cloud, cloud)} ({record['deployment_type']})"
    if action == "create":
        return "offering-added", f"{what} added (available {_date(after, 'available_from')})"
    if action == "delete":
        return "offering-ended", f"{what} removed from the catalog"
    found = _lifecycle(before, after)
    if found is None:
        return "", ""
    return found[0], f"{what}: {'; '.join(found[1])}"


def _window(action: str, before: Any, after: Any, names: dict[str, str]) -> tuple[str, str]:
    record = after or before
    subject = names.get(record.get("model") or "", record.get("model")) or (
        f"{names.get(record['provider'], record['provider'])} models"
    )
    what = f"{names.get(record['holder'], record['holder'])} exclusivity on {subject}"
    if action == "create":
        until = f", ends {_date(after, 'ends_at')}" if after.get("ends_at") else ""
        return "window-starts", f"{what}: starts {_date(after, 'starts_at')}{until}"
    if action == "delete":
        return "window-ends", f"{what} removed from the catalog"
    if (before.get("ends_at"), before.get("ends_at_certainty")) != (
        after.get("ends_at"),
        after.get("ends_at_certainty"),
    ):
        end = f"ends {_date(after, 'ends_at')}" if after.get("ends_at") else "no end date now"
        return "window-ends", f"{what}: {end}"
    if before.get("starts_at") != after.get("starts_at"):
        return "window-starts", f"{what}: starts {_date(after, 'starts_at')}"
    return "", ""


NOT_NEWS = ("source", "origin", "created_at", "updated_at")  # a corrected link is not news


def _price(
    action: str, before: Any, after: Any, names: dict[str, str], row: Any
) -> tuple[str, str]:
    record = after or before
    model, cloud = row["model"] or record["offering"], row["cloud"] or "?"
    where = f"{names.get(model, model)} on {names.get(cloud, cloud)}"
    rate = f"{record['amount']} {record['currency']} per {record['unit']}"
    rate += f" in {record['region']}" if record.get("region") else ""
    if action == "delete":
        return "price-changed", f"{where}: price {rate} removed"
    changed = [
        name
        for name in (after or {})
        if action == "update" and name not in NOT_NEWS and before.get(name) != after.get(name)
    ]
    if action == "update" and not changed:
        return "", ""
    if changed == ["effective_until"]:  # ended (by a newer price, or by hand), or reopened
        until = after.get("effective_until")
        return "price-changed", f"{where}: {rate} " + (
            f"until {until[:10]}" if until else "no longer has an end date"
        )
    return "price-changed", f"{where}: {rate}, effective {_date(record, 'effective_from')}"


def _path(row: Any, record: dict[str, Any]) -> str:
    if row["model"]:
        return f"/models/{row['model']}"
    return "/timeline?" + urlencode({"provider": row["provider"] or record.get("provider") or ""})


def describe(row: Any, names: dict[str, str]) -> Event | None:
    """The news a change-feed row tells, or None if it tells none."""
    before = json.loads(row["before"]) if row["before"] else None
    after = json.loads(row["after"]) if row["after"] else None
    if row["resource"] == "offerings":
        kind, title = _offering(row["action"], before, after, names)
    elif row["resource"] == "exclusivity-windows":
        kind, title = _window(row["action"], before, after, names)
    else:
        kind, title = _price(row["action"], before, after, names, row)
    if not kind:
        return None
    record: dict[str, Any] = after or before or {}
    detail = f"{title}. Recorded {row['recorded_at']} by {row['actor']} (change {row['seq']})."
    source = next((record[s] for s in SOURCES[kind] if record.get(s)), None)
    if source:
        detail += f" Source: {source}"
    return Event(
        seq=row["seq"], kind=kind, recorded_at=row["recorded_at"], title=title, detail=detail,
        path=_path(row, record), resource=row["resource"], record_id=row["record_id"],
        action=row["action"], model=row["model"], provider=row["provider"], cloud=row["cloud"],
    )  # fmt: skip


def names_of(conn: sqlite3.Connection) -> dict[str, str]:
    """Display names of models, clouds and providers by id (for the events' words)."""
    rows = conn.execute(
        "SELECT id, name FROM providers UNION ALL SELECT id, name FROM clouds "
        "UNION ALL SELECT id, name FROM models"
    )
    return {row[0]: row[1] for row in rows}


def list_events(conn: sqlite3.Connection, filters: dict[str, str], limit: int) -> list[Event]:
    """The newest `limit` events, filtered by model, provider and cloud (exact ids)."""
    where = "".join(f" AND x.{name} = :{name}" for name in ("provider", "cloud")
                    if filters.get(name))  # fmt: skip
    if filters.get("model"):
        where += f" AND {COVERS_MODEL.format(model=':model')}"
    names = names_of(conn)
    found: list[Event] = []
    rows: Iterator[Any] = conn.execute(_SQL.format(where=where), filters)
    for row in rows:
        event = describe(row, names)
        if event is not None:
            found.append(event)
            if len(found) == limit:
                break
    return found
