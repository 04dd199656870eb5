"""The read routes every resource has, generated from its declaration: list and get one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response
from werkzeug.wrappers import Request

from .. import resources
from ..declarations import args as arguments
from ..declarations.resource import Resource
from ..http.context import filters_of, negotiate, request_args
from ..http.operations import Answer, Elsewhere, operation
from .formats import RENDERERS, csv_answer
from .responses import answered, existing, page_answer, record_response, shown


def _list_view(resource: Resource) -> Callable[..., Response]:
    params = resource.path_params(resource.list_rule or "")
    scope_fields = resource.key[: len(params)]  # /clouds/<cloud_id>/regions: the cloud

    def scope_of(path: dict[str, str]) -> dict[str, str]:
        return dict(zip(scope_fields, (path[p] for p in params), strict=True))

    def answer(
        conn: sqlite3.Connection, path: dict[str, str], args: dict[str, Any], asked: Request
    ) -> Answer:
        scope = scope_of(path)
        for name, value in scope.items():  # the parent named in the URL must exist
            target = next(r.target for r in resource.references if r.field == name)
            existing(target, (value,), conn)
        chosen = negotiate(args, resource.formats, asked)
        query = asked.args.to_dict()

        def made(conn: sqlite3.Connection, args: dict[str, Any], query: dict[str, str]) -> Answer:
            filters = filters_of(args) | scope
            if chosen == "csv":  # whole where its every line is kept
                whole = csv_answer(conn, resource, filters, args["sort"])
                if whole is not None:
                    return whole
            if chosen != "json":
                raise Elsewhere(chosen)  # the view streams the other formats
            return page_answer(conn, resource, args, filters, asked.path, query)

        def again(conn: sqlite3.Connection, at: str, text: str) -> Answer | None:
            # The same page for another `at` (its rows kept per moment): the arguments were
            # read and checked for this one; `text` is `at` as asked, for the Link.
            try:
                return made(conn, args | {"at": at}, query | {"at": text})
            except Elsewhere:  # not kept whole: streamed
                return None

        found = made(conn, args, query)
        return replace(found, again=again) if "at" in query else found

    def view(**path: str) -> Response:
        args = request_args()
        try:
            return answered(path, args)
        except Elsewhere as other:  # CSV, iCalendar: every matching row, streamed
            (chosen,) = other.args
            return RENDERERS[chosen](resource, filters_of(args) | scope_of(path), args["sort"])

    view.__name__ = resource.list_endpoint or f"list_{resource.name.replace('-', '_')}"
    view.__doc__ = resource.list_doc
    problems = (400, 404) if params else (400,)
    return operation(
        args=resource.list_args,
        response=resource.schema,
        page=True,
        formats=resource.formats,
        problems=problems,
        now_when=resource.now_when,
        answer=answer,
    )(view)


def _item_view(resource: Resource) -> Callable[..., Response]:
    def view(**path: str) -> Response:
        request_args()
        record = existing(resource.name, resource.key_from_path(path))
        return record_response(shown(resource, [record])[0])

    view.__name__ = f"get_{resource.endpoint}"
    view.__doc__ = resource.item_doc
    return operation(args=arguments.ItemArgs, response=resource.schema, etag="record")(view)


def blueprint(resource: Resource) -> Blueprint:
    """The resource's read routes, as a blueprint named after it."""
    bp = Blueprint(resource.name.replace("-", "_"), __name__)
    if resource.generic_list and resource.list_rule:
        view = _list_view(resource)
        bp.add_url_rule(resource.list_rule, view.__name__, view, methods=["GET"])
    if resource.item_rule:
        view = _item_view(resource)
        bp.add_url_rule(resource.item_rule, view.__name__, view, methods=["GET"])
    return bp


def blueprints() -> list[Blueprint]:
    """One blueprint per resource with read routes."""
    return [blueprint(r) for r in resources.REGISTRY.values() if r.list_rule or r.item_rule]
