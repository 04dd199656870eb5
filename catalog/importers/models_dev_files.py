"""models.dev's files through git history: reading them, and the facts one file's versions
hold on their own (its prices each time a commit changed them, since when it says deprecated).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import gitlog, origin
from .facts import Record, SourceError, decimal_amount, price_record

ORIGIN = origin("models-dev")
REPO_URL = "https://github.com/anomalyco/models.dev"
UNITS = {
    "input": "input-1m-tokens",
    "output": "output-1m-tokens",
    "cache_read": "cached-input-1m-tokens",
    "cache_write": "cache-write-1m-tokens",
}


def link(commit: str, path: str) -> str:
    """A reader's link to the file as that commit had it."""
    return f"{REPO_URL}/blob/{commit}/{quote(path, safe='/:@')}"


def deletion_link(commit: str, path: str) -> str:
    """A reader's link to the commit that deleted the file, opened at that file's diff (the
    file itself is gone at that commit, so a link to it would not open)."""
    return f"{REPO_URL}/commit/{commit}#diff-{hashlib.sha256(path.encode()).hexdigest()}"


@dataclass
class File:
    """One registry file through history: its versions (oldest first) and parsed contents."""

    path: str
    versions: list[gitlog.Version]
    contents: dict[str, dict[str, Any]]  # by blob

    @property
    def latest(self) -> dict[str, Any]:
        """The newest readable version's content (a deleted file keeps its last)."""
        for version in reversed(self.versions):
            if version.blob in self.contents:
                return self.contents[version.blob]
        return {}

    def listed(self) -> list[gitlog.Version]:
        """The versions that exist and parse, oldest first."""
        return [v for v in self.versions if v.blob in self.contents]

    @property
    def deleted(self) -> gitlog.Version | None:
        """The commit that deleted the file, if the read commit no longer has it."""
        last = self.versions[-1] if self.versions else None
        return last if last is not None and last.blob is None else None


def read_checkout(
    checkout: Path,
    rev: str = "HEAD",
    progress: Callable[[int], Callable[[int], None]] | None = None,
) -> tuple[str, dict[str, File], int]:
    """(commit, files by path, unreadable historical versions); bad input is a SourceError."""
    commit = gitlog.resolve(checkout, rev)
    head = gitlog.tree(checkout, commit, "providers")
    if not any(p.count("/") >= 3 and p.split("/")[2] == "models" for p in head):
        raise SourceError(
            f"{checkout}: not shaped like models.dev (no providers/<p>/models/*.toml at {commit})"
        )
    versions = gitlog.follow_links(
        checkout, gitlog.history(checkout, commit, ("providers", "models"))
    )
    blobs = sorted({v.blob for v in versions if v.blob})
    parsed, broken = gitlog.parse_blobs(checkout, blobs, progress)
    heads = {**head, **gitlog.tree(checkout, commit, "models")}
    for path, blob in sorted(heads.items()):
        if blob in broken:
            raise SourceError(f"{checkout / path}: not valid TOML")
    files: dict[str, File] = {}
    for version in versions:
        files.setdefault(version.path, File(version.path, [], parsed)).versions.append(version)
    return commit, files, sum(1 for v in versions if v.blob in broken)


def price_records(offering: str, files: list[File], until: str | None = None) -> list[Record]:
    """A price record for each unit each time a commit changed it (the day's last change wins).
    `files` is the offering's price history in order: files it had before a rename (their
    prices before the next file was listed), then the file it has now. When the offering
    ends (`until`), the last price of each unit ends that day too."""
    found: dict[str, Record] = {}
    last: dict[str, str] = {}
    for file, following in zip(files, [*files[1:], None], strict=True):
        before = following.listed()[0].day if following else None
        for version in file.listed():
            cost = file.contents[version.blob or ""].get("cost")
            if not isinstance(cost, dict) or (before and version.day >= before):
                continue
            for name, unit in UNITS.items():
                value = decimal_amount(cost.get(name))
                if value is None or last.get(unit) == value:
                    continue
                last[unit] = value
                source = link(version.commit, version.path)
                price = price_record(offering, None, unit, value, version.day, source, ORIGIN)
                found[price["id"]] = price
    if until is None:
        return list(found.values())
    day = until[:10]
    ended = [p for p in found.values() if p["effective_from"] < day]
    for price in ended:
        price["effective_until"] = day  # the store's series ends each earlier one at the next
    return ended


def deprecation(file: File) -> gitlog.Version | None:
    """The version from which the file has said `status = "deprecated"` without a break."""
    since = None
    for version in file.listed():
        deprecated = file.contents[version.blob or ""].get("status") == "deprecated"
        since = (since or version) if deprecated else None
    return since
