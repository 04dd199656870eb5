"""Dated facts as an RFC 5545 calendar: one all-day event per date, stable UIDs.

The whole timeline is some 7,000 events (4.7 MB): each event is written as one string, and only
the lines that can be long are folded, so the full calendar costs tens of milliseconds, not
half a second (tests/test_heavy.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

PRODID = "-//model-availability catalog//timeline//EN"

# RFC 5545 3.3.11: TEXT holds no control characters but tab (line breaks are written \n). The
# others (NUL, BEL, ..., DEL, the C1 range) are dropped: a strict client refuses a whole feed
# for one of them.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPECIAL = re.compile("[\\\\;,\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545, 3.3.11), dropping control characters."""
    if not _SPECIAL.search(text):  # most text: nothing to do
        return text
    return (
        _CONTROLS.sub("", text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545, 3.1)."""
    if len(line) <= 75 and line.isascii():  # most lines: nothing to fold
        return line
    if line.isascii():  # one octet a character: cut by slicing
        return "\r\n ".join([line[:75], *(line[i : i + 74] for i in range(75, len(line), 74))])
    if len(line.encode()) <= 75:
        return line
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


@lru_cache(maxsize=4096)
def _dates(at: str) -> str:
    """DTSTART (and DTEND of an all-day event), written from the text, not strftime: any stored
    year keeps its four digits, and the day after 9999-12-31 is left out (an all-day DTSTART
    alone lasts one day). Dates repeat a lot: kept."""
    if not at.endswith("T00:00:00Z"):
        return f"DTSTART:{_stamp(at)}\r\n"
    day = date.fromisoformat(at[:10])
    lines = f"DTSTART;VALUE=DATE:{at[:10].replace('-', '')}\r\n"
    if day < date.max:
        lines += f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).isoformat().replace('-', '')}\r\n"
    return lines


def event_text(event: Mapping[str, Any]) -> str:
    """One VEVENT, its lines folded and ended with CRLF."""
    source, uid = event["source"], f"UID:{event['id']}@catalog"
    description = f"DESCRIPTION:Date certainty: {escape(event['certainty'])}.\\nSource: "
    # DTSTAMP is the record's last change, so the calendar is the same on every call.
    return (
        f"BEGIN:VEVENT\r\n{fold(uid)}\r\n"
        f"DTSTAMP:{_stamp(event['updated_at'])}\r\n{_dates(event['at'])}"
        f"{fold('SUMMARY:' + escape(event['summary']))}\r\n"
        f"{fold(description + escape(source))}\r\n{fold('URL:' + source)}\r\n"
        f"{fold('CATEGORIES:' + escape(event['event']))}\r\nEND:VEVENT\r\n"
    )


def calendar(events: Iterable[Mapping[str, Any]], name: str) -> str:
    """A VCALENDAR holding one VEVENT per event."""
    return "".join(chunks(events, name))


def chunks(events: Iterable[Mapping[str, Any]], name: str, per: int = 100) -> Iterator[str]:
    """The same VCALENDAR in pieces: its head (before any event is read, so the query runs on
    the next piece), then `per` events at a time, for an answer sent as it is made."""
    yield (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        f"{fold('PRODID:' + PRODID)}\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
        f"{fold('X-WR-CALNAME:' + escape(name))}\r\n"
    )
    texts = []
    for count, event in enumerate(events, 1):
        texts.append(event_text(event))
        if count % per == 0:
            yield "".join(texts)
            texts = []
    texts.append("END:VCALENDAR\r\n")
    yield "".join(texts)
