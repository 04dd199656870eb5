"""Offerings: one model on one cloud under one deployment type."""

from flask import Blueprint, Response

from .. import schemas
from . import collection, item, load_args, operation

bp = Blueprint("offerings", __name__)


@bp.get("/offerings")
@operation(
    args=schemas.OfferingListArgs,
    response=schemas.OfferingSchema,
    page=True,
    formats=("json", "csv"),
    problems=(400,),
)
def list_offerings() -> Response:
    """List offerings; `at` keeps those available at that instant."""
    return collection("offerings", load_args(schemas.OfferingListArgs))


@bp.get("/offerings/<offering_id>")
@operation(args=schemas.ItemArgs, response=schemas.OfferingSchema, etag="record")
def get_offering(offering_id: str) -> Response:
    """Get one offering."""
    load_args(schemas.ItemArgs)
    return item("offerings", offering_id, "offering")
