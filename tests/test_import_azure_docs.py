"""catalog import azure-docs on excerpts of MicrosoftDocs/azure-ai-docs (tests/data/azure-docs):
history dating, the ms.date fallback, not-before, announced, bad input, idempotence, and the
shipped catalog against the newest stored versions of the files."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import copy_database
from registry_helpers import commit, git, snapshot

from catalog import cli
from catalog.importers import azure_docs, facts, plan
from catalog.storage import db

DATA = Path(__file__).parent / "data" / "azure-docs"
LIFECYCLE = "articles/ai-foundry/concepts/model-lifecycle-retirement.md"
RETIREMENTS = "articles/ai-foundry/openai/includes/retirement/models.md"
LEGACY = "articles/ai-foundry/openai/concepts/legacy-models.md"
MATRIX = "articles/ai-foundry/openai/includes/model-matrix/"
MAAS = "articles/ai-foundry/includes/region-availability-maas.md"
FOUNDRY = "articles/ai-foundry/foundry-models/includes/model-matrix/"
BLOB = "https://github.com/MicrosoftDocs/azure-ai-docs/blob/"
LEARN = "https://learn.microsoft.com/azure/ai-foundry/"
MODELS_DEV = "https://github.com/anomalyco/models.dev/blob/"
FIELDS = ("deprecated_from", "retired_from")


def files(version: str) -> dict[str, str]:
    folder = DATA / version
    return {str(p.relative_to(folder)): p.read_text() for p in folder.rglob("*.md")}


@pytest.fixture
def bare_db(seeded_db: Path, tmp_path: Path) -> Path:
    """The shipped catalog with every azure offering's lifecycle facts removed."""
    path = copy_database(seeded_db, tmp_path / "catalog.db")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE offerings SET deprecated_from = NULL, deprecated_from_certainty = NULL, "
            "deprecated_from_source = NULL, retired_from = NULL, retired_from_certainty = NULL, "
            "retired_from_source = NULL, replacement = NULL WHERE cloud = 'azure'"
        )
    conn.close()
    return path


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, str, str]:
    """A git checkout: v1 committed on 2025-05-06, v2 on 2026-02-04."""
    repo = tmp_path / "azure-ai-docs"
    repo.mkdir()
    git(repo, "init", "-q")
    first = commit(repo, files("v1"), "2025-05-06T10:00:00Z")
    second = commit(repo, {**dict.fromkeys(files("v1")), **files("v2")}, "2026-02-04T10:00:00Z")
    return repo, first, second


def planned(database: Path, checkout: Path) -> tuple[dict[str, dict[str, Any]], plan.Plan]:
    conn = db.connect(database, read_only=True)
    try:
        found = azure_docs.plan_import(conn, checkout)
    finally:
        conn.close()
    return {r["id"]: r for r in found.records.get("offerings", [])}, found


def said(record: dict[str, Any], name: str) -> tuple[str | None, str | None, str | None]:
    day = record[name][:10] if record[name] else None
    return day, record[f"{name}_certainty"], record[f"{name}_source"]


def test_history_dates_each_fact_by_the_commit_that_first_showed_it(
    bare_db: Path, history: tuple[Path, str, str]
) -> None:
    repo, first, second = history
    found, _ = planned(bare_db, repo)
    large = found["azure:mistral-large-2402:serverless"]
    # The seed story's end: legacy 2024-12-15 (first shown by v1; v2's retired table has no such
    # column, so the older version's date stands), retired 2025-04-15 (v1 already said it).
    assert said(large, "deprecated_from") == ("2024-12-15", "exact", f"{BLOB}{first}/{LIFECYCLE}")
    assert said(large, "retired_from") == ("2025-04-15", "exact", f"{BLOB}{first}/{LIFECYCLE}")
    assert large["replacement"] == "mistral-medium-2505"  # v2's word (v1 said 2411)
    # A row only v2 has is dated by v2's commit.
    newer = found["azure:mistral-large-2411:serverless"]
    assert said(newer, "retired_from") == ("2026-01-30", "exact", f"{BLOB}{second}/{LIFECYCLE}")
    # A date shown before it came stays announced; one shown after it passed is exact.
    o1 = found["azure:o1:serverless"]
    assert said(o1, "retired_from") == ("2026-07-15", "announced", f"{BLOB}{first}/{RETIREMENTS}")
    assert said(o1, "deprecated_from")[:2] == ("2025-12-17", "exact")
    # A changed cell is a new fact: dated by the commit that changed it.
    embedding = found["azure:text-embedding-3-large:serverless"]
    assert said(embedding, "retired_from") == (
        "2027-04-15",
        "not-before",
        f"{BLOB}{second}/{RETIREMENTS}",
    )


