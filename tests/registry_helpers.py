"""Helpers for the import tests: a small curated catalog and git registries built in tmp_path."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from catalog.storage import db, loading


def git(repo: Path, *args: str, when: str | None = None) -> str:
    """Run git in `repo`; `when` sets both the author and committer dates."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def write(repo: Path, files: dict[str, str | None]) -> None:
    """Write (or, for None, delete) files in the work tree."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


def commit(repo: Path, files: dict[str, str | None], when: str) -> str:
    """Commit these file changes at `when`; returns the commit id."""
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"registry change at {when}", when=when)
    return git(repo, "rev-parse", "HEAD")


def offering(**fields: Any) -> dict[str, Any]:
    """A curated offering in fixture form."""
    return {
        "deployment_type": "serverless",
        "cloud_model_version": None,
        "regions": [],
        "stage": "ga",
        "available_from_certainty": "on-or-before",
        "available_from_source": "https://example.com/curated",
        "deprecated_from": None,
        "deprecated_from_certainty": None,
        "deprecated_from_source": None,
        "retired_from": None,
        "retired_from_certainty": None,
        "retired_from_source": None,
        "notes": None,
        "origin": "curated",
        **fields,
    }


CURATED: dict[str, list[dict[str, Any]]] = {
    "providers": [
        {"id": "anthropic", "name": "Anthropic", "website": None},
        {"id": "openai", "name": "OpenAI", "website": None},
    ],
    "clouds": [
        {"id": "aws", "name": "AWS", "kind": "hyperscaler", "provider": None},
        {"id": "azure", "name": "Azure", "kind": "hyperscaler", "provider": None},
        {
            "id": "anthropic-api",
            "name": "Anthropic API",
            "kind": "first-party",
            "provider": "anthropic",
        },
    ],
    "regions": [{"cloud": "aws", "id": "us-east-1", "name": "N. Virginia", "geography": "US"}],
    "models": [
        {
            "id": "claude-sonnet-4-5",
            "provider": "anthropic",
            "name": "Claude Sonnet 4.5",
            "family": "claude-sonnet",
            "open_weights": False,
        },
        {
            "id": "gpt-4o",
            "provider": "openai",
            "name": "GPT-4o",
            "family": "gpt-4o",
            "open_weights": False,
        },
    ],
    "offerings": [
        offering(
            id="aws:claude-sonnet-4-5:serverless",
            model="claude-sonnet-4-5",
            cloud="aws",
            cloud_model_id="anthropic.claude-sonnet-4-5-20250929-v1:0",
            regions=["us-east-1"],
            available_from="2025-03-10",
        ),
        offering(
            id="anthropic-api:claude-sonnet-4-5:serverless",
            model="claude-sonnet-4-5",
            cloud="anthropic-api",
            cloud_model_id="claude-sonnet-4-5-20250929",
            available_from="2025-02-01",
            available_from_certainty="exact",
            deprecated_from="2026-08-01",
            deprecated_from_certainty="exact",
            deprecated_from_source="https://example.com/deprecations",
        ),
    ],
    "exclusivity-windows": [
        {
            "id": "azure-openai",
            "holder": "azure",
            "model": None,
            "provider": "openai",
            "includes_open_weights": False,
            "scope": "hyperscalers",
            "basis": "contractual",
            "starts_at": "2023-01-23",
            "starts_at_certainty": "exact",
            "starts_at_source": "https://example.com/window",
            "ends_at": None,
            "ends_at_certainty": None,
            "ends_at_source": None,
            "terms": "Azure only.",
        },
    ],
}


def curated_db(folder: Path) -> Path:
    """A database holding the small curated catalog above."""
    fixtures = folder / "curated"
    loading.write_fixture_dir(CURATED, fixtures)
    path = folder / "catalog.db"
    database = db.migrate(path)
    loading.load_records(database, loading.read_fixture_dir(fixtures), actor="test")
    database.conn.close()
    return path


def snapshot(path: Path) -> tuple[int, list[tuple[Any, ...]]]:
    """The change feed's length and every offering: what a write would change."""
    conn = sqlite3.connect(path)
    try:
        seq = conn.execute("SELECT count(*) FROM changes").fetchone()[0]
        rows = conn.execute("SELECT * FROM offerings ORDER BY id").fetchall()
    finally:
        conn.close()
    return seq, rows


def rows(path: Path, sql: str) -> list[dict[str, Any]]:
    """What a query finds in the database at `path`, each row a dict."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def dumps(data: Any) -> str:
    """JSON text for a fixture file."""
    return json.dumps(data, indent=2)
