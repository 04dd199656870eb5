"""Reading Azure's lifecycle tables: Markdown pipe tables whose columns name a model, its
version, its deprecation ("legacy") and retirement dates and a replacement; dates written
2026-03-31, "March 1, 2025" or "No earlier than D". A table whose header names a retirement but
has unknown columns is a SourceError; a row that cannot be read is a BadRow (refused, reported).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .facts import SourceError

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
