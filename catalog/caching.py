"""HTTP caching for reads: strong ETags, 304s decided before any query, Cache-Control.

A read's answer is a function of the catalog's version (the newest change's seq), the request
(path, query, Accept) and, where no `at` is given and the answer speaks of "now", the current
second. So the ETag is a hash of those, known before the query runs: a matching If-None-Match
costs one indexed lookup and no rendering. Single records carry the hash of their own content
instead (store.etag), because If-Match on writes compares against exactly that.
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime

from flask import Flask, Response, current_app, g, request

from . import auth, instants
from .db import get_live_db


def _version() -> tuple[int, str | None]:
    row = (
        get_live_db()
        .execute("SELECT seq, recorded_at FROM changes ORDER BY seq DESC LIMIT 1")
        .fetchone()
    )
    return (int(row[0]), str(row[1])) if row else (0, None)


def _depends_on_now() -> bool:
    operation = _operation()
    when = getattr(operation, "now_when", None)
    if when is None or "at" in request.args:
        return False
    return all(name in request.args for name in when)


def _operation() -> object | None:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "operation", None)


def _check() -> Response | None:
    """Before a read runs: its ETag, and a 304 right away if the client has that version."""
    if request.method not in ("GET", "HEAD") or not request.path.startswith("/v1/"):
        return None
    operation = _operation()
    if operation is None or getattr(operation, "etag", "version") != "version":
        return None
    version, recorded_at = _version()
    parts = [
        str(version),
        request.full_path,
        request.headers.get("Accept", ""),
        request.headers.get("Authorization", "") and "auth",
        instants.now() if _depends_on_now() else "",
    ]
    tag = '"' + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32] + '"'
    g.etag, g.last_modified = tag, recorded_at
    if request.if_none_match.contains(tag.strip('"')) or (
        not request.if_none_match and _not_modified_since(recorded_at)
    ):
        return _headers(Response(status=304))
    return None


def _not_modified_since(recorded_at: str | None) -> bool:
    since = request.headers.get("If-Modified-Since")
    if not since or recorded_at is None or _depends_on_now():
        return False
    try:
        return instants.to_datetime(recorded_at) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _headers(response: Response) -> Response:
    if g.get("etag") and response.status_code in (200, 304):
        response.headers["ETag"] = g.etag
        if g.get("last_modified"):
            modified = instants.to_datetime(g.last_modified)
            response.headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if "Cache-Control" in response.headers:
        return response  # set by the view (static assets) or the error path (no-store)
    cacheable = request.path.startswith("/v1/") or request.path == "/openapi.yaml"
    if request.method in ("GET", "HEAD") and response.status_code in (200, 304) and cacheable:
        private = auth.setting(current_app, "READ_REQUIRES_TOKEN")
        age = int(current_app.config["CACHE_MAX_AGE"])
        response.headers["Cache-Control"] = f"{'private' if private else 'public'}, max-age={age}"
        response.vary.add("Accept")
        if private:
            response.vary.add("Authorization")
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """ETags and 304s for reads, Cache-Control on every response."""
    app.before_request(_check)
    app.after_request(_headers)
