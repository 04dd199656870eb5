"""The availability answers: can model M be bought on cloud C (region R) at T; who is exclusive."""

from flask import Blueprint, Response

from .. import instants, queries, rules, schemas
from ..db import get_db
from ..errors import APIError
from . import json_response, load_args, not_found, operation

bp = Blueprint("availability", __name__)


def _model(model_id: str) -> dict:
    model = queries.get_record(get_db(), queries.COLLECTIONS["models"], model_id)
    if model is None:
        raise not_found("model", model_id)
    return model


@bp.get("/models/<model_id>/availability")
@operation(args=schemas.AvailabilityArgs, response=schemas.ModelAvailabilitySchema, now_when=())
def model_availability(model_id: str) -> Response:
    """For every cloud: is the model available at `at` (default now), where, and its exclusivity."""
    args = load_args(schemas.AvailabilityArgs)
    at = args.get("at") or instants.now()
    clouds = rules.cloud_availability(get_db(), _model(model_id), at)
    return json_response({"model": model_id, "at": at, "clouds": clouds})


@bp.get("/models/<model_id>/availability/<cloud_id>")
@operation(
    args=schemas.CloudAvailabilityArgs, response=schemas.AvailabilityAnswerSchema, now_when=()
)
def cloud_availability(model_id: str, cloud_id: str) -> Response:
    """The CI answer: is the model available on one cloud (in `region`) at `at`; its exclusivity."""
    args = load_args(schemas.CloudAvailabilityArgs)
    at = args.get("at") or instants.now()
    region = args.get("region")
    model = _model(model_id)
    conn = get_db()
    if queries.get_record(conn, queries.COLLECTIONS["clouds"], cloud_id) is None:
        raise not_found("cloud", cloud_id)
    if (
        region
        and queries.get_record(conn, queries.COLLECTIONS["regions"], region, cloud=cloud_id) is None
    ):
        raise APIError(404, f"There is no region {region!r} on {cloud_id}.", problem="not-found")
    (answer,) = rules.cloud_availability(conn, model, at, [cloud_id], region)
    return json_response(
        {
            "model": model_id,
            "cloud": cloud_id,
            "region": region,
            "at": at,
            "available": answer["available"],
            "regions": answer["regions"],
            "offerings": answer["offerings"],
            "exclusivity": answer["exclusivity"],
        }
    )
