"""scripts/refresh-fixtures on a synthetic registry: curated core kept, imports rebuilt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from registry_helpers import CURATED, commit, git, offering

from catalog.storage import loading

ROOT = Path(__file__).parents[1]
GPT = "providers/openrouter/models/openai/gpt-4o.toml"


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    """The curated core plus what an earlier import left: an imported offering whose registry
    file is gone, and its imported price (the shape the old script failed on)."""
    stale = offering(
        id="openrouter:claude-sonnet-4-5:serverless",
        model="claude-sonnet-4-5",
        cloud="openrouter",
        cloud_model_id="anthropic/claude-sonnet-4.5",
        available_from="2025-01-01",
        origin="models.dev",
    )
    price = {
        "offering": stale["id"],
        "region": None,
        "unit": "input-1m-tokens",
        "amount": "3.00",
        "currency": "USD",
        "effective_from": "2025-01-01",
        "effective_from_certainty": "on-or-before",
        "source": "https://example.com/registry",
    }
    data: dict[str, list[dict[str, Any]]] = {
        **CURATED,
        "clouds": [
            *CURATED["clouds"],
            {"id": "openrouter", "name": "OpenRouter", "kind": "gateway", "provider": None},
        ],
        "offerings": [*CURATED["offerings"], stale],
        "prices": [
            {**price, "id": "stale", "origin": "models.dev"},
            {**price, "id": "curated", "offering": "aws:claude-sonnet-4-5:serverless"},
            {  # another source's fact on a curated offering: not this import's to rebuild
                **price,
                "id": "litellm",
                "offering": "aws:claude-sonnet-4-5:serverless",
                "unit": "output-1m-tokens",
                "origin": "litellm",
            },
        ],
    }
    folder = tmp_path / "seed"
    loading.write_fixture_dir(data, folder)
    return folder


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    repo = tmp_path / "models.dev"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {GPT: 'name = "GPT-4o"\n\n[cost]\ninput = 2.5\n'}, when="2025-05-01T10:00:00Z")
    return repo


def refresh(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CATALOG_BIN": str(Path(sys.executable).parent / "catalog"),
        "CATALOG_REGISTRY_CACHE": str(cache),
    }
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "refresh-fixtures"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def read(folder: Path, name: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in json.loads((folder / f"{name}.json").read_text())}


@pytest.mark.parametrize("by_url", [False, True])
def test_refresh_keeps_the_curated_core_and_rebuilds_the_imports(
    seed: Path, registry: Path, tmp_path: Path, by_url: bool
) -> None:
    out, report = tmp_path / "out", tmp_path / "report.json"
    source = f"file://{registry}" if by_url else str(registry)
    args = ["--seed", str(seed), "--rev", "HEAD", "--report", str(report), source, str(out)]
    done = refresh(*args, cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    offerings, prices = read(out, "offerings"), read(out, "prices")
    assert {"aws:claude-sonnet-4-5:serverless", "openrouter:gpt-4o:serverless"} <= set(offerings)
    # What the earlier import left is gone with its price; the curated price stays.
    assert "openrouter:claude-sonnet-4-5:serverless" not in offerings
    assert "stale" not in prices and prices["curated"]["origin"] == "curated"
    assert prices["litellm"]["origin"] == "litellm"
    assert prices["openrouter:gpt-4o:serverless:input-1m-tokens:2025-05-01"]["amount"] == "2.50"
    # Azure's own tables (re-applied after the registry) add its routes of the seed's models:
    # gpt-4o's global, data-zone and provisioned ones, each also bought provisioned or by batch.
    assert "offerings 15 (12 azure-docs, 2 curated, 1 models.dev)" in done.stdout
    assert {"azure:gpt-4o:global-batch", "azure:gpt-4o:data-zone-eu-provisioned"} <= set(offerings)
    assert "imported offerings ended by delisting: 0" in done.stdout
    assert json.loads(report.read_text())["source"].startswith("models.dev ")
    assert (tmp_path / "cache").exists() is by_url


def test_a_failed_import_leaves_the_output_alone(seed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "offerings.json").write_text("[]\n")
    missing = f"file://{tmp_path / 'gone.git'}"
    done = refresh("--seed", str(seed), missing, str(out), cache=tmp_path / "cache")
    assert done.returncode == 2
    assert "git clone failed" in done.stderr and "is unchanged" in done.stderr
    assert [p.name for p in out.iterdir()] == ["offerings.json"]
    assert (out / "offerings.json").read_text() == "[]\n"
