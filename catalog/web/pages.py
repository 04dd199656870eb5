"""The blueprint the pages hang on: how they are cached, their static files, their errors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Response, render_template, request, send_from_directory
from werkzeug.exceptions import HTTPException

from ..errors import APIError, problem_response, unknown_name
from ..identity import Unknown

STATIC = Path(__file__).parent / "static"
bp = Blueprint("web", __name__, template_folder="templates")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Page:
    """How caching.py treats a page: an ETag from the catalog's version and the request, decided
    before any query; with no `at`, the answer speaks of now (the ETag includes the second)."""

    etag: str = "version"
    now_when: tuple[str, ...] | None = ()


def page(view: F) -> F:
    """Mark a view as a cached page."""
    view.page = Page()  # type: ignore[attr-defined]
    return view


@cache
def asset_version(filename: str) -> str:
    """A short hash of a static file, so its URL changes when it does (and may be kept long)."""
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]


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
