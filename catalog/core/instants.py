"""Instants as the catalog stores and shows them: RFC 3339, UTC, whole seconds.

One canonical text form (`2024-02-26T00:00:00Z`) means SQLite can compare instants as strings,
and an index on a date column serves range filters. Fractions of a second are dropped (floored):
every stored bound is a whole second, so flooring a query instant never changes an answer.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
# The instants the catalog takes in (schemas refuse others): wide enough for any fact about AI
# models, narrow enough that every date arithmetic on them (a day after, a month before) stays
# inside what datetime and four-digit years can write. No sentinels: an open end is null.
EARLIEST = "1970-01-01T00:00:00Z"
LATEST = "2100-01-01T00:00:00Z"


def parse(value: str) -> str:
    """Parse an RFC 3339 instant or a date (its midnight UTC) into the canonical form.

    Raises ValueError with a message fit for a client.
    """
    if not isinstance(value, str):
        raise ValueError("Not a string.")
    text = value.strip()
    if _CANONICAL.fullmatch(text):  # the form every client of the API sends: checked, kept
        try:
            datetime.fromisoformat(text[:-1])
        except ValueError:
            raise ValueError(f"Not a valid instant: {value!r}.") from None
        return text
    if _DATE_ONLY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"Not a valid date: {value!r}.") from None
        return f"{day.isoformat()}T00:00:00Z"
    if not _INSTANT.match(text):
        raise ValueError(
            f"Not an RFC 3339 instant or a date: {value!r} "
            "(expected e.g. 2024-02-26T00:00:00Z or 2024-02-26)."
        )
    try:
        return _format(datetime.fromisoformat(text.upper()).astimezone(UTC))
    except (ValueError, OverflowError):
        raise ValueError(f"Not a valid instant: {value!r}.") from None


def bounded(instant: str) -> str:
    """A canonical instant, refused (ValueError) outside EARLIEST .. LATEST."""
    if not EARLIEST <= instant <= LATEST:
        raise ValueError(f"Must be from {EARLIEST[:10]} to {LATEST[:10]}; an open end is null.")
    return instant


def clamp(instant: str) -> str:
    """A stored instant held to EARLIEST .. LATEST, for drawing and exporting: whatever a
    database holds (written before the bound, or by hand), an answer can still be made."""
    return min(max(instant, EARLIEST), LATEST)


def _format(moment: datetime) -> str:
    # isoformat, not strftime: %Y does not zero-pad years before 1000 on every platform.
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def to_datetime(instant: str) -> datetime:
    """The canonical text form as an aware datetime."""
    return datetime.strptime(instant, FORMAT).replace(tzinfo=UTC)


def now() -> str:
    """The current instant in canonical form."""
    return _format(datetime.now(UTC))


def short(instant: str) -> str:
    """A date where the instant is a midnight, else the instant: how fixtures write it."""
    return instant[:10] if instant.endswith("T00:00:00Z") else instant


# How a date is worded for each certainty: the catalog never shows a guess as a fact.
_WORDING = {
    "inferred": "about ",
    "on-or-before": "no later than ",
    "not-before": "no earlier than ",
    "announced": "planned for ",
    "month": "",
}


def said(instant: str | None, certainty: str | None, aside: str | None = None) -> str:
    """A dated fact in words, the one wording of every answer, page and message: "2024-04-03"
    when exact, else how sure it is: "about 2024-04-03 (inferred)", "no later than 2024-03-05
    (on-or-before)", "planned for 2026-06-01 (announced)", "2024-02 (month)"; with an aside
    "about 2024-04-03 (inferred; 19 days)". No instant: "open"."""
    if instant is None:
        return "open"
    text, notes = short(instant), [n for n in (aside,) if n]
    if certainty not in (None, "exact"):
        if certainty == "month":
            text = text[:7]
        text, notes = _WORDING.get(certainty, "") + text, [certainty, *notes]
    return f"{text} ({'; '.join(notes)})" if notes else text
