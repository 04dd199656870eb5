"""Webhook subscriptions over HTTP: create (the secret shown once), list, read, delete, and the
log of delivery attempts. Every route needs a token with the write scope."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, request
from marshmallow import Schema, ValidationError, fields, validate

from .. import config, resources
from ..core import webhooks
from ..declarations.schemas import flatten_errors
from ..http import auth
from ..http.context import request_args
from ..http.errors import APIError, invalid
from ..http.operations import JSON, operation
from ..resources.subscriptions import DeliverySchema, NewSubscriptionSchema
from ..storage import queries, store
from ..storage.db import get_live_db, get_write_db
from .preconditions import check_if_match
from .responses import etag, json_response, not_found

bp = Blueprint("subscriptions", __name__)
SUBSCRIPTIONS = resources.get("subscriptions")
PROBLEMS = (400, 401, 403, 404)


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.Integer(
        validate=validate.Range(min=0, max=2**62),
        metadata={"description": "next_cursor of the previous page."},
    )


def _private(body: Any, status: int = 200) -> Response:
    """An answer for the token holder only: its own content's ETag, never kept by a cache."""
    tag = etag(body)
    if status == 200 and request.if_none_match.contains(tag.strip('"')):
        response = Response(status=304)
    else:
        response = json_response(body, status)
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = "no-store"
    return response


def _subscription(ident: str) -> dict[str, Any]:
    found = webhooks.get(get_live_db(), ident)
    if found is None:
        raise not_found("subscription", ident)
    return found


def _load_body() -> dict[str, Any]:
    if request.mimetype != JSON:
        raise APIError(415, f"Send the body as {JSON}.", problem="unsupported-media-type")
    try:
        data = json.loads(request.get_data(cache=False) or b"null")
    except ValueError as error:
        raise invalid({"body": [f"Not valid JSON: {error}"]}) from None
    if not isinstance(data, dict):
        raise invalid({"body": ["Must be a JSON object."]})
    try:
        loaded: dict[str, Any] = SUBSCRIPTIONS.schema().load(data)
    except ValidationError as error:
        raise invalid(flatten_errors(error.messages)) from None
    return loaded


def _check(record: dict[str, Any]) -> None:
    """400 naming `events` (with the known names), `url`, or a filter naming no record."""
    unknown = webhooks.unknown_events(record["events"])
    if unknown:
        raise APIError(
            400,
            f"Unknown event names: {', '.join(unknown)}; "
            f"known: {', '.join(webhooks.KNOWN_EVENTS)}.",
            title="Invalid request",
            problem="invalid-request",
            errors={"events": [f"Unknown event name {name!r}." for name in unknown]},
            extra={"known_events": list(webhooks.KNOWN_EVENTS)},
        )
    try:
        webhooks.check_url(record["url"], config.flag(current_app, "WEBHOOKS_ALLOW_PRIVATE"))
    except webhooks.UnsafeURL as error:
        raise invalid({"url": [f"The URL {error}."]}) from None
    conn = get_live_db()
    for name, target in (("model", "models"), ("cloud", "clouds"), ("provider", "providers")):
        value = record.get(name)
        if value and queries.get_by_key(conn, resources.get(target), (value,)) is None:
            raise invalid({name: [f"There is no {resources.get(target).noun} {value!r}."]})


def _begin() -> str:
    if config.flag(current_app, "READ_ONLY"):
        raise APIError(
            405,
            "This catalog is a read-only replica; send writes to the primary.",
            problem="read-only",
            headers={"Allow": "GET, HEAD"},
        )
    return auth.require("write").name


@bp.post("/subscriptions")
@operation(
    body=SUBSCRIPTIONS.schema(),
    response=NewSubscriptionSchema,
    success=201,
    problems=(400, 401, 403, 413, 415, 503, 507),
)
def create_subscription() -> Response:
    """Subscribe a URL to changes (write scope); the answer shows the signing secret, once.

    Each matching change is POSTed as JSON, signed as Standard Webhooks do (webhook-id,
    webhook-timestamp, webhook-signature), at least once, in feed order, retried with growing
    delays for 24 hours; GET .../deliveries lists the attempts.
    """
    actor = _begin()
    record = _load_body()
    _check(record)
    conn = get_write_db()
    with store.transaction(conn):
        created = webhooks.create(conn, record, actor)
    response = _private(created, 201)
    response.headers["Location"] = f"/v1/subscriptions/{created['id']}"
    return response


@bp.get("/subscriptions")
@operation(args=PageArgs, response=SUBSCRIPTIONS.schema, page=True, problems=PROBLEMS,
           etag=None)  # fmt: skip
def list_subscriptions() -> Response:
    """List the webhook subscriptions (write scope), oldest first; secrets are never shown."""
    auth.require("write")
    args = request_args()
    rows = (
        get_live_db()
        .execute(
            f"SELECT rowid, {webhooks.COLUMNS} FROM subscriptions WHERE rowid > ? "
            "ORDER BY rowid LIMIT ?",
            [args.get("cursor", 0), args["limit"] + 1],
        )
        .fetchall()
    )
    items = [webhooks.shown(row) for row in rows[: args["limit"]]]
    more = len(rows) > args["limit"]
    cursor = str(rows[args["limit"] - 1]["rowid"]) if more else None
    for item in items:
        item.pop("rowid")
    return _private({"items": items, "next_cursor": cursor})


@bp.get("/subscriptions/<subscription_id>")
@operation(response=SUBSCRIPTIONS.schema, problems=PROBLEMS, etag=None)
def get_subscription(subscription_id: str) -> Response:
    """A webhook subscription (write scope), without its secret."""
    auth.require("write")
    return _private(_subscription(subscription_id))


@bp.delete("/subscriptions/<subscription_id>")
@operation(success=204, problems=(401, 403, 404, 412, 428, 503, 507), if_match="required")
def delete_subscription(subscription_id: str) -> Response:
    """Delete a webhook subscription and its queue (write scope); needs If-Match."""
    _begin()
    conn = get_write_db()
    with store.transaction(conn):
        current = webhooks.get(conn, subscription_id)
        if current is None:
            raise not_found("subscription", subscription_id)
        check_if_match(current)
        conn.execute("DELETE FROM subscriptions WHERE id = ?", [subscription_id])
    return Response(status=204)


@bp.get("/subscriptions/<subscription_id>/deliveries")
@operation(args=PageArgs, response=DeliverySchema, page=True, problems=PROBLEMS, etag=None)
def list_deliveries(subscription_id: str) -> Response:
    """The delivery attempts of a subscription (write scope), oldest first."""
    auth.require("write")
    args = request_args()
    _subscription(subscription_id)
    rows = (
        get_live_db()
        .execute(
            "SELECT a.id, o.seq, o.event, a.attempt, a.at, a.status, a.error, a.duration_ms, "
            "o.state FROM webhook_attempts AS a JOIN webhook_outbox AS o ON o.id = a.outbox "
            "WHERE a.subscription = ? AND a.id > ? ORDER BY a.id LIMIT ?",
            [subscription_id, args.get("cursor", 0), args["limit"] + 1],
        )
        .fetchall()
    )
    items = [
        {"webhook_id": webhooks.webhook_id(row["seq"], subscription_id)}
        | {k: row[k] for k in DeliverySchema().fields if k != "webhook_id"}
        for row in rows[: args["limit"]]
    ]
    more = len(rows) > args["limit"]
    return _private({"items": items, "next_cursor": str(rows[-2]["id"]) if more else None})
