"""Dated facts as an RFC 5545 calendar: one all-day event per date, stable UIDs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any

PRODID = "-//model-availability catalog//timeline//EN"


# RFC 5545 3.3.11: TEXT holds no control characters but tab (line breaks are written \n). The
# others (NUL, BEL, ..., DEL, the C1 range) are dropped: a strict client refuses a whole feed
# for one of them.
_CONTROLS = dict.fromkeys(
    [c for c in range(32) if chr(c) not in "\t\r\n"] + list(range(0x7F, 0xA0))
)


def escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545, 3.3.11), dropping control characters."""
    if not text.isprintable():
        text = text.translate(_CONTROLS)
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545, 3.1)."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1  # a continuation line starts with one space
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _stamp(instant: str) -> str:
    return instant.replace("-", "").replace(":", "")


def _event_lines(event: Mapping[str, Any]) -> Iterator[str]:
    yield "BEGIN:VEVENT"
    yield f"UID:{event['id']}@catalog"
    # DTSTAMP is the record's last change, so the calendar is the same on every call.
    yield f"DTSTAMP:{_stamp(event['updated_at'])}"
    at = event["at"]
    if at.endswith("T00:00:00Z"):
        # From the text, not strftime: any stored year is written with its four digits, and
        # the day after 9999-12-31 is left out (an all-day DTSTART alone lasts one day).
        yield f"DTSTART;VALUE=DATE:{at[:10].replace('-', '')}"
        day = date.fromisoformat(at[:10])
        if day < date.max:
            yield f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).isoformat().replace('-', '')}"
    else:
        yield f"DTSTART:{_stamp(at)}"
    yield f"SUMMARY:{escape(event['summary'])}"
    yield "DESCRIPTION:" + escape(
        f"Date certainty: {event['certainty']}.\nSource: {event['source']}"
    )
    yield f"URL:{event['source']}"
    yield f"CATEGORIES:{escape(event['event'])}"
    yield "END:VEVENT"


def calendar(events: Iterable[Mapping[str, Any]], name: str) -> str:
    """A VCALENDAR holding one VEVENT per event."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        lines.extend(_event_lines(event))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
