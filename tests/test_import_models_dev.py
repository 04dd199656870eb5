"""catalog import models-dev on a synthetic two-commit registry built with git."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from registry_helpers import commit, git, snapshot

from catalog import cli
from catalog.importers import facts, identity, plan
from catalog.storage import db

BEDROCK = "providers/amazon-bedrock/models/anthropic.claude-sonnet-4-5-20250929-v1:0.toml"
BEDROCK_US = "providers/amazon-bedrock/models/us.anthropic.claude-sonnet-4-5-20250929-v1:0.toml"
VERTEX = "providers/google-vertex-anthropic/models/claude-sonnet-4-5@20250929.toml"
ANTHROPIC = "providers/anthropic/models/claude-sonnet-4-5-20250929.toml"
MISTRAL = "providers/mistral/models/mistral-small-2503.toml"
GPT_ON_AWS = "providers/amazon-bedrock/models/openai.gpt-4o.toml"
UNMAPPED = "providers/somehost/models/claude-sonnet-4-5.toml"
UNMATCHED = "providers/groq/models/mystery-model-9b.toml"
BASED = "providers/togetherai/models/house-blend.toml"
HAIKU = "providers/anthropic/models/claude-3-haiku-20240307.toml"
LINKED = "providers/azure-cognitive-services/models/claude-sonnet-4-5.toml"


def toml(name: str, cost_in: float | None = None, extra: str = "") -> str:
    """A registry model file."""
    text = f'name = "{name}"\nrelease_date = "2025-01-01"\nopen_weights = false\n{extra}'
    if cost_in is not None:
        text += f"\n[cost]\ninput = {cost_in}\noutput = 15.00\n"
    return text


@pytest.fixture
def registry(tmp_path: Path) -> dict[str, Any]:
    """The first commit lists the models, the next adds a symbolic link (as models.dev does for
    Azure's two endpoints), the last changes a price, adds Vertex and drops the Mistral file.
    The last one's local time is the day before its UTC day; it also marks Haiku deprecated."""
    repo = tmp_path / "models.dev"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "dev")
    first = commit(
        repo,
        {
            "providers/anthropic/provider.toml": 'name = "Anthropic"\n',
            ANTHROPIC: toml("Claude Sonnet 4.5", 3),
            BEDROCK: toml("Claude Sonnet 4.5", 3),
            BEDROCK_US: toml("Claude Sonnet 4.5", 3.3),
            MISTRAL: toml("Mistral Small 3.1", 0.1, 'status = "beta"'),
            GPT_ON_AWS: toml("GPT-4o", 2.5),
            UNMAPPED: toml("Claude Sonnet 4.5", 3),
            UNMATCHED: toml("Mystery", 1),
            BASED: 'base_model = "anthropic/claude-sonnet-4-5-20250929"\n',
            HAIKU: toml("Claude Haiku 3", 0.25),
        },
        when="2025-03-01T12:00:00+00:00",
    )
    (repo / LINKED).parent.mkdir(parents=True)
    (repo / LINKED).symlink_to("../../anthropic/models/claude-sonnet-4-5-20250929.toml")
    linked = commit(repo, {}, when="2025-03-15T08:00:00+00:00")
    second = commit(
        repo,
        {
            BEDROCK: toml("Claude Sonnet 4.5", 2.5),
            VERTEX: toml("Claude Sonnet 4.5"),
            MISTRAL: None,
            HAIKU: toml("Claude Haiku 3", 0.25, 'status = "deprecated"'),
        },
        when="2025-04-02T23:30:00-05:00",
    )
    return {"repo": repo, "first": first, "linked": linked, "second": second}


def run(*args: str) -> Any:
    return CliRunner().invoke(cli.main, ["import", "models-dev", *args])


