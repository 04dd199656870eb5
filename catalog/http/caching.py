"""HTTP caching for reads: strong ETags, 304s decided before any query, and rendered answers
reused while the catalog has not changed.

A read's answer is a function of the catalog's version (the newest change's seq), the request
(path, query, Accept, authenticated or not) and, where no `at` is given and the answer speaks
of "now", the current UTC minute (the contract): a poll within the minute revalidates to 304.
The ETag is a hash of those, known before the query runs. The same key makes a rendered answer
reusable: each worker keeps the most recent ones (bounded in bytes) and serves a repeat without
querying or rendering again. A write changes the version: nothing stale is ever served.

Single records carry the hash of their own content instead (api/responses.etag), because If-Match on
writes compares against exactly that; their rendered answers are kept under the version key.

`decide` is the one place a read is answered early; the Flask hook below and the WSGI fast path
in front of Flask (fastpath.py) both call it, so both send the same headers and bytes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Response, current_app, g, request
from werkzeug.http import parse_date, parse_etags
from werkzeug.utils import get_content_type

from .. import config
from ..core import instants
from ..storage.db import get_live_db
from ..storage.versions import catalog_version
from .kept import InFlight, KeptFile, ResponseCache
from .operations import Answer, Operation, operation_of

Headers = list[tuple[str, str]]
# Where the fast path leaves the decision it made for a read it hands on to Flask: made once.
DECIDED = "catalog.decision"


@lru_cache(maxsize=64)
def _http_date(recorded_at: str) -> str:
    return format_datetime(instants.to_datetime(recorded_at), usegmt=True)


def now() -> str:
    """ "Now" as a read answers for it: the current UTC minute (the contract's Caching)."""
    return instants.now()[:17] + "00Z"


def speaks_of_now(operation: Operation, environ: dict[str, Any]) -> bool:
    """Whether this read's answer is about now: no `at` given, and the arguments its Operation
    names for that (`now_when`) are. A blank value counts as not given (as pages read forms).
    The one rule for both the ETag (decide) and the view's `at` (context.request_args)."""
    when = operation.now_when
    if when is None:
        return False
    names = _given(environ.get("QUERY_STRING", ""))
    return "at" not in names and all(name in names for name in when)


@lru_cache(maxsize=64)
def _given(query: str) -> frozenset[str]:
    """The arguments a query string gives a value (asked twice a request: decide, the view)."""
    return frozenset(name for name, value in parse_qsl(query) if value.strip())


def cache_control(app: Flask, minute: str | None) -> str:
    """How long a read may be reused: CACHE_MAX_AGE, and for an answer about now (the minute
    it speaks of) no longer than the rest of that minute (0 once the clock has left it)."""
    extensions = app.extensions
    if minute is None:
        return str(extensions["catalog.cache_control"])
    current = instants.now()
    left = 60 - int(current[17:19]) if current[:17] == minute[:17] else 0
    return (
        f"{extensions['catalog.cache_scope']}, max-age={min(extensions['catalog.max_age'], left)}"
    )


def _aged(headers: Headers, value: str) -> Headers:
    return [(name, value if name == "Cache-Control" else v) for name, v in headers]


def _none_match(environ: dict[str, Any], tag: str) -> bool:
    given = environ["HTTP_IF_NONE_MATCH"]
    return given == tag or parse_etags(given).contains(tag[1:-1])


def _unmodified_since(environ: dict[str, Any], recorded_at: str | None) -> bool:
    """If-Modified-Since (only where no If-None-Match came, RFC 9110 13.1.3)."""
    since = parse_date(environ["HTTP_IF_MODIFIED_SINCE"])
    return bool(since and recorded_at and instants.to_datetime(recorded_at) <= since)


@dataclass(slots=True)
class Decision:
    """What a read's answer will be, known before the view runs."""

    key: str  # the kept answer's key; for "version" reads, their ETag as well
    now: str | None = None  # the minute the answer speaks of, if it speaks of now
    etag: str | None = None  # the ETag the view's answer gets ("version" reads)
    last_modified: str | None = None
    status: int = 0  # 0: run the view; 200: the kept answer; 304
    body: bytes | KeptFile = b""  # a big kept answer is sent from its file
    headers: Headers = field(default_factory=list)  # all but Content-Length and X-Request-ID


def decide(
    environ: dict[str, Any], operation: Operation, conn: sqlite3.Connection, app: Flask
) -> Decision:
    """A read's ETag from the catalog's version and the request; a 304 if the client has it,
    the kept answer if this worker has it."""
    version, recorded_at = catalog_version(conn)
    minute = now() if speaks_of_now(operation, environ) else None
    script = environ.get("SCRIPT_NAME", "")
    key = "\x1f".join(
        (
            str(version),
            script + environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
            "auth" if "HTTP_AUTHORIZATION" in environ else "",
            minute or "",
        )
    )
    tag = '"' + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32] + '"'
    kept = app.extensions["catalog.responses"].get(tag)
    if kept is not None and minute:  # kept earlier in the minute: only the rest of it is left
        kept = (kept[0], _aged(kept[1], cache_control(app, minute)))
    if operation.etag == "record":
        # A single record's ETag is its content hash (what If-Match compares); its rendered
        # answer is still kept under the version key, with that ETag among its headers.
        if kept is None:
            return Decision(tag, minute)
        record_tag = dict(kept[1])["ETag"]
        if "HTTP_IF_NONE_MATCH" in environ and _none_match(environ, record_tag):
            return Decision(tag, minute, status=304, headers=not_modified(app, record_tag))
        return Decision(tag, minute, status=200, body=kept[0], headers=kept[1])
    last_modified = None if minute or recorded_at is None else recorded_at
    if ("HTTP_IF_NONE_MATCH" in environ and _none_match(environ, tag)) or (
        "HTTP_IF_NONE_MATCH" not in environ
        and "HTTP_IF_MODIFIED_SINCE" in environ
        and _unmodified_since(environ, last_modified)
    ):
        if kept is not None and isinstance(kept[0], KeptFile):
            kept[0].close()  # opened for nothing: the client has it
        return Decision(tag, minute, status=304, headers=not_modified(app, tag, minute))
    if kept is not None:
        return Decision(tag, minute, status=200, body=kept[0], headers=kept[1])
    return Decision(tag, minute, etag=tag, last_modified=last_modified)


