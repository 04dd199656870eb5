"""The shipped fixtures say what the data audit found to be true (shared/research/data-audit.md).

One test per fact the audit found wrong, per weak row it re-sourced and per key omission it listed,
so a later rebuild of the fixtures (curated core plus registry imports) cannot quietly undo one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from catalog import instants, loading, resources, rules

SHIPPED = loading.read_fixture_dir(loading.shipped_fixtures())
CERTAINTIES = {"exact", "month", "on-or-before", "inferred", "announced", "not-before"}
# Reverse proxies and content farms the audit found in source fields; none may come back.
BANNED_HOSTS = ("rproxy.govskope", "techdailyfeed.com")
DATED = {
    "offerings": ("available_from", "deprecated_from", "retired_from"),
    "exclusivity-windows": ("starts_at", "ends_at"),
}


def records(collection: str) -> dict[str, dict[str, Any]]:
    """The shipped records of a collection, by id."""
    return {record["id"]: record for _, record in SHIPPED[collection]}


def offering(offering_id: str) -> dict[str, Any]:
    return records("offerings")[offering_id]


def all_urls(record: dict[str, Any]) -> list[str]:
    """Every URL in a record: its source fields and any in its free text."""
    found = []
    for value in record.values():
        if isinstance(value, str):
            found += re.findall(r"https?://[^\s\"'),;]+", value)
    return found


# ---- the rows the audit calls wrong: Gemini lifecycle dates on Vertex (audit §1 #10-#14)


@pytest.mark.parametrize("model", ["gemini-2.0-flash", "gemini-2.0-flash-lite"])
def test_gemini_2_0_retirement_is_the_current_planned_date_announced(model: str) -> None:
    row = offering(f"gcp:{model}:serverless")
    assert (row["retired_from"], row["retired_from_certainty"]) == ("2026-06-01", "announced")
    assert urlsplit(row["retired_from_source"]).hostname == "docs.cloud.google.com"


@pytest.mark.parametrize(
    ("model", "shutdown"),
    [
        ("gemini-2.5-pro", "2027-03-31"),
        ("gemini-2.5-flash", "2027-03-31"),
        ("gemini-2.5-flash-lite", "2027-01-28"),
    ],
)
def test_gemini_2_5_lifecycle_is_the_reissued_notice_announced(model: str, shutdown: str) -> None:
    row = offering(f"gcp:{model}:serverless")
    assert (row["deprecated_from"], row["deprecated_from_certainty"]) == ("2026-10-20", "announced")
    assert (row["retired_from"], row["retired_from_certainty"]) == (shutdown, "announced")


def test_no_google_source_is_pinned_to_a_locale() -> None:
    sources = [u for r in records("offerings").values() for u in all_urls(r) if "google" in u]
    assert sources and not [u for u in sources if "hl=" in u]


# ---- weak rows given the better source (audit §1)


def test_bedrock_mistral_large_dates_from_the_aws_sample_not_the_paris_issue() -> None:
    row = offering("aws:mistral-large-2402:serverless")
    assert (row["available_from"], row["available_from_certainty"]) == (
        "2024-04-03",
        "on-or-before",
    )
    assert row["available_from_source"].endswith("aws-samples/generative-ai-use-cases/pull/430")


def test_mistral_large_window_is_observed_and_ends_where_bedrock_begins() -> None:
    window = records("exclusivity-windows")["azure-mistral-large-2402"]
    assert window["basis"] == "observed"  # only secondary coverage says "exclusively"
    bedrock = offering("aws:mistral-large-2402:serverless")
    assert window["ends_at"] == bedrock["available_from"]
    assert window["ends_at_source"] == bedrock["available_from_source"]


def test_snowflake_mistral_large_is_a_preview_dated_by_snowflake() -> None:
    row = offering("snowflake-cortex:mistral-large-2402:serverless")
    assert row["stage"] == "preview"
    assert (row["available_from"], row["available_from_certainty"]) == ("2024-03-05", "exact")
    assert urlsplit(row["available_from_source"]).hostname == "docs.snowflake.com"


def test_mistral_large_launch_rows_cite_mistral() -> None:
    for offering_id in (
        "azure:mistral-large-2402:serverless",
        "la-plateforme:mistral-large-2402:serverless",
    ):
        assert (
            offering(offering_id)["available_from_source"]
            == "https://mistral.ai/news/mistral-large/"
        )


def test_bedrock_gpt_5_4_leaves_out_the_govcloud_region_and_cites_aws() -> None:
    row = offering("aws:gpt-5.4:serverless")
    assert row["regions"] == ["us-east-2", "us-west-2"]
    assert urlsplit(row["available_from_source"]).hostname == "docs.aws.amazon.com"


def test_a_planned_legacy_date_is_announced() -> None:
    row = offering("aws:llama-3-1-405b-instruct:serverless")
    assert (row["deprecated_from"], row["deprecated_from_certainty"]) == ("2026-07-07", "announced")


@pytest.mark.parametrize(
    ("offering_id", "since"),
    [
        ("aws:llama-3-8b-instruct:serverless", "2024-04-24"),
        ("aws:llama-3-70b-instruct:serverless", "2024-04-24"),
        ("azure:llama-3-1-405b-instruct:serverless", "2024-07-23"),
        ("gcp:claude-sonnet-4-5:serverless", "2025-09-29"),
        ("azure:grok-3:serverless", "2025-05-19"),
        ("azure:command-r-plus:serverless", "2024-04-08"),
    ],
)
def test_late_on_or_before_dates_are_tightened(offering_id: str, since: str) -> None:
    assert offering(offering_id)["available_from"] == since


def test_mistral_large_3_has_open_weights() -> None:
    assert records("models")["mistral-large-2512"]["open_weights"] is True


# ---- omissions (audit §2)


def test_openai_api_offers_gpt_4o_from_its_launch_day() -> None:
    cloud = records("clouds")["openai-api"]
    assert (cloud["kind"], cloud["provider"]) == ("first-party", "openai")
    row = offering("openai-api:gpt-4o:serverless:2024-05-13")
    assert (row["available_from"], row["available_from_certainty"]) == ("2024-05-13", "exact")


def test_gpt_5_4_and_5_5_reached_azure_before_aws() -> None:
    for model in ("gpt-5.4", "gpt-5.5"):
        azure, aws = offering(f"azure:{model}:serverless"), offering(f"aws:{model}:serverless")
        assert azure["available_from"] < aws["available_from"] == "2026-06-01"
        assert (
            offering(f"openai-api:{model}:serverless")["available_from"] <= azure["available_from"]
        )


def test_claude_sonnet_4_5_is_on_its_three_platforms() -> None:
    for cloud in ("anthropic-api", "aws", "gcp"):
        assert offering(f"{cloud}:claude-sonnet-4-5:serverless")["available_from"] >= "2025-09-29"


def test_gemini_has_its_own_api() -> None:
    cloud = records("clouds")["gemini-api"]
    assert (cloud["kind"], cloud["provider"]) == ("first-party", "google")
    assert offering("gemini-api:gemini-2.5-pro:serverless")["retired_from_certainty"] == "announced"


def test_amazon_is_a_maker_with_nova_on_its_own_cloud() -> None:
    assert "amazon" in records("providers")
    assert records("clouds")["aws"]["provider"] == "amazon"
    assert offering("aws:nova-pro:serverless")["available_from"] == "2024-12-03"


def test_first_party_apis_of_xai_deepseek_and_mistral() -> None:
    assert offering("xai-api:grok-3:serverless")["cloud"] == "xai-api"
    assert offering("deepseek-api:deepseek-r1:serverless")["available_from"] == "2025-01-20"
    assert offering("la-plateforme:mistral-large-2512:serverless")["available_from"] == "2025-12-02"


def test_contract_ids_exist() -> None:
    assert {"mistral-ai", "openai", "anthropic", "meta", "google"} <= set(records("providers"))
    assert {"mistral-large-2402", "mistral-large-2407", "gpt-4o", "gpt-oss-120b"} <= set(
        records("models")
    )
    assert {"azure", "aws", "gcp", "openai-api"} <= set(records("clouds"))
    regions = {(r["cloud"], r["id"]) for _, r in SHIPPED["regions"]}
    assert {("aws", "us-east-1"), ("azure", "swedencentral")} <= regions


# ---- provenance rules over every record


def test_no_source_uses_a_proxy_or_content_farm_host() -> None:
    urls = [u for name in SHIPPED for _, r in SHIPPED[name] for u in all_urls(r)]
    assert len(urls) > 100
    assert [u for u in urls if any(host in u for host in BANNED_HOSTS)] == []


def test_every_date_has_a_source_and_a_certainty() -> None:
    for collection, names in DATED.items():
        for record in records(collection).values():
            for name in names:
                triple = [record[name], record[f"{name}_certainty"], record[f"{name}_source"]]
                if record[name] is None:
                    assert triple == [None, None, None], (record["id"], name)
                    continue
                assert triple[1] in CERTAINTIES, (record["id"], name)
                assert urlsplit(triple[2]).scheme == "https", (record["id"], name)


def test_every_offering_says_who_recorded_it() -> None:
    origins = [r.get("origin", "curated") for r in records("offerings").values()]
    assert set(origins) <= {"curated", "models.dev", "litellm", "azure-docs"}
    assert origins.count("curated") >= 121  # the hand-checked core stays whole


def canonical(record: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The record with its instants in the canonical form the rules compare."""
    return {**record, **{n: record[n] and instants.parse(record[n]) for n in names}}


