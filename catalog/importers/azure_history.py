"""What an azure-ai-docs checkout says about the catalog's azure offerings: each file's versions
(from git history, or the file itself dated by its ms.date), the facts of its newest version
matched to offerings by Azure's model name and version, each dated by the oldest version that
already said the same.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .azure_tables import Row, Said, front_date, norm, parse_tables
from .facts import SourceError

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

Notes = list[tuple[str, str]]


@dataclass
class Version:
    """A file as one commit (or, without history, the checkout) has it."""

    path: str
    text: str
    day: str  # the commit's UTC day, or the file's ms.date
    commit: str | None
    page: str = ""  # the learn.microsoft.com page that shows it, if not FILES's


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


def _git(checkout: Path, *args: str) -> str | None:
    """git's output in the checkout, or None where it is not a git checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(checkout), *args], capture_output=True, check=False, text=True
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def versions(checkout: Path, files: Mapping[str, str] = FILES) -> dict[str, list[Version]]:
    """Each file's versions, oldest first: from git history where the checkout has it (each
    commit that changed the file), else the file as it is (dated by its ms.date). `files`: the
    paths, each to the learn.microsoft.com page (under LEARN) that shows it."""
    found: dict[str, list[Version]] = {}
    history = _git(checkout, "rev-parse", "--is-inside-work-tree") is not None
    for path, page in files.items():
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
            found[path] = [Version(path, text, front_date(path, text), None, page)]
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
            ordered.append(Version(path, shown, day, commit, page))
        found[path] = ordered or [Version(path, text, front_date(path, text), None, page)]
    return found


def source_of(version: Version) -> str:
    """A URL a reader can open: the file at its commit, or the learn.microsoft.com page."""
    if version.commit:
        return f"{REPO}/blob/{version.commit}/{version.path}"
    return LEARN + (version.page or FILES[version.path])


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