def offerings(path: Path) -> dict[str, dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return {r["id"]: dict(r) for r in conn.execute("SELECT * FROM offerings")}
    finally:
        conn.close()


def link(commit_id: str, path: str) -> str:
    return f"https://github.com/anomalyco/models.dev/blob/{commit_id}/{path}"


def test_offerings_are_dated_by_the_commit_that_first_listed_them(
    registry: dict[str, Any], catalog_db: Path
) -> None:
    result = run(str(registry["repo"]))
    assert result.exit_code == 0, result.output
    found = offerings(catalog_db)
    vertex = found["gcp:claude-sonnet-4-5:serverless"]
    assert vertex["available_from"] == "2025-04-03T00:00:00Z"  # the commit's UTC day
    assert vertex["available_from_certainty"] == "on-or-before"
    assert vertex["available_from_source"] == link(registry["second"], VERTEX)
    assert vertex["cloud_model_id"] == "claude-sonnet-4-5@20250929"
    assert vertex["origin"] == "models.dev"
    # A new maker, its model and its platform came with the Mistral file, and its removal in
    # the second commit (02 April local, 03 April UTC) delists it.
    mistral = found["la-plateforme:mistral-small-2503:serverless"]
    assert mistral["available_from"] == "2025-03-01T00:00:00Z"
    assert mistral["retired_from"] == "2025-04-03T00:00:00Z" and mistral["stage"] == "preview"
    assert mistral["retired_from_certainty"] == "on-or-before"
    conn = db.connect(catalog_db)
    assert conn.execute("SELECT kind, provider FROM clouds WHERE id = 'gcp'").fetchone()[0] == (
        "hyperscaler"
    )
    assert conn.execute("SELECT provider FROM models WHERE id = 'mistral-small-2503'").fetchone()[
        0
    ] == ("mistral-ai")
    conn.close()
    assert "added    providers/mistral-ai" in result.output


def test_curated_facts_keep_precedence_unless_the_import_has_better_evidence(
    registry: dict[str, Any], catalog_db: Path
) -> None:
    result = run(str(registry["repo"]))
    found = offerings(catalog_db)
    # Curated on-or-before 2025-03-10; the registry listed it by 2025-03-01: an earlier date.
    aws = found["aws:claude-sonnet-4-5:serverless"]
    assert aws["available_from"] == "2025-03-01T00:00:00Z"
    assert aws["available_from_source"] == link(registry["first"], BEDROCK)
    assert aws["origin"] == "curated"
    assert aws["cloud_model_id"] == "anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert "changed  offerings/aws:claude-sonnet-4-5:serverless: models.dev has better" in (
        result.output
    )
    # Curated exact 2025-02-01 stays, and the decision is reported.
    first_party = found["anthropic-api:claude-sonnet-4-5:serverless"]
    assert first_party["available_from"] == "2025-02-01T00:00:00Z"
    assert first_party["available_from_certainty"] == "exact"
    assert "kept     offerings/anthropic-api:claude-sonnet-4-5:serverless: kept curated" in (
        result.output
    )


