"""The procurement comparison: for each offering of a model available at an instant, the
prices in force (cheapest paid first per unit and currency, free tiers after, the offerings with
no price known last), each with its cloud's exclusivity state, the offering's deployment type,
geography and lifecycle; and the same as a wide spreadsheet (a column per unit)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from .. import resources
from ..declarations.answers import ExclusivitySchema
from ..declarations.fields import CERTAINTIES, Instant, url
from ..resources.offerings import IN_GEOGRAPHY
from ..resources.prices import IN_FORCE, UNITS
from ..storage import queries
from . import reading, rules
from .pricing import Record, amount


def _order(item: Record) -> tuple[Any, ...]:
    # A free tier (zero) after every paid price of its unit and currency: never the cheapest.
    return (
        UNITS.index(item["unit"]),
        item["currency"],
        item["free"],
        amount(item),
        item["cloud"],
        item["offering"],
        item["region"] or "",
    )


# The offerings of :model available at :at (in :region, in :geography when not null: a region
# of it serves the offering or it is a data-zone route of it), with each one's cloud
# kind and maker (as exclusivity_state needs them); then the prices in force of those offerings.
# Two queries: the comparison is asked as often as the CI answer, and must cost no more.
OFFERINGS_AT = f"""
    SELECT {{select}}, c.kind, c.provider FROM offerings t JOIN clouds c ON c.id = t.cloud
    WHERE t.model = :model AND {resources.get("offerings").filters["at"].sql}
      AND (:region IS NULL OR EXISTS (
          SELECT 1 FROM offering_regions r WHERE r.offering = t.id AND r.region = :region))
      AND (:geography IS NULL OR {IN_GEOGRAPHY})
"""
PRICES_IN_FORCE = f"""
    SELECT {{select}} FROM prices t
    WHERE t.offering IN (SELECT value FROM json_each(:offerings)) AND {IN_FORCE}
      AND (:unit IS NULL OR t.unit = :unit)
      AND (:region IS NULL OR t.region IS NULL OR t.region = :region)
      AND (:geography IS NULL OR t.region IS NULL OR EXISTS (
          SELECT 1 FROM regions g JOIN offerings o ON o.cloud = g.cloud
          WHERE o.id = t.offering AND g.id = t.region AND g.geography = :geography))
