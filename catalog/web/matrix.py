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

from .. import resources
from ..core import rules
from ..declarations.fields import CLOUD_KINDS
from ..resources.offerings import IN_GEOGRAPHY
from ..storage import queries, versions

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
# The models with an offering available at :at (the offerings' own `at` filter, so the page
# and /v1/offerings?at= agree) on one of :clouds and, with :geography, kept in it.
_OFFERED = f"""
    SELECT DISTINCT t.model FROM offerings t
    WHERE {resources.get("offerings").filters["at"].sql}
      AND t.cloud IN (SELECT value FROM json_each(:clouds))
      AND (:geography IS NULL OR t.id IN (SELECT value FROM json_each(:in_geography)))
"""
# Where data stays in :geography: a region of it, or a data zone of it (never a global route).
_IN_GEOGRAPHY = f"SELECT t.id FROM offerings t WHERE {IN_GEOGRAPHY}"
# The regions' geographies with their number of regions, and the data zones' (which may have none).
_GEOGRAPHIES = """
    SELECT geography, sum(n) FROM (SELECT geography, 1 AS n FROM regions UNION ALL
        SELECT DISTINCT geography, 0 FROM offerings WHERE geography IS NOT NULL)
    GROUP BY geography ORDER BY geography
"""


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
    matching: int  # models the filters keep at any date (total counts those offered at `at`)
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


per_version = versions.per_version  # kept until the catalog changes


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


def list_geographies(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """The regions' geographies (US, EU, ...), each with its number of regions."""
    found: list[tuple[str, int]] = per_version(
        conn, ("geographies",), lambda: [(r[0], r[1]) for r in conn.execute(_GEOGRAPHIES)]
    )
    return found


def in_geography(conn: sqlite3.Connection, geography: str) -> frozenset[str]:
    """The ids of the offerings whose data stays in this geography: a region of it serves
    them, or they are a data-zone route of it."""
    found: frozenset[str] = per_version(
        conn,
        ("in-geography", geography),
        lambda: frozenset(r[0] for r in conn.execute(_IN_GEOGRAPHY, {"geography": geography})),
    )
    return found


def list_offerings_of(conn: sqlite3.Connection, model_ids: list[str]) -> list[dict[str, Any]]:
    """Every offering of these models, in one query."""
    spec = resources.get("offerings")
    rows = conn.execute(_OFFERINGS_OF, {"models": json.dumps(model_ids)})
    return [queries.to_record(spec, row) for row in rows]


def page_size(clouds: int) -> int:
    """Models per page for this many cloud columns."""
    return max(20, min(100, CELLS // max(clouds, 1)))


def _keeps(model: Mapping[str, Any], filters: Mapping[str, Any], maker: Mapping[str, Any]) -> bool:
    """Whether the filters keep a model: its maker, its family, and every word of `q` in its
    id, name, family or maker (the words in any order, as people type them)."""
    fields = (model["id"], model["name"], model["family"] or "", maker["id"], maker["name"])
    text = " ".join(fields).lower()
    return (
        filters.get("provider", model["provider"]) == model["provider"]
        and filters.get("family", model["family"]) == model["family"]
        and all(word in text for word in str(filters.get("q", "")).lower().split())
    )


def build(conn: sqlite3.Connection, at: str, filters: Mapping[str, Any], page: int = 1) -> Matrix:
    """The matrix at `at` for the models and clouds the filters keep: one `page` of them.

    The models are those offered at `at` on a cloud shown (in a region of `geography`, if
    given); `every` lists every model the filters keep, and so does `model` (one model)."""
    providers = {p["id"]: p for p in list_providers(conn)}
    narrow = {k: filters[k] for k in ("provider", "family") if filters.get(k)}
    if filters.get("model"):  # one model: its row alone, by key (the other filters still apply)
        one = queries.get_record(conn, resources.get("models"), filters["model"])
        models = [one] if one is not None else []
    else:
        models = _all(conn, "models", narrow)
    models = [m for m in models if _keeps(m, filters, providers[m["provider"]])]
    models.sort(
        key=lambda m: (
            providers[m["provider"]]["name"].lower(),
            m["provider"],
            m["family"] or "",
            m["name"].lower(),
            m["id"],
        )
    )
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

    geography = filters.get("geography")
    placed = in_geography(conn, geography) if geography else None
    matching = len(models)
    if not filters.get("every") and not filters.get("model"):
        offered = {
            row[0]
            for row in conn.execute(
                _OFFERED,
                {
                    "at": at,
                    "clouds": json.dumps([c["id"] for c in clouds]),
                    "geography": geography,
                    "in_geography": json.dumps(sorted(placed or ())),
                },
            )
        }
        models = [m for m in models if m["id"] in offered]
    total = len(models)

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

    clouds_by_id = {c["id"]: c for c in all_clouds}
    cells: dict[tuple[str, str], Cell] = {}
    counts = dict.fromkeys(rules.STATES, 0)
    makers: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for model in shown:
        if not makers or makers[-1][0]["id"] != model["provider"]:
            makers.append((providers[model["provider"]], []))
        makers[-1][1].append(model)
        mine = by_model.get(model["id"], [])
        if placed is not None:  # a geography: only the offerings kept in it count
            mine = [o for o in mine if o["id"] in placed]
        for cell in rules.states(model, clouds, windows, mine, at, every_cloud=clouds_by_id):
            counts[cell.state] += 1
            cells[(model["id"], cell.cloud)] = cell
    return Matrix(
        at, clouds, kinds, makers, cells, total, matching, page, pages, counts, all_clouds
    )
