"""A first-ship window's spans as the API shows them: rules.first_ship_span over the catalog.

Derived on every read from the offerings, never stored (store.DERIVED keeps them out of writes).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from .. import resources
from ..storage import queries, versions
from .rules import Record, covers, first_ship_span


def spans_of(
    window: Record,
    models: Iterable[Record],
    offerings: Iterable[Record],
    clouds: Mapping[str, Record],
) -> list[dict[str, Any]]:
    """A first-ship window's spans over these models (with their offerings), by model id."""
    offerings = list(offerings)
    spans = (first_ship_span(window, m, offerings, clouds) for m in models)
    return sorted((s for s in spans if s is not None), key=lambda s: s["model"])


DERIVED = ("exclusivity-windows",)  # collections with fields derived here as the API shows them


def shown(
    conn: sqlite3.Connection, name: str, records: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Records of a collection as the API shows them: a first-ship window with its spans."""
    return with_spans(conn, records) if name in DERIVED else records


def with_spans(conn: sqlite3.Connection, windows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The windows with each first-ship one's spans over the catalog's offerings filled in."""
    first_ship = [w for w in windows if w["kind"] == "first-ship"]
    if not first_ship:
        return windows
    for window in first_ship:
        if conn.in_transaction:  # a write's answer: what it wrote, not a kept copy
            window["spans"] = _spans(conn, window)
        else:  # kept until the catalog changes: the same for every read of one version
            key = ("first-ship spans", window["id"], window["updated_at"])
            window["spans"] = versions.per_version(conn, key, partial(_spans, conn, window))
    return windows


def _spans(conn: sqlite3.Connection, window: Record) -> list[dict[str, Any]]:
    models, clouds = _by_id(conn, "models"), _by_id(conn, "clouds")
    subject = {"model": window["model"]} if window["model"] else {"provider": window["provider"]}
    offerings = queries.list_records(conn, resources.get("offerings"), subject)
    covered = [m for m in models.values() if covers(window, m)]
    return spans_of(window, covered, offerings, clouds)


def _by_id(conn: sqlite3.Connection, name: str) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in queries.list_records(conn, resources.get(name), {})}
