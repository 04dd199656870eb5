"""The comparison's rules as plain functions: lifecycle, geography, order, the wide sheet."""

from __future__ import annotations

from typing import Any

from catalog import comparison

AT = "2026-07-10T00:00:00Z"


def offering(**fields: Any) -> dict[str, Any]:
    return {
        "id": "aws:m:serverless",
        "cloud": "aws",
        "regions": ["us-east-1", "us-west-2"],
        "deprecated_from": None,
        "retired_from": None,
        "retired_from_certainty": None,
    } | fields


def test_lifecycle_says_deprecated_once_the_day_has_come() -> None:
    soon = offering(deprecated_from="2026-08-01T00:00:00Z")
    assert comparison.lifecycle(soon, AT)["state"] == "available"
    assert comparison.lifecycle(soon, "2026-08-01T00:00:00Z")["state"] == "deprecated"
    ending = offering(retired_from="2027-01-15T00:00:00Z", retired_from_certainty="announced")
    assert comparison.lifecycle(ending, AT) == {
        "state": "available",
        "deprecated_from": None,
        "retires_at": "2027-01-15T00:00:00Z",
        "retires_at_certainty": "announced",
        "replacement": None,
    }


def test_geography_of_a_price() -> None:
    geos = {("aws", "us-east-1"): "US", ("aws", "us-west-2"): "US", ("aws", "eu-west-3"): "EU"}
    assert comparison.geography_of(offering(), None, geos) == "US"  # every region in one
    assert comparison.geography_of(offering(), "eu-west-3", geos) == "EU"  # the price's own
    mixed = offering(regions=["us-east-1", "eu-west-3"])
    assert comparison.geography_of(mixed, None, geos) is None
    assert comparison.geography_of(offering(regions=None), None, geos) is None  # unknown
    assert comparison.geography_of(offering(regions=[], geography="EU"), None, geos) == "EU"


def row(cloud: str, unit: str | None, amount: str | None, **extra: Any) -> dict[str, Any]:
    free = amount is not None and float(amount) == 0
    return {
        "unit": unit,
        "amount": amount,
        "free": free,
        "currency": "USD" if amount is not None else None,
        "cloud": cloud,
        "region": None,
        "geography": None,
        "offering": f"{cloud}:m",
        "deployment_type": "serverless",
        "exclusivity": {"state": "none"},
        "lifecycle": comparison.lifecycle(offering(), AT),
    } | extra


def test_a_free_tier_sorts_after_every_paid_price() -> None:
    rows = [row("free", "input-1m-tokens", "0"), row("dear", "input-1m-tokens", "9.5")]
    rows.append(row("cheap", "input-1m-tokens", "0.000000000001"))
    ordered = sorted(rows, key=comparison._order)
    assert [r["cloud"] for r in ordered] == ["cheap", "dear", "free"]


def test_the_wide_sheet_has_a_column_per_unit_and_the_unpriced() -> None:
    sheet = comparison.wide(
        [
            row("aws", "input-1m-tokens", "2.40"),
            row("aws", "output-1m-tokens", "3.00"),
            row("aws", "input-1m-tokens", "2.64", region="eu-west-3", geography="EU"),
            row("gcp", None, None),
        ]
    )
    assert [
        (r["cloud"], r["region"], r["input-1m-tokens"], r["output-1m-tokens"]) for r in sheet
    ] == [
        ("aws", None, "2.40", "3.00"),
        ("aws", "eu-west-3", "2.64", None),
        ("gcp", None, None, None),
    ]
    assert list(sheet[0]) == list(comparison.WIDE_FIELDS)
    assert sheet[1]["geography"] == "EU" and sheet[2]["lifecycle"] == "available"