def test_without_history_the_ms_date_dates_and_the_page_is_the_source(bare_db: Path) -> None:
    found, _ = planned(bare_db, DATA / "v2")
    large = found["azure:mistral-large-2402:serverless"]
    assert said(large, "retired_from") == (
        "2025-04-15",
        "exact",
        LEARN + "concepts/model-lifecycle-retirement",
    )
    assert large["deprecated_from"] is None  # only an older version gave it
    # ms.date 12/16/2025: the deprecation on 12-17 was still ahead when the file said it.
    o1 = found["azure:o1:serverless"]
    assert said(o1, "deprecated_from") == (
        "2025-12-17",
        "announced",
        LEARN + "openai/concepts/model-retirements",
    )
    assert found["azure:o1-preview:serverless"]["retired_from_source"] == (
        LEARN + "openai/concepts/legacy-models"
    )


def test_no_earlier_than_is_not_before(bare_db: Path) -> None:
    found, _ = planned(bare_db, DATA / "v2")
    gpt = found["azure:gpt-5.2:serverless"]
    assert said(gpt, "deprecated_from")[:2] == ("2026-12-12", "not-before")
    assert said(gpt, "retired_from")[:2] == ("2027-05-12", "not-before")


def test_a_retirement_split_by_deployment_type_and_versions(bare_db: Path) -> None:
    found, _ = planned(bare_db, DATA / "v2")
    # Standard (serverless) retires 2026-03-31; provisioned and the others 2026-10-01.
    assert said(found["azure:gpt-4o:serverless:2024-05-13"], "retired_from")[:2] == (
        "2026-03-31",
        "announced",
    )
    assert said(found["azure:gpt-4o:provisioned"], "retired_from")[:2] == (
        "2026-10-01",
        "announced",
    )
    # An offering without a version stands for every version: it ends with the last of them.
    assert said(found["azure:gpt-4o:serverless"], "retired_from")[0] == "2026-10-01"
    # Names: a version after " - ", several names on one row, Azure's gpt-35 spelling.
    assert said(found["azure:gpt-4:serverless"], "retired_from")[0] == "2025-06-06"
    assert found["azure:gpt-4:serverless"]["replacement"] == "gpt-4o"
    assert said(found["azure:gpt-3.5-turbo-0613:serverless"], "retired_from")[0] == "2025-02-13"


def test_a_registry_start_after_the_retirement_moves_back(bare_db: Path) -> None:
    # models.dev listed Azure's gpt-35-turbo 0613 from 2025-06-11, after Azure retired it.
    conn = sqlite3.connect(bare_db)
    with conn:
        conn.execute(
            "UPDATE offerings SET available_from = '2025-06-11T00:00:00Z', "
            "available_from_source = ? WHERE id = 'azure:gpt-3.5-turbo-0613:serverless'",
            [MODELS_DEV + "24a6c0b527d3b80f919f03172cf24982885b3843/providers/azure/models/"
             "gpt-3.5-turbo-0613.toml"],
        )  # fmt: skip
    conn.close()
    found, report = planned(bare_db, DATA / "v2")
    record = found["azure:gpt-3.5-turbo-0613:serverless"]
    assert said(record, "available_from") == (
        "2025-02-12",
        "on-or-before",
        LEARN + "openai/concepts/legacy-models",
    )
    why = dict(report.report.changed)["offerings/azure:gpt-3.5-turbo-0613:serverless"]
    assert "start 2025-06-11 (on-or-before) was after Azure retired it on 2025-02-13" in why


