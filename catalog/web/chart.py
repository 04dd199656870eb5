"""The timeline chart: windows and offerings as bars on a time axis, laid out here as numbers
for an SVG template. Uncertain ends are drawn as what they are: a faded tail past the date and a
dashed edge at it, with the date and its certainty written beside the bar."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .. import resources
from ..core import instants, rules
from ..storage import queries
from . import matrix

WIDTH = 1100
LABEL = 300  # the label column
RIGHT = 20
ROW = 22
TOP = 34  # the axis
MAX_ROWS = 400  # beyond this the chart asks for a filter
TAIL = 18  # pixels of fade drawn past an uncertain end (or before an uncertain start)


@dataclass
class Bar:
    """One row of the chart."""

    kind: str  # "window", "offering" or "model" (a heading row)
    label: str
    y: int
    record: dict[str, Any] = field(default_factory=dict)
    x: float = 0.0
    width: float = 0.0
    start_fuzzy: bool = False
    end_fuzzy: bool = False
    open_end: bool = False
    state: str = ""  # for offerings: "available", "retired"; windows: "active", "ended"...
    note: str = ""  # the end (or start) as text, written beside or inside the bar
    note_x: float = 0.0
    note_anchor: str = "start"
    note_inside: bool = False
    deprecated_x: float | None = None  # where an offering's deprecated span starts (to its end)


@dataclass
class Chart:
    start: str
    end: str
    now_x: float | None
    ticks: list[tuple[float, str]]
    rows: list[Bar]
    height: int
    width: int = WIDTH
    left: int = LABEL
    hidden: int = 0  # rows left out beyond MAX_ROWS


def _day(instant: str) -> datetime:
    return instants.to_datetime(instant)


def _month_start(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _place_note(bar: Bar, right: float) -> None:
    """Beside the bar's end where there is room, else inside the bar, else before its start."""
    width = len(bar.note) * 6.2 + 8  # 11px text, roughly
    end = bar.x + bar.width + (TAIL if bar.end_fuzzy else 0)
    if not bar.open_end and end + 4 + width <= right:
        bar.note_x = end + 4
    elif bar.width >= width:
        bar.note_x, bar.note_inside = bar.x + 5, True
    else:
        bar.note_x, bar.note_anchor = bar.x - (TAIL if bar.start_fuzzy else 0) - 4, "end"


