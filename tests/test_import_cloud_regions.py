"""`catalog import cloud-regions`: the clouds' own region tables, curated by hand, applied to the
offerings the catalog has; regions added only with a geography; bad files refused whole."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from registry_helpers import curated_db, snapshot

from catalog import cli
from catalog.importers import cloud_regions

SOURCE = "https://docs.aws.amazon.com/bedrock/latest/userguide/models-regions.html"


def curated_file(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "cloud-regions.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def good() -> dict[str, Any]:
    return {
        "regions": [
            {"cloud": "aws", "id": "eu-central-1", "name": "Europe (Frankfurt)", "geography": "EU"},
            {"cloud": "aws", "id": "eu-west-3", "name": "Europe (Paris)", "geography": "EU"},
            {"cloud": "aws", "id": "xx-nowhere-1", "name": "Nowhere", "geography": None},
        ],
        "tables": [
            {
                "cloud": "aws",
                "source": SOURCE,
                "read": "2026-12-06",
                "rows": [
                    {
                        "cloud_model_id": "anthropic.claude-sonnet-4-5-20250929-v1:0",
                        "regions": ["us-east-1", "eu-central-1", "eu-west-3", "xx-nowhere-1"],
                    },
                    {"cloud_model_id": "anthropic.no-such-model-v1:0", "regions": ["us-east-1"]},
                ],
            }
        ],
    }


@pytest.fixture
def catalog_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = curated_db(tmp_path)
    monkeypatch.setenv("CATALOG_DATABASE", str(path))
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(cli.main, ["import", "cloud-regions", *args])


def fetch(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_a_table_sets_the_regions_and_adds_those_with_a_geography(
    catalog_db: Path, tmp_path: Path
) -> None:
    result = run("--file", str(curated_file(tmp_path, good())))
    assert result.exit_code == 0, result.output
    regions = fetch(
        catalog_db,
        "SELECT region FROM offering_regions WHERE offering = 'aws:claude-sonnet-4-5:serverless' "
        "ORDER BY position",
    )
    assert regions == [("us-east-1",), ("eu-central-1",), ("eu-west-3",)]
    added = fetch(catalog_db, "SELECT id, name, geography FROM regions WHERE cloud = 'aws'")
    assert ("eu-central-1", "Europe (Frankfurt)", "EU") in added
    assert "xx-nowhere-1" not in {row[0] for row in added}
    notes = fetch(
        catalog_db, "SELECT notes FROM offerings WHERE id = 'aws:claude-sonnet-4-5:serverless'"
    )[0][0]
    assert f"Regions: {SOURCE} (read 2026-12-06)." in notes
    # Refused and reported: the region without a geography, the row's use of it, the
    # row naming no offering.
    assert "refused  regions/aws/xx-nowhere-1" in result.output
    assert "no geography" in result.output
    assert "unknown region 'xx-nowhere-1'" in result.output
    assert "tables[1].rows[2]: no offering 'anthropic.no-such-model-v1:0' on aws" in result.output


def test_a_second_run_changes_nothing(catalog_db: Path, tmp_path: Path) -> None:
    path = curated_file(tmp_path, good())
    assert run("--file", str(path)).exit_code == 0
    before = snapshot(catalog_db)
    again = run("--file", str(path))
    assert again.exit_code == 0 and "changed 0" in again.output, again.output
    assert snapshot(catalog_db) == before


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        ("{not json", "not a readable JSON file"),
        ({"regions": []}, "no list of tables"),
        ({"regions": [{"cloud": "aws", "id": "x"}], "tables": []}, "regions[1]: needs"),
        ({"tables": [{"cloud": "aws", "source": SOURCE, "rows": []}]}, "tables[1]: needs the day"),
        (
            {"tables": [{"cloud": "aws", "source": "http://x", "read": "2026-12-06", "rows": []}]},
            "tables[1]: needs the https URL",
        ),
        (
            {
                "tables": [
                    {
                        "cloud": "aws",
                        "source": SOURCE,
                        "read": "2026-12-06",
                        "rows": [{"cloud_model_id": "a", "regions": ["us-east-1"]}, {"x": 1}],
                    }
                ]
            },
            "tables[1].rows[2]: needs cloud_model_id or offering",
        ),
    ],
)
def test_a_bad_file_exits_2_naming_file_and_record(
    catalog_db: Path, tmp_path: Path, broken: Any, named: str
) -> None:
    path = curated_file(tmp_path, broken)
    before = snapshot(catalog_db)
    result = run("--file", str(path))
    assert result.exit_code == 2
    assert str(path) in result.output and named in result.output, result.output
    assert snapshot(catalog_db) == before


def test_the_shipped_file_is_sourced_and_every_region_has_a_geography() -> None:
    data = cloud_regions.read(cloud_regions.default_file())
    for region in data["regions"]:
        assert re.fullmatch(r"[A-Z]{2,6}", region["geography"]), region
        assert region["source"].startswith("https://") and region["read"], region
    for table in data["tables"]:
        assert table["source"].startswith("https://") and table["read"]
