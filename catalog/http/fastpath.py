"""A WSGI layer in front of Flask that answers reads without it: a 304, or an answer kept
since this worker rendered it, decided by caching.decide, the same function the Flask hook
calls; and a first read whose Operation gives its answer without Flask (Operation.answer: the
availability answers, the JSON pages of the collections), rendered here with the functions its
view calls.

Such an answer costs a route lookup (cached by path), PRAGMA data_version, a hash, a dict
lookup (or the answer's own work), the log line and the metrics: none of Flask's request
context, routing or hooks. What it sends is what the slow path would send for the same
request, header for header (the tests compare them). Whatever it cannot answer so goes on to
Flask untouched: writes, errors, aliases, first reads of other views, `as_of` reads, anything
with an Authorization header, and, when reads need a token, everything (the layer is not
installed then)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Request

from .. import config
from ..core import identity, instants
from ..storage import versions
from ..storage.db import connect
from . import caching, context, observe, paths
from .kept import KeptFile
from .operations import Answer, Operation, operation_of, to_json

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Route = tuple[str, Operation, dict[str, str]]  # the rule, its Operation, the path's names
Again = Callable[[sqlite3.Connection, str, str], Answer | None]


class FastPath:
    """Answers a GET or HEAD of an API read from caching.decide when it can, else calls Flask."""

    def __init__(self, app: Flask, wrapped: WSGIApp) -> None:
        self.app = app
        self.wrapped = wrapped
        self.database = str(app.config["DATABASE"])
        self.routes: dict[str, Route | None] = {}
        self.replica = config.flag(app, "READ_ONLY")
        self.connections: dict[int, tuple[sqlite3.Connection, tuple[int, int] | None]] = {}
        # By path, query less `at`'s value and Accept header: the answer for another `at`
        # (Answer.again), and the catalog version it holds for. Only where `at` was the
        # request's one difference from one answered in full: the path's names, the rest of the
        # query checked then.
        self.again: dict[tuple[str, str, str | None], tuple[Any, Again]] = {}

    def connection(self) -> sqlite3.Connection:
        """A read-only connection for this OS thread. Not db's per-thread one: under gevent
        that is one per greenlet, so one per client connection, opened anew for each. On a
        replica it is reopened when a new file was renamed into place, as db's is."""
        thread = threading.get_native_id()  # gevent patches get_ident, not this
        identity = None
        if self.replica:
            st = os.stat(self.database)  # no file: an error, and Flask answers
            identity = (st.st_dev, st.st_ino)
        found = self.connections.get(thread)
        if found is not None and found[1] == identity:
            return found[0]
        if found is not None:
            found[0].close()
        conn = connect(self.database, read_only=True)
        self.connections[thread] = (conn, identity)
        return conn

    def route(self, environ: dict[str, Any]) -> Route | None:
        """The rule and Operation of the read at this path (None: not one), found once."""
        path = environ.get("PATH_INFO", "")
        if path in self.routes:
            return self.routes[path]
        found: Route | None = None
        try:
            rule, names = self.app.url_map.bind_to_environ(environ).match(
                method="GET", return_rule=True
            )
        except (HTTPException, RequestRedirect):
            pass
        else:
            # As caching._answer_early: reads whose Operation has an ETag; nothing else.
            operation = operation_of(self.app.view_functions.get(rule.endpoint))
            if operation is not None and operation.etag is not None:
                found = (rule.rule, operation, dict(names))
        if len(self.routes) > 4096:  # item paths are many: keep the map bounded
            self.routes.clear()
        self.routes[path] = found
        return found

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        if (
            (method != "GET" and method != "HEAD")
            or not path.isascii()
            or "HTTP_AUTHORIZATION" in environ
            or "as_of" in environ.get("QUERY_STRING", "")
        ):
            return self.wrapped(environ, start_response)
        route = self.route(environ)
        if route is None:
            return self.wrapped(environ, start_response)
        try:
            decision = caching.decide(environ, route[1], self.connection(), self.app)
        except Exception:  # the database is missing, say: Flask answers with the problem
            return self.wrapped(environ, start_response)
        status = decision.status
        rendered = None
        if status == 0 and route[1].answer is not None:
            rendered = self.render(environ, decision, route)
            if rendered is not None:  # its Content-Length goes where Flask's Response puts it
                status, decision.body, decision.headers = 200, *rendered
        if status == 0:  # Flask renders it; caching._answer_early takes this decision as made
            environ[caching.DECIDED] = decision
            return self.wrapped(environ, start_response)
        rid = observe.request_id(environ)
        kept = decision.body
        body: Iterable[bytes] = []
        if status == 304:
            start_response("304 NOT MODIFIED", [*decision.headers, ("X-Request-ID", rid)])
        else:
            length = [("Content-Length", str(len(kept)))]
            headers = decision.headers
            if rendered is None:  # a kept answer: its length after what was kept, as Flask's
                headers = [*headers, *length]
            else:  # a fresh one: after its Content-Type, as Flask's Response sends it
                headers = [headers[0], *length, *headers[1:]]
            start_response("200 OK", [*headers, ("X-Request-ID", rid)])
            if method != "HEAD":  # a big kept answer is sent from its file, block by block
                body = kept if isinstance(kept, KeptFile) else [kept]
        if isinstance(kept, KeptFile) and not body:  # a 304 or a HEAD: nothing to send
            kept.close()
        elapsed = time.perf_counter() - started
        observe.record(method, route[0], path, status, elapsed, rid, None)
        return body

    def render(
        self, environ: dict[str, Any], decision: caching.Decision, route: Route
    ) -> tuple[bytes, caching.Headers] | None:
        """The answer of a read whose Operation gives one without Flask (its `answer`,
        which its view calls too), and its headers; None leaves the request to Flask: a name
        in the path that is an alias or unknown, a bad argument, any error (Flask answers
        each with its problem, or its redirect)."""
        conn = self.connection()
        query = environ.get("QUERY_STRING", "")
        at, text, rest = _lone_at(query) if "at=" in query else (None, "", "")
        asked = (environ.get("PATH_INFO", ""), rest, environ.get("HTTP_ACCEPT"))
        try:
            with versions.pinned(conn):  # one version: the one asked again, the one answered
                under = versions.kept_under(conn)
                found = self.again.get(asked) if at is not None else None
                again = found[1](conn, at, text) if found and found[0] == under and at else None
                got = again or self._answer(conn, environ, decision, route)
        except Exception:  # Elsewhere, an APIError, anything: Flask answers it
            return None
        if got is None:
            return None
        if not isinstance(got, Answer):
            got = Answer(to_json(got), [])
        elif again is None and got.again is not None and at is not None:  # the rest was valid
            if len(self.again) > 4096:
                self.again.clear()
            self.again[asked] = (under, got.again)  # the version it was made in
        return got.body, caching.rendered(self.app, decision, got)

    def _answer(
        self,
        conn: sqlite3.Connection,
        environ: dict[str, Any],
        decision: caching.Decision,
        route: Route,
    ) -> Any:
        """The Operation's answer, read in full; None where a name in the path is not its
        record's own id (an alias, unknown: Flask redirects or answers the 404)."""
        _, operation, names = route
        assert operation.answer is not None
        for parameter, kind in paths.PARAMETERS.items():
            value = names.get(parameter)
            cloud = names.get("cloud_id") if kind == "regions" else None
            if value is not None and identity.resolve(conn, kind, value, cloud) != value:
                return None
        asked = Request(environ)  # werkzeug's, as Flask's request is
        args = context.arguments(operation, asked, conn, decision.now)
        return operation.answer(conn, names, args, asked)


def _lone_at(query: str) -> tuple[str | None, str, str]:
    """`at` (canonical) where the query gives it once, plainly (nothing percent-encoded, no
    "+", so the text is what werkzeug parses); `at` as given; and the query with its value left
    out (its place kept: a page's Link keeps the query's order). Else (None, "", "")."""
    if "%" in query or "+" in query:
        return None, "", ""
    parts = query.split("&")
    ats = [part for part in parts if part.partition("=")[0] == "at"]
    if len(ats) != 1 or not ats[0].startswith("at="):
        return None, "", ""
    text = ats[0][3:]
    try:
        at = instants.bounded(instants.parse(text))
    except ValueError:
        return None, "", ""
    return at, text, "&".join("at=" if part is ats[0] else part for part in parts)


def install(app: Flask) -> None:
    """Put the fast path in front of the app, unless reads need a token or it is turned off."""
    if config.flag(app, "READ_REQUIRES_TOKEN") or not config.flag(app, "FAST_PATH"):
        return
    app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
