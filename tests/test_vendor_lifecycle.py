"""The lifecycle facts curated by hand from the vendors' own schedules: one test per fact, each
asserting the shipped offering's dates, certainty, source and replacement.

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
from pathlib import Path
from typing import NamedTuple

import pytest

OFFERINGS = Path(__file__).parent.parent / "fixtures" / "offerings.json"

ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/model-deprecations"
OPENAI = "https://developers.openai.com/api/docs/deprecations"
GEMINI_API = "https://ai.google.dev/gemini-api/docs/deprecations"
VERTEX = "https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/deprecations/partner-models"
BEDROCK = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html"
MISTRAL = "https://docs.mistral.ai/getting-started/models/models_overview/#legacy-models"


class Fact(NamedTuple):
    """What a vendor's schedule says of one offering: (day, certainty) or None per date."""

    offering: str
    deprecated: tuple[str, str] | None
    retired: tuple[str, str] | None
    source: str
    replacement: str | None = None
    start: tuple[str, str] | None = None  # a registry start the schedule moved back


def a(offering: str, deprecated: str | None, retired: str | None, replacement: str | None) -> Fact:
    """An Anthropic API fact: past dates as the page states them."""
    return Fact(
        f"anthropic-api:{offering}:serverless",
        (deprecated, "exact") if deprecated else None,
        (retired, "exact") if retired else None,
        ANTHROPIC,
        replacement,
    )


def not_before(offering: str, day: str) -> Fact:
    """An Anthropic API model still active: its tentative retirement is "not sooner than"."""
    return Fact(f"anthropic-api:{offering}:serverless", None, (day, "not-before"), ANTHROPIC)


def openai(offering: str, retired: tuple[str, str], deprecated: str | None = "2026-04-22") -> Fact:
    dep = (deprecated, "exact") if deprecated else None
    key = offering if ":" in offering else f"{offering}:serverless"
    return Fact(f"openai-api:{key}", dep, retired, OPENAI)


JULY = ("2026-07-23", "exact")  # the models already fail on 2026-07-24 (models.dev#3707)
OCTOBER = ("2026-10-23", "announced")
DECEMBER = ("2026-12-10", "announced")

