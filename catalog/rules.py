"""The contract's exclusivity semantics as plain functions over records (dicts).

Intervals are half-open, [from, until), and an absent end is open. Instants are canonical
strings (see instants.py), so they compare as text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from . import instants, queries, resources

Record = Mapping[str, Any]

OPEN_END = "9999-12-31T23:59:59Z"


def overlaps(start_a: str, end_a: str | None, start_b: str, end_b: str | None) -> bool:
    """Whether [start_a, end_a) and [start_b, end_b) share an instant (None: open end)."""
    return start_a < (end_b or OPEN_END) and start_b < (end_a or OPEN_END)


def is_active(window: Record, at: str) -> bool:
    """Whether the window is in force at `at`."""
    return window["starts_at"] <= at and (window["ends_at"] is None or at < window["ends_at"])


def covers(window: Record, model: Record) -> bool:
    """Whether the window's subject includes the model.

    A provider-wide window exempts the provider's open-weight models unless it says otherwise.
    """
    if window["model"] is not None:
        return bool(window["model"] == model["id"])
    return bool(
        window["provider"] == model["provider"]
        and (window["includes_open_weights"] or not model["open_weights"])
    )


def excludes(window: Record, model: Record, cloud: Record) -> bool:
    """Whether the window bars `cloud` from offering `model` (ignoring time)."""
    if not covers(window, model) or cloud["id"] == window["holder"]:
        return False
    if cloud["provider"] is not None and cloud["provider"] == model["provider"]:
        return False  # a maker's own platform is never excluded
    if window["scope"] == "hyperscalers":
        return bool(cloud["kind"] == "hyperscaler")
    return True  # all-third-party


def pointless(
    window: Record, maker: str | None, clouds: Mapping[str, Record]
) -> tuple[str, str] | None:
    """(field, why) if the window would bar no cloud: held by the maker's own platform, or a
    scope that leaves no other cloud of the catalog to exclude; None for a real window."""
    if clouds[window["holder"]]["provider"] == maker:
        return "holder", "a maker's own platform holds no window: it is never excluded anyway."
    for cloud in clouds.values():
        if cloud["id"] != window["holder"] and cloud["provider"] != maker:
            if window["scope"] == "all-third-party" or cloud["kind"] == "hyperscaler":
                return None
    return "scope", f"{window['scope']} leaves no cloud for this window to exclude."


def contradicts(offering: Record, model: Record, cloud: Record, window: Record) -> bool:
    """Whether the offering runs while the window excludes its cloud: the catalog refuses that.

    Never for a first-ship window: an offering on another cloud ends a model's span there."""
    if window.get("kind", "exclusive") != "exclusive":
        return False
    return excludes(window, model, cloud) and overlaps(
        offering["available_from"], offering["retired_from"], window["starts_at"], window["ends_at"]
    )


def _by_id(conn: sqlite3.Connection, name: str) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in queries.list_records(conn, resources.get(name), {})}


