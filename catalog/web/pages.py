"""The blueprint the pages hang on: how they are described (and so cached), their static
files, their errors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Response, render_template, request, send_from_directory
from marshmallow import Schema
from werkzeug.exceptions import HTTPException

from ..core import instants
from ..core.identity import Unknown
from ..http.errors import APIError, problem_response, unknown_name
from ..http.operations import operation
from . import fragments

STATIC = Path(__file__).parent / "static"
bp = Blueprint("web", __name__, template_folder="templates")
F = TypeVar("F", bound=Callable[..., Any])


def page(args: type[Schema], answer: Any = None) -> Callable[[F], F]:
    """Mark a view as a page: it reads `args` (empty form fields count as absent), answers for
    now where no `at` is given, and is cached like an API read (caching.py); an `answer`
    gives it without Flask where it can (Operation.answer)."""
    return operation(
        args=args,
        formats=("html",),
        now_when=(),
        blank_is_absent=True,
        documented=False,
        answer=answer,
    )


@cache
def asset_version(filename: str) -> str:
    """A short hash of a static file, so its URL changes when it does (and may be kept long)."""
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]


# Pages word a dated fact as every answer does.
bp.add_app_template_global(instants.said, "dated")
bp.add_app_template_global(fragments.when, "when")  # linked to its source


@bp.app_template_global()
def asset(filename: str) -> str:
    """The URL of a static file, with its version."""
    return f"/static/web/{filename}?v={asset_version(filename)}"


@bp.get("/static/web/<path:filename>")
def static_file(filename: str) -> Response:
    """The pages' stylesheet and script (versioned URLs, so they may be kept a day)."""
    return send_from_directory(STATIC, filename, max_age=86400)


def error_page(
    status: int,
    title: str,
    detail: str,
    errors: dict[str, list[str]] | None,
    suggestions: list[str] | None = None,
) -> Response:
    """An error as an HTML problem page (the same members as problem+json, for people)."""
    body = render_template(
        "error.html",
        status=status,
        title=title,
        detail=detail,
        errors=errors or {},
        suggestions=suggestions or [],
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(APIError)
def _page_error(error: APIError) -> Response:
    suggestions = error.extra.get("suggestions")
    return error_page(error.status, error.title or "Error", error.detail, error.errors, suggestions)


@bp.errorhandler(Unknown)
def _unknown_page(error: Unknown) -> Response:
    return _page_error(unknown_name(error))


@bp.app_errorhandler(404)
def _not_found(error: HTTPException) -> Response:
    # A browser that asks for a page outside the API gets a page; everyone else problem+json.
    wants_html = request.accept_mimetypes.best_match(["application/json", "text/html"]) == (
        "text/html"
    )
    if wants_html and not request.path.startswith("/v1/"):
        return error_page(404, "Not Found", "There is no page at this address.", None)
    return problem_response(404, "Not Found", error.description or "Not Found")
