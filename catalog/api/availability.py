"""The availability answers: can model M be bought on cloud C (region R) at T; who is exclusive."""

import sqlite3
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response
from werkzeug.wrappers import Request

from .. import resources
from ..core import reading
from ..core.rules import covers
from ..declarations import answers
from ..declarations.args import AvailabilityArgs, CloudAvailabilityArgs
from ..http.errors import APIError
from ..http.operations import Answer, operation, to_json
from ..storage import moments, queries, versions
from ..storage.moments import Instants, days_to, instants_in, moment
from .responses import answered, not_found

bp = Blueprint("availability", __name__)


def _facts(conn: sqlite3.Connection, model_id: str) -> tuple[dict[str, Any], Instants]:
    """The model (a 404 if none) and the instants its answers compare `at` with: its own
    offerings' and those of the windows covering it (a first-ship span ends at one of them
    too; rules.states reads no other window), read once per catalog version."""

    def read() -> tuple[dict[str, Any], Instants] | None:
        model = queries.get_record(conn, resources.get("models"), model_id)
        if model is None:
            return None
        windows = reading.kept_by_id(conn, "exclusivity-windows").values()
        covering = [w for w in windows if covers(w, model)]
        return model, instants_in([model, *reading.offerings_of(conn, model_id), *covering])

    found = versions.per_version(conn, ("availability facts", model_id), read)
    if found is None:
        raise not_found("model", model_id)
    return found


_MARK = "\x00at\x00"  # what stands for `at` in a kept answer (no instant, no text field is it)
_MARKED = to_json(_MARK)[1:-1]


def _per_moment(
    conn: sqlite3.Connection,
    key: tuple[Any, ...],
    instants: Instants,
    at: str,
    make: Callable[[], dict[str, Any]],
) -> Answer | dict[str, Any]:
    """An availability answer, made once per moment of `at` (moments.py) and the whole days
    from it to each later fact (an exclusivity's days_remaining): kept as its JSON on either
    side of its "at" member, where each request's `at` goes (the answers show it nowhere else)."""
    this = _moment(key, instants, at)
    found = moments.kept(conn, this)
    if found is None:
        answer = make()
        parts = to_json({**answer, "at": _MARK}).split(_MARKED)
        if len(parts) != 2:  # the mark in the data too: answered, not kept
            return answer
        found = moments.per_moment(conn, this, lambda: (parts[0], parts[1]))

    def again(conn: sqlite3.Connection, other: str, text: str) -> Answer | None:
        kept = moments.kept(conn, _moment(key, instants, other))
        return None if kept is None else Answer(kept[0] + other.encode() + kept[1], [])

    return Answer(found[0] + at.encode() + found[1], [], again=again)


def _moment(key: tuple[Any, ...], instants: Instants, at: str) -> tuple[Any, ...]:
    return (*key, moment(instants, at), days_to(instants, at))


def _model_answer(
    conn: sqlite3.Connection, path: dict[str, str], args: dict[str, Any], asked: Request
) -> Any:
    at, geography = args["at"], args.get("geography")
    model, instants = _facts(conn, path["model_id"])

    def make() -> dict[str, Any]:
        clouds = reading.cloud_availability(conn, model, at, geography=geography)
        return {"model": model["id"], "at": at, "clouds": clouds}

    return _per_moment(conn, ("every cloud", model["id"], geography), instants, at, make)


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
    geography = args.get("geography")
    model, instants = _facts(conn, path["model_id"])
    cloud = reading.kept_by_id(conn, "clouds").get(cloud_id)
    if cloud is None:
        raise not_found("cloud", cloud_id)
    if region and queries.get_by_key(conn, resources.get("regions"), (cloud_id, region)) is None:
        raise APIError(404, f"There is no region {region!r} on {cloud_id}.", problem="not-found")
    key = ("cloud", model["id"], cloud_id, region, geography)
    return _per_moment(
        conn,
        key,
        instants,
        at,
        lambda: reading.ci_answer(conn, model, cloud, at, region, geography),
    )


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
