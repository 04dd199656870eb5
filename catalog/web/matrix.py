"""The availability matrix: models down, clouds across, one state per cell at an instant.

A few set-based reads (the filtered models, every cloud, every window, the offerings of the
models on the page, at once), then the contract's rules from rules.py cell by cell in memory:
no query per cell.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import queries, resources, rules
from ..fields import CLOUD_KINDS

# Models per page: as many as keep a page near CELLS cells (the page's weight and render time
# grow with them), between 20 and 100: 38 with 47 clouds, 100 with the 5 hyperscalers.
CELLS = 1800
MAX_FAMILIES = 400  # a menu longer than this is no help: a text field instead
KIND_LABELS = {
    "hyperscaler": "Hyperscalers",
    "first-party": "Makers' own APIs",
    "data-platform": "Data plat\u00adforms",  # soft hyphens: two narrow columns may hold them
    "inference-host": "Infer\u00adence hosts",
    "gateway": "Gateways",
}

_OFFERINGS_OF = (
    f"SELECT {resources.get('offerings').select_list} FROM offerings AS t "
    "WHERE t.model IN (SELECT value FROM json_each(:models)) "
    "ORDER BY t.cloud, t.available_from, t.id"
)
_FAMILIES = (
    "SELECT family, count(*) FROM models WHERE family IS NOT NULL "
    "AND (:provider IS NULL OR provider = :provider) GROUP BY family ORDER BY family"
)
_MAKERS = "SELECT provider, count(*) FROM models GROUP BY provider"


Cell = rules.CloudState  # one (model, cloud) at the instant


@dataclass
class Matrix:
    """What the page shows: the clouds by kind, the page's models by maker, their cells."""

    at: str
    clouds: list[dict[str, Any]]
    kinds: list[tuple[str, int]]  # (kind, number of its clouds), in column order
    makers: list[tuple[dict[str, Any], list[dict[str, Any]]]]  # (provider, its models) on the page
    cells: dict[tuple[str, str], Cell]
    total: int  # models matching the filters, on every page
    page: int
    pages: int
    counts: dict[str, int]  # cells by state, on this page
    all_clouds: list[dict[str, Any]]  # every cloud, the filtered-out ones too (window holders)

    @property
    def kind_starts(self) -> set[str]:
        """The first cloud of each kind after the first: a group border is drawn before it."""
        starts, seen = set(), None
        for cloud in self.clouds:
            if seen is not None and cloud["kind"] != seen:
                starts.add(cloud["id"])
            seen = cloud["kind"]
        return starts


def _all(conn: sqlite3.Connection, name: str, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(queries.list_records(conn, resources.get(name), filters))


per_version = queries.per_version  # kept until the catalog changes


def list_providers(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every maker with its number of models, by name."""

    def compute() -> list[dict[str, Any]]:
        counts = dict(conn.execute(_MAKERS).fetchall())
        providers = _all(conn, "providers", {})
        for provider in providers:
            provider["models"] = counts.get(provider["id"], 0)
        return sorted(providers, key=lambda p: p["name"].lower())

    return list(per_version(conn, ("providers",), compute))


def list_families(conn: sqlite3.Connection, provider: str | None) -> list[tuple[str, int]] | None:
    """The model families (of one maker, if given) with their number of models; None where
    there are too many for a menu (the page then asks for a family by name)."""

    def compute() -> list[tuple[str, int]] | None:
        rows = [(row[0], row[1]) for row in conn.execute(_FAMILIES, {"provider": provider})]
        return rows if len(rows) <= MAX_FAMILIES else None

    found: list[tuple[str, int]] | None = per_version(conn, ("families", provider), compute)
    return found


def list_offerings_of(conn: sqlite3.Connection, model_ids: list[str]) -> list[dict[str, Any]]:
    """Every offering of these models, in one query."""
    spec = resources.get("offerings")
    rows = conn.execute(_OFFERINGS_OF, {"models": json.dumps(model_ids)})
    return [queries.to_record(spec, row) for row in rows]


def page_size(clouds: int) -> int:
    """Models per page for this many cloud columns."""
    return max(20, min(100, CELLS // max(clouds, 1)))


def _keeps(model: Mapping[str, Any], filters: Mapping[str, Any]) -> bool:
    text = " ".join(str(model[k] or "") for k in ("id", "name", "family")).lower()
    return (
        filters.get("provider", model["provider"]) == model["provider"]
        and filters.get("family", model["family"]) == model["family"]
        and str(filters.get("q", "")).lower() in text
    )


def build(conn: sqlite3.Connection, at: str, filters: Mapping[str, Any], page: int = 1) -> Matrix:
    """The matrix at `at` for the models and clouds the filters keep: one `page` of them."""
    model_filters = {k: filters[k] for k in ("provider", "family", "q") if filters.get(k)}
    if filters.get("model"):  # one model: its row alone, by key (the other filters still apply)
        one = queries.get_record(conn, resources.get("models"), filters["model"])
        models = [one] if one is not None else []
        models = [m for m in models if _keeps(m, model_filters)]
    else:
        models = _all(conn, "models", model_filters)
    providers = {p["id"]: p for p in list_providers(conn)}
    models.sort(
        key=lambda m: (
            providers[m["provider"]]["name"].lower(),
            m["provider"],
            m["family"] or "",
            m["name"].lower(),
            m["id"],
        )
    )
    total = len(models)
    order = {kind: n for n, kind in enumerate(CLOUD_KINDS)}
    # Clouds and windows are few and change rarely: read once per catalog version.
    all_clouds: list[dict[str, Any]] = per_version(
        conn, ("clouds",), lambda: _all(conn, "clouds", {})
    )
    clouds = [c for c in all_clouds if not filters.get("kind") or c["kind"] == filters["kind"]]
    clouds.sort(key=lambda c: (order.get(c["kind"], 99), c["name"].lower(), c["id"]))
    kinds: list[tuple[str, int]] = []
    for cloud in clouds:
        if kinds and kinds[-1][0] == cloud["kind"]:
            kinds[-1] = (cloud["kind"], kinds[-1][1] + 1)
        else:
            kinds.append((cloud["kind"], 1))

    size = page_size(len(clouds))
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    shown = models[(page - 1) * size : page * size]

    windows: list[dict[str, Any]] = per_version(
        conn, ("windows",), lambda: _all(conn, "exclusivity-windows", {})
    )
    by_model: dict[str, list[dict[str, Any]]] = {}
    for offering in list_offerings_of(conn, [m["id"] for m in shown]):
        by_model.setdefault(offering["model"], []).append(offering)

    cells: dict[tuple[str, str], Cell] = {}
    counts = dict.fromkeys(rules.STATES, 0)
    makers: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for model in shown:
        if not makers or makers[-1][0]["id"] != model["provider"]:
            makers.append((providers[model["provider"]], []))
        makers[-1][1].append(model)
        for cell in rules.states(model, clouds, windows, by_model.get(model["id"], []), at):
            counts[cell.state] += 1
            cells[(model["id"], cell.cloud)] = cell
    return Matrix(at, clouds, kinds, makers, cells, total, page, pages, counts, all_clouds)
