"""LiteLLM's model map (model_prices_and_context_window.json, MIT) as facts on known offerings.

The map has no availability dates, so it cannot say since when a cloud offers a model: it only
adds to offerings the catalog already has. It gives planned deprecation dates (`announced`: the
vendor may move them), regions where a key names them (`bedrock/us-east-1/...`) or lists them
(`supported_regions`), and prices (per token; carried in the plan as per-1M-token records).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from . import IMPORTERS, identity
from .facts import SourceError, decimal_amount, load_mapping, price_record
from .plan import Plan, Planner, take

ORIGIN = IMPORTERS["litellm"].origin
MAPPING = IMPORTERS["litellm"].mapping or ""
CROSSWALK = IMPORTERS["models-dev"].mapping or ""  # makers and the crosswalk, shared
DEFAULT_SOURCE = "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json"
UNITS = {
    "input_cost_per_token": "input-1m-tokens",
    "output_cost_per_token": "output-1m-tokens",
    "cache_read_input_token_cost": "cached-input-1m-tokens",
    "cache_creation_input_token_cost": "cache-write-1m-tokens",
}
PROVISIONED = "provisioned throughput (`-commitment/` keys): not a fact about serverless offerings"
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_map(file: Path) -> dict[str, dict[str, Any]]:
    """The model map's entries by key; bad input is a SourceError naming the file."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"{file}: not a readable JSON file: {error}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise SourceError(f"{file}: not shaped like LiteLLM's model map (an object of objects)")
    return {k: v for k, v in data.items() if k != "sample_spec"}


def split_key(key: str, routes: list[str]) -> tuple[str | None, str]:
    """(the region the key names, the cloud's model id): `bedrock/us-east-1/x` -> (us-east-1, x)."""
    parts = key.split("/")
    while len(parts) > 1 and parts[0] in routes:
        parts = parts[1:]
    region = parts[0] if len(parts) > 1 and REGION.match(parts[0]) else None
    return region, "/".join(parts[1:] if region else parts)


def prices_of(
    offering: str, region: str | None, entry: dict[str, Any], day: str, source: str
) -> list[dict[str, Any]]:
    """The entry's per-token prices as per-1M-token price records in force on or before `day`."""
    found = []
    for name, unit in UNITS.items():
        amount = decimal_amount(entry.get(name), 1_000_000)
        if amount is not None:
            found.append(price_record(offering, region, unit, amount, day, source, ORIGIN))
    return found


def merge_facts(
    old: dict[str, Any], regions: set[str], deprecation: tuple[str, str] | None
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The offering with the map's facts added: (record, what changed, what was kept)."""
    record, changed, kept = dict(old), [], []
    added = sorted(regions - set(old["regions"] or ()))
    if added:
        record["regions"] = [*(old["regions"] or ()), *added]
        changed.append(f"regions + {', '.join(added)}")
    if deprecation is not None:
        day, source = deprecation
        if old["deprecated_from"] is None:
            record |= {
                "deprecated_from": day,
                "deprecated_from_certainty": "announced",
                "deprecated_from_source": source,
            }
            changed.append(f"deprecated from {day} (announced)")
        elif old["deprecated_from"][:10] != day:
            kept.append(
                f"kept {old['origin']} deprecation {old['deprecated_from'][:10]} "
                f"({old['deprecated_from_certainty']}) over LiteLLM's {day} (announced)"
            )
    return record, changed, kept


def plan_import(
    conn: sqlite3.Connection,
    file: Path,
    day: str | None = None,
    source: str | None = None,
    mapping: dict[str, Any] | None = None,
    progress: Any = None,
) -> Plan:
    """Plan what the catalog should take from the map (read on `day`, default today UTC); the
    map is read at once, so there is no progress to show."""
    mapping = mapping or load_mapping(MAPPING)
    entries = read_map(file)
    day = day or date.today().isoformat()
    planner = Planner(conn, f"LiteLLM model map {file.name} (read {day})")
    report = planner.plan.report
    models = identity.Models(planner.known["models"], load_mapping(CROSSWALK))
    source = source or DEFAULT_SOURCE
    facts: dict[str, dict[str, Any]] = {}
    unmapped: Counter[str] = Counter()
    prices: dict[str, dict[str, Any]] = {}
    for key in sorted(entries, key=lambda k: (identity.is_variant("amazon-bedrock", k), k)):
        entry = entries[key]
        if "-commitment/" in key:  # Bedrock provisioned throughput: not a serverless fact
            unmapped["provisioned"] += 1
            continue
        about = mapping["providers"].get(entry.get("litellm_provider"))
        if about is None:
            unmapped[f"litellm_provider {entry.get('litellm_provider')}"] += 1
            continue
        region, cloud_id = split_key(key, mapping["routes"])
        name, raw, vendor = identity.strip(about["platform"], cloud_id)
        model = models.find(name, raw, vendor)
        offering = f"{about['cloud']}:{model}:serverless"
        if model is None or offering not in planner.known["offerings"]:
            why = "unmatched model" if model is None else f"no offering {offering}"
            report.refused.append((key, f"{why} (the map gives no availability date to add one)"))
            continue
        cited = str(entry["source"]) if str(entry.get("source", "")).startswith("http") else source
        fact = facts.setdefault(offering, {"regions": set(), "deprecation": None, "keys": []})
        fact["keys"].append(key)
        named = {region} if region else set()
        named |= {r for r in entry.get("supported_regions") or [] if r != "global"}
        for region_id in sorted(named):
            known = planner.lookup("regions", f"{about['cloud']}/{region_id}")
            table = mapping["regions"].get(about["cloud"], {})
            if known is None and region_id not in table:
                report.refused.append((key, f"unknown region {about['cloud']}/{region_id}"))
                continue
            if known is None:
                name_, geography = table[region_id]
                planner.add_parent(
                    "regions",
                    {
                        "cloud": about["cloud"],
                        "id": region_id,
                        "name": name_,
                        "geography": geography,
                    },
                )
            fact["regions"].add(region_id)
        deprecation = entry.get("deprecation_date")
        if isinstance(deprecation, str) and DAY.match(deprecation) and not fact["deprecation"]:
            fact["deprecation"] = (deprecation, cited)
        if region is not None and region not in fact["regions"]:
            continue  # a price for a region the catalog cannot name
        for price in prices_of(offering, region, entry, day, cited):
            prices.setdefault(price["id"], price)
    for what, count in sorted(unmapped.items()):
        why = "unmapped provider" if what != "provisioned" else PROVISIONED
        report.refused.append((f"{what} ({count} keys)", why))
    for offering, fact in sorted(facts.items()):
        old = planner.known["offerings"][offering]
        record, changed, kept = merge_facts(old, fact["regions"], fact["deprecation"])
        for why in kept:
            report.kept.append((f"offerings/{offering}", why))
        if changed:
            why = "; ".join(changed) + f" (LiteLLM keys {', '.join(fact['keys'][:3])})"
            planner.offer(record, take(why), fact["keys"][0])
    return planner.finish(prices.values())
