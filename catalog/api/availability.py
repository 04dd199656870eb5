"""The availability answers: can model M be bought on cloud C (region R) at T; who is exclusive."""

import sqlite3
from typing import Any

from flask import Blueprint, Response
from werkzeug.wrappers import Request

from .. import resources
from ..core import reading
from ..declarations import answers
from ..declarations.args import AvailabilityArgs, CloudAvailabilityArgs
from ..http.errors import APIError
from ..http.operations import operation
from ..storage import queries
from .responses import answered, existing, not_found

bp = Blueprint("availability", __name__)


def _model_answer(
    conn: sqlite3.Connection, path: dict[str, str], args: dict[str, Any], asked: Request
) -> Any:
    at = args["at"]
    model = existing("models", (path["model_id"],), conn)
    clouds = reading.cloud_availability(conn, model, at, geography=args.get("geography"))
    return {"model": model["id"], "at": at, "clouds": clouds}


@bp.get("/models/<model_id>/availability")
@operation(
    args=AvailabilityArgs,
    response=answers.ModelAvailabilitySchema,
    now_when=(),
    answer=_model_answer,
)
def model_availability(model_id: str) -> Response:
    """For every cloud: is the model available at `at` (default now), where, and its exclusivity."""
    return answered({"model_id": model_id})


def _cloud_answer(
    conn: sqlite3.Connection, path: dict[str, str], args: dict[str, Any], asked: Request
) -> Any:
    at, region, cloud_id = args["at"], args.get("region"), path["cloud_id"]
    model = existing("models", (path["model_id"],), conn)
    cloud = reading.kept_by_id(conn, "clouds").get(cloud_id)
    if cloud is None:
        raise not_found("cloud", cloud_id)
    if region and queries.get_by_key(conn, resources.get("regions"), (cloud_id, region)) is None:
        raise APIError(404, f"There is no region {region!r} on {cloud_id}.", problem="not-found")
    return reading.ci_answer(conn, model, cloud, at, region, args.get("geography"))


@bp.get("/models/<model_id>/availability/<cloud_id>")
@operation(
    args=CloudAvailabilityArgs,
    response=answers.AvailabilityAnswerSchema,
    now_when=(),
    answer=_cloud_answer,
)
def cloud_availability(model_id: str, cloud_id: str) -> Response:
    """The CI answer: is the model available on one cloud (in `region`) at `at`; its exclusivity."""
    return answered({"model_id": model_id, "cloud_id": cloud_id})
