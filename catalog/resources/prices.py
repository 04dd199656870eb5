"""Prices: what an offering costs, per unit, effective-dated, as exact decimals."""

from typing import Any

from marshmallow import fields, validate

from ..declarations.fields import (
    CERTAINTIES,
    Instant,
    origin_field,
    query_instant,
    query_slug,
    slug,
    url,
)
from ..declarations.resource import Filter, Reference, Resource
from ..declarations.schemas import Problems, Record, in_order

UNITS = (
    "input-1m-tokens",
    "output-1m-tokens",
    "cached-input-1m-tokens",
    "cache-write-1m-tokens",
    "hour",
    "request",
    "image",
)
# A decimal as text: no sign, no exponent, no leading zero, so each amount has one spelling of
# its integer part. Up to 9 integer digits (under a billion per unit: no list price comes
# near) and 12 decimal places (a per-token rate of 0.000000075 needs 9; 12 leaves room).
# Bounded both ways, every amount fits the fixed-width sort key below: 21 digits.
AMOUNT = r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,12})?$"
INTEGER_DIGITS, DECIMAL_PLACES = 9, 12
CURRENCY = r"^[A-Z]{3}$"


def amount_key(value: str) -> str:
    """SQL for the sort key of the amount `value` (an SQL expression): its integer part padded
    to 9 digits, then its decimals padded to 12, so text order is numeric order, exactly."""
    dot = f"instr({value}, '.')"
    whole = f"(CASE WHEN {dot} > 0 THEN substr({value}, 1, {dot} - 1) ELSE {value} END)"
    part = f"(CASE WHEN {dot} > 0 THEN substr({value}, {dot} + 1) ELSE '' END)"
    return (
        f"substr('{'0' * INTEGER_DIGITS}' || {whole}, -{INTEGER_DIGITS}) "
        f"|| substr({part} || '{'0' * DECIMAL_PLACES}', 1, {DECIMAL_PLACES})"
    )


class PriceSchema(Record):
    id = slug(required=True, example="aws:claude-sonnet-4-5:serverless:input:2025-09-29")
    offering = slug(required=True)
    region = slug(
        allow_none=True,
        load_default=None,
        metadata={"description": "One of the offering's regions; null: every region of it."},
    )
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))
    amount = fields.String(
        required=True,
        validate=validate.Regexp(
            AMOUNT,
            error='A decimal string such as "3.00" or "0.075": no sign or exponent, up to '
            "9 digits before the point and 12 after it (a JSON number is not taken: it rounds).",
        ),
        metadata={
            "description": "The price per unit, as a decimal string (exact, never a float).",
            "pattern": AMOUNT,
            "example": "3.00",
        },
    )
    currency = fields.String(
        required=True,
        validate=validate.Regexp(CURRENCY, error="An ISO 4217 code such as USD."),
        metadata={"description": "ISO 4217 currency code.", "pattern": CURRENCY, "example": "USD"},
    )
    effective_from = Instant(
        required=True, metadata={"description": "In force from this instant (inclusive)."}
    )
    effective_until = Instant(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "In force until this instant (exclusive); null: until further notice. "
            "A later price of the same offering, region, unit and currency sets it."
        },
    )
    effective_from_certainty = fields.String(
        required=True,
        validate=validate.OneOf(CERTAINTIES),
        metadata={"description": "How sure effective_from is (see the offerings' certainties)."},
    )
    source = url(required=True, metadata={"description": "Where the price is published."})
    origin = origin_field()


def _rules(record: dict[str, Any]) -> Problems:
    return in_order(record, "effective_from", "effective_until")


_OFFERING_IN = "t.offering IN (SELECT id FROM offerings WHERE {0} = :{0})"
IN_FORCE = "t.effective_from <= :at AND (t.effective_until IS NULL OR t.effective_until > :at)"

PRICES = Resource(
    name="prices",
    noun="price",
    schema=PriceSchema,
    table="prices",
    list_rule="/prices",
    item_rule="/prices/<price_id>",
    list_doc="List prices; `at` keeps those in force at that instant.",
    item_doc="Get one price.",
    sorts=("id", "effective_from", "amount", "offering", "created_at", "updated_at"),
    sort_keys={"amount": amount_key},
    filters={
        "model": Filter(
            query_slug("Only prices of offerings of this model."),
            _OFFERING_IN.format("model"),
            refers="models",
        ),
        "cloud": Filter(
            query_slug("Only prices of offerings on this cloud."),
            _OFFERING_IN.format("cloud"),
            refers="clouds",
        ),
        "region": Filter(
            query_slug(
                "Only prices that apply in this region (the cloud's region id): set for it, or "
                "set for every region of an offering there."
            ),
            "(t.region = :region OR (t.region IS NULL AND EXISTS (SELECT 1 FROM offering_regions"
            " r WHERE r.offering = t.offering AND r.region = :region)))",
            refers="regions",
        ),
        "unit": Filter(
            fields.String(
                validate=validate.OneOf(UNITS), metadata={"description": "Only this unit."}
            ),
            "t.unit = :unit",
        ),
        "currency": Filter(
            fields.String(
                validate=validate.Regexp(CURRENCY),
                metadata={"description": "Only this currency (ISO 4217).", "pattern": CURRENCY},
            ),
            "t.currency = :currency",
        ),
        "at": Filter(
            query_instant("Only prices in force at this instant (effective_from <= at < until)."),
            IN_FORCE,
            compares=("effective_from", "effective_until"),
        ),
        # Set by the code: /offerings/{id}/prices, and the store's search for a price's series
        # (one offering, region, unit and currency; '' stands for the null region).
        "offering": Filter(None, "t.offering = :offering"),
        "series_region": Filter(None, "coalesce(t.region, '') = :series_region"),
    },
    references=(Reference("offering", "offerings"),),
    rules=_rules,
)