def not_modified(app: Flask, tag: str, minute: str | None = None) -> Headers:
    """A 304's headers (RFC 9110 15.4.5: those a 200 would carry but the content's own)."""
    return [
        ("ETag", tag),
        ("Cache-Control", cache_control(app, minute)),
        ("Vary", app.extensions["catalog.vary"]),
    ]


def _answer_early() -> Response | None:
    """Before a read runs: a 304 or the kept answer, if decide() has one."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    if req.method not in ("GET", "HEAD"):
        return None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    operation = operation_of(app.view_functions.get(req.endpoint or ""))
    if operation is None or operation.etag is None:
        return None
    decision = req.environ.pop(DECIDED, None) or decide(req.environ, operation, get_live_db(), app)
    state = g._get_current_object()
    state.cache_key = decision.key
    state.now = decision.now
    state.etag = decision.etag
    state.last_modified = decision.last_modified
    if decision.status == 0:
        return None
    state.answered = True  # its headers are complete: _finish_read adds none
    if decision.status == 304:
        return Response(status=304, headers=decision.headers)
    return _kept_response(decision.body, decision.headers)


def _kept_response(body: bytes | KeptFile, headers: Headers) -> Response:
    if isinstance(body, KeptFile):
        response = Response(body, headers=headers, direct_passthrough=True)
        response.headers["Content-Length"] = str(body.size)
        return response
    return Response(body, headers=headers)


def made_by_another() -> Response | None:
    """The copy of this answer another request of this worker made or is making (waited for)."""
    state = g._get_current_object()
    key = state.get("cache_key")
    if not key or state.get("answered"):
        return None
    making: InFlight = current_app.extensions["catalog.making"]
    kept, mine = making.made(key, current_app.extensions["catalog.responses"])
    if mine:
        state.making = key
    if kept is None:
        return None
    state.answered = True
    return _kept_response(*kept)


def hand_over() -> Callable[[], None]:
    """This request's claim on making its answer (made_by_another), let go by calling what is
    returned: a streamed answer's once it is sent and kept, after its teardown."""
    key, making = g.pop("making", None), current_app.extensions["catalog.making"]
    return lambda: making.release(key) if key else None


