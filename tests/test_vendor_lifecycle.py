"""The lifecycle facts curated by hand from the vendors' own schedules
(fixtures/registry/vendor-lifecycle.json, applied by `catalog import vendor-lifecycle`): one
test per fact, each asserting the shipped offering's dates, certainty, source and replacement.

Sources (the vendor's page; where a public file or thread holds the same facts, it is the
cross-check named beside each group):
- Anthropic: the model deprecations page. Cross-checked with endoflife.date's
  products/anthropic-claude.md (at 0d3ee9b7, which scrapes that page's tables: "Deprecated",
  "Retirement Date", "Tentative Retirement Date: Not sooner than") and the Anthropic SDK's
  DEPRECATED_MODELS (claude-3-sonnet July 21st 2025, claude-3-opus January 5th 2026,
  claude-3-7-sonnet February 19th 2026). Claude Sonnet 3.5 was announced for 2025-10-22 and
  retired on 2025-10-28 (endoflife.date; tensorzero/tensorzero#4243, 2025-10-29).
- OpenAI: the API deprecations page. The 2026-04-22 notice (shutdowns on 2026-07-23 and
  2026-10-23) is cross-checked with anomalyco/models.dev#3707 (2026-07-24: the July models
  already fail) and dimagi/open-chat-studio#3208; the 2026-12-10 shutdowns with
  dimagi/open-chat-studio#3643 and agentjido/llmdb#233; GPT-4.5 Preview and o1-preview/o1-mini
  with deprecations-rss's docs/v1/deprecations.json (anchors 2025-04-14 and 2025-04-28) and
  Azure's own retired-models table (gpt-4.5-preview July 14, 2025; o1-preview July 28, 2025).
- Google, Gemini API: the deprecations page; Gemini 1.5 discontinued 2025-09-24
  (openfoodfacts/open-prices#858 quoting the notice; mlcommons/modelbench#1316, 2025-09-26).
- Google, Vertex AI: the partner-model deprecations page (Claude 3.5 Haiku deprecated
  2026-01-05, shut down 2026-07-05: quoted in wso2/docs-apim#11886; anomalyco/models.dev#3721
  confirms the shutdown); Claude 3.5 Sonnet v2 shut down 2026-02-19 (anomalyco/models.dev#2081).
- Amazon Bedrock: the model lifecycle page (Claude 3.5 Sonnet v1 and v2 EOL 2026-03-01:
  posit-dev/positron#9339 quoting AWS's notice, run-llama/llama_index#20211; Claude 2 and 2.1
  legacy 2025-01-21, EOL 2025-07-21: epam/ai-dial-adapter-bedrock#310; Claude Sonnet 4 legacy
  2026-04-14, EOL 2026-10-14: awslabs/threat-composer#290; Claude Opus 4.1 legacy 2026-07-08,
  EOL 2027-01-08: anomalyco/models.dev#3708; Claude 3.7 Sonnet EOL 2026-04-28:
  awslabs/startups#9).
- Mistral: the models overview's legacy table (open-mistral-7b and the open Mixtrals deprecated
  2024-11-30, retired 2025-03-30: langgenius/dify-official-plugins#1090; Mistral Large 24.02
  retired 2025-06-16 and 24.07 2025-03-30), and Mistral's own docs repository for the May 2026
  batch (mistralai/platform-docs-public#496: notices 2026-05-22, retirements 2026-07-31 and
  2026-08-31, replacement Mistral Medium 3.5).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import copy_database
from registry_helpers import snapshot

from catalog import cli
from catalog.importers import facts, plan, vendor_lifecycle
from catalog.storage import db

ROOT = Path(__file__).parent.parent
OFFERINGS = ROOT / "fixtures" / "offerings.json"
FACTS: list[dict[str, Any]] = json.loads(
    (ROOT / "fixtures" / "registry" / "vendor-lifecycle.json").read_text()
)["facts"]
SHIPPED = {row["id"]: row for row in json.loads(OFFERINGS.read_text())}
HOSTS = (
    "https://platform.claude.com/",
    "https://developers.openai.com/",
    "https://ai.google.dev/",
    "https://docs.cloud.google.com/",
    "https://docs.aws.amazon.com/",
    "https://docs.mistral.ai/",
    "https://github.com/MicrosoftDocs/azure-ai-docs/blob/",
)


@pytest.mark.parametrize("fact", FACTS, ids=[f["offering"] for f in FACTS])
def test_vendor_fact_is_shipped(fact: dict[str, Any]) -> None:
    offering = SHIPPED[fact["offering"]]
    assert fact["source"].startswith(HOSTS)  # the vendor's own page, never a mirror
    for name in ("available_from", "deprecated_from", "retired_from"):
        said = fact[name]
        if said is None:
            continue
        assert (offering[name], offering[f"{name}_certainty"]) == (said["day"], said["certainty"])
        assert offering[f"{name}_source"] == fact["source"], name
    if "replacement" in fact:
        assert offering["replacement"] == fact["replacement"]


def test_the_facts_name_each_offering_once_and_cover_every_vendor() -> None:
    names = [f["offering"] for f in FACTS]
    assert len(names) == len(set(names)) == 80
    assert {f["source"].split("/")[2] for f in FACTS} == {h.split("/")[2] for h in HOSTS}


@pytest.mark.parametrize(
    ("offering", "retired", "certainty", "replacement"),
    [
        # The audit's examples, each now ended (or ending) as its vendor said.
        ("anthropic-api:claude-3-opus:serverless", "2026-01-05", "exact", "claude-opus-4-8"),
        ("anthropic-api:claude-3-5-sonnet:serverless", "2025-10-28", "exact", "claude-sonnet-4-6"),
        ("openai-api:gpt-4.5-preview:serverless", "2025-07-14", "exact", "gpt-4.1"),
        ("openai-api:o1:serverless", "2026-10-23", "announced", None),
        ("gemini-api:gemini-1.5-pro:serverless", "2025-09-24", "exact", "gemini-2.5-pro"),
        (
            "la-plateforme:mistral-large-2402:serverless",
            "2025-06-16",
            "exact",
            "mistral-large-2411",
        ),  # noqa: E501
        ("azure:gpt-4o:serverless", "2026-10-01", "announced", "gpt-5.1"),
        ("azure:o1:serverless", "2026-07-15", "announced", "o3"),
    ],
)
def test_the_audit_examples_end(
    offering: str, retired: str, certainty: str, replacement: str | None
) -> None:
    row = SHIPPED[offering]
    assert (row["retired_from"], row["retired_from_certainty"]) == (retired, certainty)
    assert row["replacement"] == replacement


def test_the_seed_story_ends() -> None:
    """Azure: Mistral Large (24.02) legacy 2024-12-15, retired 2025-04-15, Azure suggesting
    Mistral Medium (25.05) instead."""
    large = SHIPPED["azure:mistral-large-2402:serverless"]
    assert (large["deprecated_from"], large["retired_from"]) == ("2024-12-15", "2025-04-15")
    assert large["retired_from_certainty"] == "exact"
    assert large["replacement"] == "mistral-medium-2505"


def planned(database: Path, mapping: Any) -> plan.Plan:
    conn = db.connect(database, read_only=True)
    try:
        return vendor_lifecycle.plan_import(conn, mapping=mapping)
    finally:
        conn.close()


def test_the_shipped_catalog_holds_every_fact(seeded_db: Path) -> None:
    found = planned(seeded_db, {"facts": FACTS})
    assert found.count() == 0
    assert found.report.refused == []


def test_a_rebuilt_imported_offering_gets_its_facts_back(seeded_db: Path, tmp_path: Path) -> None:
    """A registry rebuild drops what the vendor said of an imported offering; the import puts it
    back, once: a second run changes nothing."""
    path = copy_database(seeded_db, tmp_path / "catalog.db")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE offerings SET deprecated_from = '2026-06-03T00:00:00Z', "
            "deprecated_from_certainty = 'on-or-before', deprecated_from_source = "
            "'https://github.com/anomalyco/models.dev/blob/x/providers/anthropic/models/y.toml', "
            "retired_from = NULL, retired_from_certainty = NULL, retired_from_source = NULL, "
            "replacement = NULL WHERE id = 'anthropic-api:claude-3-5-haiku:serverless'"
        )
    conn.close()
    env = {"CATALOG_DATABASE": str(path)}
    first = CliRunner().invoke(cli.main, ["import", "vendor-lifecycle"], env=env)
    assert first.exit_code == 0, first.output
    assert "changed  offerings/anthropic-api:claude-3-5-haiku:serverless" in first.output
    row = (
        db.connect(path)
        .execute(
            "SELECT deprecated_from, retired_from, retired_from_certainty, replacement "
            "FROM offerings WHERE id = 'anthropic-api:claude-3-5-haiku:serverless'"
        )
        .fetchone()
    )
    assert tuple(row) == (
        "2025-12-19T00:00:00Z",
        "2026-02-19T00:00:00Z",
        "exact",
        "claude-haiku-4-5",
    )
    after = snapshot(path)
    second = CliRunner().invoke(cli.main, ["import", "vendor-lifecycle"], env=env)
    assert "added nothing; changed 0," in second.output
    assert snapshot(path) == after


def test_an_unknown_offering_or_a_bad_fact_is_refused_and_reported(seeded_db: Path) -> None:
    good = FACTS[0]
    found = planned(
        seeded_db,
        {"facts": [good, {**good, "offering": "nowhere:nothing:serverless"}, {"offering": 3}]},
    )
    assert [why for _, why in found.report.refused][0] == "no offering 'nowhere:nothing:serverless'"
    assert len(found.report.refused) == 2


def test_a_file_without_facts_is_a_source_error(seeded_db: Path) -> None:
    with pytest.raises(facts.SourceError, match="no list of facts"):
        planned(seeded_db, {"about": "nothing"})
