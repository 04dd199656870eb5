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

import re
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from .facts import SourceError
from .plan import Plan, Planner, take

CLOUD = "azure"
REPO = "https://github.com/MicrosoftDocs/azure-ai-docs"
LEARN = "https://learn.microsoft.com/azure/"
FILES = {
    "articles/ai-foundry/openai/includes/retirement/models.md": "ai-foundry/openai/concepts/"
    "model-retirements",
    "articles/ai-foundry/openai/concepts/legacy-models.md": "ai-foundry/openai/concepts/"
    "legacy-models",
    "articles/ai-foundry/concepts/model-lifecycle-retirement.md": "ai-foundry/concepts/"
    "model-lifecycle-retirement",
}
# The tables' columns (normalised) -> what each column is. A table whose header names a
# retirement but matches none of these has changed shape: the import stops (exit 2).
SHAPES: dict[tuple[str, ...], tuple[str, ...]] = {
    (
        "model name",
        "model version",
        "lifecycle status",
        "deprecation date",
        "retirement date",
        "replacement model",
    ): ("name", "version", "", "deprecated", "retired", "replacement"),
    ("model", "version", "retirement date", "replacement model"): (
        "name",
        "version",
        "retired",
        "replacement",
    ),
    ("model", "deprecation date", "retirement date", "suggested replacement"): (
        "name",
        "deprecated",
        "retired",
        "replacement",
    ),
    (
        "model",
        "legacy date",
        "deprecation date",
        "retirement date",
        "suggested replacement model",
    ): ("name", "legacy", "deprecated", "retired", "replacement"),
    ("model", "retirement date", "suggested replacement model"): (
        "name",
        "retired",
        "replacement",
    ),
}
# Tables that mention retirement but are about something else (fine-tuning, default versions).
IGNORED = (
    ("model", "version", "training retirement date", "deployment retirement date"),
    ("model", "current default version", "new default version", "default upgrade date"),
)
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november "
        "december".split()
    )
}
ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
WORDY = re.compile(r"\b([A-Z][a-z]+)\s*,?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,\s*(\d{4})\b")
NOT_BEFORE = re.compile(r"no earlier than|not retire before|no sooner than|not sooner than", re.I)
NONE = {"", "n/a", "na", "-", "none", "no retirement scheduled"}
# "Standard deployment type retires on D1 ... other deployment types ... moved to D2"
SPLIT = re.compile(r"standard deployment type retires on (.+?)\.?\s+for other deployment", re.I)


Notes = list[tuple[str, str]]


class BadRow(ValueError):
    """A row the importer cannot read (its message says why)."""


@dataclass(frozen=True)
class Said:
    """One date as a cell says it: the day, whether only "no earlier than", and per deployment
    type where the cell splits it (serverless: Azure's Standard; the rest: every other type)."""

    day: str
    not_before: bool = False
    other_types: str | None = None  # the day for every deployment type but serverless


@dataclass
class Row:
    """One row of a lifecycle table: Azure's names, version, dates and replacement."""

    file: str
    line: int
    names: list[str]
    version: str | None
    deprecated: Said | None
    retired: Said | None
    replacement: tuple[str, str | None] | None  # (name, version)
    has_deprecation: bool = True  # False: the table has no such column (a retired-models table)
    deprecated_day: str | None = None  # the day of the older version that gave the deprecation


@dataclass
class Version:
    """A file as one commit (or, without history, the checkout) has it."""

    path: str
    text: str
    day: str  # the commit's UTC day, or the file's ms.date
    commit: str | None


@dataclass
class Fact:
    """A lifecycle fact about one offering, with where it was first shown and the newest
    version that still shows it."""

    said: Said
    source: str
    first_day: str
    last_day: str
    where: str


@dataclass
class Found:
    """What the files say about one offering."""

    deprecated: Fact | None = None
    retired: Fact | None = None
    replacement: str | None = None
    notes: list[str] = field(default_factory=list)


