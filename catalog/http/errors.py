"""The one error path: every error leaves the service as RFC 9457 problem+json."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask, Response, current_app, json
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ..core.identity import Unknown
from ..storage import db
from ..storage import disk as storage
from ..storage.refusals import Refused
from . import observe

PROBLEM_MIMETYPE = "application/problem+json"


class APIError(Exception):
    """An error a client caused (or may act on), answered as a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        problem: str | None = None,
        errors: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.headers = headers or {}
        self.status = status
        self.detail = detail
        self.title = title
        # `problem` names the kind of error; it becomes the type URI /problems/<problem>.
        self.problem = problem
        self.errors = errors
        self.extra = extra or {}


def invalid(errors: dict[str, list[str]], detail: str | None = None) -> APIError:
    """A 400 that names every offending field."""
    names = ", ".join(sorted(errors))
    return APIError(
        400,
        detail or f"Invalid request: {names}.",
        title="Invalid request",
        problem="invalid-request",
        errors=errors,
    )


def unknown_name(error: Unknown) -> APIError:
    """A name the catalog does not know: 404 in a path, 400 naming the filter; both carry the
    known ids closest to it as `suggestions`."""
    extra = {"suggestions": error.suggestions}
    if error.field is None:
        return APIError(404, error.detail, problem="not-found", extra=extra)
    found = invalid(error.errors, error.detail)
    found.extra = extra
    return found


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    problem: str | None = None,
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """Build the problem+json response; the only place an error body is shaped."""
    body: dict[str, Any] = {
        "type": f"/problems/{problem}" if problem else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


def _handle_api_error(error: APIError) -> Response:
    response = problem_response(
        error.status,
        error.title or HTTP_STATUS_CODES.get(error.status, "Error"),
        error.detail,
        problem=error.problem,
        errors=error.errors,
        extra=error.extra,
    )
    response.headers.update(error.headers)
    return response


def _handle_unknown(error: Unknown) -> Response:
    return _handle_api_error(unknown_name(error))


def _handle_refused(error: Refused) -> Response:
    """What the store refuses (a broken reference, the exclusivity rule, ...) is a 409; a
    record it cannot take whatever else is stored (a pointless window) says its own status."""
    response = problem_response(
        error.status,
        HTTP_STATUS_CODES.get(error.status, "Conflict"),
        error.detail,
        problem=error.problem,
        errors=error.errors,
        extra=error.extra,
    )
    response.headers.update(error.headers)
    return response


def _handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    response = problem_response(status, error.name, error.description or error.name)
    if status == 405 and error.response is None:
        # Werkzeug knows the allowed methods; keep the Allow header it would have sent.
        allow = error.get_headers()
        for name, value in allow:
            if name.lower() == "allow":
                response.headers["Allow"] = value
    return response


def _handle_sqlite_error(error: sqlite3.Error) -> Response:
    """A database that cannot store a write now (full, read-only, locked) is the client's 507
    or 503, not a 500; any other SQLite error is unexpected."""
    refusal = storage.refusal(error)
    if refusal is None:
        return _handle_unexpected(error)
    # A connection that failed to write is not given back to the pool.
    db.discard()
    status, problem, title, detail = refusal
    if problem == "storage-full":
        storage.note_full(current_app.config["DATABASE"])
    observe.log_event("storage refused a write", status=status, problem=problem, error=str(error))
    response = problem_response(status, title, detail, problem=problem)
    if status == 503:
        response.headers["Retry-After"] = "1"
    return response


def _handle_unexpected(error: Exception) -> Response:
    # HTTPExceptions never come here: Flask picks the most specific handler (the one above).
    observe.log_error(error)
    # Never show internals: the log has the traceback, the client a neutral message.
    return problem_response(
        500,
        "Internal Server Error",
        "The server could not answer this request. It has been logged.",
    )


def init_app(app: Flask) -> None:
    """Route every error through the problem+json path."""
    app.register_error_handler(APIError, _handle_api_error)
    app.register_error_handler(Refused, _handle_refused)
    app.register_error_handler(Unknown, _handle_unknown)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(sqlite3.Error, _handle_sqlite_error)
    app.register_error_handler(Exception, _handle_unexpected)
