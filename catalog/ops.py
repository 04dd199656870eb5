"""Operating the service: liveness and readiness."""

from __future__ import annotations

import sqlite3

from flask import Blueprint, Response

from . import db, schemas
from .api import json_response, load_args, operation
from .errors import problem_response

bp = Blueprint("ops", __name__)
LATEST_MIGRATION = (
    "SELECT name FROM _sqlite_migrations WHERE migration_set = 'catalog' ORDER BY id DESC LIMIT 1"
)


@bp.get("/healthz")
@operation(args=schemas.Args, problems=(400,))
def healthz() -> Response:
    """The process lives."""
    load_args(schemas.Args)
    return json_response({"status": "ok"})


@bp.get("/readyz")
@operation(args=schemas.Args, problems=(400, 503))
def readyz() -> Response:
    """The database answers and its schema is the one this code expects."""
    load_args(schemas.Args)
    try:
        row = db.get_db().execute(LATEST_MIGRATION).fetchone()
    except sqlite3.Error:
        return problem_response(503, "Service Unavailable", "The database does not answer.")
    current = db.schema_version()
    if row is None or row[0] != current:
        found = row[0] if row else "none"
        return problem_response(
            503, "Service Unavailable", f"Schema is at {found}; this code expects {current}."
        )
    return json_response({"status": "ready", "schema": current})
