"""Prices in fixture sets: the shipped file, loading (all or nothing), dump and load again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from catalog.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
GCP = "gcp:claude-3-5-sonnet:serverless:20241022"
# That offering retired on 2026-02-19, so the test's prices end before then: a price in force
# after its offering's retirement is refused (tests/test_retirement_prices.py).
END = "2026-01-01"


def shipped_prices() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((FIXTURES / "prices.json").read_text())
    return data


def test_shipped_prices_are_sourced() -> None:
    # It may be empty (no price is shipped without its source); each one there has one.
    for price in shipped_prices():
        assert price["source"].startswith("https://"), price["id"]
        assert price["effective_from_certainty"], price["id"]


def with_prices(tmp_path: Path, prices: list[dict[str, Any]]) -> Path:
    folder = tmp_path / "set"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (folder / "prices.json").write_text(json.dumps(prices))
    return folder


def price(pid: str, start: str, until: str | None, amount: str) -> dict[str, Any]:
    return {
        "id": pid,
        "offering": GCP,
        "region": "europe-west1",
        "unit": "output-1m-tokens",
        "amount": amount,
        "currency": "USD",
        "effective_from": start,
        "effective_until": until,
        "effective_from_certainty": "on-or-before",
        "source": "https://example.org/made-up-for-the-test",
        "origin": "curated",
    }


def test_prices_load_dump_and_load_again(runner: CliRunner, tmp_path: Path) -> None:
    prices = [
        price("a", "2024-10-24", "2025-01-01", "15.00"),
        price("b", "2025-01-01", END, "0.1"),
    ]
    assert runner.invoke(main, ["load", str(with_prices(tmp_path, prices))]).exit_code == 0
    dumped = tmp_path / "dumped"
    assert runner.invoke(main, ["dump", str(dumped)]).exit_code == 0
    assert json.loads((dumped / "prices.json").read_text()) == prices
    again = runner.invoke(main, ["load", str(dumped)])
    assert again.exit_code == 0 and "nothing new" in again.output


def test_an_overlap_in_fixtures_is_named_and_nothing_loads(
    runner: CliRunner, tmp_path: Path
) -> None:
    prices = [price("a", "2024-10-24", "2025-02-01", "15.00"), price("b", "2025-01-01", END, "1")]
    result = runner.invoke(main, ["load", str(with_prices(tmp_path, prices))])
    assert result.exit_code == 1
    assert "prices.json: record 1 (id 'b')" in result.output and "'a'" in result.output
    bad = [price("a", "2024-10-24", None, "15.00") | {"amount": 15.0}]
    result = runner.invoke(main, ["load", str(with_prices(tmp_path / "2", bad))])
    assert (
        result.exit_code == 1 and "record 0 (id 'a'): amount: Not a valid string." in result.output
    )
