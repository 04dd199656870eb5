"""Operating the service: liveness and readiness."""

from __future__ import annotations

import sqlite3

from flask import Blueprint, Response, current_app

from .. import config
from ..declarations.args import Args
from ..http.context import request_args
from ..http.errors import problem_response
from ..http.operations import operation
from ..storage import disk as storage
from ..storage import migrations
from ..storage.db import get_db
from .responses import json_response

bp = Blueprint("ops", __name__)
LATEST_MIGRATION = (
    "SELECT name FROM _sqlite_migrations WHERE migration_set = 'catalog' ORDER BY id DESC LIMIT 1"
)


@bp.get("/healthz")
@operation(args=Args, problems=(400,), etag=None)
def healthz() -> Response:
    """The process lives."""
    request_args()
    return json_response({"status": "ok"})


@bp.get("/readyz")
@operation(args=Args, problems=(400, 503), etag=None)
def readyz() -> Response:
    """The database answers and its schema is the one this code expects."""
    request_args()
    try:
        row = get_db().execute(LATEST_MIGRATION).fetchone()
    except sqlite3.Error:
        return problem_response(503, "Service Unavailable", "The database does not answer.")
    current = migrations.schema_version()
    if row is None or row[0] != current:
        found = row[0] if row else "none"
        return problem_response(
            503, "Service Unavailable", f"Schema is at {found}; this code expects {current}."
        )
    # Still ready on a full disk (reads go on); `writable` says whether a write could be stored.
    database = current_app.config["DATABASE"]
    writable = not config.flag(current_app, "READ_ONLY") and storage.writable(database)
    return json_response({"status": "ready", "schema": current, "writable": writable})
