from __future__ import annotations

import pytest

from catalog.core import instants


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-26", "2024-02-26T00:00:00Z"),
        ("2024-02-26T00:00:00Z", "2024-02-26T00:00:00Z"),
        ("2024-02-26t10:00:00z", "2024-02-26T10:00:00Z"),
        ("2024-02-26T01:30:00+02:00", "2024-02-25T23:30:00Z"),
        ("2024-02-26T00:00:00.999Z", "2024-02-26T00:00:00Z"),  # floored to the second
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),  # zero-padded, still sorts as text
        # RFC 3339 allows a space for the T: what Python's str(datetime) writes, and so what a
        # generated client sends for a typed datetime.
        ("2024-02-26 00:00:00Z", "2024-02-26T00:00:00Z"),
        ("2024-03-15 00:00:00+00:00", "2024-03-15T00:00:00Z"),
        ("2024-03-15 05:30:00+05:30", "2024-03-15T00:00:00Z"),
    ],
)
def test_parse_canonicalises(text: str, expected: str) -> None:
    assert instants.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024-02-30",
        "2024-02-26T00:00:00",
        "26/02/2024",
        "2024-02-26  00:00:00Z",
        "2024-02-26 00:00:00",
        "9999-12-31T23:59:59-01:00",
        # The canonical form, checked as a date and time too (it is not rewritten).
        "2024-02-30T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-02-26T24:00:00Z",
        "2024-02-26T00:60:00Z",
        "2024-02-26T00:00:60Z",
        "\u0662024-02-26T00:00:00Z",  # a digit, but not an ASCII one
    ],
)
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        instants.parse(text)


def test_the_canonical_form_is_taken_as_the_general_parse_gives_it() -> None:
    from datetime import datetime, timedelta

    moment = datetime(1970, 1, 1)
    for _ in range(2000):  # every 17 h 17 min 17 s, over 4 years: each field's range
        moment += timedelta(hours=17, minutes=17, seconds=17)
        canonical = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert instants.parse(canonical) == canonical
        assert instants.parse(canonical.replace("Z", "+00:00")) == canonical


def test_canonical_form_sorts_as_time() -> None:
    texts = ["2024-02-26T10:00:00+05:00", "2024-02-26", "2024-02-25T23:00:00-02:00"]
    parsed = [instants.parse(t) for t in texts]
    by_text = sorted(parsed)
    by_time = sorted(parsed, key=instants.to_datetime)
    assert by_text == by_time


def test_short_writes_midnights_as_dates() -> None:
    assert instants.short("2024-02-26T00:00:00Z") == "2024-02-26"
    assert instants.short("2024-02-26T00:00:01Z") == "2024-02-26T00:00:01Z"


def test_said_states_how_sure_a_date_is() -> None:
    assert instants.said("2024-04-03T00:00:00Z", "exact") == "2024-04-03"
    assert instants.said("2024-04-03T00:00:00Z", "inferred") == "about 2024-04-03 (inferred)"
    assert (
        instants.said("2026-06-01T00:00:00Z", "announced") == "planned for 2026-06-01 (announced)"
    )
    assert instants.said("2024-03-05T00:00:00Z", "on-or-before") == (
        "no later than 2024-03-05 (on-or-before)"
    )
    assert instants.said(None, "inferred") == "open"
    assert instants.said("2024-04-03T00:00:00Z", "exact", "19 days") == "2024-04-03 (19 days)"
    assert instants.said("2024-04-03T00:00:00Z", "month", "5 days") == "2024-04 (month; 5 days)"
