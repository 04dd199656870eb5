"""models.dev (https://github.com/anomalyco/models.dev, MIT) from a git checkout.

Every TOML file under providers/<platform>/models/ is one model on one platform. Its offering is
dated by the first main-line commit that listed it (on-or-before that commit's UTC day, sourced
to the file at that commit); its prices by each commit that changed them. When every file behind
an offering is deleted, and no file of the cloud still carries its id (a rename is not a
delisting), the offering ends on the deleting commit's UTC day (on-or-before), and so do its
prices.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..config import registry_cache
from ..core import pricing
from . import IMPORTERS, gitlog, identity
from .facts import load_mapping
from .identity import Models
from .models_dev_files import (
    ORIGIN,
    REPO_URL,
    File,
    deletion_link,
    deprecation,
    link,
    price_records,
    read_checkout,
)
from .models_dev_names import Entry, Makers, classify, model_of
from .plan import Plan, Planner, prefer_earlier
from .remote import fetched, is_url

CLOUD = ("name", "kind", "provider")  # what a mapped platform says about its catalog cloud
MAPPING = IMPORTERS["models-dev"].mapping or ""


def cloud_id(platform: str, path: str) -> str:
    """The id a cloud's bill shows for the model file at `path` (unescaped: `meta-llama%2Fx`
    is `meta-llama/x`), Bedrock's cross-region prefix included: each route is its own
    offering."""
    return unquote(path.split("/models/", 1)[1]).removesuffix(".toml")


def variant(platform: str, path: str) -> bool:
    """Whether the file is a tier variant (`:free`) of another id on its route."""
    return identity.is_variant(platform, identity.bare_cloud_id(platform, cloud_id(platform, path)))


def route(platform: str, path: str) -> str | None:
    """The file's cross-region route (Bedrock's `global`, `eu`, ...), None for in-region."""
    return identity.route(platform, cloud_id(platform, path))


def offering_record(
    offering: str, cloud: str, model: str, group: list[tuple[str, File]], listed: set[str]
) -> tuple[dict[str, Any], File]:
    """The offering the registry's files show (on one route: in-region, global or a data
    zone, as its id says), and the file its cloud id and prices come from:
    a file the registry still has, else the one it deleted last. `listed` holds the cloud ids the
    cloud's files still carry: the offering ends only when every file behind it is gone and
    none of its ids lives on in another file (a rename is not a delisting)."""

    def first(item: tuple[str, File]) -> gitlog.Version:
        return item[1].listed()[0]

    def rank(item: tuple[str, File]) -> tuple[bool, bool, int, str, int, str]:
        platform, file = item
        file_id = cloud_id(platform, file.path)
        gone = -file.deleted.seq if file.deleted else 0  # else the one deleted last
        is_variant = variant(platform, file.path)
        return (bool(file.deleted), is_variant, gone, first(item).day, -len(file_id), file_id)

    platform, primary = min(group, key=rank)
    opened = min((first(item) for item in group), key=lambda v: (v.day, v.path))
    status = primary.latest.get("status")
    _, deployment_type, geography = identity.route_offering(
        cloud, model, route(platform, primary.path)
    )
    record: dict[str, Any] = {
        "id": offering,
        "model": model,
        "cloud": cloud,
        "deployment_type": deployment_type,
        "geography": geography,
        "cloud_model_id": cloud_id(platform, primary.path)[:300],
        "cloud_model_version": None,
        "regions": [],
        "stage": "preview" if status in ("alpha", "beta") else "ga",
        "available_from": opened.day,
        "available_from_certainty": "on-or-before",
        "available_from_source": link(opened.commit, opened.path),
        "notes": f"Imported from models.dev: first listed as {opened.path} in {opened.commit[:12]}."
        + (f" {len(group)} registry files name it." if len(group) > 1 else ""),
        "origin": ORIGIN,
    }
    ended = deprecation(primary)
    if ended is not None and ended.day > opened.day:
        record["deprecated_from"] = ended.day
        record["deprecated_from_certainty"] = "on-or-before"
        record["deprecated_from_source"] = link(ended.commit, ended.path)
    gone = [file.deleted for _, file in group]
    renamed = any(cloud_id(p, file.path).lower() in listed for p, file in group)
    if all(gone) and not renamed:
        last = max((v for v in gone if v), key=lambda v: (v.seq, v.path))
        record["retired_from"] = last.day
        record["retired_from_certainty"] = "on-or-before"
        record["retired_from_source"] = deletion_link(last.commit, last.path)
        record["notes"] += f" Delisted: {last.path} deleted in {last.commit[:12]}."
    return record, primary


def renamed_from(group: list[tuple[str, File]], primary: File) -> list[File]:
    """The deleted files whose prices the offering had before `primary` was listed (a rename:
    Groq's `meta-llama%2Fx` before `meta-llama/x`), oldest first; variants (`:free`) are not
    the offering's own price."""
    start = primary.listed()[0].day
    gone = [
        file
        for platform, file in group
        if file is not primary
        and file.deleted is not None
        and file.listed()[0].day < start
        and not variant(platform, file.path)
    ]
    return sorted(gone, key=lambda f: (f.listed()[0].day, f.path))


def unmatched(entry: Entry) -> str:
    """Why a file names no model, as specifically as the file lets us say."""
    said = f"unmatched model: {entry.name!r}"
    if entry.why:
        return f"{said} ({entry.why})"
    if entry.vendor is None:
        return f"{said} (its id names no maker, and no catalog model, alias or crosswalk entry)"
    return f"{said} (maker {entry.vendor!r} known, but no catalog model, alias or crosswalk entry)"


def _route_order(item: tuple[tuple[str, str, str | None], Any]) -> tuple[str, str, str]:
    cloud, model, prefix = item[0]
    return cloud, model, prefix or ""


def plan_import(
    conn: sqlite3.Connection,
    source: str | Path,
    rev: str = "HEAD",
    progress: Callable[[int], Callable[[int], None]] | None = None,
    mapping: dict[str, Any] | None = None,
) -> Plan:
    """Read the checkout's history and plan what the catalog should take from it."""
    mapping = mapping or load_mapping(MAPPING)
    source = str(source)
    checkout = fetched(source, Path(registry_cache())) if is_url(source) else Path(source)
    commit, files, unreadable = read_checkout(checkout, rev, progress)
    planner = Planner(conn, f"models.dev {commit}")
    report = planner.plan.report
    platforms, makers = mapping["platforms"], Makers(mapping)
    models = Models(planner.known["models"], mapping)
    for path in sorted(p for p in files if p.startswith("models/") and p.count("/") >= 2):
        lab, name = path.split("/", 2)[1:]
        if lab in makers.known:  # other folders once held a platform's files, not a maker's
            models.define(name.removesuffix(".toml"), makers.known[lab], files[path].latest)

    groups: dict[tuple[str, str, str | None], list[tuple[str, File]]] = {}
    listed: dict[str, set[str]] = {}  # by cloud: the ids its platforms' files still carry
    for entry in classify(files, mapping, makers, report):
        file = files[entry.path]
        cloud = platforms[entry.platform]["cloud"]
        if file.deleted is None:
            listed.setdefault(cloud, set()).add(cloud_id(entry.platform, entry.path).lower())
        if not file.listed():
            continue
        model = model_of(entry, file.latest, models, report)
        if model is None:
            report.refused.append((entry.path, unmatched(entry)))
            continue
        key = (cloud, model, route(entry.platform, entry.path))
        groups.setdefault(key, []).append((entry.platform, file))

    def need_provider(provider: str | None) -> None:
        if provider and provider not in planner.known["providers"]:
            planner.add_parent("providers", {**makers.record(provider), "origin": ORIGIN})

    prices = []
    for (cloud, model, prefix), group in sorted(groups.items(), key=_route_order):
        about = platforms[group[0][0]]
        need_provider(about["provider"])
        if not planner.add_parent("clouds", {"id": cloud, **{k: about[k] for k in CLOUD}}):
            continue
        if model in models.records:
            need_provider(models.records[model]["provider"])
            if not planner.add_parent("models", models.records[model]):
                continue
        offering = identity.route_offering(cloud, model, prefix)[0]
        record, primary = offering_record(offering, cloud, model, group, listed.get(cloud, set()))
        if record.get("retired_from", "9") <= record["available_from"]:
            why = f"listed and delisted on the same day ({record['available_from']})"
            report.refused.append((f"offerings/{offering} ({primary.path})", why))
            continue
        if planner.offer(record, prefer_earlier(ORIGIN, REPO_URL), primary.path):
            stored = planner.lookup("offerings", offering) or record
            history = [*renamed_from(group, primary), primary]
            prices.extend(price_records(offering, history, pricing.ends_by(stored)))
    if unreadable:
        report.refused.append(("history", f"{unreadable} old file versions are not valid TOML"))
    return planner.finish(prices)
