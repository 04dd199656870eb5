"""Authenticated writes, generated for every writable resource: POST, PUT, PATCH, DELETE.

Each view parses and validates the body, then hands it to store.writing, the one write path;
what the store refuses becomes a 409 in errors.py.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from .. import config, resources
from ..core import spans
from ..declarations.resource import Key, Resource, record_id
from ..declarations.schemas import flatten_errors
from ..http import auth
from ..http.errors import APIError, invalid
from ..http.operations import JSON as JSON_MEDIA
from ..http.operations import MERGE_PATCH, operation
from ..storage import store
from ..storage.db import get_write_db
from .preconditions import check_if_match, merge_patch
from .responses import not_found, record_response

WRITE_PROBLEMS = (400, 401, 403, 409, 413, 415, 422, 503, 507)


def _begin(scope: str = "write") -> tuple[sqlite3.Connection, str]:
    """The write connection and the caller's name: a replica says so before anything else."""
    if config.flag(current_app, "READ_ONLY"):
        raise APIError(
            405,
            "This catalog is a read-only replica; send writes to the primary.",
            problem="read-only",
            headers={"Allow": "GET, HEAD"},
        )
    conn = get_write_db()
    return conn, auth.require(scope).name


def _body(*media_types: str) -> dict[str, Any]:
    if request.mimetype not in media_types:
        raise APIError(
            415, f"Send the body as {' or '.join(media_types)}.", problem="unsupported-media-type"
        )
    try:
        body = json.loads(_read_body() or b"null")
    except ValueError as error:
        raise invalid({"body": [f"Not valid JSON: {error}"]}) from None
    except RecursionError:  # the decoder's own limit, far past MAX_DEPTH
        raise invalid({"body": [f"Nested deeper than {MAX_DEPTH} levels."]}) from None
    if not isinstance(body, dict):
        raise invalid({"body": ["Must be a JSON object."]})
    wrong = _unstorable(body)
    if wrong:
        raise invalid(wrong)
    return body


MAX_DEPTH = 64


