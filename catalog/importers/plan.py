"""What an import would do (a plan, built without writing) and the one function that writes it.

A plan holds the records to create or change, in fixture form and validated, the price records
the import found (written as dated series, see price_series), and a report of
every decision: added, changed, kept (the catalog's own fact took precedence) and refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import resources
from ..core import pricing, rules
from ..storage import queries, refusals, store

Record = dict[str, Any]
# (existing offering, the import's candidate) -> (what to store, a decision worth reporting)
Merge = Callable[[Record, Record], tuple[Record, str | None]]

# How sure a date is, surest first; a registry's "listed by this commit" is on-or-before.
SURENESS = {"exact": 4, "month": 3, "on-or-before": 2, "inferred": 1, "announced": 0,
            "not-before": 0}  # fmt: skip


class ImportRefused(Exception):
    """A plan the store will not take as a whole (checked again inside the transaction)."""


@dataclass
class Report:
    """Every decision of an import, as (what, why) lines per kind."""

    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "added": self.added,
            "changed": [{"record": r, "why": w} for r, w in self.changed],
            "kept": [{"record": r, "why": w} for r, w in self.kept],
            "refused": [{"what": r, "why": w} for r, w in self.refused],
        }


@dataclass
class Plan:
    """Records to write (parents first), prices found, and the report."""

    source: str
    records: dict[str, list[Record]] = field(default_factory=dict)
    prices: list[Record] = field(default_factory=list)
    report: Report = field(default_factory=Report)

    def count(self) -> int:
        """How many records the plan writes."""
        return sum(len(rows) for rows in self.records.values())


def validated(collection: str, record: Record) -> Record:
    """The record as its resource schema loads it; ValueError says what is wrong."""
    loaded, broken = resources.get(collection).validate(record)
    if loaded is None or broken:
        raise ValueError("; ".join(f"{k}: {' '.join(v)}" for k, v in broken.items()))
    return loaded


def existing(conn: sqlite3.Connection, collection: str) -> dict[str, Record]:
    """The collection's records in fixture form, by id."""
    spec = resources.get(collection)
    return {r["id"]: store.fixture_form(r) for r in queries.list_records(conn, spec, {})}


END = ("retired_from", "retired_from_certainty", "retired_from_source")


def vendor_lifecycle(old: Record, new: Record, own: str) -> Record:
    """What a vendor's schedule (a source not the import's own) set on an imported record and
    a re-import keeps: its deprecation, the replacement it names (the registry names none), and
    a start it moved earlier (a registry that listed the offering after the vendor retired it)."""
    kept: Record = {}
    if old["deprecated_from"] and not str(old["deprecated_from_source"]).startswith(own):
        kept |= {n: old[n] for n in old if n.startswith("deprecated_from")}
    if old.get("replacement") and not new.get("replacement"):
        kept["replacement"] = old["replacement"]
    start = ("available_from", "available_from_certainty", "available_from_source")
    moved = not str(old["available_from_source"]).startswith(own)
    if moved and old["available_from"] < new["available_from"]:
        kept |= {n: old[n] for n in start}
    return kept


