"""openapi.yaml, generated from the routes and the marshmallow schemas.

apispec does the schema-to-OpenAPI translation (it knows marshmallow's fields and validators far
better than hand-written code would); this module only walks the views that carry an Operation.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from importlib import metadata
from typing import Any

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from flask import Flask
from marshmallow import Schema, fields

from ..declarations import fields as catalog_fields
from ..http.errors import PROBLEM_MIMETYPE
from ..http.operations import ATOM, CSV, ICS, JSON, JSON_FEED, MERGE_PATCH, Operation, operation_of

DESCRIPTION = (
    " ".join(
        """
Which foundation models can be bought on which clouds, in which regions, since when, and under
which exclusivity: dated, sourced facts with their certainty.
""".split()
    )
    + "\n\n"
    + " ".join(
        """
Instants are RFC 3339 in UTC, from 1970-01-01 to 2100-01-01 (an open end is null, never a
far-future sentinel); a query parameter that takes an instant also takes a date (its midnight
UTC). Intervals are half-open, [from, until); a missing end is open. Every collection
answers `{"items": [...], "next_cursor": ...}` with a `Link: <...>; rel="next"` header while more
remain, and every matching row as CSV with `Accept: text/csv` or `format=csv`. Every error is
`application/problem+json` (RFC 9457).
""".split()
    )
)

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A URI reference naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Validation errors: each offending field with its messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "suggestions": {
            "type": "array",
            "items": {"type": "string"},
            "maxItems": 5,
            "description": "For a name the catalog does not know (a model, cloud, provider, "
            "region or family in the path or a filter): up to five known ids close to it.",
        },
    },
}
SUCCESS = {200: "OK", 201: "Created", 204: "Deleted: the history keeps it."}
ERROR_DESCRIPTIONS = {
    400: "Invalid request: the `errors` member names each offending parameter.",
    401: "No token, or not a valid one.",
    403: "The token lacks the scope this needs.",
    409: "The write conflicts with the catalog: a broken reference, the exclusivity rule, "
    "an overlapping price, an existing record, or records that still refer to this one. "
    "The body names it.",
    412: "If-Match does not match the record's current ETag.",
    413: "The body is larger than the server accepts.",
    415: "The body is not of a media type this operation takes.",
    422: "The body fits the schema but breaks a rule across fields (named in `errors`).",
    428: "Changing an existing record needs If-Match.",
    404: "No such record.",
    406: "None of the formats the Accept header allows is offered.",
    414: "The request line is longer than the server accepts (8 KB).",
    503: "Not ready (the database does not answer or its schema is not current), or, for a "
    "write, the database stayed locked past the busy timeout: retry after Retry-After.",
    507: "The write could not be stored (a full disk or a read-only file system); nothing of "
    "it was stored, and reads go on.",
}
SLUG_PARAMETER = {"type": "string", "pattern": catalog_fields.SLUG}


def _version() -> str:
    try:
        return metadata.version("catalog")
    except metadata.PackageNotFoundError:
        return "0.0.0"


@cache
def _page_schema(item: type[Schema]) -> type[Schema]:
    name = item.__name__.removesuffix("Schema") + "Page"
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Pass as `cursor` for the next page; null on the last."},
            ),
        },
        name=name,
    )


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {PROBLEM_MIMETYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _success(op: Operation) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if op.response is not None:
        body = _page_schema(op.response) if op.page else op.response
        content[JSON] = {"schema": body}
    if "csv" in op.formats:
        content[CSV] = {
            "schema": {"type": "string", "description": "Every matching row, header first."}
        }
    if "ics" in op.formats:
        content[ICS] = {
            "schema": {"type": "string", "description": "RFC 5545, one event per dated fact."}
        }
    if "atom" in op.formats:
        content[ATOM] = {
            "schema": {"type": "string", "description": "An Atom feed document (RFC 4287)."}
        }
    if "jsonfeed" in op.formats:
        content[JSON_FEED] = {
            "schema": {
                "type": "object",
                "required": ["version", "title", "items"],
                "description": "A JSON Feed 1.1 document.",
            }  # fmt: skip
        }
    response: dict[str, Any] = {"description": SUCCESS[op.success]}
    if content and op.success != 204:
        response["content"] = content
    headers: dict[str, Any] = {}
    if op.page:
        headers["Link"] = {
            "description": 'The next page, `<...>; rel="next"`, while more remain.',
            "schema": {"type": "string"},
        }
    if op.body is not None or op.etag == "record":
        headers["ETag"] = {
            "description": "The record's version: send it back in If-Match to change it.",
            "schema": {"type": "string"},
        }
    elif op.success == 200 and op.etag is not None:
        headers["ETag"] = {
            "description": "Strong; send it in If-None-Match to get a 304 while nothing changed.",
            "schema": {"type": "string"},
        }
    if op.success == 201:
        headers["Location"] = {"description": "The new record's URL.", "schema": {"type": "string"}}
    if headers:
        response["headers"] = headers
    return response


def _operation(
    endpoint: str, view: Any, op: Operation, path: str, path_params: list[str]
) -> dict[str, Any]:
    summary, _, description = (view.__doc__ or "").strip().partition("\n")
    parameters: list[dict[str, Any]] = [
        {"in": "path", "name": name, "required": True, "schema": SLUG_PARAMETER}
        for name in path_params
    ]
    if op.args is not None:
        parameters.append({"in": "query", "schema": op.args})
    if op.if_match:
        parameters.append(
            {
                "in": "header",
                "name": "If-Match",
                "required": op.if_match == "required",
                "description": "The record's current ETag (from GET or the last write).",
                "schema": {"type": "string"},
            }
        )
    responses: dict[Any, Any] = {op.success: _success(op)}
    if op.body is None and op.success == 200 and op.etag is not None:  # a read with an ETag
        responses[304] = {"description": "Not modified: If-None-Match names the current ETag."}
    if op.success == 201:
        responses[200] = {"description": "Unchanged: the record already held these values."}
    if op.if_match == "optional":  # PUT: creates where nothing was
        responses[201] = _success(replace(op, success=201))
    # 414 comes from gunicorn (a request line over 8 KB), still as problem+json.
    responses.update({status: _problem(status) for status in (*op.problems, 414)})
    result: dict[str, Any] = {
        "operationId": endpoint.split(".")[-1],
        "summary": summary.strip(),
        "tags": [path.split("/")[2] if path.startswith("/v1/") else "operations"],
        "parameters": parameters,
    }
    if op.body is not None:
        media = [MERGE_PATCH, JSON] if op.partial else [JSON]
        result["requestBody"] = {
            "required": True,
            "content": {m: {"schema": op.body} for m in media},
        }
    if 401 in op.problems:
        result["security"] = [{"bearerAuth": []}]
    result["responses"] = responses
    if description.strip():
        result["description"] = description.strip()
    return result


def _schema_name(schema: Any) -> str:
    """Component names: the class name less "Schema"; "Patch" for a partial one, and
    "Without..." for one that leaves fields out (those the URL gives)."""
    name = resolver(schema)
    if getattr(schema, "partial", False):
        return f"{name}Patch"
    left_out = sorted(getattr(schema, "exclude", ()) or ())
    return name + ("Without" + "".join(n.title() for n in left_out) if left_out else "")


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of `app`, as a dict."""
    marshmallow_plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(
        title="Model-availability catalog",
        version=_version(),
        openapi_version="3.0.3",
        plugins=[marshmallow_plugin],
        info={
            "description": DESCRIPTION,
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        },
        servers=[{"url": "/", "description": "This catalog"}],
        # Reading is public: no security requirement (writes will name theirs).
        security=[],
    )
    marshmallow_plugin.map_to_openapi_type(catalog_fields.Instant, "string", "date-time")
    # Its metadata says anyOf date-time or date; a format here would contradict that.
    marshmallow_plugin.map_to_openapi_type(catalog_fields.QueryInstant, "string", None)
    spec.components.schema("Problem", PROBLEM)
    spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `catalog tokens create`.",
        },
    )
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        view = app.view_functions[rule.endpoint]
        op = operation_of(view)
        if op is None or not op.documented:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        path_params = re.findall(r"{([^{}]+)}", path)  # in path order (rule.arguments is a set)
        operations = {
            method.lower(): _operation(rule.endpoint, view, op, path, path_params)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        }
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    for name, component in document["components"]["schemas"].items():
        if name.endswith("Patch"):
            # JSON merge patch: any field may be left out, and null clears one.
            component.pop("required", None)
            for prop in component["properties"].values():
                prop["nullable"] = True
                if "enum" in prop and None not in prop["enum"]:
                    prop["enum"].append(None)
    return document


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the document reads well."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
TOP_LEVEL_ORDER = ("openapi", "info", "servers", "tags", "paths", "components")


def to_yaml(document: dict[str, Any]) -> str:
    """The document as the YAML committed at the repository root."""
    ordered = {key: document[key] for key in TOP_LEVEL_ORDER if key in document}
    ordered.update(document)
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