def run(database: Path, *args: str) -> Any:
    return CliRunner().invoke(
        cli.main, ["import", "azure-docs", *args], env={"CATALOG_DATABASE": str(database)}
    )


def test_the_import_writes_once_and_a_second_run_changes_nothing(
    bare_db: Path, history: tuple[Path, str, str]
) -> None:
    repo, _, _ = history
    first = run(bare_db, str(repo))
    assert first.exit_code == 0, first.output
    # 19 in-region offerings, and 25 routes (global, data zone, provisioned, and their
    # provisioned and batch kinds) of retiring models
    assert "changed 44," in first.output
    after = snapshot(bare_db)
    second = run(bare_db, str(repo))
    assert second.exit_code == 0, second.output
    assert "added nothing; changed 0," in second.output
    assert snapshot(bare_db) == after
    conn = sqlite3.connect(bare_db)
    row = conn.execute(
        "SELECT retired_from, retired_from_certainty, replacement FROM offerings WHERE id = ?",
        ["azure:mistral-large-2402:serverless"],
    ).fetchone()
    conn.close()
    assert row == ("2025-04-15T00:00:00Z", "exact", "mistral-medium-2505")


def broken(tmp_path: Path, path: str, old: str, new: str) -> Path:
    checkout = tmp_path / "broken"
    shutil.copytree(DATA / "v2", checkout)
    file = checkout / path
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new))
    return checkout


def test_a_checkout_without_the_files_is_exit_2_and_writes_nothing(
    bare_db: Path, tmp_path: Path
) -> None:
    checkout = tmp_path / "sparse"
    shutil.copytree(DATA / "v2", checkout)
    (checkout / LEGACY).unlink()
    before = snapshot(bare_db)
    result = run(bare_db, str(checkout))
    assert result.exit_code == 2
    assert f"{checkout / LEGACY}: missing" in result.output
    assert snapshot(bare_db) == before


def test_a_table_whose_columns_changed_is_exit_2_naming_file_and_line(
    bare_db: Path, tmp_path: Path
) -> None:
    checkout = broken(
        tmp_path, LEGACY, "| Model | Deprecation date | Retirement date |", "| Model | End | Gone |"
    )
    before = snapshot(bare_db)
    result = run(bare_db, str(checkout))
    assert result.exit_code == 2
    assert f"{LEGACY}:15: the table's columns changed: model | end | gone |" in result.output
    assert snapshot(bare_db) == before


def test_one_unreadable_date_is_refused_and_reported_the_rest_imported(
    bare_db: Path, tmp_path: Path
) -> None:
    checkout = broken(tmp_path, LEGACY, "|  July 28, 2025 ", "|  Julember 28, 2025 ")
    result = run(bare_db, str(checkout), "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"refused  {LEGACY}:17: no date in 'Julember 28, 2025'" in result.output
    assert "offerings/azure:o1-preview:serverless" not in result.output
    assert "changed  offerings/azure:gpt-4:serverless" in result.output


def test_a_file_with_no_readable_row_is_exit_2(bare_db: Path, tmp_path: Path) -> None:
    checkout = broken(tmp_path, LIFECYCLE, "January 30, 2026", "2026-02-30")
    text = (checkout / LIFECYCLE).read_text()
    for day in ("July 31, 2025", "May 13, 2025", "April 15, 2025", "June 30, 2025"):
        text = text.replace(day, "soon")
    text = text.replace("May 12, 2026", "soon")
    (checkout / LIFECYCLE).write_text(text)
    with pytest.raises(facts.SourceError, match=rf"{LIFECYCLE}:\d+: .*no row of the file"):
        planned(bare_db, checkout)


def test_a_file_without_ms_date_or_history_is_refused(bare_db: Path, tmp_path: Path) -> None:
    checkout = broken(tmp_path, RETIREMENTS, "ms.date: 12/16/2025", "ms.author: someone")
    with pytest.raises(facts.SourceError, match=f"{RETIREMENTS}: no ms.date"):
        planned(bare_db, checkout)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-03-31", azure_docs.Said("2026-03-31")),
        ("March 1, 2025", azure_docs.Said("2025-03-01")),
        ("April, 30, 2025", azure_docs.Said("2025-04-30")),
        ("April  30, 2025", azure_docs.Said("2025-04-30")),
        ("No earlier than February 28, 2026", azure_docs.Said("2026-02-28", not_before=True)),
        (
            "No retirement scheduled. Will not retire before April 15, 2027",
            azure_docs.Said("2027-04-15", not_before=True),
        ),  # fmt: skip
        ("No Auto-upgrades <br>July 14, 2025", azure_docs.Said("2025-07-14")),
        ("n/a", None),
        ("", None),
    ],
)
def test_date_cells(cell: str, expected: azure_docs.Said | None) -> None:
    assert azure_docs.parse_said(cell) == expected


