"""A request's query arguments: validated once per query string, and which catalog they read."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from marshmallow import Schema, ValidationError

from .. import as_of
from ..db import get_live_db
from ..errors import APIError, invalid
from ..operations import MEDIA_TYPES
from ..schemas import flatten_errors

_schemas: dict[type[Schema], Schema] = {}
# Clients repeat the same queries (CI polls one URL all day): each query string is validated
# once per worker, and its parsed arguments reused. Only valid ones are kept.
_parsed: dict[tuple[type[Schema], bytes], dict[str, Any]] = {}


def _validate(schema_class: type[Schema]) -> dict[str, Any]:
    schema = _schemas.get(schema_class) or _schemas.setdefault(schema_class, schema_class())
    repeated = {
        name: ["Given more than once."] for name, values in request.args.lists() if len(values) > 1
    }
    if repeated:
        raise invalid(repeated)
    try:
        args: dict[str, Any] = schema.load(request.args.to_dict())
    except ValidationError as error:
        raise invalid(flatten_errors(error.messages)) from None
    return args


def load_args(schema_class: type[Schema]) -> dict[str, Any]:
    """The request's query arguments, validated; a 400 naming each bad or unknown one."""
    key = (schema_class, request.query_string)
    cached = _parsed.get(key)
    if cached is not None:
        return dict(cached)
    args = _validate(schema_class)
    if len(_parsed) >= 4096:
        _parsed.clear()
    _parsed[key] = dict(args)
    return args


def read_as_of(args: dict[str, Any]) -> None:
    """Answer this request from the catalog as recorded at args["as_of"] (taken out of args),
    if given: get_db() then returns that rebuild instead of the live database."""
    if "as_of" in args:
        g.as_of_db = as_of.catalog_at(
            get_live_db(), current_app.config["DATABASE"], args.pop("as_of")
        )


def negotiate(args: dict[str, Any], formats: tuple[str, ...]) -> str:
    """The response format: `format` wins, then the Accept header; 406 if none fits."""
    if args.get("format"):
        return str(args["format"])
    if not request.accept_mimetypes:
        return formats[0]  # no Accept header: the default format
    offered = [MEDIA_TYPES[name] for name in formats]
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        raise APIError(
            406,
            f"This resource is available as {', '.join(offered)} (use Accept or format=).",
            problem="not-acceptable",
        )
    return formats[offered.index(best)]


_NOT_FILTERS = ("limit", "cursor", "sort", "format")


def filters_of(args: dict[str, Any]) -> dict[str, Any]:
    """The arguments that filter rows (not paging, sorting or format)."""
    return {name: value for name, value in args.items() if name not in _NOT_FILTERS}
