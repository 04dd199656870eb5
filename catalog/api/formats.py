"""Answers in other formats than JSON: CSV for spreadsheets, iCalendar for calendars.

A collection answers in the formats its declaration lists; RENDERERS maps each format but JSON
(paged, in responses.py) to the function that renders every matching row. A new format is one
function and one entry here."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from flask import Response, current_app, g, stream_with_context

from .. import resources
from ..core import ical
from ..declarations.resource import Resource
from ..http import caching, yielding
from ..http.kept import ResponseCache, Spool
from ..http.operations import Answer
from ..storage import encoded, queries
from ..storage.db import get_db

# A cell starting with one of these may run as a formula. Control characters are among them
# (OWASP ASVS 1.2.10 names NUL; a leading line feed or NUL is dropped by some spreadsheets,
# which then see the "=" after it): so a cell that starts with any C0 control or DEL is
# neutralised too, whatever follows.
_FORMULA_STARTS = ("=", "+", "-", "@", *map(chr, range(32)), "\x7f")
_FORMULA_CHARS = "".join(_FORMULA_STARTS)
_FORMULA_FIRST = frozenset(_FORMULA_STARTS)


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


def _spool() -> Spool | None:
    """Where a streamed answer of this request is copied while it is sent, to be kept with
    _keep_spooled when it has finished (None: this answer is not kept)."""
    state = g._get_current_object()
    if not state.get("cache_key") or state.get("answered"):
        return None
    cache: ResponseCache = current_app.extensions["catalog.responses"]
    return cache.spool()


def _keep_spooled(copy: Spool) -> None:
    """Keep a finished streamed answer under this request's key, with the headers it was sent
    with (recorded by _finish_read)."""
    state = g._get_current_object()
    if "kept_headers" in state:
        copy.keep(state.cache_key, state.kept_headers)
    else:
        copy.discard()


def streamed(blocks: Iterator[bytes], done: Callable[[], None]) -> Iterator[bytes]:
    """An answer sent block by block as it is made, and kept for its repeats once complete
    (_spool: in memory, or on disk when large). Between blocks the worker's other
    requests run (yielding.pause), so a large export never holds light requests up for
    longer than one block takes to make. `done` once it is kept (or not)."""
    copy = _spool()
    complete = False
    try:
        for block in blocks:
            if copy is not None:
                copy.write(block)
            yield block
            yielding.pause()
        complete = True
    finally:
        if copy is not None:
            if complete:
                _keep_spooled(copy)
            else:  # the client left: nothing half is kept
                copy.discard()
        done()


def csv_line(row: Sequence[Any]) -> bytes:
    """One row (its values) as a line of RFC 4180 CSV, each cell spreadsheet-safe (csv_cell)."""
    first = _FORMULA_FIRST
    buffer = io.StringIO()
    # csv_cell inlined for text, the common case, and None left to the writer, which writes it
    # as csv_cell does, empty: the same cells.
    csv.writer(buffer, lineterminator="\r\n").writerow(
        [
            ("'" + v if v[:1] in first else v)
            if type(v) is str
            else (v if v is None else csv_cell(v))
            for v in row
        ]
    )
    return buffer.getvalue().encode()


CSV = "text/csv; charset=utf-8; header=present"
# An export whose every line is kept is answered whole, up to this many rows (a few hundred
# kilobytes: one join, no stream); a larger one streams, between its blocks letting the worker's
# other requests run.
WHOLE_ROWS = 5000


def csv_answer(
    conn: sqlite3.Connection, resource: Resource, filters: dict[str, Any], sort: str
) -> Answer | None:
    """The CSV export whole, where every line of it is kept and it is not large (the fast
    path sends it, as a kept answer is sent); None: csv_response streams it."""
    lines = encoded.kept_lines(conn, resource, filters, sort=sort, form="csv")
    if lines is None or len(lines) > WHOLE_ROWS:
        return None
    body = b"".join([csv_line(list(resource.fields)), *lines])
    return Answer(body, [_disposition(f"{resource.name}.csv")], media_type=CSV)


def _disposition(filename: str) -> tuple[str, str]:
    return ("Content-Disposition", f'inline; filename="{filename}"')


def csv_response(fields: Iterable[str], lines: Iterable[bytes], filename: str) -> Response:
    """A header row of `fields`, then the rows' lines (csv_line), as CSV, streamed in blocks
    (and kept for repeats)."""
    header = csv_line(list(fields))

    def blocks() -> Iterator[bytes]:
        yield header  # before a lazy query runs: it runs on the next block
        rows = iter(lines)
        while block := b"".join(islice(rows, 500)):
            yield block

    headers = [("Content-Type", CSV), _disposition(filename)]
    return _streamed_response(blocks(), headers)


def calendar_response(events: Iterable[Mapping[str, Any]], name: str) -> Response:
    """Events as an iCalendar document, streamed (and kept for repeats)."""
    blocks = (text.encode() for text in ical.chunks(events, name))
    headers = [("Content-Type", "text/calendar; charset=utf-8")]
    return _streamed_response(blocks, headers)


def _streamed_response(blocks: Iterator[bytes], headers: list[tuple[str, str]]) -> Response:
    # This request's claim on making the answer (caching.made_by_another) is let go once the
    # answer is sent and kept (or when it is closed unsent: a HEAD), not at the request's
    # teardown, which comes before: requests for the same answer meanwhile wait for it and are
    # sent the copy kept (one make, not one each, when a new worker's clients ask for one
    # export at once).
    done = caching.hand_over()
    response = Response(stream_with_context(streamed(blocks, done)), headers=headers)
    response.call_on_close(done)
    return response


Renderer = Callable[[Resource, dict[str, Any], str], Response]


def _rows(resource: Resource, filters: dict[str, Any], sort: str) -> Iterator[dict[str, Any]]:
    return queries.list_records(get_db(), resource, filters, sort=sort)


def _csv_rows(resource: Resource, filters: dict[str, Any], sort: str) -> Response:
    made = caching.made_by_another()
    if made is not None:
        return made
    lines = encoded.encoded_rows(
        get_db(), resource, filters, sort=sort, form="csv", encode=csv_line
    )
    return csv_response(resource.fields, lines, f"{resource.name}.csv")


def _calendar_rows(resource: Resource, filters: dict[str, Any], sort: str) -> Response:
    calendar = resource.calendar
    assert calendar is not None, f"{resource.name} lists ics without a calendar"
    made = caching.made_by_another()
    if made is not None:
        return made
    if calendar.events_by is None:
        events = _rows(resource, filters, sort)
    else:  # the rows' events on the timeline, in one query
        ids = [row["id"] for row in _rows(resource, filters, sort)]
        events = _rows(resources.get("timeline"), {calendar.events_by: ids}, "at")
    return calendar_response(events, calendar.name)


RENDERERS: dict[str, Renderer] = {"csv": _csv_rows, "ics": _calendar_rows}
