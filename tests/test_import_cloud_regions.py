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
from registry_helpers import snapshot

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
                    {"cloud": "aws", "source": SOURCE, "read": "2026-12-06", "via": "ftp://x"}
                    | {"rows": []}
                ]
            },
            "tables[1]: via needs the https URL",
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


def test_a_table_read_through_a_public_copy_says_so(catalog_db: Path, tmp_path: Path) -> None:
    data = good()
    data["tables"][0]["via"] = "https://github.com/someone/copy/blob/abc/page.md"
    assert run("--file", str(curated_file(tmp_path, data))).exit_code == 0
    notes = fetch(
        catalog_db, "SELECT notes FROM offerings WHERE id = 'aws:claude-sonnet-4-5:serverless'"
    )[0][0]
    assert (
        f"Regions: {SOURCE} (read 2026-12-06, through "
        "https://github.com/someone/copy/blob/abc/page.md)." in notes
    )


def test_vertex_locations_as_shipped() -> None:
    # The shipped Vertex table: every row a complete list of regions the catalog has.
    (vertex,) = [t for t in cloud_regions.read(cloud_regions.default_file())["tables"]
                 if t["cloud"] == "gcp"]  # fmt: skip
    assert (
        vertex["source"] == "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations"
    )
    assert vertex["via"].startswith("https://github.com/") and vertex["read"] == "2025-05-12"
    rows = {r.get("cloud_model_id") or r["offering"]: r["regions"] for r in vertex["rows"]}
    assert rows["claude-3-haiku@20240307"] == ["us-east5", "europe-west1", "asia-southeast1"]
    assert (
        len(rows["gemini-2.0-flash-001"]) == 14
        and "europe-west2" not in rows["gemini-2.0-flash-001"]
    )


def test_a_region_on_a_cloud_the_catalog_lacks_is_refused_not_fatal(
    catalog_db: Path, tmp_path: Path
) -> None:
    data = good()
    data["regions"].append({"cloud": "no-cloud", "id": "x-1", "name": "X", "geography": "EU"})
    result = run("--file", str(curated_file(tmp_path, data)))
    assert result.exit_code == 0, result.output
    assert "refused  regions/no-cloud/x-1" in result.output and "no such cloud" in result.output
    assert fetch(catalog_db, "SELECT id FROM regions WHERE cloud = 'no-cloud'") == []
