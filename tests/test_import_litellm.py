"""catalog import litellm on a small excerpt of LiteLLM's model map (tests/data)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from registry_helpers import commit, git, snapshot

from catalog import cli
from catalog.importers import facts, litellm

EXCERPT = Path(__file__).parent / "data" / "litellm-excerpt.json"
AWS = "aws:claude-sonnet-4-5:serverless"


def run(*args: str) -> Any:
    return CliRunner().invoke(cli.main, ["import", "litellm", *args])


def offering(path: Path, offering_id: str) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        row = dict(conn.execute("SELECT * FROM offerings WHERE id = ?", [offering_id]).fetchone())
        row["regions"] = [
            r[0]
            for r in conn.execute(
                "SELECT region FROM offering_regions WHERE offering = ? ORDER BY position",
                [offering_id],
            )
        ]
        return row
    finally:
        conn.close()


def test_deprecations_are_announced_and_regions_added(catalog_db: Path) -> None:
    result = run(str(EXCERPT), "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    aws = offering(catalog_db, AWS)
    assert aws["deprecated_from"] == "2026-09-29T00:00:00Z"
    assert aws["deprecated_from_certainty"] == "announced"
    assert aws["deprecated_from_source"] == litellm.DEFAULT_SOURCE
    # The curated region first, then those the keys name (us-east-2) or list (the rest).
    assert aws["regions"] == ["us-east-1", "eu-west-1", "us-east-2", "us-west-2"]
    assert aws["available_from"] == "2025-03-10T00:00:00Z" and aws["origin"] == "curated"
    assert "added    regions/aws/us-east-2" in result.output


def test_curated_facts_keep_precedence(catalog_db: Path) -> None:
    result = run(str(EXCERPT))
    first_party = offering(catalog_db, "anthropic-api:claude-sonnet-4-5:serverless")
    assert first_party["deprecated_from"] == "2026-08-01T00:00:00Z"
    assert first_party["deprecated_from_certainty"] == "exact"
    assert (
        "kept     offerings/anthropic-api:claude-sonnet-4-5:serverless: kept curated deprecation "
        "2026-08-01 (exact) over LiteLLM's 2026-09-29 (announced)"
    ) in result.output


def test_what_cannot_be_placed_is_refused_with_the_reason(catalog_db: Path) -> None:
    result = run(str(EXCERPT))
    assert "refused  azure/gpt-4o: no offering azure:gpt-4o:serverless" in result.output
    assert "refused  gpt-mystery-9: unmatched model" in result.output
    assert "refused  litellm_provider hyperbolic (1 keys): unmapped provider" in result.output
    assert "unknown region aws/xx-nowhere-9" in result.output
    # Provisioned throughput is not a fact about the serverless offering (nor its region).
    assert "refused  provisioned (1 keys): provisioned throughput" in result.output
    assert "ap-northeast-1" not in offering(catalog_db, AWS)["regions"]


def test_prices_per_million_tokens_by_region(catalog_db: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    assert run(str(EXCERPT), "--date", "2026-12-01", "--report", str(report)).exit_code == 0
    prices = json.loads(report.read_text())["prices"]
    aws = sorted(
        (p["region"] or "", p["unit"], p["amount"]) for p in prices if p["offering"] == AWS
    )
    assert aws == [
        ("", "cache-write-1m-tokens", "3.75"),
        ("", "cached-input-1m-tokens", "0.30"),
        ("", "input-1m-tokens", "3.00"),
        ("", "output-1m-tokens", "15.00"),
        ("us-east-2", "input-1m-tokens", "3.30"),
        ("us-east-2", "output-1m-tokens", "16.50"),
    ]
    one = next(p for p in prices if p["offering"] == AWS)
    assert one["effective_from"] == "2026-12-01" and one["effective_from_certainty"] == (
        "on-or-before"
    )
    assert one["origin"] == "litellm" and one["currency"] == "USD"
    cited = {p["source"] for p in prices if p["offering"].startswith("anthropic-api:")}
    assert cited == {"https://docs.anthropic.com/en/docs/about-claude/model-deprecations"}


def test_a_second_run_changes_nothing_and_dry_run_writes_nothing(catalog_db: Path) -> None:
    before = snapshot(catalog_db)
    assert run(str(EXCERPT), "--dry-run").exit_code == 0
    assert snapshot(catalog_db) == before
    assert run(str(EXCERPT)).exit_code == 0
    after = snapshot(catalog_db)
    assert after != before
    again = run(str(EXCERPT))
    assert again.exit_code == 0 and "added nothing; changed 0" in again.output
    assert snapshot(catalog_db) == after


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json", "not a readable JSON file"), ("[1, 2]", "not shaped like LiteLLM's model map")],
)
def test_bad_input_exits_2_naming_the_file(
    catalog_db: Path, tmp_path: Path, text: str, message: str
) -> None:
    bad = tmp_path / "map.json"
    bad.write_text(text)
    before = snapshot(catalog_db)
    result = run(str(bad))
    assert result.exit_code == 2
    assert f"{bad}: {message}" in result.output
    assert snapshot(catalog_db) == before


def test_keys_name_regions_and_cloud_ids() -> None:
    routes = facts.load_mapping("litellm-providers.json")["routes"]
    assert litellm.split_key("bedrock/us-east-1/anthropic.claude-v2", routes) == (
        "us-east-1",
        "anthropic.claude-v2",
    )
    assert litellm.split_key("azure/eu/gpt-4o", routes) == (None, "eu/gpt-4o")
    assert facts.decimal_amount(1.5e-05, 1_000_000) == "15.00"
    assert facts.decimal_amount(7.5e-08, 1_000_000) == "0.075"


def test_a_models_dev_import_keeps_what_litellm_added(tmp_path: Path, catalog_db: Path) -> None:
    """The registries speak to different facts: each run leaves the other's alone."""
    repo = tmp_path / "models.dev"
    repo.mkdir()
    git(repo, "init", "-q")
    bedrock = "providers/amazon-bedrock/models/anthropic.claude-opus-4-1-20250805-v1:0.toml"
    commit(repo, {bedrock: 'name = "Claude Opus 4.1"\n'}, when="2025-08-06T00:00:00Z")
    excerpt = tmp_path / "map.json"
    excerpt.write_text(
        json.dumps(
            {
                "bedrock/us-west-2/anthropic.claude-opus-4-1-20250805-v1:0": {
                    "litellm_provider": "bedrock",
                    "deprecation_date": "2026-08-05",
                }
            }
        )
    )
    models_dev = ["import", "models-dev", str(repo)]
    assert CliRunner().invoke(cli.main, models_dev).exit_code == 0
    assert run(str(excerpt)).exit_code == 0
    opus = offering(catalog_db, "aws:claude-opus-4-1:serverless")
    assert opus["regions"] == ["us-west-2"] and opus["deprecated_from"] is not None
    before = snapshot(catalog_db)
    again = CliRunner().invoke(cli.main, models_dev)
    assert again.exit_code == 0 and "changed 0" in again.output
    assert snapshot(catalog_db) == before


def test_a_dry_run_without_a_database_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "none.db"
    monkeypatch.setenv("CATALOG_DATABASE", str(missing))
    result = run(str(EXCERPT), "--dry-run")
    assert result.exit_code == 0 and "Dry run: nothing written" in result.output
    assert not missing.exists()