def _release(error: BaseException | None) -> None:
    hand_over()()  # a claim not handed over (an answer not streamed, an error) ends here


def keep_answer(body: bytes, headers: Headers) -> None:
    """Keep a rendered answer of this request for its repeats."""
    state = g._get_current_object()
    if state.get("cache_key") and not state.get("answered"):
        current_app.extensions["catalog.responses"].put(state.cache_key, body, headers)


def _finish_read(response: Response) -> Response:
    state = g._get_current_object()
    if state.get("answered"):
        return response
    headers = response.headers
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    tag = state.get("etag")
    status = response.status_code
    if tag and status in (200, 304):
        for name, value in _validators(tag, state.last_modified):
            headers[name] = value  # set, not added: exactly one ETag
    if "Cache-Control" not in headers:  # else set by the view (static assets) or the error path
        path = request.path
        if (
            status in (200, 304)
            and request.method in ("GET", "HEAD")
            and (path.startswith("/v1/") or path == "/openapi.yaml" or tag)
        ):
            for name, value in _reuse(app, state.get("now")):
                headers[name] = value
        else:
            headers["Cache-Control"] = "no-store"
    if status == 200 and state.get("cache_key"):
        # What a repeat will send: these headers (the length and request id come then).
        kept = [(name, value) for name, value in headers.items() if name != "Content-Length"]
        if response.is_streamed:
            state.kept_headers = kept  # the stream keeps its answer once it has finished
        else:
            keep_answer(response.get_data(), kept)
    return response


def _validators(tag: str, last_modified: str | None) -> Headers:
    dated = [("Last-Modified", _http_date(last_modified))] if last_modified else []
    return [("ETag", tag), *dated]


def _reuse(app: Flask, minute: str | None) -> Headers:
    return [("Cache-Control", cache_control(app, minute)), ("Vary", app.extensions["catalog.vary"])]


def rendered(app: Flask, decision: Decision, answer: Answer) -> Headers:
    """The headers _finish_read gives a 200 to a GET (but Content-Length), for an answer
    rendered outside Flask (fastpath.py) with headers of its own (a page's Link); kept for
    its repeats as _finish_read keeps it."""
    assert decision.etag is not None, "a rendered answer needs a 'version' ETag"
    validators = _validators(decision.etag, decision.last_modified)
    kind = get_content_type(answer.media_type, "utf-8")  # as Flask's Response says it
    headers = [("Content-Type", kind), *answer.headers, *validators, *_reuse(app, decision.now)]
    app.extensions["catalog.responses"].put(decision.key, answer.body, headers)
    return headers


def init_app(app: Flask) -> None:
    """ETags, 304s and kept answers for reads; Cache-Control on every response."""
    private = config.flag(app, "READ_REQUIRES_TOKEN")
    age = int(app.config["CACHE_MAX_AGE"])
    scope = "private" if private else "public"
    app.extensions["catalog.cache_scope"] = scope
    app.extensions["catalog.max_age"] = age
    app.extensions["catalog.cache_control"] = f"{scope}, max-age={age}"
    app.extensions["catalog.vary"] = "Accept, Authorization" if private else "Accept"
    app.extensions["catalog.responses"] = ResponseCache(
        int(app.config["RESPONSE_CACHE_BYTES"]), int(app.config["KEPT_FILE_BYTES"])
    )
    app.extensions["catalog.making"] = InFlight()
    app.before_request(_answer_early)
    app.after_request(_finish_read)
    app.teardown_request(_release)  # after a streamed answer has finished, too
