"""Clouds and platforms that offer models, and their regions."""

from flask import Blueprint, Response

from .. import queries, schemas
from ..db import get_db
from . import collection, item, load_args, not_found, operation

bp = Blueprint("clouds", __name__)


@bp.get("/clouds")
@operation(
    args=schemas.CloudListArgs,
    response=schemas.CloudSchema,
    page=True,
    formats=("json", "csv"),
    problems=(400,),
)
def list_clouds() -> Response:
    """List clouds and platforms, filtered by kind."""
    return collection("clouds", load_args(schemas.CloudListArgs))


@bp.get("/clouds/<cloud_id>")
@operation(args=schemas.ItemArgs, response=schemas.CloudSchema, etag="record")
def get_cloud(cloud_id: str) -> Response:
    """Get one cloud or platform."""
    load_args(schemas.ItemArgs)
    return item("clouds", cloud_id, "cloud")


@bp.get("/clouds/<cloud_id>/regions")
@operation(
    args=schemas.RegionListArgs, response=schemas.RegionSchema, page=True, formats=("json", "csv")
)
def list_regions(cloud_id: str) -> Response:
    """List a cloud's regions."""
    args = load_args(schemas.RegionListArgs)
    if queries.get_record(get_db(), queries.COLLECTIONS["clouds"], cloud_id) is None:
        raise not_found("cloud", cloud_id)
    return collection("regions", args, scope={"cloud": cloud_id})


@bp.get("/clouds/<cloud_id>/regions/<region_id>")
@operation(args=schemas.ItemArgs, response=schemas.RegionSchema, etag="record")
def get_region(cloud_id: str, region_id: str) -> Response:
    """Get one region of a cloud."""
    load_args(schemas.ItemArgs)
    return item("regions", region_id, "region", cloud=cloud_id)
