"""Prices beyond the generic routes: an offering's prices, and the procurement comparison."""

from operator import itemgetter

from flask import Blueprint, Response
from marshmallow import fields, validate

from .. import resources
from ..core import comparison, identity
from ..declarations.args import Args, as_of_field
from ..declarations.fields import query_instant, query_slug, text
from ..http.context import negotiate, request_args
from ..http.operations import operation
from ..resources.prices import UNITS
from ..storage.db import get_db
from .formats import csv_line, csv_response
from .responses import collection_response, existing, json_response

bp = Blueprint("price_answers", __name__)
PRICES = resources.get("prices")


class PriceComparisonArgs(Args):
    as_of = as_of_field()
    at = query_instant("The instant asked about (default: now): prices in force then.")
    unit = fields.String(
        validate=validate.OneOf(UNITS), metadata={"description": "Only this unit."}
    )
    region = query_slug(
        "Only offerings in this region (the cloud's region id), at prices set for it or for "
        "every region."
    )
    geography = text(
        20,
        metadata={
            "description": "Only offerings whose data stays in this geography (US, EU, ...): a "
            "region of it serves them or they are its data-zone route; a price set for a region "
            "elsewhere is left out. An unknown geography is a 400 with suggestions."
        },
    )
    format = fields.String(
        validate=validate.OneOf(("json", "csv")),
        metadata={"description": "Response format; overrides the Accept header."},
    )


@bp.get("/offerings/<offering_id>/prices")
@operation(
    args=PRICES.list_args,
    response=PRICES.schema,
    page=True,
    formats=PRICES.formats,
    problems=(400, 404),
)
def list_offering_prices(offering_id: str) -> Response:
    """List one offering's prices; `at` keeps those in force at that instant."""
    args = request_args()
    existing("offerings", (offering_id,))
    return collection_response(PRICES, args, {"offering": offering_id})


@bp.get("/models/<model_id>/prices")
@operation(
    args=PriceComparisonArgs,
    response=comparison.PriceComparisonSchema,
    formats=("json", "csv"),
    now_when=(),
)
def compare_prices(model_id: str) -> Response:
    """The procurement comparison: for every cloud offering the model at `at` (default now),
    the prices in force, cheapest first per unit and currency, each with that cloud's
    exclusivity state and the offering's lifecycle: what is cheapest, and whether it is
    allowed there. A free tier (`free`) sorts after the paid prices; an offering with no price
    known is listed after them with `amount` null.

    As CSV (`format=csv`), one row per offering, price region and currency, one column per unit.
    """
    args = request_args()
    at = args["at"]
    model = existing("models", (model_id,))
    conn = get_db()
    args = identity.resolve_filters(conn, {"region": "regions"}, args)  # 400, with suggestions
    items = comparison.comparison(
        conn, model, at, args.get("unit"), args.get("region"), args.get("geography")
    )
    if negotiate(args, ("json", "csv")) == "csv":
        cells = itemgetter(*comparison.WIDE_FIELDS)
        rows = (cells(row) for row in comparison.wide(items))
        return csv_response(comparison.WIDE_FIELDS, map(csv_line, rows), f"{model_id}-prices.csv")
    return json_response({"model": model_id, "at": at, "items": items})
