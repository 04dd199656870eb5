"""The HTTP API under /v1: shared plumbing for thin views (arguments, lists, formats)."""

from __future__ import annotations

import csv
import io
import json as stdjson
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, request, stream_with_context
from marshmallow import Schema, ValidationError

from .. import caching, history, queries, schemas, store
from ..db import get_db, get_live_db
from ..errors import APIError, invalid

JSON = "application/json"
CSV = "text/csv"
ICS = "text/calendar"
MEDIA_TYPES = {"json": JSON, "csv": CSV, "ics": ICS}

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    """What openapi.py needs to document a view."""

    args: type[Schema] | None
    response: type[Schema] | None
    page: bool
    formats: tuple[str, ...]
    problems: tuple[int, ...]
    body: Schema | None = None
    partial: bool = False  # the body is a JSON merge patch of `body`
    success: int = 200
    if_match: str | None = None  # "required" or "optional"
    etag: str = "version"  # "version": decided before the query (caching.py); "record": content
    now_when: tuple[str, ...] | None = None  # the answer speaks of now if these are given, no `at`


def operation(
    *,
    args: type[Schema] | None = None,
    response: type[Schema] | None = None,
    page: bool = False,
    formats: tuple[str, ...] = ("json",),
    problems: tuple[int, ...] = (400, 404),
    body: Schema | None = None,
    partial: bool = False,
    success: int = 200,
    if_match: str | None = None,
    etag: str = "version",
    now_when: tuple[str, ...] | None = None,
) -> Callable[[F], F]:
    """Describe a view for the generated OpenAPI document; its docstring is the summary.

    `problems` lists the error statuses the view can answer (406 is added for several formats).
    """
    if len(formats) > 1:
        problems = (*problems, 406)
    described = Operation(
        args=args,
        response=response,
        page=page,
        formats=formats,
        problems=problems,
        body=body,
        partial=partial,
        success=success,
        if_match=if_match,
        etag=etag,
        now_when=now_when,
    )

    def mark(view: F) -> F:
        view.operation = described  # type: ignore[attr-defined]
        return view

    return mark


_schemas: dict[type[Schema], Schema] = {}
# Clients repeat the same queries (CI polls one URL all day): each query string is validated
# once per worker, and its parsed arguments reused. Only valid ones are kept.
_parsed: dict[tuple[type[Schema], bytes], dict[str, Any]] = {}


def _validate_args(schema_class: type[Schema]) -> dict[str, Any]:
    schema = _schemas.get(schema_class) or _schemas.setdefault(schema_class, schema_class())
    repeated = {
        name: ["Given more than once."] for name, values in request.args.lists() if len(values) > 1
    }
    if repeated:
        raise invalid(repeated)
    try:
        args: dict[str, Any] = schema.load(request.args.to_dict())
    except ValidationError as error:
        raise invalid(schemas.flatten_errors(error.messages)) from None
    return args


