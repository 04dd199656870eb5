"""Prices as plain functions: a price's place in its series, exact amounts, the sort key."""

from __future__ import annotations

import random
import re
import sqlite3
from decimal import Decimal
from typing import Any

import pytest

from catalog.core import pricing
from catalog.resources.prices import AMOUNT, amount_key


def price(pid: str, start: str, until: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "effective_from": start, "effective_until": until, **extra}


JAN, FEB, MAR, APR = (f"2025-0{m}-01T00:00:00Z" for m in (1, 2, 3, 4))


def test_a_later_price_closes_the_open_latest_one() -> None:
    series = [price("old", JAN, FEB), price("current", FEB)]
    found = pricing.fit(price("new", MAR), series)
    assert found.conflict is None
    assert found.closes == price("current", FEB, MAR)


def test_half_open_intervals_meet_without_overlapping() -> None:
    # [Jan, Feb) and [Feb, Mar): the end instant belongs to the next price only.
    assert pricing.fit(price("b", FEB, MAR), [price("a", JAN, FEB)]) == pricing.Fit()
    assert pricing.fit(price("a", JAN, FEB), [price("b", FEB, MAR)]) == pricing.Fit()
    # One second more and they share an instant.
    found = pricing.fit(price("b", "2025-01-31T23:59:59Z", MAR), [price("a", JAN, FEB)])
    assert found.conflict is not None and found.conflict["id"] == "a"


def test_overlaps_are_conflicts_naming_the_other_price() -> None:
    series = [price("jan", JAN, FEB), price("feb", FEB)]
    # Starting inside a closed price.
    assert pricing.fit(price("x", "2025-01-15", MAR), series).conflict == series[0]
    # Open, and starting before a later price: it would run over it.
    assert pricing.fit(price("x", "2024-12-01", None), [series[1]]).conflict == series[1]
    # The same start as the open latest one: nothing to close, an overlap.
    assert pricing.fit(price("x", FEB), series).conflict == series[1]


def test_only_an_open_latest_price_is_closed() -> None:
    # The latest has a known end after the new start: that is an overlap, not a change.
    found = pricing.fit(price("new", MAR), [price("until-apr", FEB, APR)])
    assert found.conflict is not None and found.conflict["id"] == "until-apr"
    assert found.closes is None


def test_a_price_does_not_conflict_with_itself() -> None:
    current = price("p", FEB)
    assert pricing.fit(price("p", JAN), [current]) == pricing.Fit()


def test_sums_are_exact() -> None:
    assert pricing.total(["0.1", "0.2"]) == "0.3"
    assert pricing.total(["0.000000000001"] * 3) == "0.000000000003"
    assert pricing.total(["999999999.999999999999", "0.000000000001"]) == "1000000000.000000000000"
    assert Decimal(pricing.total(["0.1", "0.2"])) == Decimal("0.3")
    assert 0.1 + 0.2 != 0.3  # what a float would have said instead


@pytest.mark.parametrize(
    "text", ["0", "3", "3.00", "0.075", "999999999.999999999999", "0.000000000001"]
)
def test_amount_pattern_takes_decimal_strings(text: str) -> None:
    assert re.match(AMOUNT, text)


@pytest.mark.parametrize(
    "text", ["-1", "+1", "1e3", "03", "1.", ".5", "1.0000000000001", "1000000000", "1,5", " 1"]
)
def test_amount_pattern_refuses_the_rest(text: str) -> None:
    assert not re.match(AMOUNT, text)


def test_sort_key_orders_exactly_as_decimals() -> None:
    rng = random.Random(11)
    amounts = {"0", "0.1", "0.10", "0.09", "10", "9.999999999999", "100", "2.5", "0.000000000001"}
    while len(amounts) < 300:
        whole = str(rng.choice([0, rng.randrange(1, 10 ** rng.randrange(1, 10))]))
        places = rng.randrange(0, 13)
        amounts.add(
            whole
            + ("." + "".join(rng.choice("0123456789") for _ in range(places)) if places else "")
        )
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (amount TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [(a,) for a in amounts])
    ordered = [
        row[0]
        for row in conn.execute(
            f"SELECT amount FROM t AS t ORDER BY {amount_key('t.amount')}, amount"
        )
    ]
    assert [Decimal(a) for a in ordered] == sorted(Decimal(a) for a in amounts)
