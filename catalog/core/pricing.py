"""Prices as plain functions: exact amounts, a price's series and where a new one fits in it
(the procurement comparison built on them is comparison.py).

A series is the prices of one (offering, region, unit, currency); their half-open intervals,
[effective_from, effective_until), never overlap. Amounts are compared as Decimal, never float.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .. import resources
from ..storage import queries
from . import rules

Record = Mapping[str, Any]


def amount(price: Record) -> Decimal:
    """A price's amount, exactly."""
    return Decimal(price["amount"])


def total(amounts: Iterable[str]) -> str:
    """The exact sum of decimal strings, as one ("0.1" + "0.2" is "0.3")."""
    return format(sum((Decimal(a) for a in amounts), Decimal(0)), "f")


@dataclass(frozen=True)
class Fit:
    """Where a price goes in its series: the price it conflicts with, or the one it closes."""

    conflict: dict[str, Any] | None = None
    closes: dict[str, Any] | None = None


def fit(price: Record, series: Iterable[dict[str, Any]]) -> Fit:
    """How `price` fits among the other prices of its series.

    A price that starts after the latest one, while that one is open, closes it (the latest
    then ends where the new one starts). Any other overlap is a conflict with the earliest
    price it overlaps.
    """
    others = sorted(
        (p for p in series if p["id"] != price["id"]), key=lambda p: (p["effective_from"], p["id"])
    )
    start, until = price["effective_from"], price["effective_until"]
    latest = others[-1] if others else None
    closes = None
    if (
        latest is not None
        and latest["effective_until"] is None
        and latest["effective_from"] < start
    ):
        closes = {**latest, "effective_until": start}
        others[-1] = closes
    for other in others:
        if rules.overlaps(start, until, other["effective_from"], other["effective_until"]):
            return Fit(conflict=other)
    return Fit(closes=closes)


def series(conn: sqlite3.Connection, price: Record) -> list[dict[str, Any]]:
    """The stored prices of the price's (offering, region, unit, currency), itself included."""
    filters = {
        "offering": price["offering"],
        "series_region": price["region"] or "",
        "unit": price["unit"],
        "currency": price["currency"],
    }
    return list(queries.list_records(conn, resources.get("prices"), filters))


# An offering's prices end no later than its retirement: the one rule, used by the store (an
# offering's write ends its prices, a price's write is checked) and by the importers' plans.


def ends_by(offering: Record) -> str | None:
    """The instant an offering's prices end by: its retirement, unless the vendor only said
    "no earlier than" (not-before: the offering goes on past that day, and so do its prices)."""
    if offering.get("retired_from_certainty") == "not-before":
        return None
    return offering.get("retired_from")


def past_retirement(price: Record, offering: Record) -> tuple[str, str] | None:
    """(field, why) if the price would be in force after its offering retired, else None."""
    end = ends_by(offering)
    if end is None:
        return None
    said = f"offering {offering['id']!r} retired on {end} ({offering['retired_from_certainty']})"
    if price["effective_from"] >= end:
        return "effective_from", f"starts after {said}."
    if price["effective_until"] is None or price["effective_until"] > end:
        return "effective_until", f"must end by {end}: {said}."
    return None


def retired(
    conn: sqlite3.Connection, offering: Record, before: Record | None
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """What an offering's (new or moved) retirement does to its prices: (price, the price as it
    now ends, or None where it starts on or after the retirement: never in force, it goes). A
    retirement moved later or withdrawn first reopens the prices the old one ended (each the
    latest of its series), so that they end at the new one, or run on."""
    end, was = ends_by(offering), ends_by(before) if before is not None else None
    prices = list(queries.list_records(conn, resources.get("prices"), {"offering": offering["id"]}))
    changed: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for price in prices:
        until = price["effective_until"]
        if was is not None and until == was and end != was and _latest(price, prices):
            until = None
        if end is not None and price["effective_from"] >= end:
            changed.append((price, None))
            continue
        if end is not None and (until is None or until > end):
            until = end
        if until != price["effective_until"]:
            kept = {n: v for n, v in price.items() if n not in ("created_at", "updated_at")}
            changed.append((price, {**kept, "effective_until": until}))
    return changed


def _latest(price: Record, prices: Iterable[Record]) -> bool:
    """No later price in the price's series."""
    same = ("region", "unit", "currency")
    return not any(
        all(p[n] == price[n] for n in same) and p["effective_from"] > price["effective_from"]
        for p in prices
    )
