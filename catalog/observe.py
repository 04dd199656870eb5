"""Observability: request ids, one JSON log line per request, Prometheus metrics.

Metrics work across gunicorn workers through prometheus_client's multiprocess mode: the gunicorn
config points PROMETHEUS_MULTIPROC_DIR at a folder every worker writes to, and /metrics adds
them up. Without that variable (tests, flask run) the process's own registry is used.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid

from flask import Blueprint, Flask, Response, g, request
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
log = logging.getLogger("catalog.access")

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


def _start() -> None:
    g.started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    LATENCY.labels(request.method, route).observe(elapsed)
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    token = g.get("token")
    log.info(
        json.dumps(
            {
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "request_id": request_id,
                "method": request.method,
                "route": route,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 3),
                "actor": token.name if token is not None else None,
                "pid": os.getpid(),
            },
            separators=(",", ":"),
        )
    )
    return response


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
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
