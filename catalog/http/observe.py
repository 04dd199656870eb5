"""Observability: request ids, one JSON log line per request, Prometheus metrics.

Metrics work across gunicorn workers through prometheus_client's multiprocess mode: the gunicorn
config points PROMETHEUS_MULTIPROC_DIR at a folder every worker writes to, and /metrics adds
them up. Without that variable (tests, flask run) the process's own registry is used.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import traceback
from typing import Any

from flask import Blueprint, Flask, Response, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

bp = Blueprint("observe", __name__)

REQUESTS = Counter(
    "catalog_http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "catalog_http_request_duration_seconds",
    "Time from request to response, in seconds.",
    ["method", "route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
# A client's own id is echoed if it looks like an id; anything else is replaced.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id(environ: dict[str, Any]) -> str:
    """The client's X-Request-ID if it looks like an id, else a new one."""
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if REQUEST_ID.match(given) else os.urandom(16).hex()


def _start() -> None:
    g.started = time.perf_counter()
    g.request_id = request_id(request.environ)


# Metric labels come from closed sets: a made-up method (any token is valid HTTP) is counted as
# OTHER, so no client can add label values (each one a series kept until the service restarts).
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}
_clock: list[Any] = [0, ""]  # (second, its RFC 3339 text): formatted once a second


def _metrics(method: str, route: str, status: str) -> tuple[Any, Any]:
    # labels() looks its child up on every call; a dict of them is cheaper on the hot path.
    key = (method, route, status)
    found = _children.get(key)
    if found is None:
        found = _children[key] = (
            REQUESTS.labels(method, route, status),
            LATENCY.labels(method, route),
        )
    return found


def record(
    method: str, route: str, path: str, status: int, elapsed: float, rid: str, actor: str | None
) -> None:
    """Count a request in the metrics and write its log line (the fast path calls this too)."""
    counter, histogram = _metrics(method if method in METHODS else "OTHER", route, str(status))
    counter.inc()
    histogram.observe(elapsed)
    now = int(time.time())
    if _clock[0] != now:
        _clock[:] = [now, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))]
    # One JSON object a line, straight to standard error (gunicorn or the container collects
    # it): the logging module's machinery cost a fifth of a cached request. The id and the
    # method cannot hold quotes (the id is checked, a method is an HTTP token); the rest is
    # escaped by json.dumps.
    sys.stderr.write(
        f'{{"time":"{_clock[1]}","request_id":"{rid}","method":"{method}",'
        f'"route":{json.dumps(route)},"path":{json.dumps(path)},"status":{status},'
        f'"duration_ms":{elapsed * 1000:.3f},'
        f'"actor":{json.dumps(actor) if actor is not None else "null"},'
        f'"pid":{os.getpid()}}}\n'
    )


def _finish(response: Response) -> Response:
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    rule = request.url_rule
    route = rule.rule if rule is not None else "(unmatched)"
    rid = g.get("request_id") or os.urandom(16).hex()
    response.headers["X-Request-ID"] = rid
    token = g.get("token")
    name = token.name if token is not None else None
    record(request.method, route, request.path, response.status_code, elapsed, rid, name)
    return response


def log_event(message: str, level: str = "warning", **fields: Any) -> None:
    """One JSON line on standard error, like the access log, with the request's id and route."""
    record: dict[str, Any] = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "level": level,
        "message": message,
    }
    if has_request_context():
        # The same id the access line and the X-Request-ID header carry.
        record["request_id"] = g.setdefault("request_id", os.urandom(16).hex())
        record["method"], record["path"] = request.method, request.path
    record.update(fields, pid=os.getpid())
    sys.stderr.write(json.dumps(record) + "\n")


def log_error(error: BaseException) -> None:
    """An unhandled error: one JSON line with its request id and the whole traceback."""
    log_event(
        "unhandled error",
        level="error",
        error=f"{type(error).__name__}: {error}",
        traceback="".join(traceback.format_exception(error)),
    )


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text: requests by route and status, and a latency histogram (all workers)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0])


def init_app(app: Flask) -> None:
    """Request ids and access logs on every request; /metrics."""
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(bp)