def prefer_earlier(mine: str, own: str = "") -> Merge:
    """The curated-precedence rule: the catalog's own start stays unless the import has
    strictly better evidence (a surer certainty, or an earlier on-or-before or month date); an
    exact date is never replaced. An end the import infers (a delisting) never replaces a
    curated end, but ends a curated offering that has none (an offering whose evidence stops
    ends; reported). `own` begins the links of the import's own facts, so an end from
    elsewhere (a vendor schedule) on the import's own record stays too."""

    def merge(old: Record, new: Record) -> tuple[Record, str | None]:
        if old["origin"] == mine:  # its own record: renewed, but silence is not a retraction
            kept = {"regions": old["regions"]} if not new["regions"] else {}
            if new["deprecated_from"] is None:
                kept |= {n: old[n] for n in old if n.startswith("deprecated_from")}
            if old["retired_from"] and not str(old["retired_from_source"]).startswith(own):
                kept |= {n: old[n] for n in END}
            kept |= vendor_lifecycle(old, new, own)
            return {**new, **kept}, None
        merged, why = start(old, new)
        if new["retired_from"] and old["retired_from"] != new["retired_from"]:
            end, delisting = old["retired_from"], f"{mine}'s delisting {new['retired_from'][:10]}"
            delisting += f" (on-or-before, {new['retired_from_source']})"
            if end:  # a maintainer's (or vendor's) end stays
                said = f"kept {old['origin']} end {end[:10]} ({old['retired_from_certainty']})"
                said += f" over {delisting}"
            else:  # a curated start says when it began, not that it goes on
                merged = {**merged, **{n: new[n] for n in END}}
                said = f"{old['origin']} offering had no end: ended by {delisting}"
            why = f"{why}; {said}" if why else said
        return merged, why

    def start(old: Record, new: Record) -> tuple[Record, str | None]:
        names = ("available_from", "available_from_certainty", "available_from_source")
        if all(old[name] == new[name] for name in names):
            return old, None  # an earlier run already took the import's start
        ours, theirs = old["available_from_certainty"], new["available_from_certainty"]
        earlier = new["available_from"] < old["available_from"]
        surer = SURENESS[theirs] > SURENESS[ours]
        better = ours != "exact" and (surer or (earlier and ours in ("on-or-before", "month")))
        was = f"{old['available_from'][:10]} ({ours})"
        offered = f"{new['available_from'][:10]} ({theirs}, {new['available_from_source']})"
        if not better:
            return old, f"kept {old['origin']} start {was} over {mine}'s {offered}"
        return {**old, **{n: new[n] for n in names}}, (
            f"{mine} has better evidence: start {offered}, was {was}"
        )

    return merge


def take(why: str) -> Merge:
    """A merge that stores the import's record as built, with the reason it gives."""

    def merge(old: Record, new: Record) -> tuple[Record, str | None]:
        return new, why

    return merge


class Planner:
    """Builds a plan against the catalog as it is: new parents, offerings merged or refused."""

    def __init__(self, conn: sqlite3.Connection, source: str) -> None:
        self.plan = Plan(source)
        self.known = {c: existing(conn, c) for c in ("providers", "clouds", "models", "offerings")}
        regions = queries.list_records(conn, resources.get("regions"), {})
        self.known["regions"] = {f"{r['cloud']}/{r['id']}": store.fixture_form(r) for r in regions}
        self.windows = list(existing(conn, "exclusivity-windows").values())
        self.new: dict[str, dict[str, Record]] = {c: {} for c in resources.WRITABLE}

    def lookup(self, collection: str, key: str) -> Record | None:
        """A record the catalog has, or that this plan adds."""
        return self.new[collection].get(key) or self.known.get(collection, {}).get(key)

    def add_parent(self, collection: str, record: Record) -> bool:
        """Add a provider, cloud, model or region the catalog lacks; known ones stay as they are."""
        key = record["id"] if collection != "regions" else f"{record['cloud']}/{record['id']}"
        if self.lookup(collection, key) is not None or key in self.new[collection]:
            return True
        try:
            self.new[collection][key] = validated(collection, record)
        except ValueError as error:
            self.plan.report.refused.append((f"{collection}/{key}", f"invalid: {error}"))
            return False
        self.plan.report.added.append(f"{collection}/{key}")
        return True

    def contradiction(self, offering: Record) -> str | None:
        """The window the offering would break, named, or None."""
        model = self.lookup("models", offering["model"])
        cloud = self.lookup("clouds", offering["cloud"])
        if model is None or cloud is None:
            return f"no model {offering['model']!r} or cloud {offering['cloud']!r} to offer it on"
        for window in self.windows:
            if rules.contradicts(offering, model, cloud, window):
                return refusals.describe(offering, window)
        return None

    def offer(self, candidate: Record, merge: Merge, where: str) -> bool:
        """Plan one offering: added, merged into the catalog's own, kept or refused."""
        key = candidate["id"]
        old = self.known["offerings"].get(key)
        try:
            record = validated("offerings", candidate)
            decision = None
            if old is not None:
                record, decision = merge(old, record)
                record = validated("offerings", record)
        except ValueError as error:
            self.plan.report.refused.append((where, f"invalid: {error}"))
            return False
        if old is not None and record == old:
            if decision:
                self.plan.report.kept.append((f"offerings/{key}", decision))
            return True
        conflict = self.contradiction(record)
        if conflict:
            self.plan.report.refused.append((f"offerings/{key} ({where})", conflict))
            return False
        self.new["offerings"][key] = record
        if old is None:
            self.plan.report.added.append(f"offerings/{key}")
        else:
            why = decision or ", ".join(n for n in record if record[n] != old.get(n))
            self.plan.report.changed.append((f"offerings/{key}", why))
        return True

    def finish(self, prices: Iterable[Record] = ()) -> Plan:
        """The plan: records parents first, prices of offerings that exist or are planned."""
        self.plan.records = {c: list(rows.values()) for c, rows in self.new.items() if rows}
        self.plan.prices = [p for p in prices if self.lookup("offerings", p["offering"])]
        return self.plan


