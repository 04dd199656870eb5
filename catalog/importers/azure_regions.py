"""Where Azure sells each model: its model-by-region tables (azure_matrix.py says which file is
which deployment type), as offerings with their regions.

One offering per model and route, its regions those of every version. An existing offering
keeps its id and the regions it had (a table only adds); a new one starts on or before the
first version of the table that showed the model (the file's ms.date without history, or the
newest model version its table names if later: a file naming a version dated D was written on
or after it). A row naming a region the catalog lacks adds it where the reviewed mapping
(fixtures/registry/azure-regions.json) gives its geography; otherwise the row is refused and
reported, as is a data-zone row whose region is in no data zone. A table whose columns changed,
a row that cannot be read, or a missing file: SourceError (exit 2, nothing written).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..resources.offerings import offering_id
from .azure_history import CLOUD, Notes, Offerings, Version, source_of, versions
from .azure_maas import maas_routes
from .azure_matrix import ANY, MATRIX, TABLES, Kind, Table, parse_matrix, version_day
from .azure_tables import norm
from .facts import SourceError
from .plan import Planner

__all__ = ["MATRIX", "TABLES", "Table", "parse_matrix", "plan_routes", "read_routes"]

MAAS_LABEL = "serverless API region"
Refused = list[tuple[str, str]]
Key = tuple[str, str, str | None, str]  # model, deployment type, data zone, how bought


@dataclass
class Route:
    """What the tables say of one model under one deployment type (and data zone), bought one
    way; `makes`: whether a table that may make offerings showed it."""

    model: str
    deployment_type: str
    geography: str | None
    name: str  # Azure's model name
    bought: str = ""
    labels: list[str] = field(default_factory=list)
    served: dict[str, list[str]] = field(default_factory=dict)  # version -> its regions
    first: tuple[str, str] | None = None  # (day, source) of the first version showing it
    makes: bool = False

    @property
    def versions(self) -> list[str]:
        return list(self.served)

    @property
    def label(self) -> str:
        return " and ".join(self.labels) + (" tables" if len(self.labels) > 1 else " table")

    @property
    def id(self) -> str:
        """`azure:MODEL:ROUTE`, ROUTE's how-bought suffix after the deployment type's."""
        own = offering_id(CLOUD, self.model, self.deployment_type, self.geography)
        return f"{own}-{self.bought}" if self.bought else own

    def shown(self, kind: Kind | str) -> None:
        label = kind.label if isinstance(kind, Kind) else kind
        if label not in self.labels:
            self.labels.append(label)
        self.makes = self.makes or not isinstance(kind, Kind) or kind.makes

    def regions(self, versions: list[str] | None = None) -> list[str]:
        """The regions of these versions (all; versions case aside), each once, sorted."""
        found = set()
        asked = None if versions is None else {v.lower() for v in versions}
        for version, regions in self.served.items():
            if asked is None or version.lower() in asked or version == ANY:
                found |= set(regions)
        return sorted(found)


def model_of(offerings: Offerings, names: dict[str, str], name: str, version: str) -> str | None:
    """The catalog model a column names: that of the azure offering of this name and version
    (versions case aside; any version for ANY), else the model (or alias) of that name, else
    that of the offerings of that name if they are all of one model."""
    spellings = [None] if version == ANY else list(dict.fromkeys((version, version.lower())))
    for spelled in spellings:
        for key in offerings.matching([name], spelled):
            return str(offerings.records[key]["model"])
    if norm(name) in names:
        return names[norm(name)]
    found = {offerings.records[k]["model"] for k in offerings.matching([name], None)}
    return str(found.pop()) if len(found) == 1 else None


def read_routes(
    checkout: Path,
    offerings: Offerings,
    names: dict[str, str],
    regions: dict[str, str],
    zones: set[str],
    refused: Refused,
) -> dict[Key, Route]:
    """Every (model, deployment type, data zone, how bought) the tables show, with its
    regions; `names`: the catalog's model names (aliases too) to their ids; `regions` maps each
    region the import may name to its geography."""
    routes: dict[Key, Route] = {}
    unknown: dict[tuple[str, str, str], str] = {}
    pages = {path: kind.page for path, kind in TABLES.items()}
    for path, history in versions(checkout, pages).items():
        kind = TABLES[path]
        deployment_type = kind.deployment_type
        head = parse_matrix(path, history[-1].text)
        older = [(v, t) for v in history[:-1] if (t := _parsed(v)) is not None]
        for region, (line, served) in sorted(head.rows.items()):
            if region not in regions:
                why = f"region {region!r}: not in the catalog, and no geography for it"
                refused.append((f"{path}:{line}", why))
                continue
            geography = regions[region] if deployment_type == "data-zone" else None
            if geography is not None and geography not in zones:
                refused.append((f"{path}:{line}", f"{region} ({geography}) is in no data zone"))
                continue
            for j in sorted(served):
                name, version = head.columns[j]
                model = model_of(offerings, names, name, version)
                if model is None:
                    unknown.setdefault((path, name, version), region)
                    continue
                key = (model, deployment_type, geography, kind.bought)
                route = routes.setdefault(
                    key, Route(model, deployment_type, geography, name, kind.bought)
                )
                route.shown(kind)
                route.served.setdefault(version, []).append(region)
                shown = _first_shown(older, name, version, history[-1], head)
                if route.first is None or shown[0] < route.first[0]:
                    route.first = shown
    refused.extend(
        (path, f"{name} {_version(version)}: not a catalog model (served in {region} and more?)")
        for (path, name, version), region in unknown.items()
    )
    for model, typed, name, listed, first in maas_routes(
        checkout, offerings.records, names, regions, refused
    ):
        route = routes.setdefault((model, typed, None, ""), Route(model, typed, None, name))
        route.shown(MAAS_LABEL)
        route.served.setdefault(ANY, []).extend(listed)
        route.first = min(route.first or first, first)
    return routes


def _version(version: str) -> str:
    return "(every version)" if version == ANY else version


def _versions(versions: list[str]) -> str:
    named = [v for v in versions if v != ANY]
    said = [f"versions {', '.join(named)}"] if named else []
    return " and ".join(said + (["a column naming no version"] if ANY in versions else []))


def _parsed(version: Version) -> Table | None:
    try:
        return parse_matrix(version.path, version.text)
    except SourceError:
        return None  # an old layout: it dates nothing


def _first_shown(
    older: list[tuple[Version, Table]], name: str, version: str, head: Version, table: Table
) -> tuple[str, str]:
    """(day, source) of the oldest version of the file that served the model's version."""
    for old, parsed in older:
        if (name, version) in parsed.columns:
            j = parsed.columns.index((name, version))
            if any(j in served for _, served in parsed.rows.values()):
                return version_day(old, parsed), source_of(old)
    return version_day(head, table), source_of(head)


