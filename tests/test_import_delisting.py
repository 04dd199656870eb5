"""Delisting: an imported offering whose every registry file is deleted ends that commit's day."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from registry_helpers import commit, git, rows, snapshot

from catalog import cli
from catalog.importers import plan

REPO = "https://github.com/anomalyco/models.dev"
GPT = "providers/openrouter/models/openai/gpt-4o.toml"
ESCAPED = "providers/openrouter/models/anthropic%2Fclaude-sonnet-4.5.toml"
RENAMED = "providers/openrouter/models/anthropic/claude-sonnet-4.5.toml"
BEDROCK = "providers/amazon-bedrock/models/anthropic.claude-sonnet-4-5-20250929-v1:0.toml"


def toml(name: str, cost_in: float) -> str:
    return f'name = "{name}"\n\n[cost]\ninput = {cost_in}\noutput = 10.00\n'


@pytest.fixture
def registry(tmp_path: Path) -> dict[str, Any]:
    """GPT-4o is added, repriced, then deleted; Claude's escaped file is renamed in the same
    commit (its id lives on); the Bedrock file behind a curated offering is deleted too. The
    deleting commit is 23:50 on 1 June in New York: 2 June in UTC."""
    repo = tmp_path / "models.dev"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "dev")
    added = commit(
        repo,
        {GPT: toml("GPT-4o", 2.5), ESCAPED: toml("Claude Sonnet 4.5", 3), BEDROCK: toml("", 3)},
        when="2025-05-01T10:00:00+00:00",
    )
    repriced = commit(repo, {GPT: toml("GPT-4o", 2)}, when="2025-05-20T09:00:00+00:00")
    git(repo, "mv", ESCAPED, "x.toml")
    (repo / RENAMED).parent.mkdir(parents=True, exist_ok=True)
    git(repo, "mv", "x.toml", RENAMED)
    deleted = commit(repo, {GPT: None, BEDROCK: None}, when="2025-06-01T23:50:00-04:00")
    return {"repo": repo, "added": added, "repriced": repriced, "deleted": deleted}


def test_a_deleted_file_ends_its_offering_and_prices_on_the_commits_day(
    registry: dict[str, Any], catalog_db: Path
) -> None:
    result = CliRunner().invoke(cli.main, ["import", "models-dev", str(registry["repo"])])
    assert result.exit_code == 0, result.output
    offerings = {r["id"]: r for r in rows(catalog_db, "SELECT * FROM offerings")}
    gpt = offerings["openrouter:gpt-4o:serverless"]
    assert gpt["available_from"] == "2025-05-01T00:00:00Z"
    assert gpt["retired_from"] == "2025-06-02T00:00:00Z"  # the deleting commit's UTC day
    assert gpt["retired_from_certainty"] == "on-or-before"
    diff = hashlib.sha256(GPT.encode()).hexdigest()
    assert gpt["retired_from_source"] == f"{REPO}/commit/{registry['deleted']}#diff-{diff}"
    prices = rows(
        catalog_db,
        "SELECT amount, effective_from, effective_until FROM prices "
        "WHERE offering = 'openrouter:gpt-4o:serverless' AND unit = 'input-1m-tokens' "
        "ORDER BY effective_from",
    )
    assert prices == [
        {"amount": "2.50", "effective_from": "2025-05-01T00:00:00Z",
         "effective_until": "2025-05-20T00:00:00Z"},
        {"amount": "2.00", "effective_from": "2025-05-20T00:00:00Z",
         "effective_until": "2025-06-02T00:00:00Z"},
    ]  # fmt: skip
    # A rename is not a delisting: the id lives on, now unescaped, from the living file.
    claude = offerings["openrouter:claude-sonnet-4-5:serverless"]
    assert claude["retired_from"] is None
    assert claude["cloud_model_id"] == "anthropic/claude-sonnet-4.5"
    # Its price history runs on across the rename, from the file it had first.
    (rate,) = rows(
        catalog_db,
        "SELECT amount, effective_from, effective_until, source FROM prices "
        "WHERE offering = 'openrouter:claude-sonnet-4-5:serverless' AND unit = 'input-1m-tokens'",
    )
    assert rate == {
        "amount": "3.00",
        "effective_from": "2025-05-01T00:00:00Z",
        "effective_until": None,
        "source": f"{REPO}/blob/{registry['added']}/providers/openrouter/models/"
        "anthropic%252Fclaude-sonnet-4.5.toml",
    }
    # A curated offering with no end is ended by the delisting (its curated start stays),
    # and the report says so.
    aws = offerings["aws:claude-sonnet-4-5:serverless"]
    assert aws["origin"] == "curated" and aws["available_from"] == "2025-03-10T00:00:00Z"
    assert (aws["retired_from"], aws["retired_from_certainty"]) == (
        "2025-06-02T00:00:00Z",
        "on-or-before",
    )
    assert aws["retired_from_source"].startswith(f"{REPO}/commit/")
    ended = "curated offering had no end: ended by models.dev's delisting 2025-06-02"
    assert ended in result.output


def test_a_second_import_changes_nothing(registry: dict[str, Any], catalog_db: Path) -> None:
    args = ["import", "models-dev", str(registry["repo"])]
    assert CliRunner().invoke(cli.main, args).exit_code == 0
    before = snapshot(catalog_db)
    prices = rows(catalog_db, "SELECT * FROM prices ORDER BY id")
    again = CliRunner().invoke(cli.main, args)
    assert again.exit_code == 0 and "changed 0" in again.output
    assert snapshot(catalog_db) == before
    assert rows(catalog_db, "SELECT * FROM prices ORDER BY id") == prices


def record(origin: str, retired: str | None, source: str | None = None) -> dict[str, Any]:
    return {
        "origin": origin,
        "regions": [],
        "available_from": "2025-01-01T00:00:00Z",
        "available_from_certainty": "exact",
        "available_from_source": "https://example.com/start",
        "deprecated_from": None,
        "retired_from": retired,
        "retired_from_certainty": "exact" if retired else None,
        "retired_from_source": source or ("https://example.com/vendor" if retired else None),
    }


@pytest.mark.parametrize("origin", ["curated", "models.dev"])
def test_a_maintainers_or_vendors_end_keeps_precedence(origin: str) -> None:
    merge = plan.prefer_earlier("models.dev", REPO)
    ours = record(origin, "2025-04-15T00:00:00Z")
    delisted = record("models.dev", "2025-06-02T00:00:00Z", f"{REPO}/commit/abc")
    merged, _ = merge(ours, {**delisted, "retired_from_certainty": "on-or-before"})
    assert (merged["retired_from"], merged["retired_from_source"]) == (
        "2025-04-15T00:00:00Z",
        "https://example.com/vendor",
    )
    # The registry's own earlier delisting is replaced when the file comes back.
    mine = record("models.dev", "2025-06-02T00:00:00Z", f"{REPO}/commit/abc")
    merged, _ = merge(mine, record("models.dev", None))
    assert merged["retired_from"] is None
