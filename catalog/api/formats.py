"""Answers in other formats than JSON: CSV for spreadsheets, iCalendar for calendars.

A collection answers in the formats its declaration lists; RENDERERS maps each format but JSON
(paged, in responses.py) to the function that renders every matching row. A new format is one
function and one entry here."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from flask import Response, stream_with_context

from .. import caching, ical, queries, resources
from ..db import get_db
from ..resource import Resource

# A cell starting with one of these may run as a formula. Control characters are among them
# (OWASP ASVS 1.2.10 names NUL; a leading line feed or NUL is dropped by some spreadsheets,
# which then see the "=" after it): so a cell that starts with any C0 control or DEL is
# neutralised too, whatever follows.
_FORMULA_STARTS = ("=", "+", "-", "@", *map(chr, range(32)), "\x7f")
_FORMULA_CHARS = "".join(_FORMULA_STARTS)


def csv_cell(value: Any) -> str:
    """One value as a spreadsheet-safe CSV cell."""
    if type(value) is str:  # the common case first: it runs for every cell
        return "'" + value if value and value[0] in _FORMULA_CHARS else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = "; ".join(map(str, value))
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    # A cell that starts like a formula would run as one in a spreadsheet: neutralise it.
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_response(fields: Iterable[str], rows: Iterator[dict[str, Any]], filename: str) -> Response:
    """Every row as RFC 4180 CSV with a header row, streamed (and kept for repeats once done,
    if it is small enough)."""
    header = list(fields)
    headers = [
        ("Content-Type", "text/csv; charset=utf-8; header=present"),
        ("Content-Disposition", f'inline; filename="{filename}"'),
    ]

    def generate() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        chunks: list[bytes] | None = []  # a copy to keep, until it grows too big for that
        room = caching.max_kept_bytes()
        for count, row in enumerate(rows, 1):
            writer.writerow([csv_cell(row[name]) for name in header])
            if count % 500 == 0:
                chunk = buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
                if chunks is not None:
                    chunks.append(chunk)
                    room -= len(chunk)
                    chunks = chunks if room >= 0 else None
                yield chunk
        chunk = buffer.getvalue().encode()
        yield chunk
        if chunks is not None and room >= len(chunk):
            caching.keep_answer(b"".join(chunks) + chunk, headers)

    return Response(stream_with_context(generate()), headers=headers)


def calendar_response(events: Iterable[Mapping[str, Any]], name: str) -> Response:
    """Events as an iCalendar document."""
    response = Response(ical.calendar(events, name), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    return response


Renderer = Callable[[Resource, dict[str, Any], str], Response]


def _csv_rows(resource: Resource, filters: dict[str, Any], sort: str) -> Response:
    rows = queries.list_records(get_db(), resource, filters, sort=sort)
    return csv_response(resource.fields, rows, f"{resource.name}.csv")


def _calendar_rows(resource: Resource, filters: dict[str, Any], sort: str) -> Response:
    calendar = resource.calendar
    assert calendar is not None, f"{resource.name} lists ics without a calendar"
    conn = get_db()
    if calendar.events_by is None:
        events = queries.list_records(conn, resource, filters, sort=sort)
    else:  # the rows' events on the timeline, in one query
        ids = [row["id"] for row in queries.list_records(conn, resource, filters, sort=sort)]
        timeline = resources.get("timeline")
        events = queries.list_records(conn, timeline, {calendar.events_by: ids}, sort="at")
    return calendar_response(list(events), calendar.name)


RENDERERS: dict[str, Renderer] = {"csv": _csv_rows, "ics": _calendar_rows}
