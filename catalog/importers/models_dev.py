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
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote

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
from .plan import Plan, Planner, Report, prefer_earlier

CLOUD = ("name", "kind", "provider")  # what a mapped platform says about its catalog cloud
MAPPING = IMPORTERS["models-dev"].mapping or ""


def cloud_id(platform: str, path: str) -> str:
    """The id a cloud's bill shows for the model file at `path` (unescaped: `meta-llama%2Fx`
    is `meta-llama/x`), without Bedrock's cross-region prefix."""
    file_id = unquote(path.split("/models/", 1)[1]).removesuffix(".toml")
    return identity.bare_cloud_id(platform, file_id)


def offering_record(
    offering: str, cloud: str, model: str, group: list[tuple[str, File]], listed: set[str]
) -> tuple[dict[str, Any], File]:
    """The offering the registry's files show, and the file its cloud id and prices come from:
    a file the registry still has, before a deleted one. `listed` holds the cloud ids the
    cloud's files still carry: the offering ends only when every file behind it is gone and
    none of its ids lives on in another file (a rename is not a delisting)."""

    def first(item: tuple[str, File]) -> gitlog.Version:
        return item[1].listed()[0]

    def rank(item: tuple[str, File]) -> tuple[bool, bool, str, int, str]:
        platform, file = item
        file_id = cloud_id(platform, file.path)
        variant = identity.is_variant(platform, file_id)
        return (file.deleted is not None, variant, first(item).day, -len(file_id), file_id)

    platform, primary = min(group, key=rank)
    opened = min((first(item) for item in group), key=lambda v: (v.day, v.path))
    status = primary.latest.get("status")
    record: dict[str, Any] = {
        "id": offering,
        "model": model,
        "cloud": cloud,
        "deployment_type": "serverless",
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


class Entry(NamedTuple):
    """One provider file, with who may name a new model from it (rank: who goes first)."""

    rank: int
    platform: str
    path: str
    name: str
    raw: str
    vendor: str | None
    maker: str | None


def classify(files: dict[str, File], mapping: dict[str, Any], report: Report) -> list[Entry]:
    """The mapped platforms' files, the maker's own platform first, then ids that name their
    maker (a gateway's `maker/model`, Bedrock's `maker.model`, a platform's reviewed prefixes);
    the rest may only match. Unmapped platforms are reported, one line each."""
    platforms, makers = mapping["platforms"], mapping["makers"]
    entries, unmapped = [], Counter[str]()
    for path in sorted(files):
        parts = path.split("/", 3)
        if len(parts) < 4 or parts[0] != "providers" or parts[2] != "models":
            continue
        if parts[1] not in platforms:
            unmapped[parts[1]] += 1
            continue
        about = platforms[parts[1]]
        name, raw, vendor = identity.strip(parts[1], parts[3].removesuffix(".toml"))
        names = about.get("names", {})
        if about["kind"] == "first-party":
            rank, maker = 0, about["provider"]
        elif names and name.startswith(tuple(names["prefixes"])):
            rank, maker = 1, names["maker"]  # Azure's `phi-4`, Model Studio's `qwen-max`
        elif vendor is not None and vendor in makers:
            # Gateways spell ids as the maker publishes them; hosts, then Bedrock, less so.
            host = {"gateway": 2, "hyperscaler": 4}.get(about["kind"], 3)
            rank, maker = host, makers[vendor]
        else:
            rank, maker = 5, None
        entries.append(Entry(rank, parts[1], path, name, raw, vendor, maker))
    for platform, count in sorted(unmapped.items()):
        why = mapping["skipped"].get(platform, "not in the reviewed mapping")
        report.refused.append(
            (f"providers/{platform} ({count} files)", f"unmapped platform: {why}")
        )
    return sorted(entries)


def model_of(entry: Entry, content: dict[str, Any], models: Models) -> str | None:
    """The catalog model a file lists: its `base_model`, the crosswalk, its id, or a new one."""
    ref = content.get("base_model") or (content.get("extends") or {}).get("from")
    model = models.find(ref.split("/", 1)[1]) if isinstance(ref, str) and "/" in ref else None
    model = model or models.find(entry.name, entry.raw, entry.vendor)
    if (model is None or not models.has(model)) and entry.maker is not None:
        name = entry.name if entry.rank <= 1 else identity.plainest(entry.name)
        return models.define(name, entry.maker, content, model)
    return model if model is not None and models.has(model) else None


def plan_import(
    conn: sqlite3.Connection,
    source: str | Path,
    rev: str = "HEAD",
    progress: Callable[[int], Callable[[int], None]] | None = None,
    mapping: dict[str, Any] | None = None,
) -> Plan:
    """Read the checkout's history and plan what the catalog should take from it."""
    mapping = mapping or load_mapping(MAPPING)
    commit, files, unreadable = read_checkout(Path(source), rev, progress)
    planner = Planner(conn, f"models.dev {commit}")
    report = planner.plan.report
    platforms, makers = mapping["platforms"], mapping["makers"]
    models = Models(planner.known["models"], mapping)
    for path in sorted(p for p in files if p.startswith("models/") and p.count("/") >= 2):
        lab, name = path.split("/", 2)[1:]
        if lab in makers:  # other folders once held a platform's files, not a maker's
            models.define(name.removesuffix(".toml"), makers[lab], files[path].latest)

    groups: dict[tuple[str, str], list[tuple[str, File]]] = {}
    listed: dict[str, set[str]] = {}  # by cloud: the ids its platforms' files still carry
    for entry in classify(files, mapping, report):
        file = files[entry.path]
        cloud = platforms[entry.platform]["cloud"]
        if file.deleted is None:
            listed.setdefault(cloud, set()).add(cloud_id(entry.platform, entry.path).lower())
        if not file.listed():
            continue
        model = model_of(entry, file.latest, models)
        if model is None:
            why = f"unmatched model: {entry.name!r} (no base_model, crosswalk entry or known key)"
            report.refused.append((entry.path, why))
            continue
        groups.setdefault((cloud, model), []).append((entry.platform, file))

    def need_provider(provider: str | None) -> None:
        if provider and provider not in planner.known["providers"]:
            about = mapping["providers"].get(provider, {})
            name = about.get("name", provider)
            record = {"id": provider, "name": name, "website": about.get("website")}
            planner.add_parent("providers", record)

    prices = []
    for (cloud, model), group in sorted(groups.items()):
        about = platforms[group[0][0]]
        need_provider(about["provider"])
        if not planner.add_parent("clouds", {"id": cloud, **{k: about[k] for k in CLOUD}}):
            continue
        if model in models.records:
            need_provider(models.records[model]["provider"])
            if not planner.add_parent("models", models.records[model]):
                continue
        offering = f"{cloud}:{model}:serverless"
        record, primary = offering_record(offering, cloud, model, group, listed.get(cloud, set()))
        if planner.offer(record, prefer_earlier(ORIGIN, REPO_URL), primary.path):
            stored = planner.lookup("offerings", offering) or record
            prices.extend(price_records(offering, primary, stored["retired_from"]))
    if unreadable:
        report.refused.append(("history", f"{unreadable} old file versions are not valid TOML"))
    return planner.finish(prices)