def load_args(schema_class: type[Schema]) -> dict[str, Any]:
    """The request's query arguments, validated; a 400 naming each bad or unknown one.

    An `as_of` switches this request's reads to the catalog as recorded then.
    """
    key = (schema_class, request.query_string)
    cached = _parsed.get(key)
    if cached is not None:
        args = dict(cached)
    else:
        args = _validate_args(schema_class)
        if len(_parsed) >= 4096:
            _parsed.clear()
        _parsed[key] = dict(args)
    if getattr(schema_class, "AS_OF_SNAPSHOT", False) and "as_of" in args:
        as_of = args.pop("as_of")
        g.snapshot = history.snapshot(get_live_db(), current_app.config["DATABASE"], as_of)
    return args


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


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON response (the standard library's C encoder: bodies hold only JSON types)."""
    return Response(stdjson.dumps(body, ensure_ascii=False), status=status, mimetype=JSON)


def not_found(kind: str, record_id: str) -> APIError:
    """The 404 for a record that does not exist."""
    return APIError(404, f"There is no {kind} {record_id!r}.", problem="not-found")


def item(collection_name: str, record_id: str, kind: str, **scope: str) -> Response:
    """One record as JSON with its ETag (the one If-Match wants), or a 404 problem."""
    record = queries.get_record(get_db(), queries.COLLECTIONS[collection_name], record_id, **scope)
    if record is None:
        raise not_found(kind, record_id)
    return record_response(record)


def record_response(record: dict[str, Any], status: int = 200) -> Response:
    """A record with its strong ETag; 304 when the client already has this version."""
    tag = store.etag(record)
    if status == 200 and request.if_none_match.contains(tag.strip('"')):
        response = Response(status=304)
    else:
        response = json_response(record, status)
    response.headers["ETag"] = tag
    return response


_PAGING = ("limit", "cursor", "sort", "format")  # arguments that are not filters


def filters_of(args: dict[str, Any]) -> dict[str, Any]:
    """The arguments that filter rows (not paging, sorting or format)."""
    return {name: value for name, value in args.items() if name not in _PAGING}


def collection(
    collection_name: str,
    args: dict[str, Any],
    formats: tuple[str, ...] = ("json", "csv"),
    scope: dict[str, Any] | None = None,
) -> Response:
    """A page of a collection as JSON, or every matching row as CSV; `scope` adds filters."""
    spec = queries.COLLECTIONS[collection_name]
    filters = filters_of(args) | (scope or {})
    chosen = negotiate(args, formats)
    conn = get_db()
    if chosen == "csv":
        rows = queries.list_records(conn, spec, filters, sort=args["sort"])
        return csv_response(spec.fields, rows, f"{collection_name}.csv")
    items, next_cursor = queries.page(
        conn, spec, filters, sort=args["sort"], limit=args["limit"], cursor=args.get("cursor")
    )
    response = json_response({"items": items, "next_cursor": next_cursor})
    if next_cursor:
        query = request.args.to_dict() | {"cursor": next_cursor}
        response.headers["Link"] = f'<{request.path}?{urlencode(query)}>; rel="next"'
    return response


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = "".join(_FORMULA_STARTS)


def csv_cell(value: Any) -> str:
    """One value as a spreadsheet-safe CSV cell."""
    if type(value) is str:  # the common case first: it runs for every cell
        return "'" + value if value and value[0] in _FORMULA_CHARS else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = "; ".join(map(str, value))
    elif isinstance(value, dict):
        value = stdjson.dumps(value, ensure_ascii=False)
    text = str(value)
    # A cell that starts like a formula would run as one in a spreadsheet: neutralise it.
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_response(fields: Iterable[str], rows: Iterator[dict[str, Any]], filename: str) -> Response:
    """Every row as RFC 4180 CSV with a header row, streamed (and kept for repeats once done,
    if it is small enough)."""
    header = list(fields)
    headers = [
        ("Content-Type", "text/csv; charset=utf-8; header=present"),
        ("Content-Disposition", f'inline; filename="{filename}"'),
    ]

    def generate() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        chunks: list[bytes] | None = []  # a copy to keep, until it grows too big for that
        room = caching.room()
        for count, row in enumerate(rows, 1):
            writer.writerow([csv_cell(row[name]) for name in header])
            if count % 500 == 0:
                chunk = buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
                if chunks is not None:
                    chunks.append(chunk)
                    room -= len(chunk)
                    chunks = chunks if room >= 0 else None
                yield chunk
        chunk = buffer.getvalue().encode()
        yield chunk
        if chunks is not None and room >= len(chunk):
            caching.keep(b"".join(chunks) + chunk, headers)

    return Response(stream_with_context(generate()), headers=headers)


def init_app(app: Flask) -> None:
    """Register every blueprint of the API."""
    from . import availability, changes, clouds, models, offerings, providers, timeline, windows

    for module in (providers, models, availability, clouds, offerings, windows, timeline, changes):
        app.register_blueprint(module.bp, url_prefix="/v1")
    changes.register_writes(app)
