"""Changing the catalog (authenticated writes) and reading its record of changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, request
from marshmallow import ValidationError

from .. import auth, schemas, store
from ..db import get_live_db, get_write_db
from ..errors import APIError, invalid
from . import collection, load_args, operation, record_response

bp = Blueprint("changes", __name__)

JSON_MEDIA = "application/json"
MERGE_PATCH = "application/merge-patch+json"


@dataclass(frozen=True)
class Resource:
    """One writable collection and where it lives in URLs."""

    collection: str
    kind: str
    list_rule: str
    item_rule: str

    @property
    def endpoint(self) -> str:
        return self.collection.replace("-", "_")

    def key(self, path: dict[str, str]) -> store.Key:
        """The record's key from the URL's path parameters (named as the read routes name them)."""
        return tuple(path.values())

    def location(self, key: store.Key) -> str:
        if self.collection == "regions":
            return f"/v1/clouds/{key[0]}/regions/{key[1]}"
        return f"/v1/{self.collection}/{key[0]}"


RESOURCES = [
    Resource("providers", "provider", "/providers", "/providers/<provider_id>"),
    Resource("models", "model", "/models", "/models/<model_id>"),
    Resource("clouds", "cloud", "/clouds", "/clouds/<cloud_id>"),
    Resource(
        "regions", "region", "/clouds/<cloud_id>/regions", "/clouds/<cloud_id>/regions/<region_id>"
    ),
    Resource("offerings", "offering", "/offerings", "/offerings/<offering_id>"),
    Resource(
        "exclusivity-windows",
        "exclusivity window",
        "/exclusivity-windows",
        "/exclusivity-windows/<window_id>",
    ),
]
_schemas = {name: cls() for name, cls in schemas.RESOURCE_SCHEMAS.items()}
_patch_schemas = {name: cls(partial=True) for name, cls in schemas.RESOURCE_SCHEMAS.items()}


# ---- the pieces of a write ---------------------------------------------------------------------


def _body(*media_types: str) -> dict[str, Any]:
    if request.mimetype not in media_types:
        raise APIError(
            415,
            f"Send the body as {' or '.join(media_types)}.",
            problem="unsupported-media-type",
        )
    try:
        body = json.loads(request.get_data(cache=False) or b"null")
    except ValueError as error:
        raise invalid({"body": [f"Not valid JSON: {error}"]}) from None
    if not isinstance(body, dict):
        raise invalid({"body": ["Must be a JSON object."]})
    return body


def _load(resource: Resource, data: dict[str, Any], merged: bool = False) -> dict[str, Any]:
    """The body as a record: 400 if it does not fit the schema, 422 if it breaks a rule.

    A merged patch that no longer fits (a required field cleared with null) is a 422 too: the
    patch itself fitted its schema, where every field may be null.
    """
    try:
        record: dict[str, Any] = _schemas[resource.collection].load(data)
    except ValidationError as error:
        if not merged:
            raise invalid(schemas.flatten_errors(error.messages)) from None
        broken = schemas.flatten_errors(error.messages)
    else:
        broken = schemas.rule_problems(resource.collection, record)
    if broken:
        raise APIError(
            422,
            f"The {resource.kind} breaks a rule: {', '.join(sorted(broken))}.",
            problem="unprocessable",
            errors=broken,
        )
    return record


def _same_key(resource: Resource, data: dict[str, Any], key: store.Key) -> dict[str, Any]:
    """The body with its key taken from the URL; a body naming another key is a 400."""
    names = ("cloud", "id") if resource.collection == "regions" else ("id",)
    wrong = {
        n: ["Must match the URL."] for n, k in zip(names, key, strict=True) if data.get(n, k) != k
    }
    if wrong:
        raise invalid(wrong)
    return data | dict(zip(names, key, strict=True))


def _check_references(conn: Any, resource: Resource, record: dict[str, Any]) -> None:
    missing = {
        field: store.missing_reference(target, key)
        for field, target, key in store.references(resource.collection, record)
        if store.get(conn, target, key) is None
    }
    if missing:
        raise APIError(
            409,
            "The record refers to records that do not exist: "
            + "; ".join(f"{field}: {message}" for field, message in missing.items())
            + ".",
            problem="broken-reference",
            errors={field: [message] for field, message in missing.items()},
        )


def _check_rule(conn: Any, resource: Resource, record: dict[str, Any]) -> None:
    found = store.contradictions(conn, resource.collection, record)
    if found:
        offering, window = found[0]
        until = window["ends_at"] or "further notice"
        raise APIError(
            409,
            f"Offering {offering['id']!r} ({offering['model']} on {offering['cloud']} from "
            f"{offering['available_from']}) contradicts exclusivity window {window['id']!r}: "
            f"{window['holder']} holds it from {window['starts_at']} until {until}.",
            problem="exclusivity-conflict",
            extra={
                "conflicts": [
                    {"offering": o["id"], "exclusivity_window": w["id"]} for o, w in found[:20]
                ]
            },
        )


def _existing(conn: Any, resource: Resource, key: store.Key) -> dict[str, Any]:
    current = store.get(conn, resource.collection, key)
    if current is None:
        raise APIError(
            404, f"There is no {resource.kind} {store.record_id(key)!r}.", problem="not-found"
        )
    return current


def _check_if_match(current: dict[str, Any] | None) -> None:
    """Changing an existing record needs its current ETag (RFC 9110 If-Match, RFC 6585 428)."""
    if_match = request.headers.get("If-Match")
    if current is None:
        if if_match is not None:  # RFC 9110 13.1.1: nothing current, so nothing matches
            raise APIError(
                412,
                "There is no current version to match; leave If-Match out to create it.",
                problem="precondition-failed",
            )
        return
    if if_match is None:
        raise APIError(
            428,
            "Send If-Match with the record's current ETag (from a GET) to change it.",
            problem="precondition-required",
        )
    tag = store.etag(current)
    if not (request.if_match.star_tag or request.if_match.contains(tag.strip('"'))):
        raise APIError(
            412,
            "The record has changed since that ETag: GET it again, then retry.",
            problem="precondition-failed",
            headers={"ETag": tag},
        )


def _save(conn: Any, resource: Resource, record: dict[str, Any], actor: str) -> Any:
    """Within the caller's transaction: references, the write with its feed entry, the rule.

    The rule is checked after writing, on the catalog as it would be; a 409 rolls it all back.
    """
    _check_references(conn, resource, record)
    result = store.save(conn, resource.collection, record, actor, store.now())
    _check_rule(conn, resource, record)
    return result


def _written(resource: Resource, key: store.Key, result: Any, conn: Any, created: bool) -> Response:
    record = result[1] if result else store.get(conn, resource.collection, key)
    assert record is not None  # just written, in this transaction
    response = record_response(record, 201 if created else 200)
    if created:
        response.headers["Location"] = resource.location(key)
    return response


# ---- the views, one set per resource -----------------------------------------------------------


def _create(resource: Resource) -> Callable[..., Response]:
    def create(**path: str) -> Response:
        conn = get_write_db()  # a replica says so before anything else
        token = auth.require("write")
        data = _body(JSON_MEDIA)
        if resource.collection == "regions":
            data = _same_key(resource, data, (path["cloud_id"], data.get("id", "")))
        record = _load(resource, data)
        key = store.key_of(resource.collection, record)
        with store.transaction(conn):
            if store.get(conn, resource.collection, key) is not None:
                raise APIError(
                    409,
                    f"There is already a {resource.kind} {store.record_id(key)!r}; "
                    "PUT or PATCH it with If-Match to change it.",
                    problem="already-exists",
                    headers={"Location": resource.location(key)},
                )
            result = _save(conn, resource, record, token.name)
        return _written(resource, key, result, conn, created=True)

    create.__doc__ = f"Create a {resource.kind} (needs a token with the write scope)."
    return create


def _replace(resource: Resource) -> Callable[..., Response]:
    def replace(**path: str) -> Response:
        conn = get_write_db()  # a replica says so before anything else
        token = auth.require("write")
        key = resource.key(path)
        record = _load(resource, _same_key(resource, _body(JSON_MEDIA), key))
        with store.transaction(conn):
            current = store.get(conn, resource.collection, key)
            _check_if_match(current)
            result = _save(conn, resource, record, token.name)
        return _written(resource, key, result, conn, created=current is None)

    replace.__doc__ = (
        f"Create or replace a {resource.kind}; replacing needs If-Match with its current ETag."
    )
    return replace


def _check_patch(resource: Resource, changes: dict[str, Any]) -> None:
    """A 400 for a patch that cannot fit the schema, before any precondition is looked at."""
    # null clears a field; whether that leaves the record valid is judged after merging.
    present = {name: value for name, value in changes.items() if value is not None}
    errors = _patch_schemas[resource.collection].validate(present)
    if errors:
        raise invalid(schemas.flatten_errors(errors))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge, null removes, everything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = merge_patch(merged.get(name), value)
    return merged


def _patch(resource: Resource) -> Callable[..., Response]:
    def patch(**path: str) -> Response:
        conn = get_write_db()  # a replica says so before anything else
        token = auth.require("write")
        key = resource.key(path)
        changes = _body(MERGE_PATCH, JSON_MEDIA)
        _check_patch(resource, changes)
        with store.transaction(conn):
            current = _existing(conn, resource, key)
            _check_if_match(current)
            merged = merge_patch(store.fixture_form(current), changes)
            record = _load(resource, _same_key(resource, merged, key), merged=True)
            result = _save(conn, resource, record, token.name)
        return _written(resource, key, result, conn, created=False)

    patch.__doc__ = (
        f"Change some fields of a {resource.kind} (JSON merge patch; null clears a field); "
        "needs If-Match."
    )
    return patch


def _delete(resource: Resource) -> Callable[..., Response]:
    def delete(**path: str) -> Response:
        conn = get_write_db()  # a replica says so before anything else
        token = auth.require("write")
        key = resource.key(path)
        with store.transaction(conn):
            current = _existing(conn, resource, key)
            _check_if_match(current)
            referrers = store.referrers(conn, resource.collection, key)
            if referrers:
                raise APIError(
                    409,
                    f"Other records still refer to this {resource.kind}: {', '.join(referrers)}.",
                    problem="still-referenced",
                    extra={"referrers": referrers},
                )
            store.remove(conn, resource.collection, key, token.name, store.now())
        return Response(status=204)

    delete.__doc__ = f"Delete a {resource.kind} (its history keeps it); needs If-Match."
    return delete


def _history(resource: Resource) -> Callable[..., Response]:
    def history(**path: str) -> Response:
        args = load_args(schemas.HistoryArgs)
        record = store.record_id(resource.key(path))
        scope = {"resource": resource.collection, "record": record}
        if (
            not get_live_db()
            .execute(
                "SELECT 1 FROM changes WHERE resource = ? AND record_id = ? LIMIT 1",
                [resource.collection, record],
            )
            .fetchone()
        ):
            raise APIError(404, f"There is no {resource.kind} {record!r}.", problem="not-found")
        return collection("changes", args, scope=scope)

    history.__doc__ = f"List every recorded version of a {resource.kind}, oldest first."
    return history


WRITE_PROBLEMS = (400, 401, 403, 409, 413, 415, 422)


def register_writes(app: Flask) -> None:
    """The write and history routes of every resource (generated: they are all alike)."""
    writes = Blueprint("writes", __name__)
    for r in RESOURCES:
        schema = schemas.RESOURCE_SCHEMAS[r.collection]
        # The URL names the record: bodies as documented leave out what the URL says.
        key_fields = ("cloud", "id") if r.collection == "regions" else ("id",)
        new_body = schema(exclude=("cloud",)) if r.collection == "regions" else schema()
        routes = [
            (
                r.list_rule,
                "POST",
                _create,
                operation(
                    body=new_body, response=schema, success=201, problems=(*WRITE_PROBLEMS, 404)
                ),
            ),
            (
                r.item_rule,
                "PUT",
                _replace,
                operation(
                    body=schema(exclude=key_fields),
                    response=schema,
                    problems=(*WRITE_PROBLEMS, 412, 428),
                    if_match="optional",
                ),
            ),
            (
                r.item_rule,
                "PATCH",
                _patch,
                operation(
                    body=schema(partial=True, exclude=key_fields),
                    partial=True,
                    response=schema,
                    problems=(*WRITE_PROBLEMS, 404, 412, 428),
                    if_match="required",
                ),
            ),
            (
                r.item_rule,
                "DELETE",
                _delete,
                operation(
                    success=204, problems=(401, 403, 404, 409, 412, 428), if_match="required"
                ),
            ),
            (
                r.item_rule + "/history",
                "GET",
                _history,
                operation(
                    args=schemas.HistoryArgs,
                    response=schemas.ChangeSchema,
                    page=True,
                    formats=("json", "csv"),
                ),
            ),
        ]
        for rule, method, factory, describe in routes:
            view = describe(factory(r))
            name = f"{view.__name__}_{r.endpoint}"
            view.__name__ = name
            writes.add_url_rule(rule, name, view, methods=[method])
    app.register_blueprint(writes, url_prefix="/v1")


@bp.get("/changes")
@operation(
    args=schemas.ChangeListArgs,
    response=schemas.ChangeSchema,
    page=True,
    formats=("json", "csv"),
    problems=(400,),
)
def list_changes() -> Response:
    """The change feed: every accepted write in order; poll with `after` = the last seq seen.

    Each entry has the record before and after the write (null for a create or a delete).
    """
    return collection("changes", load_args(schemas.ChangeListArgs))
