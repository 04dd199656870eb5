"""The contract's rules applied to the stored catalog: the contradictions it holds, and the
availability answers (rules.py holds the rules themselves, as functions over records)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from .. import resources
from ..storage import queries, versions
from .rules import Record, contradicts, covers, states


def _by_id(conn: sqlite3.Connection, name: str) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in queries.list_records(conn, resources.get(name), {})}


def kept_by_id(conn: sqlite3.Connection, name: str) -> dict[str, dict[str, Any]]:
    """Every record of a small collection (clouds, windows) by id, read once per catalog
    version. Callers must not change what they get."""
    found: dict[str, dict[str, Any]] = versions.per_version(
        conn, ("by_id", name), lambda: _by_id(conn, name)
    )
    return found


def regions_by_key(conn: sqlite3.Connection) -> dict[tuple[str, str], dict[str, Any]]:
    """Every region by (cloud, id), read once per catalog version."""
    found: dict[tuple[str, str], dict[str, Any]] = versions.per_version(
        conn,
        ("regions_by_key",),
        lambda: {
            (r["cloud"], r["id"]): r
            for r in queries.list_records(conn, resources.get("regions"), {})
        },
    )
    return found


def geographies(conn: sqlite3.Connection) -> dict[tuple[str, str], str | None]:
    """Every region's geography by (cloud, region id), once per catalog version."""
    found: dict[tuple[str, str], str | None] = versions.per_version(
        conn,
        ("region_geographies",),
        lambda: {key: region["geography"] for key, region in regions_by_key(conn).items()},
    )
    return found


def offerings_of(
    conn: sqlite3.Connection, model_id: str, geography: str | None = None
) -> list[dict[str, Any]]:
    """A model's offerings (only those in `geography`, if given), by id, read once per catalog
    version: every availability answer on the model reads them all, whatever its `at`."""
    asked = {"model": model_id} | ({"geography": geography} if geography else {})
    offerings = resources.get("offerings")
    found: list[dict[str, Any]] = versions.per_version(
        conn,
        ("offerings_of", model_id, geography),
        lambda: list(queries.list_records(conn, offerings, asked)),
    )
    return found


def find_contradictions(
    conn: sqlite3.Connection, offering_ids: Iterable[str] | None = None
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(offering, window) pairs that break the exclusivity rule, among these offerings or all."""
    # A first-ship window is never contradicted: an offering elsewhere ends a model's span.
    windows = [w for w in _by_id(conn, "exclusivity-windows").values() if w["kind"] == "exclusive"]
    if not windows:
        return []
    models = _by_id(conn, "models")
    clouds = _by_id(conn, "clouds")
    subject_models = {m for m, model in models.items() if any(covers(w, model) for w in windows)}
    wanted = set(offering_ids) if offering_ids is not None else None
    offerings = resources.get("offerings")
    found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for model_id in sorted(subject_models):
        for offering in queries.list_records(conn, offerings, {"model": model_id}):
            if wanted is not None and offering["id"] not in wanted:
                continue
            model, cloud = models[model_id], clouds[offering["cloud"]]
            found.extend(
                (offering, window)
                for window in windows
                if contradicts(offering, model, cloud, window)
            )
    return found


def cloud_availability(
    conn: sqlite3.Connection,
    model: Record,
    at: str,
    cloud_ids: Iterable[str] | None = None,
    region: str | None = None,
    geography: str | None = None,
) -> list[dict[str, Any]]:
    """For each cloud (all, or those given): is the model available at `at`, where; its state.
    With `geography`, only the offerings whose data stays in it count (the offerings' filter)."""
    clouds = kept_by_id(conn, "clouds")
    windows = kept_by_id(conn, "exclusivity-windows").values()
    offerings = offerings_of(conn, model["id"], geography)
    asked = [clouds[c] for c in (cloud_ids if cloud_ids is not None else sorted(clouds))]
    answers = []
    for found in states(model, asked, windows, offerings, at, region, clouds):
        cloud, state = clouds[found.cloud], found.exclusivity
        if "holder" in state:
            state["holder_name"] = clouds[state["holder"]]["name"]
        answers.append(
            {
                "cloud": found.cloud,
                "kind": cloud["kind"],
                "available": bool(found.offerings),
                "regions": sorted(
                    {r for offering in found.offerings for r in offering["regions"] or ()}
                ),
                "offerings": found.offerings,
                "regions_unknown": found.unplaced,
                "exclusivity": state,
                "lifecycle": found.lifecycle,
            }
        )
    return answers


def ci_answer(
    conn: sqlite3.Connection,
    model: Record,
    cloud: Record,
    at: str,
    region: str | None = None,
    geography: str | None = None,
) -> dict[str, Any]:
    """The CI answer: is the model available on one cloud (in `region`, `geography`) at `at`,
    who is exclusive, and where its offering stands in its lifecycle."""
    (answer,) = cloud_availability(conn, model, at, [cloud["id"]], region, geography)
    del answer["kind"]
    asked = {"model": model["id"], "cloud": cloud["id"], "cloud_name": cloud["name"]}
    return asked | {"region": region, "at": at} | answer