def test_no_offering_contradicts_a_window() -> None:
    models, clouds = records("models"), records("clouds")
    windows = [
        canonical(w, DATED["exclusivity-windows"]) for w in records("exclusivity-windows").values()
    ]
    offerings = [canonical(o, DATED["offerings"]) for o in records("offerings").values()]
    clashes = [
        (o["id"], w["id"])
        for o in offerings
        for w in windows
        if rules.contradicts(o, models[o["model"]], clouds[o["cloud"]], w)
    ]
    assert windows and clashes == []


# ---- the seed story, through the API


def test_seed_story_mid_march_2024(client: FlaskClient) -> None:
    body: Any = client.get("/v1/models/mistral-large-2402/availability?at=2024-03-15").json
    clouds = {c["cloud"]: c for c in body["clouds"]}
    assert {c for c, answer in clouds.items() if answer["available"]} == {
        "azure",
        "la-plateforme",
        "snowflake-cortex",
    }
    assert clouds["aws"]["exclusivity"]["state"] == "excluded"
    assert clouds["aws"]["exclusivity"]["holder"] == "azure"


def test_seed_story_june_2024(client: FlaskClient) -> None:
    body: Any = client.get("/v1/models/mistral-large-2402/availability/aws?at=2024-06-01").json
    assert body["available"] is True and body["exclusivity"] == {"state": "none"}