def plan_routes(
    checkout: Path,
    planner: Planner,
    records: dict[str, dict[str, Any]],
    names: dict[str, str],
    mapping: dict[str, Any],
    refused: Refused,
    notes: Notes,
) -> dict[str, str]:
    """Update `records` (the azure offerings, by id) with the tables' regions and routes: the
    ids changed or added, each with why. New regions are added to the planner."""
    known = {r["id"]: r["geography"] for r in planner.known["regions"].values()
             if r["cloud"] == CLOUD}  # fmt: skip
    given = {k: v for k, v in mapping["regions"].items() if k not in known}
    geographies = known | {k: geo for k, (_, geo) in given.items()}
    offerings = Offerings(records, set(planner.known["models"]))
    zones = set(mapping["data_zones"])
    routes = read_routes(checkout, offerings, names, geographies, zones, refused)
    changed: dict[str, str] = {}
    for key in sorted(routes, key=lambda k: (k[0], k[1], k[2] or "", k[3])):
        route = routes[key]
        for region in route.regions():
            if region in given:
                name, geography = given[region]
                record = {"cloud": CLOUD, "id": region, "name": name, "geography": geography}
                planner.add_parent("regions", record)
        for offering in _targets(route, records):
            old = records[offering]
            regions = list(old["regions"] or [])
            version = old["cloud_model_version"]
            added = [r for r in route.regions([version] if version else None) if r not in regions]
            if not added:
                continue
            records[offering] = {**old, "regions": regions + added}
            changed[offering] = f"Azure's {route.label}: regions + {', '.join(added)}"
        if not _targets(route, records):
            if not route.makes:
                notes.append(
                    (
                        route.id,
                        f"Azure's {route.label}: no in-region offering to add "
                        f"{', '.join(route.regions())} to (these tables make none)",
                    )
                )
                continue
            record = _new(route)
            records[record["id"]] = record
            changed[record["id"]] = (
                f"Azure's {route.label}: {route.name} in {', '.join(route.regions())}"
            )
    return changed


def _targets(route: Route, records: dict[str, dict[str, Any]]) -> list[str]:
    """The offerings a route's regions go to: the in-region ones of the model (the versions'
    own and the unversioned one), else the route's own offering, if the catalog has them."""
    if route.deployment_type == "serverless":
        mine = [
            k
            for k, r in records.items()
            if r["model"] == route.model and r["deployment_type"] == "serverless"
            and (r["cloud_model_version"] is None or ANY in route.versions
                 or r["cloud_model_version"].lower() in {v.lower() for v in route.versions})
        ]  # fmt: skip
        if mine:
            return sorted(mine)
    return [route.id] if route.id in records else []


def _new(route: Route) -> dict[str, Any]:
    assert route.first is not None
    day, source = route.first
    preview = "preview" in route.name or any("preview" in v.lower() for v in route.versions)
    return {
        "id": route.id,
        "model": route.model,
        "cloud": CLOUD,
        "deployment_type": route.deployment_type,
        "geography": route.geography,
        "cloud_model_id": route.name,
        "cloud_model_version": None,
        "regions": route.regions(),
        "stage": "preview" if preview else "ga",
        "available_from": day + "T00:00:00Z",
        "available_from_certainty": "on-or-before",
        "available_from_source": source,
        "deprecated_from": None,
        "deprecated_from_certainty": None,
        "deprecated_from_source": None,
        "retired_from": None,
        "retired_from_certainty": None,
        "retired_from_source": None,
        "replacement": None,
        "notes": f"Azure's {route.label}, {_versions(route.versions)}.",
        "origin": "azure-docs",
    }
