"""Building answers: JSON, single records with their ETags, pages of collections, 404s."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from .. import resources
from ..core import spans
from ..declarations.resource import Key, Resource
from ..http.context import current_operation, filters_of, negotiate, request_args
from ..http.errors import APIError, invalid
from ..http.operations import JSON, Answer, to_json
from ..storage import cursors, encoded, queries
from ..storage.db import get_db
from .formats import RENDERERS


def etag(record: dict[str, Any]) -> str:
    """A record's strong entity tag: the hash of the record as the API shows it (what If-Match
    on a write compares)."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON response."""
    return Response(to_json(body), status=status, mimetype=JSON)


def answered(path: dict[str, str], args: dict[str, Any] | None = None) -> Response:
    """The answer of a view whose Operation declares it (Operation.answer), as JSON."""
    answer = current_operation().answer
    assert answer is not None, f"{request.endpoint} declares no answer"
    asked = request._get_current_object()  # type: ignore[attr-defined]
    body = answer(get_db(), path, request_args() if args is None else args, asked)
    return _sent(body) if isinstance(body, Answer) else json_response(body)


def _sent(answer: Answer) -> Response:
    response = Response(answer.body, mimetype=answer.media_type)
    response.headers.extend(answer.headers)
    return response


def not_found(noun: str, key: str) -> APIError:
    """The 404 for a record that does not exist."""
    return APIError(404, f"There is no {noun} {key!r}.", problem="not-found")


def existing(name: str, key: Key, conn: sqlite3.Connection | None = None) -> dict[str, Any]:
    """A record this request reads (from `conn`, else the request's catalog), or a 404."""
    resource = resources.get(name)
    record = queries.get_by_key(conn or get_db(), resource, key)
    if record is None:
        raise not_found(resource.noun, key[-1])
    return record


def shown(resource: Resource, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records as the API shows them: with the fields derived in Python filled in."""
    return spans.shown(get_db(), resource.name, records)


def record_response(record: dict[str, Any], status: int = 200) -> Response:
    """A record with its strong ETag; 304 when the client already has this version."""
    tag = etag(record)
    if status == 200 and request.if_none_match.contains(tag.strip('"')):
        response = Response(status=304)
    else:
        response = json_response(record, status)
    response.headers["ETag"] = tag
    return response


def collection_response(
    resource: Resource, args: dict[str, Any], scope: dict[str, Any] | None = None
) -> Response:
    """A page of a collection as JSON, or every matching row in another format its declaration
    lists (formats.RENDERERS); `scope` adds filters."""
    filters = filters_of(args) | (scope or {})
    chosen = negotiate(args, resource.formats)
    if chosen != "json":
        return RENDERERS[chosen](resource, filters, args["sort"])
    query = request.args.to_dict()
    return _sent(page_answer(get_db(), resource, args, filters, request.path, query))


def page_answer(
    conn: sqlite3.Connection,
    resource: Resource,
    args: dict[str, Any],
    filters: dict[str, Any],
    path: str,
    query: dict[str, str],
) -> Answer:
    """A page of a collection as JSON, and the Link to the next page (if one follows): `path`
    with `query` (the request's, each name's first value) and the next cursor."""

    def encode(row: Sequence[Any]) -> bytes:  # once per row and catalog version
        record = spans.shown(conn, resource.name, [dict(zip(resource.fields, row, strict=True))])
        return to_json(record[0])

    try:
        items, next_cursor = encoded.page(
            conn,
            resource,
            filters,
            sort=args["sort"],
            limit=args["limit"],
            cursor=args.get("cursor"),
            form="json",
            encode=encode,
        )
    except cursors.BadCursor as error:
        raise invalid({"cursor": [str(error)]}) from None
    # What json_response would write for {"items": [...], "next_cursor": ...}, byte for byte.
    body = b'{"items": [%s], "next_cursor": %s}' % (
        b", ".join(items),
        json.dumps(next_cursor).encode(),
    )
    if not next_cursor:
        return Answer(body, [])
    following = urlencode(query | {"cursor": next_cursor})
    return Answer(body, [("Link", f'<{path}?{following}>; rel="next"')])
