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
