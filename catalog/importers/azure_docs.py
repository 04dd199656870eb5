"""Azure's published lifecycle tables (MicrosoftDocs/azure-ai-docs) as facts on known offerings.

Three files of a checkout (a sparse one is enough) are read: the Azure OpenAI retirement table,
the retired Azure OpenAI models, and the Foundry lifecycle tables of the other makers. Each row
gives an Azure model (and version) its deprecation ("legacy", or "no new customers") and
retirement dates and the replacement Azure suggests. The importer only adds these to the
offerings the catalog already has on `azure`; it never creates one.

How sure: "No earlier than D" is `not-before`; a date the file states before it came (after the
day of the newest version that states it) is `announced`; a date the file states after it
passed is `exact`. Dated: with git history, each fact's source is the file at the commit that
first showed it; without history, the learn.microsoft.com page, and the file's `ms.date` is the
day of its version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .. import identity
from .azure_history import CLOUD, REPO, Fact, Found, Notes, Offerings, read_facts
from .azure_regions import MATRIX, plan_routes
from .azure_tables import BadRow, Said, parse_said
from .facts import SourceError, load_mapping
from .plan import Plan, Planner, take

__all__ = ["BadRow", "Offerings", "Said", "dated", "parse_said", "plan_import", "read_facts"]


def certainty(fact: Fact) -> str:
    """not-before as said; else exact when shown after the day passed, announced before."""
    if fact.said.not_before:
        return "not-before"
    return "exact" if fact.said.day <= fact.last_day else "announced"


def dated(fact: Fact, deployment_type: str) -> dict[str, str]:
    """The instant, certainty and source of a fact for one deployment type."""
    day = fact.said.day
    if fact.said.other_types and deployment_type != "serverless":
        day = fact.said.other_types
    shown = Fact(Said(day, fact.said.not_before), fact.source, fact.first_day, fact.last_day, "")
    return {"at": day, "certainty": certainty(shown), "source": fact.source}


VENDOR_HOSTS = ("https://learn.microsoft.com/", REPO + "/")


def lifecycle(old: dict[str, Any], found: Found) -> tuple[dict[str, Any], list[str]]:
    """The offering with the schedule's facts, and what was kept instead. A fact the catalog
    has from elsewhere than Azure's documents (a maintainer's, a registry's) keeps precedence
    only when it is curated; an earlier read of these documents is replaced."""
    record = dict(old)
    kept = []
    for name, fact in (("deprecated_from", found.deprecated), ("retired_from", found.retired)):
        if fact is None:
            continue
        new = dated(fact, old["deployment_type"])
        ours = old[f"{name}_source"]
        theirs_ok = ours is None or ours.startswith(VENDOR_HOSTS) or old["origin"] != "curated"
        if not theirs_ok:
            kept.append(
                f"kept curated {name} {old[name][:10]} ({old[name + '_certainty']}) "
                f"over Azure's {new['at']} ({new['certainty']})"
            )
            continue
        record[name] = new["at"] + "T00:00:00Z"
        record[f"{name}_certainty"] = new["certainty"]
        record[f"{name}_source"] = new["source"]
    if found.replacement and found.replacement != old["model"]:
        if old.get("replacement") in (None, found.replacement) or old["origin"] != "curated":
            record["replacement"] = found.replacement
    return _in_order(old, record, kept)


def _in_order(
    old: dict[str, Any], record: dict[str, Any], kept: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """Dates that keep their order. A retirement on or before a registry's start means the
    registry listed the offering after Azure had ended it: the start it showed ("on or before
    that commit") was late, and the schedule is the better evidence that the offering began on
    or before the day before it retired. A "no earlier than" retirement or a deprecation that
    does not fit is left out, and said."""
    retired, start = record["retired_from"], record["available_from"]
    if retired and retired <= start:
        if record["retired_from_certainty"] == "not-before":
            kept.append(
                f"left out Azure's not-before retirement {retired[:10]}: not after the "
                f"start {start[:10]}"
            )
            for part in ("", "_certainty", "_source"):
                record["retired_from" + part] = old["retired_from" + part]
        elif record["available_from_certainty"] in ("on-or-before", "inferred", "month"):
            day = (date.fromisoformat(retired[:10]) - timedelta(days=1)).isoformat()
            kept.append(
                f"start {start[:10]} ({record['available_from_certainty']}) was after "
                f"Azure retired it on {retired[:10]}: now on or before {day}"
            )
            record["available_from"] = day + "T00:00:00Z"
            record["available_from_certainty"] = "on-or-before"
            record["available_from_source"] = record["retired_from_source"]
        else:
            return dict(old), [
                f"refused Azure's retirement {retired[:10]}: not after the "
                f"{record['available_from_certainty']} start {start[:10]}"
            ]
    deprecated = record["deprecated_from"]
    late = deprecated and record["retired_from"] and deprecated >= record["retired_from"]
    if deprecated and (late or deprecated <= record["available_from"]):
        kept.append(f"left out Azure's deprecation {deprecated[:10]}: out of order")
        for part in ("", "_certainty", "_source"):
            record["deprecated_from" + part] = old["deprecated_from" + part]
    return record, kept


def plan_import(
    conn: sqlite3.Connection,
    path: str | Path,
    *,
    mapping: Any = None,
    progress: Callable[[int], Callable[[int], None] | None] | None = None,
) -> Plan:
    """The plan of an import of a checkout of MicrosoftDocs/azure-ai-docs at `path`."""
    checkout = Path(path)
    if not checkout.is_dir():
        raise SourceError(f"{checkout}: not a folder")
    planner = Planner(conn, f"azure-docs {checkout}")
    known = planner.known["offerings"]
    records = {k: r for k, r in known.items() if r["cloud"] == CLOUD}
    refused: list[tuple[str, str]] = []
    notes: Notes = []
    routes: dict[str, str] = {}
    if (checkout / MATRIX).is_dir():  # a sparse checkout of the lifecycle files reads no regions
        mapping = mapping or load_mapping("azure-regions.json")
        names = identity.known_names(conn, "models")
        routes = plan_routes(checkout, planner, records, names, mapping, refused, notes)
    else:
        notes.append((str(checkout / MATRIX), "no model-by-region tables: regions not read"))
    offerings = Offerings(records, set(planner.known["models"]))
    found = read_facts(checkout, offerings, refused, notes)
    step = progress(len(found.keys() | routes.keys())) if progress else None
    for key in sorted(found.keys() | routes.keys()):
        old, base = known.get(key), records[key]
        facts = found.get(key)
        record, said = lifecycle(base, facts) if facts else (base, [])
        where = facts.retired.where if facts and facts.retired else key
        if record != old:
            why = [routes[key]] if key in routes else []
            why += [_why(record, base)] if record != base else []
            planner.offer(record, take("; ".join([*why, *said])), where)
        else:
            planner.plan.report.kept.extend((f"offerings/{key}", why) for why in said)
        if step:
            step(1)
    planner.plan.report.refused.extend(refused)
    planner.plan.report.kept.extend(notes)
    return planner.finish()


def _why(record: dict[str, Any], old: dict[str, Any]) -> str:
    parts = []
    for name, word in (
        ("available_from", "start"),
        ("deprecated_from", "deprecated"),
        ("retired_from", "retired"),
    ):
        if record[name] != old[name]:
            parts.append(f"{word} {record[name][:10]} ({record[name + '_certainty']})")
    if record.get("replacement") != old.get("replacement"):
        parts.append(f"replacement {record['replacement']}")
    return "Azure's schedule: " + ", ".join(parts)