"""


def lifecycle(offering: Record, at: str) -> dict[str, Any]:
    """Where an offering is in its life at `at`: `deprecated` once deprecated_from has come
    (rules.is_deprecated), else `available`; its planned end."""
    return {
        "state": "deprecated" if rules.is_deprecated(offering, at) else "available",
        "deprecated_from": offering["deprecated_from"],
        "retires_at": offering["retired_from"],
        "retires_at_certainty": offering["retired_from_certainty"],
        "replacement": offering.get("replacement"),
    }


def geography_of(
    offering: Record,
    region: str | None,
    geographies: Mapping[tuple[str, str], str | None],
    asked: str | None = None,
) -> str | None:
    """The geography a price applies in: its region's; for every region, the offering's own
    (a data zone), the one asked about (the offering is there), or the one all its regions
    share; None where unknown or mixed."""
    if region is not None:
        return geographies.get((offering["cloud"], region))
    if offering.get("geography"):
        return str(offering["geography"])
    if asked is not None:
        return asked
    found = {geographies.get((offering["cloud"], r)) for r in offering["regions"] or ()}
    return found.pop() if len(found) == 1 else None


def comparison(
    conn: sqlite3.Connection,
    model: Record,
    at: str,
    unit: str | None = None,
    region: str | None = None,
    geography: str | None = None,
) -> list[dict[str, Any]]:
    """Every price in force at `at` of an offering of the model available then (in `region`,
    in `geography`: its regions or its data zone; a price set for a region elsewhere is left out),
    with its cloud's exclusivity state and the offering's lifecycle: per unit and currency,
    cheapest paid price first, free tiers after; then each offering with no price known
    (`amount` None)."""
    spec, prices = resources.get("offerings"), resources.get("prices")
    width = len(spec.fields)
    params = {"model": model["id"], "at": at, "unit": unit, "region": region}
    params["geography"] = geography
    rows = conn.execute(OFFERINGS_AT.format(select=spec.select_list), params).fetchall()
    if not rows:
        return []
    offerings: dict[str, dict[str, Any]] = {}
    platforms: dict[str, dict[str, Any]] = {}
    for row in rows:
        offering = queries.to_record(spec, row[:width])
        offerings[offering["id"]] = offering
        platforms[offering["cloud"]] = dict(
            zip(("id", "kind", "provider"), (offering["cloud"], *row[width:]), strict=True)
        )
    windows = list(
        queries.list_records(conn, resources.get("exclusivity-windows"), {"model": model["id"]})
    )
    states = {c: rules.exclusivity_state(model, p, windows, at) for c, p in platforms.items()}
    geographies = reading.geographies(conn)
    found = conn.execute(
        PRICES_IN_FORCE.format(select=prices.select_list),
        {**params, "offerings": json.dumps(list(offerings))},
    ).fetchall()

    def item(offering: Record, price: Record | None) -> dict[str, Any]:
        p = price or dict.fromkeys(prices.fields)
        return {
            "unit": p["unit"],
            "amount": p["amount"],
            "free": p["amount"] is not None and amount(p) == 0,
            "currency": p["currency"],
            "cloud": offering["cloud"],
            "region": p["region"],
            "geography": geography_of(offering, p["region"], geographies, geography),
            "offering": offering["id"],
            "deployment_type": offering["deployment_type"],
            "effective_from": p["effective_from"],
            "effective_until": p["effective_until"],
            "certainty": p["effective_from_certainty"],
            "source": p["source"],
            "exclusivity": states[offering["cloud"]],
            "lifecycle": lifecycle(offering, at),
            "price": p["id"],
        }

    priced = [
        item(offerings[p["offering"]], p) for p in (queries.to_record(prices, r) for r in found)
    ]
    seen = {i["offering"] for i in priced}
    unpriced = [
        item(o, None)
        for o in sorted(offerings.values(), key=lambda o: (o["cloud"], o["id"]))
        if o["id"] not in seen
    ]
    return sorted(priced, key=_order) + unpriced


_WHERE = ("region", "geography")  # where the price applies
WIDE_FIELDS = (
    "cloud",
    "offering",
    "deployment_type",
    *_WHERE,
    "currency",
    *UNITS,
    "lifecycle",
    "deprecated_from",
    "retires_at",
    "exclusivity",
)


def wide(items: Iterable[Record]) -> list[dict[str, Any]]:
    """The comparison as a spreadsheet: one row per offering, price region and currency, one
    column per unit (empty where there is no price, as for an unpriced offering); rows in the
    comparison's order (cheapest first by the first unit, then the unpriced)."""
    rows: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}
    for i in items:
        key = (i["offering"], i["region"], i["currency"])
        if key not in rows:
            life = i["lifecycle"]
            rows[key] = {
                **{name: i[name] for name in WIDE_FIELDS[:6]},
                **dict.fromkeys(UNITS),
                "lifecycle": life["state"],
                "deprecated_from": life["deprecated_from"],
                "retires_at": life["retires_at"],
                "exclusivity": i["exclusivity"]["state"],
            }
        if i["unit"] is not None:
            rows[key][i["unit"]] = i["amount"]
    return list(rows.values())


class OfferingLifecycleSchema(Schema):
    state = fields.String(
        required=True,
        validate=validate.OneOf(("available", "deprecated")),
        metadata={"description": "deprecated: deprecated_from has come (still sold)."},
    )
    deprecated_from = Instant(required=True, allow_none=True)
    retires_at = Instant(
        required=True, allow_none=True, metadata={"description": "The offering's retired_from."}
    )
    retires_at_certainty = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(CERTAINTIES)
    )
    replacement = fields.String(
        required=True, allow_none=True, metadata={"description": "The model the vendor names."}
    )


class ComparedPriceSchema(Schema):
    unit = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(UNITS),
        metadata={"description": "null for an offering with no price known."},
    )
    amount = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "A decimal string, exact; null: no price known."},
    )
    free = fields.Boolean(
        required=True,
        metadata={"description": "A free tier (amount zero): sorted after the paid prices."},
    )
    currency = fields.String(required=True, allow_none=True)
    cloud = fields.String(required=True)
    region = fields.String(
        required=True, allow_none=True, metadata={"description": "null: every region."}
    )
    geography = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Where the price applies (US, EU, ...); null: unknown or mixed."},
    )
    offering = fields.String(required=True)
    deployment_type = fields.String(required=True)
    effective_from = Instant(required=True, allow_none=True)
    effective_until = Instant(required=True, allow_none=True)
    certainty = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(CERTAINTIES),
        metadata={"description": "How sure effective_from is."},
    )
    source = url(required=True, allow_none=True)
    exclusivity = fields.Nested(ExclusivitySchema, required=True)
    lifecycle = fields.Nested(OfferingLifecycleSchema, required=True)
    price = fields.String(
        required=True, allow_none=True, metadata={"description": "The price's id."}
    )


class PriceComparisonSchema(Schema):
    model = fields.String(required=True)
    at = Instant(required=True)
    items = fields.List(
        fields.Nested(ComparedPriceSchema),
        required=True,
        metadata={
            "description": "Per unit and currency, cheapest paid first, free tiers after; then "
            "the offerings with no price known."
        },
    )
