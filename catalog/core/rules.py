"""The contract's exclusivity semantics as plain functions over records (dicts).

Intervals are half-open, [from, until), and an absent end is open. Instants are canonical
strings (see instants.py), so they compare as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import instants

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
    """Whether the offering runs while the window excludes its cloud: the catalog refuses that.

    Never for a first-ship window: an offering on another cloud ends a model's span there."""
    if window.get("kind", "exclusive") != "exclusive":
        return False
    return excludes(window, model, cloud) and overlaps(
        offering["available_from"], offering["retired_from"], window["starts_at"], window["ends_at"]
    )


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
    mine = sorted(
        (o for o in offerings if o["model"] == model["id"] and o["cloud"] in clouds),
        key=lambda o: (o["available_from"], o["id"]),
    )
    on_holder = [o for o in mine if o["cloud"] == window["holder"]]
    elsewhere = [o for o in mine if excludes(window, model, clouds[o["cloud"]])]
    if not on_holder:
        return None
    start, end = on_holder[0], (elsewhere[0] if elsewhere else None)
    if end is not None and end["available_from"] <= start["available_from"]:
        return None  # another cloud had it first, or the same day
    if not is_active(window, start["available_from"]):
        return None
    if start["available_from_certainty"] == "on-or-before":
        return None  # it may have been offered before the window opened: coverage not shown

    def bound(fact: Record | None, prefix: str) -> dict[str, Any]:
        return {f"ends_at{k}": fact and fact[f"{prefix}{k}"] for k in ("", "_certainty", "_source")}

    span = {"model": model["id"], "started_by": start["id"]}
    span |= {f"starts_at{k}": start[f"available_from{k}"] for k in ("", "_certainty", "_source")}
    span |= bound(end, "available_from") | {"ended_by": end and end["id"]}
    if window["ends_at"] is not None and (end is None or window["ends_at"] < end["available_from"]):
        span |= bound(window, "ends_at") | {"ended_by": None}
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
    """Whether the offering can be bought at `at` (in `region`, if given): from <= at < retired.
    A not-before retirement ends nothing: the vendor only promised it lasts that long."""
    if region is not None and region not in (offering["regions"] or ()):
        return False
    retired = offering["retired_from"]
    if offering.get("retired_from_certainty") == "not-before":
        retired = None
    return bool(offering["available_from"] <= at and (retired is None or at < retired))


LIFECYCLE_FIELDS: tuple[str, ...] = ("offering", "deprecated_from", "deprecated_from_certainty")
LIFECYCLE_FIELDS += ("retires_at", "retires_at_certainty", "retires_at_source", "replacement")
NOT_OFFERED: dict[str, Any] = {"state": "not-offered"} | dict.fromkeys(LIFECYCLE_FIELDS)


def _retiring_last(offering: Record, at: str) -> tuple[str, bool, bool, str]:
    # The latest retirement first (none at all is latest); then one not deprecated, then ga.
    return (
        offering["retired_from"] or OPEN_END,
        not is_deprecated(offering, at),
        offering["stage"] == "ga",
        offering["id"],
    )


def is_deprecated(offering: Record, at: str) -> bool:
    """Deprecated at `at`: its deprecated_from has come (still sold, to existing customers or
    as legacy, until it retires)."""
    deprecated = offering.get("deprecated_from")
    return deprecated is not None and deprecated <= at


def lifecycle(offerings: Iterable[Record], at: str, region: str | None = None) -> dict[str, Any]:
    """Where a model stands on one cloud at `at`, from its offerings there (in `region`, if
    given): about the latest-retiring offering available then or, with none available, the
    latest-retiring one that has ended; "not-offered" when neither exists.

    state is "deprecated" when that offering is deprecated at `at`, else its stage; "retired"
    once its retirement has happened. retires_at is its retirement however sure (a not-before
    one is reported, as the earliest it may happen, without ending availability).
    """
    matching = [o for o in offerings if region is None or region in (o["regions"] or ())]
    available = [o for o in matching if is_available(o, at)]
    ended = [o for o in matching if o["available_from"] <= at and not is_available(o, at)]
    chosen = available or ended
    if not chosen:
        return dict(NOT_OFFERED)
    about = max(chosen, key=lambda o: _retiring_last(o, at))
    deprecated = about.get("deprecated_from")
    if not available:
        state = "retired"
    elif is_deprecated(about, at):
        state = "deprecated"
    else:
        state = about["stage"]
    return {
        "state": state,
        "offering": about["id"],
        "deprecated_from": deprecated,
        "deprecated_from_certainty": about.get("deprecated_from_certainty"),
        "retires_at": about["retired_from"],
        "retires_at_certainty": about.get("retired_from_certainty"),
        "retires_at_source": about.get("retired_from_source"),
        "replacement": about.get("replacement"),
    }


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
    lifecycle: dict[str, Any] = field(default_factory=lambda: dict(NOT_OFFERED))
    unplaced: list[str] = field(default_factory=list)  # available then, regions unknown


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
    every_cloud: Mapping[str, Record] | None = None,
) -> list[CloudState]:
    """The model's state on each cloud at `at` (offerings in `region`, if given): the one
    computation behind the API's availability, the matrix and the model page. `windows` and
    `offerings` may hold others' (only those covering or of the model count); a first-ship
    window counts as the model's span, which needs every cloud (default: `clouds`)."""
    clouds = list(clouds)
    by_cloud: dict[str, list[dict[str, Any]]] = {}
    for offering in offerings:
        if offering["model"] == model["id"]:
            by_cloud.setdefault(offering["cloud"], []).append(offering)
    every = every_cloud if every_cloud is not None else {c["id"]: c for c in clouds}
    mine_all = [o for found in by_cloud.values() for o in found]
    covering = in_force([w for w in windows if covers(w, model)], model, mine_all, every)
    found = []
    for cloud in clouds:  # the matrix asks this of every cell: most have no offering, no window
        mine = by_cloud.get(cloud["id"])
        now = [o for o in mine if is_available(o, at, region)] if mine else []
        others = [o for o in mine if o not in now] if mine else []
        exclusivity = (
            exclusivity_state(model, cloud, covering, at) if covering else {"state": "none"}
        )
        state = cell_state(bool(now), exclusivity)
        life = lifecycle(mine, at, region) if mine else dict(NOT_OFFERED)
        cell = CloudState(model["id"], cloud["id"], state, now, others, exclusivity, life)
        cell.unplaced = unplaced(mine, at) if region is not None and not now and mine else []
        found.append(cell)
    return found


def unplaced(offerings: Iterable[Record], at: str) -> list[str]:
    """The offerings available at `at` whose regions are unknown (in-region ones first): where
    none is known to serve a region, these may, so "not offered there" would be a guess."""
    found = [o for o in offerings if o["regions"] is None and is_available(o, at)]
    found.sort(key=lambda o: (o.get("deployment_type") != "serverless", o["id"]))
    return [o["id"] for o in found]
