"""The contract's exclusivity semantics as plain functions over records (dicts).

Intervals are half-open, [from, until), and an absent end is open. Instants are canonical
strings (see instants.py), so they compare as text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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


def contradicts(offering: Record, model: Record, cloud: Record, window: Record) -> bool:
    """Whether the offering runs while the window excludes its cloud: the catalog refuses that."""
    return excludes(window, model, cloud) and overlaps(
        offering["available_from"], offering["retired_from"], window["starts_at"], window["ends_at"]
    )


def _by_id(conn: sqlite3.Connection, name: str) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in queries.list_records(conn, resources.get(name), {})}


def _kept_by_id(conn: sqlite3.Connection, name: str) -> dict[str, dict[str, Any]]:
    # Clouds and windows are few and change rarely: read once per catalog version.
    found: dict[str, dict[str, Any]] = queries.per_version(
        conn, ("by_id", name), lambda: _by_id(conn, name)
    )
    return found


def find_contradictions(
    conn: sqlite3.Connection, offering_ids: Iterable[str] | None = None
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(offering, window) pairs that break the exclusivity rule, among these offerings or all."""
    windows = list(_by_id(conn, "exclusivity-windows").values())
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


STATES = ("exclusive", "available", "excluded", "none")


@dataclass(slots=True)
class CloudState:
    """A model on one cloud at an instant: the contract's state, and what it rests on."""

    model: str
    cloud: str
    state: str  # one of STATES
    offerings: list[dict[str, Any]] = field(default_factory=list)  # available at the instant
    others: list[dict[str, Any]] = field(default_factory=list)  # not yet, or no longer
    exclusivity: dict[str, Any] = field(default_factory=dict)


def cell_state(offered: bool, exclusivity: Mapping[str, Any]) -> str:
    """The contract's state: exclusive (offered, and the cloud holds a window), available
    (offered), excluded (a window shuts the cloud out) or none."""
    if offered:
        return "exclusive" if exclusivity["state"] == "exclusive" else "available"
    return "excluded" if exclusivity["state"] == "excluded" else "none"


def states(
    model: Record,
    clouds: Iterable[Record],
    windows: Iterable[Record],
    offerings: Iterable[dict[str, Any]],
    at: str,
    region: str | None = None,
) -> list[CloudState]:
    """The model's state on each cloud at `at` (offerings in `region`, if given): the one
    computation behind the API's availability, the matrix and the model page. `windows` and
    `offerings` may hold others' (only those covering or of the model count)."""
    covering = [w for w in windows if covers(w, model)]
    by_cloud: dict[str, list[dict[str, Any]]] = {}
    for offering in offerings:
        if offering["model"] == model["id"]:
            by_cloud.setdefault(offering["cloud"], []).append(offering)
    found = []
    for cloud in clouds:  # the matrix asks this of every cell: most have no offering, no window
        mine = by_cloud.get(cloud["id"])
        now = [o for o in mine if is_available(o, at, region)] if mine else []
        others = [o for o in mine if o not in now] if mine else []
        exclusivity = (
            exclusivity_state(model, cloud, covering, at) if covering else {"state": "none"}
        )
        state = cell_state(bool(now), exclusivity)
        found.append(CloudState(model["id"], cloud["id"], state, now, others, exclusivity))
    return found


def cloud_availability(
    conn: sqlite3.Connection,
    model: Record,
    at: str,
    cloud_ids: Iterable[str] | None = None,
    region: str | None = None,
) -> list[dict[str, Any]]:
    """For each cloud (all, or those given): is the model available at `at`, where; its state."""
    clouds = _kept_by_id(conn, "clouds")
    windows = _kept_by_id(conn, "exclusivity-windows").values()
    offerings = queries.list_records(conn, resources.get("offerings"), {"model": model["id"]})
    asked = [clouds[c] for c in (cloud_ids if cloud_ids is not None else sorted(clouds))]
    answers = []
    for found in states(model, asked, windows, offerings, at, region):
        cloud, state = clouds[found.cloud], found.exclusivity
        if "holder" in state:
            state["holder_name"] = clouds[state["holder"]]["name"]
        answers.append(
            {
                "cloud": found.cloud,
                "kind": cloud["kind"],
                "available": bool(found.offerings),
                "regions": sorted({r for offering in found.offerings for r in offering["regions"]}),
                "offerings": found.offerings,
                "exclusivity": state,
            }
        )
    return answers