def test_prices_come_from_each_commit_that_changed_them(
    registry: dict[str, Any], catalog_db: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    result = run(str(registry["repo"]), "--report", str(report))
    assert result.exit_code == 0, result.output
    prices = json.loads(report.read_text())["prices"]
    aws = sorted(
        (p["unit"], p["effective_from"], p["amount"], p["source"])
        for p in prices
        if p["offering"] == "aws:claude-sonnet-4-5:serverless"
    )
    assert aws == [
        ("input-1m-tokens", "2025-03-01", "3.00", link(registry["first"], BEDROCK)),
        ("input-1m-tokens", "2025-04-03", "2.50", link(registry["second"], BEDROCK)),
        ("output-1m-tokens", "2025-03-01", "15.00", link(registry["first"], BEDROCK)),
    ]
    one = next(p for p in prices if p["offering"] == "aws:claude-sonnet-4-5:serverless")
    assert one["region"] is None and one["currency"] == "USD"
    assert one["effective_from_certainty"] == "on-or-before" and one["origin"] == "models.dev"
    # Stored as a series: the first input price ends where the second begins; the second is open.
    conn = db.connect(catalog_db)
    stored = conn.execute(
        "SELECT unit, effective_from, effective_until, amount FROM prices "
        "WHERE offering = 'aws:claude-sonnet-4-5:serverless' ORDER BY unit, effective_from"
    ).fetchall()
    conn.close()
    assert [tuple(row) for row in stored] == [
        ("input-1m-tokens", "2025-03-01T00:00:00Z", "2025-04-03T00:00:00Z", "3.00"),
        ("input-1m-tokens", "2025-04-03T00:00:00Z", None, "2.50"),
        ("output-1m-tokens", "2025-03-01T00:00:00Z", None, "15.00"),
    ]
    again = run(str(registry["repo"]))  # idempotent, prices included
    assert again.exit_code == 0 and "added nothing" in again.output, again.output


def test_a_contradiction_with_a_window_is_refused_and_reported(
    registry: dict[str, Any], catalog_db: Path
) -> None:
    result = run(str(registry["repo"]))
    assert "aws:gpt-4o:serverless" not in offerings(catalog_db)
    assert "refused  offerings/aws:gpt-4o:serverless" in result.output
    assert "contradicts exclusivity window 'azure-openai'" in result.output
    assert "refused  providers/somehost (1 files): unmapped platform" in result.output
    assert f"refused  {UNMATCHED}: unmatched model: 'mystery-model-9b'" in result.output


def test_a_second_run_on_the_same_commit_changes_nothing(
    registry: dict[str, Any], catalog_db: Path
) -> None:
    assert run(str(registry["repo"])).exit_code == 0
    before = snapshot(catalog_db)
    again = run(str(registry["repo"]))
    assert again.exit_code == 0
    assert snapshot(catalog_db) == before
    assert "added nothing; changed 0" in again.output


def test_dry_run_writes_nothing(registry: dict[str, Any], catalog_db: Path) -> None:
    before = snapshot(catalog_db)
    result = run(str(registry["repo"]), "--dry-run")
    assert result.exit_code == 0
    assert "added    offerings/gcp:claude-sonnet-4-5:serverless" in result.output
    assert snapshot(catalog_db) == before


def test_an_earlier_commit_can_be_imported(registry: dict[str, Any], catalog_db: Path) -> None:
    result = run(str(registry["repo"]), "--rev", registry["first"])
    assert result.exit_code == 0, result.output
    assert "gcp:claude-sonnet-4-5:serverless" not in offerings(catalog_db)


def test_bad_input_exits_2_naming_the_file_and_writes_nothing(
    registry: dict[str, Any], catalog_db: Path, tmp_path: Path
) -> None:
    before = snapshot(catalog_db)
    plain = tmp_path / "plain"
    plain.mkdir()
    result = run(str(plain))
    assert result.exit_code == 2 and f"{plain}: not a git checkout" in result.output

    inside = registry["repo"] / "providers"
    result = run(str(inside))
    assert result.exit_code == 2 and f"{inside}: not a git checkout" in result.output

    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    commit(other, {"README.md": "hello\n"}, when="2025-01-01T00:00:00Z")
    result = run(str(other))
    assert result.exit_code == 2 and "not shaped like models.dev" in result.output

    broken = registry["repo"] / "providers/groq/models/broken.toml"
    commit(registry["repo"], {str(broken): 'name = "unterminated\n'}, when="2025-05-01T00:00Z")
    result = run(str(registry["repo"]))
    assert result.exit_code == 2
    assert f"{broken}: not valid TOML" in result.output
    assert snapshot(catalog_db) == before


@pytest.mark.parametrize(
    ("platform", "file_id", "expected"),
    [
        ("amazon-bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claudesonnet45"),
        ("google-vertex-anthropic", "claude-sonnet-4-5@20250929", "claudesonnet45"),
        ("openrouter", "anthropic/claude-sonnet-4.5", "claudesonnet45"),
        ("amazon-bedrock", "meta.llama3-1-405b-instruct-v1:0", "llama31405binstruct"),
        ("openai", "gpt-4o-2024-08-06", "gpt4o"),
        ("mistral", "mistral-large-2402", "mistrallarge2402"),
        ("fireworks-ai", "accounts/fireworks/models/deepseek-v3p1", "deepseekv31"),
        ("groq", "meta-llama%2Fllama-4-scout-17b-16e-instruct", "llama4scout17b16einstruct"),
    ],
)
def test_one_model_under_its_many_names(platform: str, file_id: str, expected: str) -> None:
    name, _, _ = identity.strip(platform, file_id)
    assert identity.key(name) == expected


def test_prices_are_decimal_strings() -> None:
    assert [facts.decimal_amount(v) for v in (3, 3.0, 0.075, 1.25, 0.00001, -1, True)] == [
        "3.00",
        "3.00",
        "0.075",
        "1.25",
        "0.00001",
        None,
        None,
    ]


def test_base_model_and_symbolic_links_name_the_model(
    registry: dict[str, Any], catalog_db: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    assert run(str(registry["repo"]), "--report", str(report)).exit_code == 0
    found = offerings(catalog_db)
    # No maker in its id: only `base_model` says which model Together's file is.
    together = found["together-ai:claude-sonnet-4-5:serverless"]
    assert together["cloud_model_id"] == "house-blend"
    assert together["available_from_source"] == link(registry["first"], BASED)
    # A symbolic link lists the model from the commit that made it, with its target's facts.
    azure = found["azure:claude-sonnet-4-5:serverless"]
    assert azure["available_from"] == "2025-03-15T00:00:00Z"
    assert azure["available_from_source"] == link(registry["linked"], LINKED)
    prices = json.loads(report.read_text())["prices"]
    assert {
        (p["unit"], p["amount"])
        for p in prices
        if p["offering"] == "azure:claude-sonnet-4-5:serverless"
    } == {("input-1m-tokens", "3.00"), ("output-1m-tokens", "15.00")}


def test_a_deprecated_status_dates_the_deprecation(
    registry: dict[str, Any], catalog_db: Path
) -> None:
    assert run(str(registry["repo"])).exit_code == 0
    haiku = offerings(catalog_db)["anthropic-api:claude-3-haiku:serverless"]
    assert haiku["available_from"] == "2025-03-01T00:00:00Z"
    assert haiku["deprecated_from"] == "2025-04-03T00:00:00Z"
    assert haiku["deprecated_from_certainty"] == "on-or-before"
    assert haiku["deprecated_from_source"] == link(registry["second"], HAIKU)
    assert haiku["retired_from"] is None


def start(day: str, certainty: str, origin: str = "curated") -> dict[str, Any]:
    return {
        "available_from": f"{day}T00:00:00Z",
        "available_from_certainty": certainty,
        "available_from_source": f"https://example.com/{origin}",
        "retired_from": None,
        "retired_from_certainty": None,
        "retired_from_source": None,
        "origin": origin,
    }


@pytest.mark.parametrize(
    ("ours", "theirs", "taken"),
    [
        (
            start("2025-03-10", "on-or-before"),
            start("2025-03-01", "on-or-before", "models.dev"),
            True,
        ),
        (
            start("2025-03-01", "on-or-before"),
            start("2025-03-10", "on-or-before", "models.dev"),
            False,
        ),
        (
            start("2025-03-01", "on-or-before"),
            start("2025-03-01", "on-or-before", "models.dev"),
            False,
        ),
        (start("2025-03-01", "month"), start("2025-02-20", "on-or-before", "models.dev"), True),
        (start("2025-02-01", "inferred"), start("2025-03-10", "on-or-before", "models.dev"), True),
        (start("2025-02-01", "announced"), start("2025-03-10", "on-or-before", "models.dev"), True),
        (start("2025-03-10", "exact"), start("2025-03-01", "on-or-before", "models.dev"), False),
    ],
)
def test_curated_precedence_takes_only_strictly_better_evidence(
    ours: dict[str, Any], theirs: dict[str, Any], taken: bool
) -> None:
    merged, why = plan.prefer_earlier("models.dev")(ours, theirs)
    assert (merged["available_from_source"] == theirs["available_from_source"]) is taken
    assert merged["origin"] == "curated"
    assert why is not None and why.startswith("models.dev has better" if taken else "kept")


def test_hosts_spellings_resolve_to_the_model() -> None:
    known: dict[str, dict[str, Any]] = {"claude-sonnet-4-6": {}, "llama-3-8b-instruct": {}}
    known["deepseek-v3.1"] = {}
    found = identity.Models(known, facts.load_mapping("models-dev-platforms.json"))
    assert found.find("claude-4.6-sonnet") == "claude-sonnet-4-6"  # a host's word order
    assert found.find("meta-llama-3-8b-instruct") == "llama-3-8b-instruct"  # maker's prefix
    assert found.find("deepseek-v3.1-fp8-fast") == "deepseek-v3.1"  # serving suffixes
    assert found.find("v3", "v3-v1:0", "deepseek") == "deepseek-v3.1"  # the crosswalk
    assert found.find("claude-3.7-sonnet") is None  # no such model known here
    assert identity.strip("groq", "meta-llama%2Fllama-guard-4-12b")[2] == "meta-llama"


def test_a_hosts_new_model_is_named_without_hosting_markers() -> None:
    assert identity.plainest("deepseek-v3.1-terminus-tee") == "deepseek-v3.1-terminus"
    assert identity.plainest("hermes-4-405b-fp8-tee") == "hermes-4-405b"
    assert identity.plainest("grok-4-fast") == "grok-4-fast"  # a maker's own name stays


def test_the_store_refuses_a_plan_that_breaks_the_rule_as_a_whole(catalog_db: Path) -> None:
    """Planning refuses contradictions first; the write checks again, and writes nothing."""
    before = snapshot(catalog_db)
    offering = {
        "id": "aws:gpt-4o:serverless",
        "model": "gpt-4o",
        "cloud": "aws",
        "deployment_type": "serverless",
        "cloud_model_id": "openai.gpt-4o",
        "regions": [],
        "stage": "ga",
        "available_from": "2025-03-01",
        "available_from_certainty": "on-or-before",
        "available_from_source": "https://example.com/registry",
        "origin": "models.dev",
    }
    bad = plan.Plan("test", records={"offerings": [plan.validated("offerings", offering)]})
    conn = db.connect(catalog_db)
    try:
        with pytest.raises(plan.ImportRefused, match="azure-openai"):
            plan.write_plan(conn, bad, "test")
    finally:
        conn.close()
    assert snapshot(catalog_db) == before
