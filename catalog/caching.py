"""HTTP caching for reads: strong ETags, 304s decided before any query, and rendered answers
reused while the catalog has not changed.

A read's answer is a function of the catalog's version (the newest change's seq), the request
(path, query, Accept, whether it is authenticated) and, where no `at` is given and the answer
speaks of "now", the current second. So the ETag is a hash of those, known before the query
runs: a matching If-None-Match costs one indexed lookup. The same key makes a rendered answer
reusable: each worker keeps the most recent ones (bounded in bytes) and serves a repeat without
querying or rendering again. A write changes the version, so nothing stale is ever served.

Single records carry the hash of their own content instead (store.etag), because If-Match on
writes compares against exactly that; they are not kept here.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from email.utils import format_datetime
from functools import lru_cache
from typing import Any

from flask import Flask, Response, current_app, g, request

from . import config, instants
from .db import get_live_db

LATEST = "SELECT seq, recorded_at FROM changes ORDER BY seq DESC LIMIT 1"
KEPT_HEADERS = ("Content-Type", "Link", "Content-Disposition", "ETag")


class ResponseCache:
    """Rendered answers by ETag, least recently used first out, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[str, tuple[bytes, list[tuple[str, str]]]] = OrderedDict()

    def get(self, tag: str) -> tuple[bytes, list[tuple[str, str]]] | None:
        entry = self.entries.get(tag)
        if entry is not None:
            self.entries.move_to_end(tag)
        return entry

    def put(self, tag: str, body: bytes, headers: list[tuple[str, str]]) -> None:
        if len(body) > self.max_bytes // 8 or tag in self.entries:
            return
        self.entries[tag] = (body, headers)
        self.size += len(body)
        while self.size > self.max_bytes:
            _, (old, _) = self.entries.popitem(last=False)
            self.size -= len(old)


@lru_cache(maxsize=64)
def _http_date(recorded_at: str) -> str:
    return format_datetime(instants.to_datetime(recorded_at), usegmt=True)


def _unmodified_since(recorded_at: str | None) -> bool:
    """If-Modified-Since (only where no If-None-Match came, RFC 9110 13.1.3)."""
    since = request.if_modified_since
    return bool(since and recorded_at and instants.to_datetime(recorded_at) <= since)


def _depends_on_now(operation: Any, args: Any) -> bool:
    when = operation.now_when
    if when is None or "at" in args:
        return False
    return all(name in args for name in when)


def _answer_early() -> Response | None:
    """Before a read runs: its ETag; a 304 if the client has it, the kept answer if we do."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    if req.method not in ("GET", "HEAD"):
        return None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # API reads describe themselves with an Operation; the web pages with a Page (catalog.web).
    described = "operation" if req.path.startswith("/v1/") else "page"
    operation = getattr(app.view_functions.get(req.endpoint or ""), described, None)
    if operation is None:
        return None
    row = get_live_db().execute(LATEST).fetchone()
    version, recorded_at = (row[0], row[1]) if row else (0, None)
    environ = req.environ
    now = operation.now_when is not None and _depends_on_now(operation, req.args)
    key = "\x1f".join(
        (
            str(version),
            req.full_path,
            environ.get("HTTP_ACCEPT", ""),
            "auth" if "HTTP_AUTHORIZATION" in environ else "",
            instants.now() if now else "",
        )
    )
    tag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    state = g._get_current_object()
    state.cache_key = tag
    kept = app.extensions["catalog.responses"].get(tag)
    if operation.etag == "record":
        # A single record's ETag is its content hash (what If-Match compares); its rendered
        # answer is still kept under the version key, with that ETag among its headers.
        if kept is None:
            return None
        record_tag = dict(kept[1])["ETag"]
        if "HTTP_IF_NONE_MATCH" in environ and req.if_none_match.contains(record_tag[1:-1]):
            return Response(status=304, headers=[("ETag", record_tag)])
        state.kept = True
        return Response(kept[0], headers=kept[1])
    state.etag = tag
    state.last_modified = None if now or recorded_at is None else recorded_at
    if "HTTP_IF_NONE_MATCH" in environ:
        if req.if_none_match.contains(tag[1:-1]):
            return Response(status=304)
    elif "HTTP_IF_MODIFIED_SINCE" in environ and _unmodified_since(state.last_modified):
        return Response(status=304)
    if kept is not None:
        state.kept = True
        return Response(kept[0], headers=kept[1])
    return None


def max_kept_bytes() -> int:
    """The largest answer that would be kept."""
    cache: ResponseCache = current_app.extensions["catalog.responses"]
    return cache.max_bytes // 8


def keep_answer(body: bytes, headers: list[tuple[str, str]]) -> None:
    """Keep a rendered answer of this request for its repeats (streamed CSV calls this when
    it has finished)."""
    state = g._get_current_object()
    if state.get("cache_key") and not state.get("kept"):
        current_app.extensions["catalog.responses"].put(state.cache_key, body, headers)


def _finish_read(response: Response) -> Response:
    headers = response.headers
    state = g._get_current_object()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    tag = state.get("etag")
    status = response.status_code
    if tag and status in (200, 304):
        headers["ETag"] = tag  # a kept answer has it already: one ETag field, not two
        if state.last_modified:
            headers.add("Last-Modified", _http_date(state.last_modified))
    if status == 200 and state.get("cache_key") and not response.is_streamed:
        keep_answer(
            response.get_data(),
            [(name, value) for name, value in headers.items() if name in KEPT_HEADERS],
        )
    if "Cache-Control" in headers:
        return response  # set by the view (static assets) or the error path (no-store)
    path = request.path
    if (
        status in (200, 304)
        and request.method in ("GET", "HEAD")
        and (path.startswith("/v1/") or path == "/openapi.yaml" or tag)
    ):
        headers.add("Cache-Control", app.extensions["catalog.cache_control"])
        headers.add("Vary", app.extensions["catalog.vary"])
    else:
        headers.add("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """ETags, 304s and kept answers for reads; Cache-Control on every response."""
    private = config.flag(app, "READ_REQUIRES_TOKEN")
    age = int(app.config["CACHE_MAX_AGE"])
    app.extensions["catalog.cache_control"] = f"{'private' if private else 'public'}, max-age={age}"
    app.extensions["catalog.vary"] = "Accept, Authorization" if private else "Accept"
    app.extensions["catalog.responses"] = ResponseCache(int(app.config["RESPONSE_CACHE_BYTES"]))
    app.before_request(_answer_early)
    app.after_request(_finish_read)