@pytest.mark.parametrize("cell", ["2026-09-31", "soon", "2026-03-01 or 2026-04-01"])
def test_unreadable_date_cells(cell: str) -> None:
    with pytest.raises(azure_docs.BadRow):
        azure_docs.parse_said(cell)


def test_shipped_catalog_holds_what_the_newest_versions_say(seeded_db: Path) -> None:
    """The shipped fixtures are this import of the newest stored versions: nothing to change."""
    found, report = planned(seeded_db, DATA / "newest")
    assert found == {}
    # Refused: only the region tables' models the catalog lacks (sora, tts, TimeGEN-1, ...),
    # and the Foundry Data Zone Standard rows of Swiss and Norwegian regions (in no data zone).
    assert report.report.refused
    assert all(
        what.startswith((MATRIX, FOUNDRY, MAAS))
        and ("not a catalog model" in why or why.endswith("is in no data zone"))
        for what, why in report.report.refused
    ), report.report.refused


def test_no_offering_a_schedule_calls_retired_is_available(seeded_db: Path) -> None:
    """Every offering Azure's tables call retired today is not available in the catalog."""
    conn = db.connect(seeded_db, read_only=True)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        known = plan.existing(conn, "offerings")
        offerings = azure_docs.Offerings(
            {k: r for k, r in known.items() if r["cloud"] == "azure"},
            set(plan.existing(conn, "models")),
        )
        facts_found = azure_docs.read_facts(DATA / "newest", offerings, [], [])
    finally:
        conn.close()
    retired = {
        key
        for key, fact in facts_found.items()
        if fact.retired is not None
        for shown in [azure_docs.dated(fact.retired, known[key]["deployment_type"])]
        if shown["certainty"] != "not-before" and shown["at"] <= now[:10]
    }
    available = {
        key
        for key in retired
        if known[key]["available_from"] <= now
        and (known[key]["retired_from"] is None or known[key]["retired_from"] > now)
    }
    assert len(retired) > 30
    assert available == set()


def test_a_registry_reimport_keeps_the_vendor_facts(seeded_db: Path) -> None:
    """models.dev re-importing its own offering keeps what Azure's schedule set on it: the
    retirement, the deprecation, the replacement and the start the schedule moved back."""
    conn = db.connect(seeded_db, read_only=True)
    try:
        shipped = plan.existing(conn, "offerings")["azure:llama-3-70b-instruct:serverless"]
    finally:
        conn.close()
    assert shipped["origin"] == "models.dev"
    assert shipped["retired_from"] == "2025-06-30T00:00:00Z"
    registry = MODELS_DEV + "f3fc692299671838c7c65fd8126bf84d81a2e817/providers/azure/x.toml"
    again = {
        **shipped,
        "available_from": "2025-11-30T00:00:00Z",
        "available_from_certainty": "on-or-before",
        "available_from_source": registry,
        "deprecated_from": None,
        "deprecated_from_certainty": None,
        "deprecated_from_source": None,
        "retired_from": None,
        "retired_from_certainty": None,
        "retired_from_source": None,
        "replacement": None,
    }
    merged, why = plan.prefer_earlier("models.dev", "https://github.com/anomalyco/models.dev")(
        shipped, again
    )
    assert why is None
    assert merged == shipped