def clean(cell: str) -> str:
    """A cell's text without markup: links as their text, no backticks, bold or <sup>."""
    text = re.sub(r"<sup>.*?</sup>", "", cell)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("`", "").replace("**", "")
    text = re.sub(r"<br\s*/?>", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def header_key(cells: list[str]) -> tuple[str, ...]:
    """A header row as the SHAPES key: lower case, without (UTC) and other asides."""
    return tuple(re.sub(r"\s*\(.*?\)\s*", " ", clean(c)).strip().lower() for c in cells)


def parse_day(text: str) -> str:
    """One date in a cell: 2026-03-31 or March 1, 2025 (also "April, 30, 2025")."""
    iso = ISO.search(text)
    if iso:
        found = [int(g) for g in iso.groups()]
    else:
        wordy = WORDY.search(text)
        if not wordy or wordy.group(1).lower() not in MONTHS:
            raise BadRow(f"no date in {text!r}")
        found = [int(wordy.group(3)), MONTHS[wordy.group(1).lower()], int(wordy.group(2))]
    try:
        return date(found[0], found[1], found[2]).isoformat()
    except ValueError:
        raise BadRow(f"not a real date in {text!r}") from None


def parse_said(cell: str) -> Said | None:
    """A date cell: none (n/a, empty), a date, "No earlier than D", or split by deployment type."""
    text = clean(cell)
    if text.lower().rstrip(".") in NONE:
        return None
    split = SPLIT.search(text)
    if split:
        rest = text[split.end() :]
        return Said(parse_day(split.group(1)), other_types=parse_day(rest))
    days = ISO.findall(text) + WORDY.findall(text)
    if len(days) > 1:
        raise BadRow(f"several dates in {text!r}")
    return Said(parse_day(text), not_before=bool(NOT_BEFORE.search(text)))


def parse_names(cell: str) -> tuple[list[str], str | None]:
    """The model names of a name cell and the version it may carry (`gpt-4` - 0314)."""
    raw = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", cell)
    version = None
    match = re.match(r"^(.*?)\s+-\s+`?([A-Za-z0-9.-]+)`?\s*$", raw.strip())
    if match:
        raw, version = match.group(1), match.group(2)
    names = [clean(part) for part in re.split(r"<br\s*/?>", raw) if clean(part)]
    if not names:
        raise BadRow("no model name")
    return names, version


def parse_replacement(cell: str) -> tuple[str, str | None] | None:
    """The first model a replacement cell names, with its version if it gives one."""
    link = re.search(r"\[[^\]]*\]\(([^)]*)\)", cell)
    if link:
        url = link.group(1).split("?")[0].rstrip("/")
        hit = re.search(r"/models/([^/]+)/|/landing/([^/]+)$", url)
        if hit:
            return (hit.group(1) or hit.group(2)), None
    ticked = re.findall(r"`([^`]+)`", cell)
    if ticked:
        version = re.search(r"version:?\s*`?(\d{4}-\d{2}-\d{2}|\d{4})`?", cell)
        return ticked[0], version.group(1) if version else None
    text = clean(cell)
    if text.lower() in NONE:
        return None
    first = re.split(r"\s+or\s+|,\s*", text)[0].split()[0]
    return first, None


def front_date(path: str, text: str) -> str:
    """The file's ms.date (MM/DD/YYYY) as a day."""
    match = re.search(r"^ms\.date:\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$", text, re.M)
    if not match:
        raise SourceError(f"{path}: no ms.date in the front matter")
    month, day, year = (int(g) for g in match.groups())
    return date(year, month, day).isoformat()


def parse_tables(path: str, text: str, refused: list[tuple[str, str]]) -> list[Row]:
    """Every lifecycle row of one file. A changed table is a SourceError; a bad row is refused
    (reported) unless the file has no good row at all."""
    lines = text.splitlines()
    rows: list[Row] = []
    bad: list[tuple[str, str]] = []
    tables = 0
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        is_table = line.startswith("|") and i + 1 < len(lines)
        if not (is_table and re.match(r"^\|[\s:|-]+\|?$", lines[i + 1].strip())):
            i += 1
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        key = header_key(cells)
        shape = SHAPES.get(key)
        i += 2
        if shape is None:
            lifecycle_like = any("retire" in c for c in key) or key[0].startswith("model")
            if key not in IGNORED and lifecycle_like:
                raise SourceError(f"{path}:{i - 1}: the table's columns changed: {' | '.join(key)}")
            continue
        tables += 1
        while i < len(lines) and lines[i].strip().startswith("|"):
            where = f"{path}:{i + 1}"
            values = [c.strip() for c in lines[i].strip().strip("|").split("|")]
            i += 1
            try:
                rows.append(read_row(path, i, shape, values))
            except BadRow as error:
                bad.append((where, str(error)))
    if not tables:
        raise SourceError(f"{path}: no lifecycle table found (the file's layout changed?)")
    if bad and not rows:
        raise SourceError(f"{bad[0][0]}: {bad[0][1]} (and no row of the file is readable)")
    refused.extend(bad)
    return rows


def read_row(path: str, line: int, shape: tuple[str, ...], values: list[str]) -> Row:
    """One table row as a Row; BadRow says what cannot be read."""
    if len(values) != len(shape):
        raise BadRow(f"{len(values)} cells where the table has {len(shape)} columns")
    cell = dict(zip(shape, values, strict=True))
    names, version = parse_names(cell["name"])
    if cell.get("version"):
        version = clean(cell["version"]) or version
    legacy = parse_said(cell["legacy"]) if "legacy" in cell else None
    deprecated = parse_said(cell["deprecated"]) if "deprecated" in cell else None
    return Row(
        file=path,
        line=line,
        names=names,
        version=version or None,
        deprecated=legacy or deprecated,  # "legacy" is the first stage a buyer must act on
        retired=parse_said(cell["retired"]),
        replacement=parse_replacement(cell["replacement"]),
        has_deprecation="legacy" in cell or "deprecated" in cell,
    )


def norm(name: str) -> str:
    """An Azure model name as matched: case and spaces aside, gpt-35 as gpt-3.5."""
    key = re.sub(r"[\s_]+", "-", name.strip().lower())
    return re.sub(r"^gpt-35", "gpt-3.5", key)


def _git(checkout: Path, *args: str) -> str | None:
    """git's output in the checkout, or None where it is not a git checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(checkout), *args], capture_output=True, check=False, text=True
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def versions(checkout: Path) -> dict[str, list[Version]]:
    """Each file's versions, oldest first: from git history where the checkout has it (each
    commit that changed the file), else the file as it is (dated by its ms.date)."""
    found: dict[str, list[Version]] = {}
    history = _git(checkout, "rev-parse", "--is-inside-work-tree") is not None
    for path in FILES:
        file = checkout / path
        if not file.is_file():
            raise SourceError(
                f"{file}: missing (not an azure-ai-docs checkout, or a sparse "
                "one without this file)"
            )
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SourceError(f"{file}: unreadable: {error}") from None
        log = _git(checkout, "log", "--format=%H %ct", "--", path) if history else None
        if not log:
            found[path] = [Version(path, text, front_date(path, text), None)]
            continue
        ordered = []
        for entry in reversed(log.split("\n")):
            if not entry.strip():
                continue
            commit, stamp = entry.split()
            shown = _git(checkout, "show", f"{commit}:{path}")
            if shown is None:  # deleted by that commit
                continue
            day = datetime.fromtimestamp(int(stamp), UTC).date().isoformat()
            ordered.append(Version(path, shown, day, commit))
        found[path] = ordered or [Version(path, text, front_date(path, text), None)]
    return found


def source_of(version: Version) -> str:
    """A URL a reader can open: the file at its commit, or the learn.microsoft.com page."""
    if version.commit:
        return f"{REPO}/blob/{version.commit}/{version.path}"
    return LEARN + FILES[version.path]


@dataclass
class Offerings:
    """The catalog's offerings on azure, found by Azure's model name (and version)."""

    records: dict[str, dict[str, Any]]
    models: set[str]

    def matching(self, names: list[str], version: str | None) -> list[str]:
        """Offerings named so: of that version, or (with no version in the row) any."""
        keys = {norm(n) for n in names}
        found = []
        for key, record in self.records.items():
            own = norm(record["cloud_model_id"])
            ours = record["cloud_model_version"]
            if own in keys and (version is None or ours == version):
                found.append(key)
            elif version is not None and ours is None and own in {f"{k}-{version}" for k in keys}:
                found.append(key)
        return sorted(found)

    def unversioned(self, names: list[str]) -> list[str]:
        """Offerings named so that carry no version (they stand for every version)."""
        keys = {norm(n) for n in names}
        return sorted(
            k
            for k, r in self.records.items()
            if norm(r["cloud_model_id"]) in keys and r["cloud_model_version"] is None
        )

    def model_of(self, name: str, version: str | None) -> str | None:
        """The catalog model an Azure replacement name stands for, if the catalog has it."""
        for key in self.matching([name], version) or self.matching([name], None):
            return str(self.records[key]["model"])
        slug = norm(name)
        return slug if slug in self.models else None


def _fact(said: Said | None, version: Version, first: Version, where: str) -> Fact | None:
    if said is None:
        return None
    return Fact(said, source_of(first), first.day, version.day, where)


def read_facts(
    checkout: Path, offerings: Offerings, refused: list[tuple[str, str]], notes: Notes
) -> dict[str, Found]:
    """What the files' newest versions say about each offering, each fact dated by the oldest
    version that already said the same."""
    found: dict[str, Found] = {}
    for path, history in versions(checkout).items():
        head = history[-1]
        head_rows = parse_tables(path, head.text, refused)
        older = [(v, parse_tables(path, v.text, [])) for v in history[:-1] if _parses(v)]
        by_name: dict[str, list[Row]] = {}
        for row in head_rows:
            for name in row.names:
                by_name.setdefault(norm(name), []).append(row)
            matched = offerings.matching(row.names, row.version)
            if not matched and not offerings.unversioned(row.names):
                continue
            if not row.has_deprecation:
                row = _with_earlier_deprecation(older, row)
            first = {
                kind: _first_shown(older, row, kind, head) for kind in ("deprecated", "retired")
            }
            for key in matched:
                _put(found, key, row, first, head, offerings, notes)
        # An offering without a version stands for all of a name's rows: it retires with the
        # last of them (and only if every one retires).
        for name, rows in by_name.items():
            versions_named = [r for r in rows if r.version is not None]
            if not versions_named:
                continue
            for key in offerings.unversioned([name]):
                if key in found:
                    continue
                last = max(rows, key=lambda r: r.retired.day if r.retired else "9999")
                if any(r.retired is None for r in rows):
                    notes.append((f"offerings/{key}", f"not every {name} version retires"))
                    continue
                first = {k: _first_shown(older, last, k, head) for k in ("deprecated", "retired")}
                _put(found, key, last, first, head, offerings, notes)
    return found


def _same(one: Row, other: Row) -> bool:
    names = {norm(n) for n in one.names} & {norm(n) for n in other.names}
    return bool(names) and one.version == other.version


def _with_earlier_deprecation(older: list[tuple[Version, list[Row]]], row: Row) -> Row:
    """A retired-models row (no deprecation column) with the deprecation an older version of
    the file gave the same model while it was on the way out (newest first)."""
    for version, rows in reversed(older):
        for other in rows:
            if _same(other, row) and other.deprecated is not None:
                return replace(row, deprecated=other.deprecated, deprecated_day=version.day)
    return row


def _parses(version: Version) -> bool:
    try:
        parse_tables(version.path, version.text, [])
    except SourceError:
        return False  # an old layout: it dates nothing
    return True


def _first_shown(
    older: list[tuple[Version, list[Row]]], row: Row, kind: str, head: Version
) -> Version:
    """The oldest version whose rows already said what `row` says of `kind`."""
    said = getattr(row, kind)
    for version, rows in older:
        for other in rows:
            if _same(other, row) and getattr(other, kind) == said:
                return version
    return head


def _put(
    found: dict[str, Found],
    key: str,
    row: Row,
    first: dict[str, Version],
    head: Version,
    offerings: Offerings,
    notes: Notes,
) -> None:
    where = f"{row.file}:{row.line}"
    facts = found.setdefault(key, Found())
    retired = _fact(row.retired, head, first["retired"], where)
    if facts.retired is not None and retired is not None and facts.retired.said != retired.said:
        notes.append(
            (
                f"offerings/{key}",
                f"{where} says {retired.said.day}, "
                f"{facts.retired.where} said {facts.retired.said.day}; the later kept",
            )
        )
        if retired.said.day < facts.retired.said.day:
            return
    facts.retired = retired or facts.retired
    deprecated = _fact(row.deprecated, head, first["deprecated"], where)
    if deprecated is not None and row.deprecated_day:
        deprecated.last_day = row.deprecated_day
    facts.deprecated = deprecated or facts.deprecated
    if row.replacement is not None:
        model = offerings.model_of(*row.replacement)
        if model is None:
            notes.append(
                (
                    f"offerings/{key}",
                    f"replacement {row.replacement[0]!r} ({where}) is not a catalog model",
                )
            )
        facts.replacement = model or facts.replacement


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
    offerings = Offerings(
        {k: r for k, r in known.items() if r["cloud"] == CLOUD}, set(planner.known["models"])
    )
    refused: list[tuple[str, str]] = []
    notes: Notes = []
    found = read_facts(checkout, offerings, refused, notes)
    step = progress(len(found)) if progress else None
    for key, facts in sorted(found.items()):
        old = known[key]
        record, said = lifecycle(old, facts)
        where = facts.retired.where if facts.retired else key
        if record != old:
            planner.offer(record, take("; ".join([_why(record, old), *said])), where)
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


def today() -> str:
    """The UTC day now (for reports)."""
    return datetime.now(UTC).date().isoformat()