# ---- launch prices: the curated ones among the shipped prices

PRICES: list[dict[str, Any]] = [
    p
    for p in json.loads((Path(__file__).parents[1] / "fixtures" / "prices.json").read_text())
    if p.get("origin", "curated") == "curated"
]
UNITS = set(resources.get("prices").schema().fields["unit"].validate.choices)  # type: ignore[union-attr]


def test_launch_prices_are_dated_sourced_decimal_strings_on_known_offerings() -> None:
    offerings = records("offerings")
    for price in PRICES:
        assert price["offering"] in offerings, price["id"]
        assert price["unit"] in UNITS and price["currency"] == "USD", price["id"]
        assert re.fullmatch(r"[0-9]+\.[0-9]+", price["amount"]), price["id"]
        assert price["effective_from_certainty"] in CERTAINTIES, price["id"]
        assert urlsplit(price["source"]).scheme == "https", price["id"]
        assert price["effective_from"] >= offerings[price["offering"]]["available_from"], price[
            "id"
        ]
    assert len(PRICES) >= 13  # the audit's launch prices stay whole
    keys = [(p["offering"], p["region"], p["unit"], p["currency"]) for p in PRICES]
    assert len(keys) == len(set(keys))  # one price per curated series: none overlaps another


def test_claude_sonnet_4_5_launched_at_one_price_on_three_platforms() -> None:
    found = {
        (p["offering"].split(":")[0], p["unit"]): p["amount"]
        for p in PRICES
        if p["offering"].split(":")[1] == "claude-sonnet-4-5"
    }
    for cloud in ("anthropic-api", "aws", "gcp"):
        assert (found[(cloud, "input-1m-tokens")], found[(cloud, "output-1m-tokens")]) == (
            "3.00",
            "15.00",
        )
