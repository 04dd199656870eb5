"""Fixtures: the shipped set is real and sourced; loading is all or nothing; dump is lossless."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import Clock

from catalog.cli import main
from catalog.storage import db, loading

FIXTURES = Path(__file__).parents[1] / "fixtures"


def records(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def test_contract_ids_exist() -> None:
    ids = {name: {r["id"] for r in records(name)} for name in ("providers", "models", "clouds")}
    assert {
        "mistral-ai",
        "openai",
        "anthropic",
        "meta",
        "google",
        "xai",
        "deepseek",
        "cohere",
    } <= ids["providers"]
    assert {"mistral-large-2402", "mistral-large-2407", "gpt-4o", "gpt-oss-120b"} <= ids["models"]
    assert {"azure", "aws", "gcp"} <= ids["clouds"]
    regions = {(r["cloud"], r["id"]) for r in records("regions")}
    assert {("aws", "us-east-1"), ("azure", "swedencentral")} <= regions


def test_cloud_kinds() -> None:
    clouds = {c["id"]: c for c in records("clouds")}
    assert {clouds[c]["kind"] for c in ("azure", "aws", "gcp")} == {"hyperscaler"}
    first_party = {c["provider"] for c in clouds.values() if c["kind"] == "first-party"}
    assert {"mistral-ai", "openai", "anthropic"} <= first_party


def test_every_dated_fact_has_source_and_certainty() -> None:
    facts = [
        (o, f)
        for o in records("offerings")
        for f in ("available_from", "deprecated_from", "retired_from")
    ]
    facts += [(w, f) for w in records("exclusivity-windows") for f in ("starts_at", "ends_at")]
    dated = [(r, f) for r, f in facts if r[f] is not None]
    assert len(records("offerings")) >= 60
    for record, name in dated:
        assert record[f"{name}_source"].startswith(("http://", "https://")), record["id"]
        assert record[f"{name}_certainty"] in {
            "exact",
            "month",
            "on-or-before",
            "inferred",
            "announced",
            "not-before",
        }


def test_the_two_windows() -> None:
    windows = {w["id"]: w for w in records("exclusivity-windows")}
    large = windows["azure-mistral-large-2402"]
    assert (large["holder"], large["model"], large["starts_at"], large["ends_at"]) == (
        "azure",
        "mistral-large-2402",
        "2024-02-26",
        "2024-04-03",
    )
    assert large["ends_at_certainty"] == "inferred"
    openai = windows["azure-openai-api"]
    assert (openai["provider"], openai["includes_open_weights"], openai["ends_at"]) == (
        "openai",
        False,
        "2026-04-27",
    )


def test_dump_of_seeded_database_equals_the_fixtures(seeded_db: Path, tmp_path: Path) -> None:
    conn = db.connect(seeded_db, read_only=True)
    written = loading.write_fixture_dir(loading.dump_records(conn), tmp_path)
    conn.close()
    for file in written:
        assert file.read_text() == (FIXTURES / file.name).read_text(), file.name


def test_dump_then_load_is_lossless(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(main, ["load", str(FIXTURES)]).exit_code == 0
    first = tmp_path / "first"
    assert runner.invoke(main, ["dump", str(first)]).exit_code == 0
    monkeypatch.setenv("CATALOG_DATABASE", str(tmp_path / "second.db"))
    assert runner.invoke(main, ["load", str(first)]).exit_code == 0
    second = tmp_path / "second"
    assert runner.invoke(main, ["dump", str(second)]).exit_code == 0
    for file in first.glob("*.json"):
        assert (second / file.name).read_text() == file.read_text()


def broken_copy(tmp_path: Path, name: str, change: Any) -> Path:
    """A copy of the fixtures with one file changed by `change(records)`."""
    folder = tmp_path / "broken"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    data = json.loads((folder / f"{name}.json").read_text())
    change(data)
    (folder / f"{name}.json").write_text(json.dumps(data))
    return folder


def load_fails(runner: CliRunner, folder: Path) -> str:
    result = runner.invoke(main, ["load", str(folder)])
    assert result.exit_code == 1
    # All or nothing: not one record of the set went in.
    conn = db.connect(runner_db(), read_only=True)
    assert conn.execute("SELECT count(*) FROM providers").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM offerings").fetchone()[0] == 0
    conn.close()
    return result.output


def runner_db() -> str:
    import os

    return os.environ["CATALOG_DATABASE"]


def test_bad_field_names_file_record_and_field(runner: CliRunner, tmp_path: Path) -> None:
    def change(data: list[dict[str, Any]]) -> None:
        data[3]["available_from_certainty"] = "probably"

    output = load_fails(runner, broken_copy(tmp_path, "offerings", change))
    assert "offerings.json: record 3 (id '" in output
    assert "available_from_certainty: Must be one of" in output


def test_unknown_field_refused(runner: CliRunner, tmp_path: Path) -> None:
    output = load_fails(
        runner, broken_copy(tmp_path, "models", lambda d: d[0].update(colour="red"))
    )
    assert "models.json: record 0" in output and "colour: Unknown field." in output


def test_broken_reference_refused(runner: CliRunner, tmp_path: Path) -> None:
    output = load_fails(
        runner, broken_copy(tmp_path, "offerings", lambda d: d[5].update(model="no-such-model"))
    )
    assert "offerings.json: record 5" in output and "model: no model 'no-such-model'" in output


def test_region_of_another_cloud_refused(runner: CliRunner, tmp_path: Path) -> None:
    def change(data: list[dict[str, Any]]) -> None:
        aws = next(o for o in data if o["cloud"] == "aws")
        aws["regions"] = ["swedencentral"]

    output = load_fails(runner, broken_copy(tmp_path, "offerings", change))
    assert "regions: no region 'aws/swedencentral'" in output


def test_duplicate_id_refused(runner: CliRunner, tmp_path: Path) -> None:
    output = load_fails(runner, broken_copy(tmp_path, "providers", lambda d: d.append(dict(d[0]))))
    assert "appears twice" in output


def test_exclusivity_contradiction_refused(runner: CliRunner, tmp_path: Path) -> None:
    def change(data: list[dict[str, Any]]) -> None:
        aws = next(o for o in data if o["id"] == "aws:mistral-large-2402:serverless")
        aws["available_from"] = "2024-03-01"

    output = load_fails(runner, broken_copy(tmp_path, "offerings", change))
    assert "aws:mistral-large-2402:serverless" in output
    assert "contradicts exclusivity window 'azure-mistral-large-2402'" in output


def test_not_json_refused(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "providers.json").write_text("[{")
    result = runner.invoke(main, ["load", str(folder)])
    assert result.exit_code == 1 and "providers.json: not readable JSON" in result.output


def test_load_is_an_upsert_that_keeps_created_at(
    runner: CliRunner, tmp_path: Path, clock: Clock
) -> None:
    assert runner.invoke(main, ["load", str(FIXTURES)]).exit_code == 0
    clock.advance(60)
    changed = records("models")
    gpt4o = next(m for m in changed if m["id"] == "gpt-4o")
    gpt4o["name"] = "GPT-4o (renamed)"
    (tmp_path / "models.json").write_text(json.dumps(changed))
    result = runner.invoke(main, ["load", str(tmp_path / "models.json")])
    assert result.exit_code == 0, result.output
    conn = db.connect(runner_db(), read_only=True)
    row = conn.execute(
        "SELECT name, created_at, updated_at, (SELECT count(*) FROM models) FROM models "
        "WHERE id = 'gpt-4o'"
    ).fetchone()
    feed = conn.execute(
        "SELECT action, actor FROM changes WHERE recorded_at = ? AND resource = 'models'",
        [clock.now()],
    ).fetchall()
    conn.close()
    assert row[0] == "GPT-4o (renamed)"
    assert row[1] == "2030-01-01T00:00:00Z" and row[2] == clock.now()  # created_at kept
    assert row[3] == len(changed)  # replaced, not added
    assert [tuple(f) for f in feed] == [("update", "catalog load")]  # only the changed one


def test_seed_if_empty_seeds_once(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    assert loading.seed_if_empty(path) is True
    assert loading.seed_if_empty(path) is False
