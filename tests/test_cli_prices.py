"""`catalog prices` and Client.prices against a running catalog (amounts made up for the test)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from servers import Server

from catalog.cli import main
from catalog.cli.prices import table
from catalog.client import Client

MISTRAL = "mistral-large-2402"
AVAILABLE = {
    "state": "available",
    "deprecated_from": None,
    "retires_at": None,
    "retires_at_certainty": None,
    "replacement": None,
}


def item(cloud: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "unit": "input-1m-tokens",
        "amount": amount,
        "free": amount is not None and float(amount) == 0,
        "currency": "USD",
        "cloud": cloud,
        "region": None,
        "geography": None,
        "offering": f"{cloud}:x",
        "deployment_type": "serverless",
        "effective_from": "2024-02-26T00:00:00Z",
        "effective_until": None,
        "certainty": "exact",
        "source": "https://example.org/p",
        "exclusivity": {"state": "none"},
        "lifecycle": AVAILABLE,
        "price": f"{cloud}-p",
    } | extra


def test_table_aligns_columns_and_decimal_points() -> None:
    lines = table(
        [
            item("la-plateforme", "8"),
            item(
                "azure",
                "10.125",
                certainty="month",
                exclusivity={
                    "state": "exclusive",
                    "ends_at": "2024-04-03T00:00:00Z",
                    "ends_at_certainty": "inferred",
                },
            ),
        ]
    ).splitlines()
    assert lines[0].split() == [
        "unit",
        "amount",
        "currency",
        "cloud",
        "region",
        "geography",
        "offering",
        "effective_from",
        "exclusivity",
        "lifecycle",
    ]
    # The decimal points line up; every column starts where its heading does.
    first, second = lines[1], lines[2]
    assert first.index("8") + 1 == second.index(".")
    assert first.index("USD") == second.index("USD") == lines[0].index("currency")
    assert "2024-02 (month)" in second and "exclusive until about 2024-04-03 (inferred)" in second
    assert first.split()[-2:] == ["-", "-"] and "all" in first


def test_table_marks_free_unpriced_and_deprecated() -> None:
    deprecated = AVAILABLE | {
        "state": "deprecated",
        "deprecated_from": "2026-07-07T00:00:00Z",
        "retires_at": "2027-01-15T00:00:00Z",
        "retires_at_certainty": "announced",
    }
    unpriced = {"unit": None, "currency": None, "effective_from": None}
    lines = table(
        [
            item("aws", "2.40", lifecycle=deprecated),
            item("openrouter", "0.00"),
            item("gcp", None, **unpriced, certainty=None, price=None),
        ]
    ).splitlines()
    assert "DEPRECATED since 2026-07-07, retirement planned for 2027-01-15 (announced)" in lines[1]
    assert "0.00 free" in lines[2] and lines[1].index("2.40") == lines[2].index("0.00")
    assert lines[3].split()[:6] == ["-", "no", "price", "-", "gcp", "-"]  # no region: no price


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("prices")
    server = Server(folder, database=folder / "catalog.db")
    token = server.token("prices-test")
    server.start()
    try:
        yield _seeded(Client(server.url, token=token), server.url)
    finally:
        server.stop()


def _seeded(writer: Client, url: str) -> str:
    """Our made-up input prices on three clouds, in place of the seed's own."""
    for price in writer.list_all("prices", model=MISTRAL, unit="input-1m-tokens"):
        path = f"prices/{price['id']}"
        writer.delete(path, writer.read(path)[1])
    for cloud, amount in (("azure", "8.5"), ("la-plateforme", "10"), ("snowflake-cortex", "9")):
        writer.create(
            "prices",
            {
                "id": f"{cloud}-input",
                "offering": f"{cloud}:{MISTRAL}:serverless",
                "unit": "input-1m-tokens",
                "amount": amount,
                "currency": "USD",
                "effective_from": "2024-03-05",
                "effective_from_certainty": "on-or-before",
                # Azure retired Mistral Large (24.02) on 2025-04-15: its prices end by then.
                "effective_until": "2025-01-01",
                "source": "https://example.org/price-list",
            },
        )
    return url


def test_client_prices(live: str) -> None:
    items = Client(live).prices(MISTRAL, at="2024-03-15", unit="input-1m-tokens")
    assert [(i["cloud"], i["amount"]) for i in items] == [
        ("azure", "8.5"),
        ("snowflake-cortex", "9"),
        ("la-plateforme", "10"),
    ]
    assert items[0]["exclusivity"]["state"] == "exclusive"
    # Offered, but before any price: listed with no amount.
    before = Client(live).prices(MISTRAL, at="2024-03-01")
    assert {(i["cloud"], i["amount"]) for i in before} == {("azure", None), ("la-plateforme", None)}
    assert Client(live).prices(MISTRAL, at="2020-01-01") == []


def test_cli_prices_prints_the_table_and_json(live: str) -> None:
    result = CliRunner().invoke(
        main, ["prices", MISTRAL, "--at", "2024-03-15", "--unit", "input-1m-tokens", "--url", live]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[3] for line in lines[1:]] == ["azure", "snowflake-cortex", "la-plateforme"]
    assert " 8.5" in lines[1] and " 9  " in lines[2] and "10  " in lines[3]
    assert "2024-03-05 (on-or-before)" in lines[1] and "exclusive until" in lines[1]
    as_json = CliRunner().invoke(
        main,
        [
            "prices",
            MISTRAL,
            "--at",
            "2024-03-15",
            "--unit",
            "input-1m-tokens",
            "--json",
            "--url",
            live,
        ],
    )
    assert [i["amount"] for i in json.loads(as_json.output)] == ["8.5", "9", "10"]


def test_cli_prices_csv(live: str) -> None:
    result = CliRunner().invoke(
        main, ["prices", MISTRAL, "--at", "2024-03-15", "--csv", "--url", live]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["cloud"], r["input-1m-tokens"]) for r in rows] == [
        ("azure", "8.5"),
        ("snowflake-cortex", "9"),
        ("la-plateforme", "10"),
    ]
    assert rows[0]["exclusivity"] == "exclusive" and rows[0]["lifecycle"] == "available"
    unknown = CliRunner().invoke(main, ["prices", "no-such-model", "--csv", "--url", live])
    assert unknown.exit_code == 2 and "no-such-model" in unknown.output


def test_cli_prices_errors_are_exit_2(live: str) -> None:
    unknown = CliRunner().invoke(main, ["prices", "no-such-model", "--url", live])
    assert unknown.exit_code == 2 and "no-such-model" in unknown.output
    bad_at = CliRunner().invoke(main, ["prices", MISTRAL, "--at", "soon", "--url", live])
    assert bad_at.exit_code == 2
    nothing = CliRunner().invoke(main, ["prices", MISTRAL, "--at", "2020-01-01", "--url", live])
    assert nothing.exit_code == 0 and "No prices in force" in nothing.output


def test_cli_prices_by_geography_lists_the_eu_routes(live: str) -> None:
    result = CliRunner().invoke(
        main,
        ["prices", "claude-sonnet-4-5", "--geography", "EU", "--unit", "input-1m-tokens"]
        + ["--json", "--url", live],
    )
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    aws = [(i["offering"], i["geography"], i["amount"]) for i in items if i["cloud"] == "aws"]
    # Bedrock's EU profile at its own (regional) price; the global route keeps no data in the EU.
    assert aws == [("aws:claude-sonnet-4-5:data-zone-eu", "EU", "3.30")]
    assert all(i["geography"] == "EU" for i in items)