def find_contradictions(
    conn: sqlite3.Connection, offering_ids: Iterable[str] | None = None
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(offering, window) pairs that break the exclusivity rule, among these offerings or all."""
    # A first-ship window is never contradicted: an offering elsewhere ends a model's span.
    windows = [w for w in _by_id(conn, "exclusivity-windows").values() if w["kind"] == "exclusive"]
    if not windows:
        return []
    models = _by_id(conn, "models")
    clouds = _by_id(conn, "clouds")
    subject_models = {m for m, model in models.items() if any(covers(w, model) for w in windows)}
    wanted = set(offering_ids) if offering_ids is not None else None
    offerings = resources.get("offerings")
    found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for model_id in sorted(subject_models):
        for offering in queries.list_records(conn, offerings, {"model": model_id}):
            if wanted is not None and offering["id"] not in wanted:
                continue
            model, cloud = models[model_id], clouds[offering["cloud"]]
            found.extend(
                (offering, window)
                for window in windows
                if contradicts(offering, model, cloud, window)
            )
    return found


def first_ship_span(
    window: Record, model: Record, offerings: Iterable[Record], clouds: Mapping[str, Record]
) -> dict[str, Any] | None:
    """The span a first-ship window gives one model, or None: the one place spans are computed.

    The window covers the model when the model's first offering on the holder or on a cloud in
    the scope starts inside the window. The span runs from the first offering on the holder
    until the first offering on another cloud in the scope (open while there is none; cut at
    the window's end if that comes sooner), with that offering's date and certainty. No span
    when the holder never offered the model, when another cloud had it first, or when the first
    date is only an upper bound (`on-or-before`: the model may predate the window).
    """
    if window.get("kind") != "first-ship" or not covers(window, model):
        return None
    mine = [o for o in offerings if o["model"] == model["id"]]
    on_holder = [o for o in mine if o["cloud"] == window["holder"]]
    elsewhere = [o for o in mine if excludes(window, model, clouds[o["cloud"]])]
    first = min(
        [*on_holder, *elsewhere], key=lambda o: (o["available_from"], o["id"]), default=None
    )
    if first is None or not on_holder or not is_active(window, first["available_from"]):
        return None
    if first["available_from_certainty"] == "on-or-before":
        return None  # it may have been offered before the window opened: coverage not shown
    start = min(on_holder, key=lambda o: (o["available_from"], o["id"]))
    end = min(elsewhere, key=lambda o: (o["available_from"], o["id"]), default=None)
    if end is not None and end["available_from"] <= start["available_from"]:
        return None
    span = {
        "model": model["id"],
        "starts_at": start["available_from"],
        "starts_at_certainty": start["available_from_certainty"],
        "starts_at_source": start["available_from_source"],
        "started_by": start["id"],
        "ends_at": None,
        "ends_at_certainty": None,
        "ends_at_source": None,
        "ended_by": None,
    }
    if end is not None:
        span |= {
            "ends_at": end["available_from"],
            "ends_at_certainty": end["available_from_certainty"],
            "ends_at_source": end["available_from_source"],
            "ended_by": end["id"],
        }
    if window["ends_at"] is not None and (end is None or window["ends_at"] < end["available_from"]):
        span |= {
            "ends_at": window["ends_at"],
            "ends_at_certainty": window["ends_at_certainty"],
            "ends_at_source": window["ends_at_source"],
            "ended_by": None,
        }
    return span


def in_force(
    windows: Iterable[Record],
    model: Record,
    offerings: Iterable[Record],
    clouds: Mapping[str, Record],
) -> list[Record]:
    """The windows that decide the model's states: each exclusive one as it is, each first-ship
    one as the model's span, shaped as an exclusive window on the model (named after its
    first-ship window)."""
    offerings = list(offerings)
    found: list[Record] = []
    for window in windows:
        if window.get("kind", "exclusive") != "first-ship":
            found.append(window)
            continue
        span = first_ship_span(window, model, offerings, clouds)
        if span is not None:
            found.append({**window, **span, "provider": None, "spans": None})
    return found


def days_remaining(at: str, ends_at: str | None) -> int | None:
    """Whole days from `at` until `ends_at` (None for an open end)."""
    if ends_at is None:
        return None
    return (instants.to_datetime(ends_at) - instants.to_datetime(at)).days


def _last_to_end(windows: list[Record]) -> Record:
    # Where several windows apply, the one that lasts longest decides how long the state holds.
    return max(windows, key=lambda w: (w["ends_at"] or OPEN_END, w["id"]))


def exclusivity_state(
    model: Record, cloud: Record, windows: Iterable[Record], at: str
) -> dict[str, Any]:
    """The contract's state of (model, cloud, at): exclusive, excluded or none, with its window."""
    active = [w for w in windows if is_active(w, at) and covers(w, model)]
    held = [w for w in active if w["holder"] == cloud["id"]]
    if held:
        state, window = "exclusive", _last_to_end(held)
    else:
        excluding = [w for w in active if excludes(w, model, cloud)]
        if not excluding:
            return {"state": "none"}
        state, window = "excluded", _last_to_end(excluding)
    return {
        "state": state,
        "holder": window["holder"],
        "window": window["id"],
        "scope": window["scope"],
        "kind": window.get("kind", "exclusive"),
        "ends_at": window["ends_at"],
        "ends_at_certainty": window["ends_at_certainty"],
        "ends_at_source": window["ends_at_source"],
        "days_remaining": days_remaining(at, window["ends_at"]),
    }


def is_available(offering: Record, at: str, region: str | None = None) -> bool:
    """Whether the offering can be bought at `at` (in `region`, if given): from <= at < retired."""
    if region is not None and region not in offering["regions"]:
        return False
    retired = offering["retired_from"]
    return bool(offering["available_from"] <= at and (retired is None or at < retired))


def cloud_availability(
    conn: sqlite3.Connection,
    model: Record,
    at: str,
    cloud_ids: Iterable[str] | None = None,
    region: str | None = None,
) -> list[dict[str, Any]]:
    """For each cloud (all, or those given): is the model available at `at`, where; its state."""
    clouds = _by_id(conn, "clouds")
    covering = [
        w
        for w in queries.list_records(conn, resources.get("exclusivity-windows"), {})
        if covers(w, model)
    ]
    offerings = list(queries.list_records(conn, resources.get("offerings"), {"model": model["id"]}))
    windows = in_force(covering, model, offerings, clouds)
    by_cloud: dict[str, list[dict[str, Any]]] = {}
    for offering in offerings:
        if is_available(offering, at, region):
            by_cloud.setdefault(offering["cloud"], []).append(offering)
    answers = []
    for cloud_id in cloud_ids if cloud_ids is not None else sorted(clouds):
        cloud = clouds[cloud_id]
        available = by_cloud.get(cloud_id, [])
        state = exclusivity_state(model, cloud, windows, at)
        if "holder" in state:
            state["holder_name"] = clouds[state["holder"]]["name"]
        answers.append(
            {
                "cloud": cloud_id,
                "kind": cloud["kind"],
                "available": bool(available),
                "regions": sorted({r for offering in available for r in offering["regions"]}),
                "offerings": available,
                "exclusivity": state,
            }
        )
    return answers
