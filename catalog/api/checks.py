"""GET /v1/checks: many CI answers in one request, each saying whether its condition holds.

A CI job with twenty models to check asks once instead of starting twenty processes. `pair` is
a list argument: given once per check (context.py reads List arguments that way).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Blueprint, Response
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.wrappers import Request

from .. import resources
from ..core import reading, verdicts
from ..declarations import answers
from ..declarations.args import Args, as_of_field
from ..declarations.fields import query_bool, query_instant
from ..http.errors import invalid
from ..http.operations import operation
from ..storage import queries
from .responses import answered

bp = Blueprint("checks", __name__)

MAX_PAIRS = 100
_ID = r"[a-z0-9][a-z0-9._-]*"
PAIR = rf"^{_ID}:{_ID}(:{_ID})?$"


def _how_many(pairs: list[str]) -> None:
    if not 1 <= len(pairs) <= MAX_PAIRS:
        raise ValidationError(
            f"Give 1 to {MAX_PAIRS} pairs in one request ({len(pairs)} given); split a longer list."
        )


class ChecksArgs(Args):
    pair = fields.List(
        fields.String(
            validate=[
                validate.Length(max=500),
                validate.Regexp(PAIR, error="Not MODEL:CLOUD or MODEL:CLOUD:REGION."),
            ]
        ),
        required=True,
        validate=_how_many,
        metadata={
            "description": "MODEL:CLOUD or MODEL:CLOUD:REGION, repeated: one per check "
            f"(1 to {MAX_PAIRS}); answered in this order. Each item is that pair's CI answer "
            "(as GET /v1/models/{id}/availability/{cloud} gives it) with `ok` and `reason`.",
            "minItems": 1,
            "maxItems": MAX_PAIRS,
        },
    )
    as_of = as_of_field()
    at = query_instant("The instant asked about (default: now).")
    exclusive = query_bool("Demand that each cloud holds exclusivity.")
    min_days = fields.Integer(
        validate=validate.Range(min=0),
        metadata={"description": "Demand at least this many days of exclusivity left."},
    )
    retires_within = fields.Integer(
        validate=validate.Range(min=0),
        metadata={
            "description": "Fail a check whose retirement (announced, not-before or happened) "
            "comes before `at` plus this many days."
        },
    )


class CheckSchema(answers.AvailabilityAnswerSchema):
    ok = fields.Boolean(required=True, metadata={"description": "The condition holds."})
    reason = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "One line saying why it does not hold; null when it does."},
    )


class ChecksSchema(Schema):
    items = fields.List(fields.Nested(CheckSchema), required=True)


def _subjects(
    conn: sqlite3.Connection, pairs: list[str]
) -> list[tuple[dict[str, Any], dict[str, Any], str | None]]:
    """Each pair's model and cloud records and region id; a 400 naming every unknown id."""
    found: dict[tuple[str, str], dict[str, Any] | None] = {}

    def record(name: str, key: tuple[str, ...]) -> dict[str, Any] | None:
        if (name, key[-1]) not in found:
            found[(name, key[-1])] = queries.get_by_key(conn, resources.get(name), key)
        return found[(name, key[-1])]

    subjects, unknown = [], []
    for number, pair in enumerate(pairs, 1):
        model_id, cloud_id, *rest = pair.split(":")
        region = rest[0] if rest else None
        model, cloud = record("models", (model_id,)), record("clouds", (cloud_id,))
        if model is None:
            unknown.append(f"Pair {number} ({pair}): there is no model {model_id!r}.")
        if cloud is None:
            unknown.append(f"Pair {number} ({pair}): there is no cloud {cloud_id!r}.")
        elif region and record("regions", (cloud_id, region)) is None:
            unknown.append(f"Pair {number} ({pair}): there is no region {region!r} on {cloud_id}.")
        if model is not None and cloud is not None:
            subjects.append((model, cloud, region))
    if unknown:
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise invalid({"pair": unknown}, unknown[0] + more)
    return subjects


def _answer(
    conn: sqlite3.Connection, path: dict[str, str], args: dict[str, Any], asked: Request
) -> Any:
    at = args["at"]
    items = []
    for model, cloud, region in _subjects(conn, args["pair"]):
        answer = reading.ci_answer(conn, model, cloud, at, region)
        ok, reason = verdicts.verdict(
            answer, args.get("exclusive", False), args.get("min_days"), args.get("retires_within")
        )
        items.append(answer | {"ok": ok, "reason": None if ok else reason})
    return {"items": items}


@bp.get("/checks")
@operation(args=ChecksArgs, response=ChecksSchema, problems=(400,), now_when=(), answer=_answer)
def checks() -> Response:
    """Many CI answers in one request, in the pairs' order, each with `ok` and `reason`."""
    return answered({})
