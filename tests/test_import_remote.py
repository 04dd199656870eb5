"""catalog import models-dev URL: a clone kept in the cache folder, fetched on every run."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from registry_helpers import commit, curated_db, git, snapshot

from catalog import cli

GPT = "providers/openrouter/models/openai/gpt-4o.toml"
CLAUDE = "providers/openrouter/models/anthropic/claude-sonnet-4.5.toml"


@pytest.fixture
def remote(tmp_path: Path) -> dict[str, Any]:
    """A registry's working copy and the bare repository standing in for its remote."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    commit(work, {GPT: 'name = "GPT-4o"\n'}, when="2025-05-01T10:00:00Z")
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return {"work": work, "bare": bare, "url": f"file://{bare}"}


@pytest.fixture
def catalog_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CATALOG_REGISTRY_CACHE", str(tmp_path / "cache"))
    path = curated_db(tmp_path)
    monkeypatch.setenv("CATALOG_DATABASE", str(path))
    return path


def run(source: str) -> Any:
    return CliRunner().invoke(cli.main, ["import", "models-dev", source])


def offering_ids(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM offerings")}
    finally:
        conn.close()


def test_a_url_is_cloned_once_and_fetched_for_what_is_new(
    remote: dict[str, Any], catalog_db: Path, tmp_path: Path
) -> None:
    first = run(remote["url"])
    assert first.exit_code == 0, first.output
    assert "openrouter:gpt-4o:serverless" in offering_ids(catalog_db)
    clones = list((tmp_path / "cache").iterdir())
    assert len(clones) == 1 and clones[0].name.endswith(".git")
    # The registry moves on; the next run fetches the new commit into the same clone.
    commit(remote["work"], {CLAUDE: 'name = "Claude Sonnet 4.5"\n'}, when="2025-06-01T10:00:00Z")
    git(remote["work"], "push", "-q", str(remote["bare"]), "main")
    second = run(remote["url"])
    assert second.exit_code == 0, second.output
    assert "added    offerings/openrouter:claude-sonnet-4-5:serverless" in second.output
    assert list((tmp_path / "cache").iterdir()) == clones
    before = snapshot(catalog_db)
    again = run(remote["url"])
    assert again.exit_code == 0 and "changed 0" in again.output
    assert snapshot(catalog_db) == before


def test_a_remote_that_cannot_be_cloned_is_exit_2_with_gits_error(
    catalog_db: Path, tmp_path: Path
) -> None:
    before = snapshot(catalog_db)
    missing = f"file://{tmp_path / 'no-such-remote.git'}"
    result = run(missing)
    assert result.exit_code == 2
    assert f"error: {missing}: git clone failed:" in result.output
    assert "does not appear to be a git repository" in result.output  # git's own words
    assert snapshot(catalog_db) == before
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []  # no half clone kept


def test_a_remote_that_cannot_be_fetched_is_exit_2_and_writes_nothing(
    remote: dict[str, Any], catalog_db: Path
) -> None:
    assert run(remote["url"]).exit_code == 0
    shutil.rmtree(remote["bare"])
    before = snapshot(catalog_db)
    result = run(remote["url"])
    assert result.exit_code == 2
    assert "git fetch failed:" in result.output and "(the clone in" in result.output
    assert snapshot(catalog_db) == before