FACTS = [
    # Anthropic's API
    a("claude-3-sonnet", "2025-01-21", "2025-07-21", "claude-sonnet-4-6"),
    a("claude-3-opus", "2025-06-30", "2026-01-05", "claude-opus-4-8"),
    a("claude-3-5-sonnet", "2025-08-13", "2025-10-28", "claude-sonnet-4-6"),
    a("claude-3-5-sonnet-20241022", "2025-08-13", "2025-10-28", "claude-sonnet-4-6"),
    a("claude-3-5-haiku", "2025-12-19", "2026-02-19", "claude-haiku-4-5"),
    a("claude-3-7-sonnet", "2025-10-28", "2026-02-19", "claude-sonnet-4-6"),
    a("claude-3-haiku", "2026-02-19", "2026-04-20", "claude-haiku-4-5"),
    a("claude-opus-4", "2026-04-14", "2026-06-15", "claude-opus-4-8"),
    a("claude-sonnet-4", "2026-04-14", "2026-06-15", "claude-sonnet-4-6"),
    a("claude-opus-4-1", "2026-06-05", "2026-08-05", "claude-opus-4-8"),
    not_before("claude-sonnet-4-5", "2026-09-29"),
    not_before("claude-haiku-4-5", "2026-10-15"),
    not_before("claude-opus-4-5", "2026-11-24"),
    not_before("claude-opus-4-6", "2027-02-05"),
    not_before("claude-sonnet-4-6", "2027-02-17"),
    not_before("claude-opus-4-7", "2027-04-16"),
    not_before("claude-opus-4-8", "2027-05-28"),
    not_before("claude-fable-5", "2027-06-09"),
    not_before("claude-sonnet-5", "2027-06-30"),
    # OpenAI's API
    Fact(
        "openai-api:gpt-4.5-preview:serverless",
        ("2025-04-14", "exact"),
        ("2025-07-14", "exact"),
        OPENAI,
        "gpt-4.1",
        start=("2025-04-13", "on-or-before"),  # the registry listed it from 2025-06-11
    ),
    Fact(
        "openai-api:o1-preview:serverless",
        ("2025-04-28", "exact"),
        ("2025-07-28", "exact"),
        OPENAI,
        "o3",
        start=("2025-04-27", "on-or-before"),  # the registry listed it from 2025-06-05
    ),
    Fact(
        "openai-api:o1-mini:serverless",
        ("2025-04-28", "exact"),
        ("2025-10-27", "exact"),
        OPENAI,
        "o4-mini",
        start=("2025-04-27", "on-or-before"),
    ),
    *(
        openai(o, JULY)
        for o in (
            "gpt-5-chat",
            "gpt-5-codex",
            "gpt-5.1-chat",
            "gpt-5.1-codex",
            "gpt-5.1-codex-max",
            "gpt-5.1-codex-mini",
            "gpt-5.2-codex",
            "o3-deep-research",
            "o4-mini-deep-research",
        )
    ),
    *(
        openai(o, OCTOBER)
        for o in (
            "gpt-3.5-turbo",
            "gpt-4",
            "gpt-4-turbo",
            "gpt-4.1-nano",
            "gpt-4o:serverless:2024-05-13",
            "gpt-image-1",
            "o1",
            "o1-pro",
            "o3-mini",
            "o4-mini",
        )
    ),
    *(
        openai(o, DECEMBER, deprecated=None)
        for o in ("gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5-pro", "o3", "o3-pro")
    ),
    # Google's Gemini API
    Fact(
        "gemini-api:gemini-1.5-pro:serverless",
        None,
        ("2025-09-24", "exact"),
        GEMINI_API,
        "gemini-2.5-pro",
    ),
    Fact(
        "gemini-api:gemini-1.5-flash:serverless",
        None,
        ("2025-09-24", "exact"),
        GEMINI_API,
        "gemini-2.5-flash",
    ),
    Fact("gemini-api:gemini-1.5-flash-8b:serverless", None, ("2025-09-24", "exact"), GEMINI_API),
    Fact(
        "gemini-api:gemini-2.5-flash-image-preview:serverless",
        None,
        ("2026-01-15", "exact"),
        GEMINI_API,
        "gemini-2.5-flash-image",
    ),
    Fact(
        "gemini-api:gemini-3.1-flash-lite-preview:serverless",
        ("2026-05-07", "exact"),
        ("2026-05-25", "exact"),
        GEMINI_API,
        "gemini-3.1-flash-lite",
    ),
    # Google's Vertex AI
    Fact(
        "gcp:claude-3-5-haiku:serverless",
        ("2026-01-05", "exact"),
        ("2026-07-05", "exact"),
        VERTEX,
    ),
    Fact("gcp:claude-3-5-sonnet-20241022:serverless", None, ("2026-02-19", "exact"), VERTEX),
    Fact("gcp:claude-3-5-sonnet:serverless:20241022", None, ("2026-02-19", "exact"), VERTEX),
    # Amazon Bedrock
    Fact("aws:claude-3-5-sonnet:serverless", None, ("2026-03-01", "announced"), BEDROCK),
    Fact("aws:claude-3-5-sonnet:serverless:20240620", None, ("2026-03-01", "announced"), BEDROCK),
    Fact("aws:claude-3-5-sonnet-20241022:serverless", None, ("2026-03-01", "announced"), BEDROCK),
    Fact("aws:claude-3-5-sonnet:serverless:20241022", None, ("2026-03-01", "announced"), BEDROCK),
    Fact("aws:claude-2:serverless", ("2025-01-21", "exact"), ("2025-07-21", "exact"), BEDROCK),
    Fact("aws:claude-2.1:serverless", ("2025-01-21", "exact"), ("2025-07-21", "exact"), BEDROCK),
    Fact("aws:claude-3-7-sonnet:serverless", None, ("2026-04-28", "exact"), BEDROCK),
    Fact(
        "aws:claude-sonnet-4:serverless",
        ("2026-04-14", "exact"),
        ("2026-10-14", "announced"),
        BEDROCK,
    ),
    Fact(
        "aws:claude-opus-4-1:serverless",
        ("2026-07-08", "exact"),
        ("2027-01-08", "announced"),
        BEDROCK,
    ),
    # Mistral's own platform
    Fact(
        "la-plateforme:mistral-large-2402:serverless",
        ("2024-11-30", "exact"),
        ("2025-06-16", "exact"),
        MISTRAL,
        "mistral-large-2411",
    ),
    Fact(
        "la-plateforme:mistral-large-2407:serverless",
        ("2024-11-30", "exact"),
        ("2025-03-30", "exact"),
        MISTRAL,
        "mistral-large-2411",
    ),
    *(
        Fact(
            f"la-plateforme:{o}:serverless",
            ("2024-11-30", "exact"),
            ("2025-03-30", "exact"),
            MISTRAL,
            start=("2024-11-29", "on-or-before"),  # the registry listed it from 2025-06-10
        )
        for o in ("open-mistral-7b", "open-mixtral-8x7b", "open-mixtral-8x22b")
    ),
    Fact(
        "la-plateforme:open-mistral-nemo:serverless",
        ("2026-05-22", "exact"),
        ("2026-07-31", "exact"),
        MISTRAL,
        "ministral-3-8b-instruct",
        start=("2026-05-21", "on-or-before"),  # the registry listed this id from 2026-06-02
    ),
    *(
        Fact(
            f"la-plateforme:{o}:serverless",
            ("2026-05-22", "exact"),
            (day, "exact"),
            MISTRAL,
            replacement,
        )
        for o, day, replacement in (
            ("devstral-2512", "2026-07-31", "mistral-medium-2604"),
            ("mistral-medium-2505", "2026-08-31", "mistral-medium-2604"),
            ("mistral-medium-2508", "2026-08-31", "mistral-medium-2604"),
        )
    ),
]