def write_plan(
    conn: sqlite3.Connection,
    plan: Plan,
    actor: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Apply the plan in one transaction, through the store the API writes with (feed, history
    and the exclusivity rule included); returns how many records changed. Anything the store
    refuses aborts it all (ImportRefused).

    This is the import's only write: point it elsewhere if the store's interface moves."""
    written = 0
    try:
        with store.writing(conn, actor) as writer:
            for collection in resources.WRITABLE:  # parents first
                records = plan.records.get(collection, [])
                if collection == "prices":
                    records = price_series(conn, plan.prices, plan.report)
                for record in records:
                    if writer.put(collection, record):
                        written += 1
                    if progress:
                        progress(1)
    except refusals.Refused as refused:
        raise ImportRefused(f"{refused.detail} Nothing was written.") from None
    return written


def price_series(
    conn: sqlite3.Connection, prices: Iterable[Record], report: Report
) -> list[Record]:
    """The registry's prices as the store takes them: each series (offering, region, unit,
    currency) in order, each price ended by the next one's start, so that a second import finds
    every price as stored. A series a maintainer curated any price of is kept as curated."""
    curated = {
        tuple(row)
        for row in conn.execute(
            "SELECT offering, coalesce(region, ''), unit, currency FROM prices "
            "WHERE origin = 'curated'"
        )
    }
    retiring = {  # an offering's prices end no later than its retirement (the pricing rule)
        row[0]: {"id": row[0], "retired_from": row[1], "retired_from_certainty": row[2]}
        for row in conn.execute("SELECT id, retired_from, retired_from_certainty FROM offerings")
    }
    series: dict[tuple[str, str, str, str], dict[str, Record]] = {}
    for price in prices:
        key = (price["offering"], price["region"] or "", price["unit"], price["currency"])
        series.setdefault(key, {})[price["effective_from"]] = price  # a day's last word
    found: list[Record] = []
    for key, by_day in sorted(series.items()):
        if key in curated:
            report.kept.append((f"prices/{'/'.join(k for k in key if k)}", "curated series"))
            continue
        days = sorted(by_day)
        for day, following in zip(days, [*days[1:], None], strict=True):
            until = following or by_day[day].get("effective_until")  # the import's own end
            try:
                price = validated("prices", {**by_day[day], "effective_until": until})
            except ValueError as error:
                report.refused.append((f"prices/{by_day[day]['id']}", str(error)))
                continue
            offering = retiring.get(key[0], {})  # not in the catalog: no end known
            late, end = pricing.past_retirement(price, offering), pricing.ends_by(offering)
            if late and late[0] == "effective_from":
                report.refused.append((f"prices/{price['id']}", f"starts after retirement {end}"))
            else:
                found.append({**price, "effective_until": end} if late else price)
    return found
