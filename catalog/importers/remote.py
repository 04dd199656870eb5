"""A registry named by its git URL: a clone kept in the cache folder, fetched on each import.

The clone is a bare mirror (`git clone --mirror`), so `HEAD` is the remote's default branch as
last fetched. A remote that cannot be reached, or a URL git refuses, is a SourceError carrying
git's own message; a first clone that fails leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from pathlib import Path

from .facts import SourceError

URL = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)


def is_url(source: str) -> bool:
    """Whether a source names a remote (`https://...`, `file:///...`, `git@host:path`)."""
    return bool(URL.match(source))


def folder_for(cache: Path, url: str) -> Path:
    """The clone's folder: readable, and unique per URL."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", url.split("://", 1)[-1]).strip("-")[-60:]
    return cache / f"{name}-{hashlib.sha256(url.encode()).hexdigest()[:12]}.git"


def run(*args: str, where: Path | None = None) -> None:
    """Run git; a failure is a SourceError with git's message."""
    done = subprocess.run(
        ["git", *args],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},  # never wait for a password
    )
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        raise SourceError(f"git {args[0]} failed: {' '.join(lines[-4:]) or done.returncode}")


def fetched(url: str, cache: Path) -> Path:
    """The cached clone of `url`, brought up to date (cloned the first time)."""
    clone = folder_for(cache, url)
    if clone.is_dir():
        try:
            run("fetch", "--prune", "--quiet", "origin", where=clone)
        except SourceError as error:
            raise SourceError(f"{url}: {error} (the clone in {clone} is unchanged)") from None
        return clone
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".cloning-") as work:
        partial = Path(work) / "clone.git"
        try:
            run("clone", "--mirror", "--quiet", url, str(partial))
        except SourceError as error:
            raise SourceError(f"{url}: {error}") from None
        partial.rename(clone)
    return clone
