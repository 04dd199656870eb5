"""The availability answers: can model M be bought on cloud C (region R) at T; who is exclusive."""

from flask import Blueprint, Response

from .. import answers, queries, reading, resources
from ..args import AvailabilityArgs, CloudAvailabilityArgs
from ..context import request_args
from ..db import get_db
from ..errors import APIError
from ..operations import operation
from .responses import existing, json_response

bp = Blueprint("availability", __name__)


@bp.get("/models/<model_id>/availability")
@operation(args=AvailabilityArgs, response=answers.ModelAvailabilitySchema, now_when=())
def model_availability(model_id: str) -> Response:
    """For every cloud: is the model available at `at` (default now), where, and its exclusivity."""
    args = request_args()
    at = args["at"]
    model = existing("models", (model_id,))
    clouds = reading.cloud_availability(get_db(), model, at, geography=args.get("geography"))
    return json_response({"model": model_id, "at": at, "clouds": clouds})


@bp.get("/models/<model_id>/availability/<cloud_id>")
@operation(args=CloudAvailabilityArgs, response=answers.AvailabilityAnswerSchema, now_when=())
def cloud_availability(model_id: str, cloud_id: str) -> Response:
    """The CI answer: is the model available on one cloud (in `region`) at `at`; its exclusivity."""
    args = request_args()
    at = args["at"]
    region = args.get("region")
    model = existing("models", (model_id,))
    cloud = existing("clouds", (cloud_id,))
    conn = get_db()
    if region and queries.get_by_key(conn, resources.get("regions"), (cloud_id, region)) is None:
        raise APIError(404, f"There is no region {region!r} on {cloud_id}.", problem="not-found")
    answer = reading.ci_answer(conn, model, cloud, at, region, args.get("geography"))
    return json_response(answer)
