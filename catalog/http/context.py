"""A request's context, read in one call: its query arguments (by the schema its Operation
names), the catalog it reads (`as_of`) and "now". API views and web pages alike call
`request_args()` (the fast path `arguments()`, its Flask-free part); nothing else reads the
query string or defaults `at`."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import current_app, g, request
from marshmallow import Schema, ValidationError
from marshmallow.fields import Field, List
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

from ..core import identity
from ..declarations.schemas import flatten_errors
from ..storage import as_of
from ..storage.db import get_db, get_live_db
from . import caching
from .errors import APIError, invalid
from .operations import MEDIA_TYPES, Operation, operation_of

_schemas: dict[type[Schema], Schema] = {}
# Clients repeat the same queries (CI polls one URL all day): each query string is validated
# once per worker, and its parsed arguments reused. Only valid ones are kept.
_parsed: dict[tuple[type[Schema], bytes], dict[str, Any]] = {}


def _validate(
    schema_class: type[Schema], blank_is_absent: bool, query: MultiDict[str, str]
) -> dict[str, Any]:
    schema = _schemas.get(schema_class) or _schemas.setdefault(schema_class, schema_class())
    # A List argument is the one kind given more than once (GET /v1/checks' pair).
    lists = {name for name, declared in schema.fields.items() if isinstance(declared, List)}
    repeated = {
        name: ["Given more than once."]
        for name, values in query.lists()
        if len(values) > 1 and name not in lists
    }
    if repeated:
        raise invalid(repeated)
    given: dict[str, Any] = query.to_dict()
    if blank_is_absent:
        given = {name: value for name, value in given.items() if value.strip()}
    given |= {name: query.getlist(name) for name in lists if name in query}
    try:
        args: dict[str, Any] = schema.load(given)
    except ValidationError as error:
        raise invalid(flatten_errors(error.messages)) from None
    return args


def _load(operation: Operation, asked: Request) -> dict[str, Any]:
    schema_class = operation.args
    if schema_class is None:
        return {}
    key = (schema_class, asked.query_string)
    cached = _parsed.get(key)
    if cached is not None:
        return dict(cached)
    query = asked.args
    rest = (schema_class, tuple(item for item in query.items(multi=True) if item[0] != "at"))
    args = _at_only(schema_class, operation.blank_is_absent, query, _rests.get(rest))
    if args is None:
        args = _validate(schema_class, operation.blank_is_absent, query)
        _keep(_rests, rest, {name: value for name, value in args.items() if name != "at"})
    _keep(_parsed, key, args)
    return args


def _keep(kept: dict[Any, dict[str, Any]], key: Any, args: dict[str, Any]) -> None:
    if len(kept) >= 4096:
        kept.clear()
    kept[key] = dict(args)


# A query that differs from one seen only in `at` (a page or a CI script asking another day)
# has the rest of its arguments validated already: then only `at` is, by its own field. The
# arguments a query without `at` gave, by schema and query less `at`.
_rests: dict[tuple[type[Schema], tuple[tuple[str, str], ...]], dict[str, Any]] = {}


def _at_only(
    schema_class: type[Schema],
    blank_is_absent: bool,
    query: MultiDict[str, str],
    rest: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """The arguments, where the rest of the query was validated before and `at` is valid on
    its own; else None (validate the whole query: a bad `at` gets the same 400 that way)."""
    at = query.getlist("at")
    if rest is None or len(at) != 1 or (blank_is_absent and not at[0].strip()):
        return None
    field = _at_field(schema_class)
    if field is None:
        return None
    try:
        return {**rest, field[0]: field[1].deserialize(at[0])}
    except ValidationError:
        return None


_at_fields: dict[type[Schema], tuple[str, Field] | None] = {}


def _at_field(schema_class: type[Schema]) -> tuple[str, Field] | None:
    """The schema's `at` field and the name it loads under; None where the schema has none or
    checks its fields together (a hook could compare `at` with another)."""
    if schema_class not in _at_fields:
        schema = _schemas.get(schema_class) or _schemas.setdefault(schema_class, schema_class())
        found = [
            (declared.attribute or name, declared)
            for name, declared in schema.fields.items()
            if (declared.data_key or name) == "at" and not declared.dump_only
        ]
        hooks = any(schema._hooks.values())
        _at_fields[schema_class] = found[0] if len(found) == 1 and not hooks else None
    return _at_fields[schema_class]


def current_operation() -> Operation:
    """The Operation of the view answering this request."""
    op = operation_of(current_app.view_functions.get(request.endpoint or ""))
    assert op is not None, f"{request.endpoint} has no Operation"
    return op


def request_args() -> dict[str, Any]:
    """The request's query arguments, validated by its Operation's schema (a 400 naming each
    bad or unknown one); with `as_of`, every read of the request sees the catalog as recorded
    then (unless the view filters by it); `at` is now (this minute) exactly when the answer's
    ETag says it speaks of now."""
    op = current_operation()
    args = _load(op, request)
    if "as_of" in args and op.as_of == "catalog":
        g.as_of = args.pop("as_of")  # pages say which record they show (g.as_of)
        g.as_of_db = as_of.catalog_at(get_live_db(), current_app.config["DATABASE"], g.as_of)
    if caching.speaks_of_now(op, request.environ):
        args["at"] = g.get("now") or caching.now()
    return identity.resolve_filters(get_db(), NAMES, args)


def arguments(
    operation: Operation, asked: Request, conn: sqlite3.Connection, now: str | None
) -> dict[str, Any]:
    """A read's arguments as request_args gives them, from a werkzeug Request without Flask
    (the fast path renders with them; it hands `as_of` reads to Flask): `now` is the minute
    caching.decide found the answer speaks of, or None. A bad argument raises the APIError
    request_args would."""
    args = _load(operation, asked)  # werkzeug parses the query as Flask does
    if now is not None:
        args["at"] = now
    return identity.resolve_filters(conn, NAMES, args)


def negotiate(args: dict[str, Any], formats: tuple[str, ...], asked: Request | None = None) -> str:
    """The response format: `format` wins, then the Accept header (of `asked`, else of this
    request); 406 if none fits."""
    if args.get("format"):
        return str(args["format"])
    accept = (asked or request).accept_mimetypes
    if not accept:
        return formats[0]  # no Accept header: the default format
    offered = [MEDIA_TYPES[name] for name in formats]
    best = accept.best_match(offered)
    if best is None:
        raise APIError(
            406,
            f"This resource is available as {', '.join(offered)} (use Accept or format=).",
            problem="not-acceptable",
        )
    return formats[offered.index(best)]


_NOT_FILTERS = ("limit", "cursor", "sort", "format")
# Arguments that name a record, by kind (identity.KINDS): an alias is taken for its id, an
# unknown name is a 400 with suggestions. (The API's list filters resolve in queries too, by
# their declaration; this covers every schema, the pages' included.)
NAMES = {"model": "models", "provider": "providers", "family": "families", "cloud": "clouds"}
NAMES |= {"geography": "geographies"}


def filters_of(args: dict[str, Any]) -> dict[str, Any]:
    """The arguments that filter rows (not paging, sorting or format)."""
    return {name: value for name, value in args.items() if name not in _NOT_FILTERS}
