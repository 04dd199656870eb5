"""The clouds' own region tables curated by hand (fixtures/registry/cloud-regions.json), applied
to the offerings the catalog has: where each is served.

Bedrock's models-by-region and inference-profile tables and Vertex AI's generative-AI locations
exist only as web pages, so a maintainer reads each page (or a public copy of it) and writes
down what it says, with the page's URL and the day it was read: the regions it names (id,
display name, geography) and, per table, rows of a cloud's model id and the regions that serve
it (`via`: the public copy read, where the page itself could not be). A row names its
offering by the id the cloud's bill shows (`cloud_model_id`, Bedrock's `eu.` profile ids
included) or by `offering`; the table's regions replace the offering's list. A region the
catalog lacks is added only with a geography, on a cloud it has; else it is refused and
reported, and so is a row naming no offering the catalog has. A file that is not JSON, or a
region, table or row that is not shaped as above, stops the import (exit 2) naming the file
and the record.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..resources.regions import GEOGRAPHY
from ..storage import loading
from .facts import SourceError
from .plan import Plan, Planner, take

FILE = "cloud-regions.json"
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def default_file() -> Path:
    """The shipped curated file."""
    return loading.shipped_fixtures() / "registry" / FILE


def read(path: Path) -> dict[str, Any]:
    """The file, checked for shape; SourceError names the file and the record."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"{path}: not a readable JSON file ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("tables"), list):
        raise SourceError(f"{path}: no list of tables")
    for number, region in enumerate(data.get("regions", []), start=1):
        where = f"{path}: regions[{number}]"
        if not isinstance(region, dict) or not all(
            isinstance(region.get(k), str) and region[k] for k in ("cloud", "id", "name")
        ):
            raise SourceError(f"{where}: needs cloud, id and name")
    for number, table in enumerate(data["tables"], start=1):
        where = f"{path}: tables[{number}]"
        if not isinstance(table, dict) or not isinstance(table.get("rows"), list):
            raise SourceError(f"{where}: needs a list of rows")
        if not str(table.get("source", "")).startswith("https://"):
            raise SourceError(f"{where}: needs the https URL of the page read")
        if "via" in table and not str(table["via"]).startswith("https://"):
            raise SourceError(f"{where}: via needs the https URL of the copy read")
        if not isinstance(table.get("read"), str) or not DAY.fullmatch(table["read"]):
            raise SourceError(f"{where}: needs the day the page was read (YYYY-MM-DD)")
        if not isinstance(table.get("cloud"), str):
            raise SourceError(f"{where}: needs its cloud")
        for row_number, row in enumerate(table["rows"], start=1):
            named = isinstance(row, dict) and (row.get("cloud_model_id") or row.get("offering"))
            regions = row.get("regions") if isinstance(row, dict) else None
            if not named or not isinstance(regions, list) or not regions:
                raise SourceError(
                    f"{where}.rows[{row_number}]: needs cloud_model_id or offering, "
                    "and a non-empty list of regions"
                )
    return data


def _offerings_by_bill(known: dict[str, dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for key, record in sorted(known.items()):
        found.setdefault((record["cloud"], record["cloud_model_id"]), []).append(key)
    return found


def plan_import(
    conn: sqlite3.Connection,
    *,
    file: Path | None = None,
    mapping: Any = None,
    progress: Callable[[int], Callable[[int], None] | None] | None = None,
) -> Plan:
    """The plan of applying the curated region tables (`file`, default the shipped one)."""
    path = file or default_file()
    data = read(path)
    planner = Planner(conn, f"cloud region tables ({path.name})")
    report = planner.plan.report
    for number, region in enumerate(data.get("regions", []), start=1):
        _add_region(planner, region, f"{path.name}: regions[{number}]")
    known = planner.known["offerings"]
    by_bill = _offerings_by_bill(known)
    placed: dict[str, tuple[list[str], str]] = {}  # offering -> (regions, source)
    for number, table in enumerate(data["tables"], start=1):
        cloud = table["cloud"]
        for row_number, row in enumerate(table["rows"], start=1):
            where = f"{path.name}: tables[{number}].rows[{row_number}]"
            keys = (
                [row["offering"]]
                if row.get("offering")
                else by_bill.get((cloud, row["cloud_model_id"]), [])
            )
            keys = [k for k in keys if k in known]
            if not keys:
                said = row.get("offering") or row["cloud_model_id"]
                report.refused.append((where, f"no offering {said!r} on {cloud}"))
                continue
            regions = [r for r in row["regions"] if _named(planner, cloud, r, where)]
            for key in keys:
                before, _ = placed.get(key, ([], ""))
                merged = list(dict.fromkeys([*before, *regions]))
                via = f", through {table['via']}" if table.get("via") else ""  # a public copy
                placed[key] = (merged, f"{table['source']} (read {table['read']}{via})")
    for key, (regions, source) in sorted(placed.items()):
        if not regions:
            continue
        record = dict(known[key])
        record["regions"] = regions
        note = f"Regions: {source}."
        notes = record.get("notes") or ""
        if note not in notes:
            record["notes"] = f"{notes} {note}".strip()[:2000]
        if record != known[key]:
            planner.offer(record, take(f"{source}: regions {', '.join(regions)}"), key)
    return planner.finish()


def _add_region(planner: Planner, region: dict[str, Any], where: str) -> None:
    """Add a region the catalog lacks, with its display name and geography; one without a
    geography is refused and reported."""
    cloud, key = region["cloud"], region["id"]
    if planner.lookup("regions", f"{cloud}/{key}") is not None:
        return
    if planner.lookup("clouds", cloud) is None:
        planner.plan.report.refused.append((f"regions/{cloud}/{key} ({where})", "no such cloud"))
        return
    geography = region.get("geography")
    if not isinstance(geography, str) or not re.match(GEOGRAPHY, geography):
        why = f"no geography (US, EU, ...): {geography!r}"
        planner.plan.report.refused.append((f"regions/{cloud}/{key} ({where})", why))
        return
    record = {"cloud": cloud, "id": key, "name": region["name"], "geography": geography}
    planner.add_parent("regions", record)


def _named(planner: Planner, cloud: str, region: Any, where: str) -> bool:
    """Whether a row's region is one the catalog has or this import adds; else refused."""
    if isinstance(region, str) and planner.lookup("regions", f"{cloud}/{region}") is not None:
        return True
    why = f"unknown region {region!r} (not in the catalog, nor in the file with a geography)"
    planner.plan.report.refused.append((where, why))
    return False