def shipped() -> dict[str, dict[str, object]]:
    return {row["id"]: row for row in json.loads(OFFERINGS.read_text())}


SHIPPED = shipped()


@pytest.mark.parametrize("fact", FACTS, ids=[f.offering for f in FACTS])
def test_vendor_fact_is_shipped(fact: Fact) -> None:
    offering = SHIPPED[fact.offering]
    for name, said in (("deprecated_from", fact.deprecated), ("retired_from", fact.retired)):
        if said is None:
            continue
        day, certainty = said
        assert (offering[name], offering[f"{name}_certainty"]) == (day, certainty), name
        assert offering[f"{name}_source"] == fact.source, name
    assert offering["replacement"] == fact.replacement
    if fact.start is not None:
        day, certainty = fact.start
        assert (offering["available_from"], offering["available_from_certainty"]) == fact.start
        assert offering["available_from_source"] == fact.source


def test_the_facts_name_each_offering_once() -> None:
    names = [f.offering for f in FACTS]
    assert len(names) == len(set(names)) == 73


# Azure's Foundry table as it stood before these models moved to its "retired" table (which
# has no legacy column): the legacy date, the first stage a buyer must act on. The importer
# reads only the newest version of a file without history, so these are curated from the
# older version (model-lifecycle-retirement.md at 00d8e0da, ms.date 05/05/2025).
AZURE_BEFORE = (
    "https://github.com/MicrosoftDocs/azure-ai-docs/blob/00d8e0da0010874df58d9683a4b5110867fee669"
    "/articles/ai-foundry/concepts/model-lifecycle-retirement.md"
)
AZURE_LEGACY = {
    "azure:mistral-large-2402:serverless": "2024-12-15",
    "azure:mistral-large-2407:serverless": "2025-01-13",
    "azure:mistral-small-2402:serverless": "2025-03-31",
    "azure:command-r:serverless": "2025-02-24",
    "azure:command-r-plus:serverless": "2025-02-24",
    "azure:llama-2-13b-chat:managed-compute": "2025-02-28",
    "azure:llama-2-70b-chat:managed-compute": "2025-02-28",
}


@pytest.mark.parametrize("offering", sorted(AZURE_LEGACY))
def test_azure_legacy_dates_from_the_older_table(offering: str) -> None:
    shipped_row = SHIPPED[offering]
    assert shipped_row["deprecated_from"] == AZURE_LEGACY[offering]
    assert shipped_row["deprecated_from_certainty"] == "exact"
    assert shipped_row["deprecated_from_source"] == AZURE_BEFORE
    assert shipped_row["retired_from_certainty"] == "exact"  # the newest table's, imported


def test_the_seed_story_ends() -> None:
    """Azure: Mistral Large (24.02) legacy 2024-12-15, retired 2025-04-15, Azure suggesting
    Mistral Medium (25.05) instead."""
    large = SHIPPED["azure:mistral-large-2402:serverless"]
    assert (large["deprecated_from"], large["retired_from"]) == ("2024-12-15", "2025-04-15")
    assert large["replacement"] == "mistral-medium-2505"
