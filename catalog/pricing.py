"""Prices as plain functions: exact amounts, a price's series and where a new one fits in it,
and the procurement comparison (cheapest first, with each cloud's exclusivity state).

A series is the prices of one (offering, region, unit, currency); their half-open intervals,
[effective_from, effective_until), never overlap. Amounts are compared as Decimal, never float.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate

from . import queries, resources, rules
from .answers import ExclusivitySchema
from .fields import CERTAINTIES, Instant, url
from .resources.prices import IN_FORCE, UNITS

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


def _order(item: Record) -> tuple[Any, ...]:
    return (
        UNITS.index(item["unit"]),
        item["currency"],
        amount(item),
        item["cloud"],
        item["offering"],
        item["region"] or "",
    )


# The prices in force at :at of the offerings of :model available then, with each offering's
# cloud (as exclusivity_state needs it); :unit and :region narrow it when not null. One query:
# the comparison is asked as often as the CI answer, and must cost no more.
IN_FORCE_FOR_MODEL = f"""
    SELECT {{select}}, o.cloud, c.kind, c.provider
    FROM offerings o JOIN prices t ON t.offering = o.id JOIN clouds c ON c.id = o.cloud
    WHERE o.model = :model AND o.available_from <= :at
      AND (o.retired_from IS NULL OR o.retired_from > :at) AND {IN_FORCE}
      AND (:unit IS NULL OR t.unit = :unit)
      AND (:region IS NULL OR ((t.region IS NULL OR t.region = :region) AND EXISTS (
          SELECT 1 FROM offering_regions r WHERE r.offering = o.id AND r.region = :region)))
"""


def comparison(
    conn: sqlite3.Connection,
    model: Record,
    at: str,
    unit: str | None = None,
    region: str | None = None,
) -> list[dict[str, Any]]:
    """Every price in force at `at` of an offering of the model available then (in `region`),
    with its cloud's exclusivity state: per unit and currency, cheapest first."""
    prices = resources.get("prices")
    width = len(prices.fields)
    rows = conn.execute(
        IN_FORCE_FOR_MODEL.format(select=prices.select_list),
        {"model": model["id"], "at": at, "unit": unit, "region": region},
    ).fetchall()
    if not rows:
        return []
    windows = list(
        queries.list_records(conn, resources.get("exclusivity-windows"), {"model": model["id"]})
    )
    states: dict[str, dict[str, Any]] = {}
    items = []
    for row in rows:
        p = queries.to_record(prices, row[:width])
        cloud, kind, provider = row[width:]
        if cloud not in states:
            platform = {"id": cloud, "kind": kind, "provider": provider}
            states[cloud] = rules.exclusivity_state(model, platform, windows, at)
        items.append(
            {
                "unit": p["unit"],
                "amount": p["amount"],
                "currency": p["currency"],
                "cloud": cloud,
                "region": p["region"],
                "offering": p["offering"],
                "effective_from": p["effective_from"],
                "effective_until": p["effective_until"],
                "certainty": p["effective_from_certainty"],
                "source": p["source"],
                "exclusivity": states[cloud],
                "price": p["id"],
            }
        )
    return sorted(items, key=_order)


class ComparedPriceSchema(Schema):
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    amount = fields.String(required=True, metadata={"description": "A decimal string, exact."})
    currency = fields.String(required=True)
    cloud = fields.String(required=True)
    region = fields.String(
        required=True, allow_none=True, metadata={"description": "null: every region."}
    )
    offering = fields.String(required=True)
    effective_from = Instant(required=True)
    effective_until = Instant(required=True, allow_none=True)
    certainty = fields.String(
        required=True,
        validate=validate.OneOf(CERTAINTIES),
        metadata={"description": "How sure effective_from is."},
    )
    source = url(required=True)
    exclusivity = fields.Nested(ExclusivitySchema, required=True)
    price = fields.String(required=True, metadata={"description": "The price's id."})


class PriceComparisonSchema(Schema):
    model = fields.String(required=True)
    at = Instant(required=True)
    items = fields.List(
        fields.Nested(ComparedPriceSchema),
        required=True,
        metadata={"description": "Per unit and currency, cheapest first; then by cloud."},
    )
