"""Bedrock's cross-region inference profiles (`global.`, `eu.`, `us.`...) as their own offerings:
a synthetic registry with geo-prefixed files, each with its own price, imported with
`catalog import models-dev`; then a bill line's id names its route's offering only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from registry_helpers import commit, curated_db, git, rows

from catalog import cli, create_app
from catalog.importers import identity
from catalog.storage import db

MODELS = "providers/amazon-bedrock/models"
IN_REGION = f"{MODELS}/anthropic.claude-sonnet-4-5-20250929-v1:0.toml"
EU = f"{MODELS}/eu.anthropic.claude-sonnet-4-5-20250929-v1:0.toml"
GLOBAL = f"{MODELS}/global.anthropic.claude-sonnet-4-5-20250929-v1:0.toml"
US = f"{MODELS}/us.anthropic.claude-sonnet-4-5-20250929-v1:0.toml"
OFFERING = "aws:claude-sonnet-4-5"


def toml(name: str, cost_in: float, cost_out: float) -> str:
    return (
        f'name = "{name}"\nrelease_date = "2025-09-29"\nopen_weights = false\n'
        f"[cost]\ninput = {cost_in}\noutput = {cost_out}\n"
    )


@pytest.fixture
def registry(tmp_path: Path) -> dict[str, Any]:
    """The in-region id and three profiles, each priced by its own file; the second commit
    deletes the EU profile (its route ends, the others stay)."""
    repo = tmp_path / "models.dev"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "dev")
    first = commit(
        repo,
        {
            IN_REGION: toml("Claude Sonnet 4.5", 3.0, 15.0),
            EU: toml("Claude Sonnet 4.5 (EU)", 3.3, 16.5),
            GLOBAL: toml("Claude Sonnet 4.5 (Global)", 3.0, 15.0),
            US: toml("Claude Sonnet 4.5 (US)", 3.3, 16.5),
        },
        when="2025-10-01T12:00:00+00:00",
    )
    return {"repo": repo, "first": first}


@pytest.fixture
def imported(registry: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = curated_db(tmp_path)
    monkeypatch.setenv("CATALOG_DATABASE", str(path))
    result = CliRunner().invoke(cli.main, ["import", "models-dev", str(registry["repo"])])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def routes_client(imported: Path) -> Iterator[FlaskClient]:
    app = create_app({"TESTING": True, "DATABASE": str(imported), "READ_ONLY": True})
    yield app.test_client()
    db.close_thread_connections()


def test_each_profile_is_its_own_offering(imported: Path) -> None:
    found = {o["id"]: o for o in rows(imported, "SELECT * FROM offerings WHERE cloud = 'aws'")}
    assert sorted(found) == [
        f"{OFFERING}:data-zone-eu",
        f"{OFFERING}:data-zone-us",
        f"{OFFERING}:global",
        f"{OFFERING}:serverless",  # the existing id stays the in-region one
    ]
    eu = found[f"{OFFERING}:data-zone-eu"]
    assert (eu["deployment_type"], eu["geography"]) == ("data-zone", "EU")
    assert eu["cloud_model_id"] == "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert found[f"{OFFERING}:data-zone-us"]["geography"] == "US"
    world = found[f"{OFFERING}:global"]
    assert (world["deployment_type"], world["geography"]) == ("global", None)
    in_region = found[f"{OFFERING}:serverless"]
    assert in_region["deployment_type"] == "serverless" and in_region["geography"] is None
    assert in_region["cloud_model_id"] == "anthropic.claude-sonnet-4-5-20250929-v1:0"


def test_each_route_has_the_prices_of_its_own_file(
    imported: Path, registry: dict[str, Any]
) -> None:
    prices = rows(
        imported,
        "SELECT offering, unit, amount, source FROM prices WHERE offering LIKE 'aws:%' "
        "ORDER BY offering, unit",
    )
    said = {(p["offering"], p["unit"]): p["amount"] for p in prices}
    assert said[(f"{OFFERING}:data-zone-eu", "input-1m-tokens")] == "3.30"
    assert said[(f"{OFFERING}:data-zone-eu", "output-1m-tokens")] == "16.50"
    assert said[(f"{OFFERING}:global", "input-1m-tokens")] == "3.00"
    assert said[(f"{OFFERING}:serverless", "input-1m-tokens")] == "3.00"
    eu = next(p for p in prices if p["offering"] == f"{OFFERING}:data-zone-eu")
    assert eu["source"].endswith(EU.replace(":", "%3A").replace("%3A", ":"))


def test_the_comparison_shows_each_route_with_its_geography(routes_client: FlaskClient) -> None:
    items = routes_client.get("/v1/models/claude-sonnet-4-5/prices?unit=input-1m-tokens").json[
        "items"
    ]
    aws = {(i["offering"], i["deployment_type"], i["geography"], i["amount"]) for i in items
           if i["cloud"] == "aws"}  # fmt: skip
    assert (f"{OFFERING}:data-zone-eu", "data-zone", "EU", "3.30") in aws
    assert (f"{OFFERING}:global", "global", None, "3.00") in aws


@pytest.mark.parametrize(
    ("billed", "expected"),
    [
        ("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", f"{OFFERING}:data-zone-eu"),
        ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", f"{OFFERING}:global"),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", f"{OFFERING}:serverless"),
        # A profile the catalog does not list: the in-region offering of the same model.
        ("apac.anthropic.claude-sonnet-4-5-20250929-v1:0", f"{OFFERING}:serverless"),
    ],
)
def test_a_bill_line_names_only_its_route(
    routes_client: FlaskClient, billed: str, expected: str
) -> None:
    response = routes_client.get(f"/v1/offerings?cloud_model_id={billed}")
    assert response.status_code == 200
    assert [o["id"] for o in response.json["items"]] == [expected]


def test_a_deleted_profile_ends_its_route_only(
    imported: Path, registry: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    commit(registry["repo"], {EU: None}, when="2025-11-02T12:00:00+00:00")
    result = CliRunner().invoke(cli.main, ["import", "models-dev", str(registry["repo"])])
    assert result.exit_code == 0, result.output
    ended = {
        o["id"]: o["retired_from"]
        for o in rows(imported, "SELECT id, retired_from FROM offerings WHERE cloud = 'aws'")
    }
    assert ended[f"{OFFERING}:data-zone-eu"] == "2025-11-02T00:00:00Z"
    assert ended[f"{OFFERING}:serverless"] is None and ended[f"{OFFERING}:global"] is None


@pytest.mark.parametrize(
    ("file_id", "expected"),
    [
        ("anthropic.x-v1:0", ("aws:x:serverless", "serverless", None)),
        ("global.anthropic.x-v1:0", ("aws:x:global", "global", None)),
        ("eu.anthropic.x-v1:0", ("aws:x:data-zone-eu", "data-zone", "EU")),
        ("apac.anthropic.x-v1:0", ("aws:x:data-zone-apac", "data-zone", "APAC")),
        ("jp.anthropic.x-v1:0", ("aws:x:data-zone-jp", "data-zone", "JP")),
        ("us-gov.anthropic.x-v1:0", ("aws:x:data-zone-us-gov", "data-zone", "US")),
    ],
)
def test_route_of_a_file_id(file_id: str, expected: tuple[str, str, str | None]) -> None:
    prefix = identity.route("amazon-bedrock", file_id)
    assert identity.route_offering("aws", "x", prefix) == expected
    assert identity.route("groq", file_id) is None  # only Bedrock's ids carry a route


def test_shipped_fixtures_keep_routes_apart() -> None:
    shipped = json.loads((Path(__file__).parent.parent / "fixtures" / "offerings.json").read_text())
    routes = [
        o
        for o in shipped
        if o["cloud"] == "aws" and o["deployment_type"] in ("global", "data-zone")
    ]
    assert routes  # Bedrock's profiles ship as their own offerings
    for offering in routes:
        prefix = offering["cloud_model_id"].split(".", 1)[0]
        assert offering["id"].endswith(prefix if prefix == "global" else f"data-zone-{prefix}")