def build(conn: sqlite3.Connection, args: Mapping[str, Any], now: str) -> Chart:
    """The chart for the filters: by default the models some window covers, with their
    windows and offerings; `scope=all` for every model the filters keep."""
    filters = {k: args[k] for k in ("provider",) if args.get(k)}
    models = list(queries.list_records(conn, resources.get("models"), filters))
    if args.get("model"):
        models = [m for m in models if m["id"] == args["model"]]
    windows = list(
        queries.list_records(conn, resources.get("exclusivity-windows"), {}, sort="starts_at")
    )
    if args.get("scope", "exclusivity") == "exclusivity" and not args.get("model"):
        models = [m for m in models if any(rules.covers(w, m) for w in windows)]
    models.sort(key=lambda m: (m["provider"], m["family"] or "", m["name"].lower(), m["id"]))
    cloud = args.get("cloud")
    every = matrix.list_offerings_of(conn, [m["id"] for m in models])
    by_model: dict[str, list[dict[str, Any]]] = {}
    of_model: dict[str, list[dict[str, Any]]] = {}  # every cloud's, for first-ship spans
    for offering in every:
        of_model.setdefault(offering["model"], []).append(offering)
        if cloud is None or offering["cloud"] == cloud:
            by_model.setdefault(offering["model"], []).append(offering)
    clouds = {c["id"]: c for c in queries.list_records(conn, resources.get("clouds"), {})}

    rows: list[Bar] = []
    drawn_windows: set[str] = set()
    for model in models:
        mine = [
            w
            for w in windows
            if rules.covers(w, model)
            and w["id"] not in drawn_windows
            and (cloud is None or w["holder"] == cloud)
        ]
        if not mine and not by_model.get(model["id"]):
            continue
        rows.append(Bar("model", model["name"], 0, model))
        for window in mine:
            drawn_windows.add(window["id"])
            subject = model["name"] if window["model"] else f"all {window['provider']} models"
            holder = clouds[window["holder"]]["name"]
            kind = "first-ship clause" if window["kind"] == "first-ship" else "exclusive"
            rows.append(Bar("window", f"{holder} {kind}: {subject}", 0, window))
        # A first-ship window's span for this model: drawn as an exclusive window of its own.
        first_ship = [
            w for w in windows if w["kind"] == "first-ship" and cloud in (None, w["holder"])
        ]
        for found in rules.in_force(first_ship, model, of_model.get(model["id"], []), clouds):
            holder = clouds[found["holder"]]["name"]
            rows.append(Bar("window", f"{holder} first-ship span: {model['name']}", 0, dict(found)))
        for offering in by_model.get(model["id"], []):
            name = clouds[offering["cloud"]]["name"]
            rows.append(Bar("offering", f"{name} · {offering['deployment_type']}", 0, offering))
    hidden = max(0, len(rows) - MAX_ROWS)
    rows = rows[:MAX_ROWS]

    dates = [now]
    for bar in rows:
        record = bar.record
        if bar.kind == "window":
            dates += [record["starts_at"], *([record["ends_at"]] if record["ends_at"] else [])]
        elif bar.kind == "offering":
            dates += [record["available_from"]]
            dates += [record[k] for k in ("deprecated_from", "retired_from") if record[k]]
    # The axis stays inside the catalog's calendar whatever the database holds (a date stored
    # before the schemas bounded them, say): years 0 or 10000 cannot be drawn nor written.
    dates = [instants.clamp(d) for d in dates]
    first = args.get("start") or _month_start(_day(min(dates)), -2).strftime(instants.FORMAT)
    last = args.get("end") or _month_start(_day(max(dates)), 4).strftime(instants.FORMAT)
    if last <= first:
        last = _month_start(_day(first), 12).strftime(instants.FORMAT)
    t0, t1 = _day(first), _day(last)
    span = (t1 - t0).total_seconds()
    x1 = WIDTH - RIGHT

    def x(instant: str) -> float:
        offset = (_day(instants.clamp(instant)) - t0).total_seconds() / span
        return round(LABEL + min(max(offset, 0.0), 1.0) * (x1 - LABEL), 1)

    for n, bar in enumerate(rows):
        bar.y = TOP + n * ROW
        record = bar.record
        if bar.kind == "window":
            start, start_c = record["starts_at"], record["starts_at_certainty"]
            end, end_c = record["ends_at"], record["ends_at_certainty"]
            bar.state = (
                "upcoming" if start > now else "active" if rules.is_active(record, now) else "ended"
            )
        elif bar.kind == "offering":
            start, start_c = record["available_from"], record["available_from_certainty"]
            end, end_c = record["retired_from"], record["retired_from_certainty"]
            bar.state = "retired" if end and end <= now else "available"
        else:
            continue
        bar.x = x(start)
        bar.width = max(x(end) - bar.x if end else x1 - bar.x, 2.0)
        bar.start_fuzzy = start_c != "exact"
        bar.end_fuzzy = end is not None and end_c != "exact"
        bar.open_end = end is None
        deprecated = record.get("deprecated_from") if bar.kind == "offering" else None
        if deprecated and (end is None or deprecated < end):
            # Deprecated: still sold (to existing customers, or as legacy) until retired.
            bar.deprecated_x = min(max(x(deprecated), bar.x), bar.x + bar.width)
            bar.state += " deprecated" if deprecated <= now else ""
        if end:
            if bar.kind == "window":
                verb = "ends "
            elif end_c == "announced":  # dated() says "planned for": the verb must not tense it
                verb = "retirement "
            else:
                verb = "retired " if end <= now else "retires "
            bar.note = verb + instants.said(end, end_c)
        elif bar.start_fuzzy:
            bar.note = "from " + instants.said(start, start_c)
        else:
            bar.note = "from " + instants.said(start, start_c) + ", no end known"
        _place_note(bar, x1)

    ticks: list[tuple[float, str]] = []
    years = (t1 - t0).days / 365
    step = 1 if years <= 2 else 3 if years <= 5 else 12
    tick = _month_start(t0, 0 if t0.day == 1 else 1)
    while tick <= t1:
        if (tick.month - 1) % step == 0:
            label = str(tick.year) if tick.month == 1 else tick.strftime("%b")
            ticks.append((x(tick.strftime(instants.FORMAT)), label))
        tick = _month_start(tick, 1)
    now_x = x(now) if first <= now <= last else None
    height = TOP + len(rows) * ROW + 10
    return Chart(first, last, now_x, ticks, rows, height, hidden=hidden)
