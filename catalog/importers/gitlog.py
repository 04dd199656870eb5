"""Reading a git checkout's history: which files each first-parent commit added or changed.

One `git log --raw` names every version of every file; one `git cat-file --batch` reads them all.
"""

from __future__ import annotations

import posixpath
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .facts import SourceError

NULL_BLOB = "0" * 40
SYMLINK = "120000"
__all__ = ["SourceError", "Version", "follow_links", "history", "parse_blobs", "resolve", "tree"]


@dataclass(frozen=True)
class Version:
    """One version of one file: the commit that wrote it, the commit's UTC day, the blob."""

    commit: str
    day: str  # YYYY-MM-DD, the commit's UTC day
    path: str
    blob: str | None  # None: the commit deleted the file
    seq: int = 0  # the commit's place in the first-parent history
    link: str | None = None  # a symbolic link's target path (its blob holds the target's text)


def git(checkout: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git in the checkout; a failure is a SourceError naming the checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(checkout), *args],
            input=stdin,
            capture_output=True,
            check=False,
        )
    except OSError as error:
        raise SourceError(f"{checkout}: cannot run git: {error}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise SourceError(f"{checkout}: git {args[0]} failed: {message[-1] if message else ''}")
    return done.stdout


def resolve(checkout: Path, rev: str) -> str:
    """The full commit id of `rev` in the checkout (which must be a git checkout)."""
    if not checkout.is_dir():
        raise SourceError(f"{checkout}: not a folder")
    try:
        bare = git(checkout, "rev-parse", "--is-bare-repository").decode().strip() == "true"
        where = "--absolute-git-dir" if bare else "--show-toplevel"
        top = Path(git(checkout, "rev-parse", where).decode().strip())
    except SourceError:
        raise SourceError(f"{checkout}: not a git checkout") from None
    if top.resolve() != checkout.resolve():  # a folder inside some other repository
        raise SourceError(f"{checkout}: not a git checkout (it lies inside {top})")
    return git(checkout, "rev-parse", "--verify", f"{rev}^{{commit}}").decode().strip()


def day_of(timestamp: str) -> str:
    """A Unix time as its UTC day."""
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")


def history(checkout: Path, commit: str, folders: tuple[str, ...]) -> list[Version]:
    """Every version of every .toml file under `folders`, oldest first, along first parents
    (a merge counts when it lands: the day the registry's main line listed the file)."""
    out = git(
        checkout,
        "log",
        "--first-parent",
        "--reverse",
        "--diff-merges=first-parent",
        "--raw",
        "--no-renames",
        "--no-abbrev",
        "--format=@%H %ct",
        commit,
        "--",
        *folders,
    ).decode("utf-8", errors="replace")
    versions: list[Version] = []
    current, day, seq = "", "", 0
    for line in out.splitlines():
        if line.startswith("@"):
            current, stamp = line[1:].split()
            day, seq = day_of(stamp), seq + 1
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            _, mode, _, blob = meta.split()[:4]
            if path.endswith(".toml"):
                found = None if blob == NULL_BLOB else blob
                link = "" if mode == SYMLINK and found else None
                versions.append(Version(current, day, path, found, seq, link))
    return versions


def follow_links(checkout: Path, versions: list[Version]) -> list[Version]:
    """Each symbolic link's version given the blob its target had at that commit."""
    links = {v.blob for v in versions if v.link is not None and v.blob}
    targets = (
        {
            blob: posixpath.normpath(text.decode(errors="replace"))
            for blob, text in read_blobs(checkout, sorted(links))
        }
        if links
        else {}
    )
    latest: dict[str, str | None] = {}
    resolved = []
    # Within a commit, plain files first: a link may name a file the same commit adds.
    for version in sorted(versions, key=lambda v: (v.seq, v.link is not None)):
        if version.link is not None and version.blob:
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(version.path), targets[version.blob])
            )
            version = replace(version, blob=latest.get(target), link=target)
        latest[version.path] = version.blob
        resolved.append(version)
    return resolved


def read_blobs(checkout: Path, blobs: list[str]) -> Iterator[tuple[str, bytes]]:
    """(blob id, content) for each blob, read in one `git cat-file --batch`."""
    data = git(checkout, "cat-file", "--batch", stdin="\n".join(blobs).encode() + b"\n")
    at = 0
    while at < len(data):
        end = data.index(b"\n", at)
        header = data[at:end].split()
        if len(header) < 3:
            raise SourceError(f"{checkout}: blob {header[0].decode()} is missing")
        size = int(header[2])
        yield header[0].decode(), data[end + 1 : end + 1 + size]
        at = end + 1 + size + 1


def parse_blobs(
    checkout: Path,
    blobs: list[str],
    progress: Callable[[int], Callable[[int], None]] | None = None,
) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Each blob parsed as TOML; returns (parsed by blob, blobs that are not valid TOML).

    `progress(total)` returns the function to call with each step done (a progress bar's)."""
    tick = progress(len(blobs)) if progress else None
    parsed: dict[str, dict[str, Any]] = {}
    broken: set[str] = set()
    for blob, content in read_blobs(checkout, blobs):
        try:
            parsed[blob] = tomllib.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            broken.add(blob)
        if tick:
            tick(1)
    return parsed, broken


def tree(checkout: Path, commit: str, folder: str) -> dict[str, str]:
    """{path: blob} of the .toml files under `folder` at `commit`."""
    out = git(checkout, "ls-tree", "-r", "--full-tree", commit, "--", folder).decode()
    found = {}
    for line in out.splitlines():
        meta, path = line.split("\t", 1)
        if path.endswith(".toml") and not meta.startswith(SYMLINK):
            found[path] = meta.split()[2]
    return found
