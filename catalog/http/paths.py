"""Names in URLs: an alias answers for its model's id, an unknown id is a 404 with suggestions.

One hook before every view (API and pages alike), so each route that takes a model, cloud,
provider or region in its path resolves it the same way and its answer names the id. It runs
after the other hooks (the request's clock, auth, caching): a reader without a token learns no id.
"""

from __future__ import annotations

import sqlite3

from flask import Flask, current_app, request

from ..core import identity, instants
from ..storage import as_of
from ..storage.db import get_db, get_live_db

# The URL parameters that name records, by kind (identity.KINDS); a cloud before its region.
PARAMETERS = {
    "model_id": "models",
    "cloud_id": "clouds",
    "provider_id": "providers",
    "region_id": "regions",
}


def resolve_path() -> None:
    """Replace each name in a read's path by the id it stands for; Unknown (404) if none."""
    values = request.view_args
    if not values or request.method not in ("GET", "HEAD"):
        return  # a write names the record it writes, never an alias of it
    if not PARAMETERS.keys() & values.keys():
        return
    conn = _catalog_read()
    if conn is None:
        return  # a malformed as_of: the view answers the 400 naming it
    for parameter, kind in PARAMETERS.items():
        value = values.get(parameter)
        if value is None:
            continue
        cloud = values.get("cloud_id") if kind == "regions" else None
        found = identity.resolve(conn, kind, value, cloud)
        if found is not None:
            values[parameter] = found
        elif not _is_history():  # a deleted record still has its history: the view decides
            raise identity.unknown(conn, kind, value, cloud=cloud)


def _is_history() -> bool:
    rule = request.url_rule
    return rule is not None and rule.rule.endswith("/history")


def _catalog_read() -> sqlite3.Connection | None:
    """The catalog this read answers from: as recorded at `as_of` (the same cached rebuild the
    view then reads), or now."""
    raw = request.args.get("as_of")
    if not raw:
        return get_db()
    try:
        instant = instants.parse(raw)
    except ValueError:
        return None
    return as_of.catalog_at(get_live_db(), current_app.config["DATABASE"], instant)


def init_app(app: Flask) -> None:
    """Resolve names in paths before any view runs (register it after auth and caching)."""
    app.before_request(resolve_path)
