"""Every maker the registry names, known-maker spellings, the base_model guard, unescaped ids."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from registry_helpers import commit, curated_db, git

from catalog import cli

FILES = {
    # A maker the mapping names (with its reviewed name), and one nobody reviewed yet.
    "providers/openrouter/models/sao10k/l3-8b-stheno-v3.2.toml": 'name = "Stheno 3.2"\n',
    "providers/openrouter/models/NewLab/spark-1.toml": 'name = "Spark 1"\nopen_weights = true\n',
    # Not makers: OpenRouter's own router, and a '-latest' alias.
    "providers/openrouter/models/openrouter/auto.toml": 'name = "Auto Router"\n',
    "providers/openrouter/models/~anthropic/claude-sonnet-latest.toml": 'name = "Latest"\n',
    # Known makers spelled the hosts' way.
    "providers/sap-ai-core/models/anthropic--claude-4.5-sonnet.toml": 'name = "Sonnet 4.5"\n',
    "providers/groq/models/openai%2Fgpt-4o.toml": 'name = "GPT-4o"\n',
    "providers/venice/models/e2ee-gpt-4o-p.toml": 'name = "GPT-4o (E2EE)"\n',
    # The maker's own Sonnet 4, and Databricks' Sonnet 4 whose link says Sonnet 4.5.
    "providers/anthropic/models/claude-sonnet-4-20250514.toml": 'name = "Claude Sonnet 4"\n',
    "providers/databricks/models/databricks-claude-sonnet-4.toml": (
        'name = "Claude Sonnet 4"\nbase_model = "anthropic/claude-sonnet-4-5-20250929"\n'
    ),
    "providers/databricks/models/databricks-claude-sonnet-4-5.toml": (
        'name = "Claude Sonnet 4.5"\nbase_model = "anthropic/claude-sonnet-4-5-20250929"\n'
    ),
}


@pytest.fixture
def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    repo = tmp_path / "models.dev"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, FILES, when="2026-01-10T12:00:00Z")
    path = curated_db(tmp_path)
    monkeypatch.setenv("CATALOG_DATABASE", str(path))
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli.main, ["import", "models-dev", str(repo), "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        tables = {
            name: {r["id"]: dict(r) for r in conn.execute(f"SELECT * FROM {name}")}
            for name in ("providers", "models", "offerings")
        }
    finally:
        conn.close()
    return {**tables, "report": json.loads(report.read_text())["report"]}


def test_a_maker_the_catalog_lacks_is_added_as_imported(imported: dict[str, Any]) -> None:
    providers, models = imported["providers"], imported["models"]
    assert providers["sao10k"] == {**providers["sao10k"], "name": "Sao10K", "origin": "models.dev"}
    # Nobody reviewed NewLab: its folder, as the registry spells it, names it.
    assert providers["newlab"]["name"] == "NewLab"
    assert providers["newlab"]["origin"] == "models.dev"
    assert providers["anthropic"]["origin"] == "curated"
    assert models["spark-1"]["provider"] == "newlab" and models["spark-1"]["open_weights"] == 1
    assert "openrouter:spark-1:serverless" in imported["offerings"]


def test_routers_and_aliases_are_refused_with_their_reason(imported: dict[str, Any]) -> None:
    refused = {r["what"]: r["why"] for r in imported["report"]["refused"]}
    auto = refused["providers/openrouter/models/openrouter/auto.toml"]
    assert "not a maker's folder: OpenRouter's own routers" in auto
    latest = refused["providers/openrouter/models/~anthropic/claude-sonnet-latest.toml"]
    assert "'-latest' aliases" in latest
    assert not any(m.startswith(("auto", "claude-sonnet-latest")) for m in imported["models"])


def test_known_makers_spelled_the_hosts_way_are_matched(imported: dict[str, Any]) -> None:
    offerings = imported["offerings"]
    assert offerings["sap-ai-core:claude-sonnet-4-5:serverless"]["cloud_model_id"] == (
        "anthropic--claude-4.5-sonnet"
    )
    groq = offerings["groq:gpt-4o:serverless"]
    assert groq["cloud_model_id"] == "openai/gpt-4o"  # unescaped, as Groq's API spells it
    assert offerings["venice:gpt-4o:serverless"]["cloud_model_id"] == "e2ee-gpt-4o-p"


def test_a_base_model_the_name_contradicts_is_not_trusted(imported: dict[str, Any]) -> None:
    offerings = imported["offerings"]
    sonnet_4 = offerings["databricks:claude-sonnet-4:serverless"]
    assert sonnet_4["cloud_model_id"] == "databricks-claude-sonnet-4"
    assert offerings["databricks:claude-sonnet-4-5:serverless"]["cloud_model_id"] == (
        "databricks-claude-sonnet-4-5"
    )
    kept = {k["record"]: k["why"] for k in imported["report"]["kept"]}
    why = kept["providers/databricks/models/databricks-claude-sonnet-4.toml"]
    assert why == (
        "base_model 'anthropic/claude-sonnet-4-5-20250929' contradicts the file's own name: "
        "not claude-sonnet-4-5, but claude-sonnet-4"
    )


def test_aliases_name_their_model_even_through_the_crosswalk() -> None:
    from catalog.importers import facts, identity

    known: dict[str, dict[str, Any]] = {
        "ministral-8b-2512": {"aliases": ["ministral-3-8b-instruct"]},
        "claude-sonnet-4": {"aliases": ["claude-4-sonnet"]},
        "llama-3.1-8b-instruct": {},  # a record from before the field: no aliases at all
    }
    models = identity.Models(known, facts.load_mapping("models-dev-platforms.json"))
    # The shipped crosswalk names the old id; the alias takes it to the merged model.
    assert models.find("ministral-3-8b-instruct-2512") == "ministral-8b-2512"
    assert models.find("claude-4-sonnet") == "claude-sonnet-4"
    assert models.find("ministral-3-8b-instruct") == "ministral-8b-2512"