def _read_body() -> bytes:
    """The request body; 413 when it is over MAX_CONTENT_LENGTH, however it is sent. Werkzeug
    refuses a Content-Length over the limit, but cuts a chunked body at it without a word (and
    the cut JSON then reads as malformed): read one byte more than allowed to tell."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.content_length is not None or not limit:
        return request.get_data(cache=False)
    data: bytes = request.environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        raise RequestEntityTooLarge()
    return data


def _unstorable(body: dict[str, Any]) -> dict[str, list[str]]:
    """What no record can hold, by top-level field: nesting past MAX_DEPTH, a lone surrogate
    (SQLite cannot bind it) or a NUL (C code cuts text at it). Walked without recursion, so any
    depth the decoder took is safe to look at."""
    wrong: dict[str, list[str]] = {}
    stack: list[tuple[Any, str, int]] = [(body, "body", 1)]
    while stack:
        value, field, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                wrong.setdefault(field, []).append("Text may not hold a NUL character.")
            elif not _encodable(value):
                wrong.setdefault(field, []).append("Text may not hold a lone surrogate.")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            wrong.setdefault(field, []).append(f"Nested deeper than {MAX_DEPTH} levels.")
            continue
        items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
        for key, item in items:
            name = key if depth == 1 and isinstance(key, str) else field
            if isinstance(key, str):
                stack.append((key, name, depth))  # keys are text too
            stack.append((item, name, depth + 1))
    return {name: sorted(set(problems)) for name, problems in wrong.items()}


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _load(resource: Resource, data: dict[str, Any], merged: bool = False) -> dict[str, Any]:
    """The body as a record: 400 if it does not fit the schema, 422 if it breaks a rule.

    A merged patch that no longer fits (a required field cleared with null) is a 422 too: the
    patch itself fitted its schema, where every field may be null.
    """
    record, broken = resource.validate(data)
    if record is None and not merged:
        raise invalid(broken)
    if broken or record is None:
        raise APIError(
            422,
            f"The {resource.noun} breaks a rule: {', '.join(sorted(broken))}.",
            problem="unprocessable",
            errors=broken,
        )
    return record


def _same_key(resource: Resource, data: dict[str, Any], key: Key) -> dict[str, Any]:
    """The body with its key taken from the URL; a body naming another key is a 400."""
    wanted = dict(zip(resource.key, key, strict=True))
    wrong = {n: ["Must match the URL."] for n, k in wanted.items() if data.get(n, k) != k}
    if wrong:
        raise invalid(wrong)
    return data | wanted


def _shown(writer: store.Writer, resource: Resource, key: Key) -> dict[str, Any] | None:
    """The record as the API shows it (and tags it), derived fields included: If-Match and the
    answer use the same ETag a GET gives."""
    record = writer.get(resource.name, key)
    return None if record is None else spans.shown(writer.conn, resource.name, [record])[0]


def _answer(resource: Resource, written: dict[str, Any], created: bool) -> Response:
    response = record_response(written, 201 if created else 200)
    if created:
        response.headers["Location"] = resource.location(resource.key_of(written))
    return response


def _create(resource: Resource) -> Callable[..., Response]:
    def create(**path: str) -> Response:
        conn, actor = _begin()
        data = _body(JSON_MEDIA)
        scope = resource.key[:-1]  # a region's cloud comes from the URL
        if scope:
            data = _same_key(resource, data, (*(path[p] for p in path), data.get("id", "")))
        record = _load(resource, data)
        with store.writing(conn, actor) as writer:
            writer.put(resource.name, record, create_only=True)
            written = _shown(writer, resource, resource.key_of(record))
        assert written is not None
        return _answer(resource, written, created=True)

    create.__doc__ = f"Create a {resource.noun} (needs a token with the write scope)."
    return create


def _replace(resource: Resource) -> Callable[..., Response]:
    def replace(**path: str) -> Response:
        conn, actor = _begin()
        key = resource.key_from_path(path)
        record = _load(resource, _same_key(resource, _body(JSON_MEDIA), key))
        with store.writing(conn, actor) as writer:
            current = _shown(writer, resource, key)
            check_if_match(current)
            writer.put(resource.name, record)
            written = _shown(writer, resource, key)
        assert written is not None
        return _answer(resource, written, created=current is None)

    replace.__doc__ = (
        f"Create or replace a {resource.noun}; replacing needs If-Match with its current ETag."
    )
    return replace


def _patch(resource: Resource) -> Callable[..., Response]:
    patch_schema = resource.schema(partial=True)

    def patch(**path: str) -> Response:
        conn, actor = _begin()
        key = resource.key_from_path(path)
        changes = _body(MERGE_PATCH, JSON_MEDIA)
        # A 400 for a patch that cannot fit the schema, before any precondition is looked at;
        # null clears a field, and whether that leaves the record valid is judged after merging.
        errors = patch_schema.validate({n: v for n, v in changes.items() if v is not None})
        if errors:
            raise invalid(flatten_errors(errors))
        with store.writing(conn, actor) as writer:
            current = _shown(writer, resource, key)
            if current is None:
                raise not_found(resource.noun, record_id(key))
            check_if_match(current)
            merged = merge_patch(store.fixture_form(current), changes)
            record = _load(resource, _same_key(resource, merged, key), merged=True)
            writer.put(resource.name, record)
            written = _shown(writer, resource, key)
        assert written is not None
        return _answer(resource, written, created=False)

    patch.__doc__ = (
        f"Change some fields of a {resource.noun} (JSON merge patch; null clears a field); "
        "needs If-Match."
    )
    return patch


def _delete(resource: Resource) -> Callable[..., Response]:
    def delete(**path: str) -> Response:
        conn, actor = _begin()
        key = resource.key_from_path(path)
        with store.writing(conn, actor) as writer:
            current = _shown(writer, resource, key)
            if current is None:
                raise not_found(resource.noun, record_id(key))
            check_if_match(current)
            writer.delete(resource.name, key)
        return Response(status=204)

    delete.__doc__ = f"Delete a {resource.noun} (its history keeps it); needs If-Match."
    return delete


def blueprint() -> Blueprint:
    """The write routes of every writable resource (generated: they are all alike)."""
    bp = Blueprint("writes", __name__)
    for name in resources.WRITABLE:
        r = resources.get(name)
        assert r.list_rule and r.item_rule
        # The URL names the record: bodies as documented leave out what the URL says.
        new_body = r.schema(exclude=r.key[:-1]) if r.key[:-1] else r.schema()
        routes = [
            (r.list_rule, "POST", _create, operation(
                body=new_body, response=r.schema, success=201, problems=(*WRITE_PROBLEMS, 404))),
            (r.item_rule, "PUT", _replace, operation(
                body=r.schema(exclude=r.key), response=r.schema,
                problems=(*WRITE_PROBLEMS, 412, 428), if_match="optional")),
            (r.item_rule, "PATCH", _patch, operation(
                body=r.schema(partial=True, exclude=r.key), partial=True, response=r.schema,
                problems=(*WRITE_PROBLEMS, 404, 412, 428), if_match="required")),
            (r.item_rule, "DELETE", _delete, operation(
                success=204, problems=(401, 403, 404, 409, 412, 428, 503, 507),
                if_match="required")),
        ]  # fmt: skip
        for rule, method, factory, describe in routes:
            view = describe(factory(r))
            view.__name__ = f"{view.__name__}_{name.replace('-', '_')}"
            bp.add_url_rule(rule, view.__name__, view, methods=[method])
    return bp
