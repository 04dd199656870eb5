"""How a view describes itself: read by openapi.py (the document), context.py (its arguments)
and caching.py (its ETags). API reads, writes and the web pages all carry one."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from marshmallow import Schema
from werkzeug.wrappers import Request

F = TypeVar("F", bound=Callable[..., Any])

JSON = "application/json"
CSV = "text/csv"
ICS = "text/calendar"
HTML = "text/html"
MERGE_PATCH = "application/merge-patch+json"
ATOM = "application/atom+xml"
JSON_FEED = "application/feed+json"
MEDIA_TYPES = {
    "json": JSON,
    "csv": CSV,
    "ics": ICS,
    "html": HTML,
    "atom": ATOM,
    "jsonfeed": JSON_FEED,
}


@dataclass(frozen=True)
class Operation:
    """What a view takes and answers. The docstring of the view is its summary.

    `problems` lists the error statuses the view can answer (406 is added for several formats).
    """

    args: type[Schema] | None = None
    response: type[Schema] | None = None
    page: bool = False
    formats: tuple[str, ...] = ("json",)
    problems: tuple[int, ...] = (400, 404)
    body: Schema | None = None
    partial: bool = False  # the body is a JSON merge patch of `body`
    success: int = 200
    if_match: str | None = None  # "required" or "optional"
    # "version": decided before the query (caching.py); "record": the content's; None: no
    # ETag and never kept (the health checks, whose answers change with no write)
    etag: str | None = "version"
    # The answer speaks of now when no `at` is given and these arguments are: context.py then
    # sets `at` to now, and caching.py puts that minute in the ETag (one rule, caching.now_of).
    now_when: tuple[str, ...] | None = None
    as_of: str = "catalog"  # "catalog": as_of rebuilds the catalog; "filter": the view's filter
    blank_is_absent: bool = False  # a form's empty field counts as not given (the web pages)
    documented: bool = True  # in openapi.yaml (the web pages are not)
    # The view's JSON answer (a body, or an Answer) from a connection, the path's ids, the
    # arguments and the request (its Accept header, path and query), without Flask: the view
    # is a call of it (responses.answered), and the fast path renders with it too.
    answer: Callable[[sqlite3.Connection, dict[str, str], dict[str, Any], Request], Any] | None = (
        None
    )

    def __post_init__(self) -> None:
        if len(self.formats) > 1 and 406 not in self.problems:
            object.__setattr__(self, "problems", (*self.problems, 406))


@dataclass(frozen=True)
class Answer:
    """An answer already encoded, with headers of its own (a page's Link): JSON, unless its
    media type says otherwise (a web page kept per moment)."""

    body: bytes
    headers: list[tuple[str, str]]
    media_type: str = JSON
    # The same answer for another `at` (canonical; then as asked), in this catalog version,
    # with the rest of the request as this one's; None where it is not cheap to give (not
    # kept for that `at`'s moment): fastpath.FastPath.render asks it first.
    again: Callable[[sqlite3.Connection, str, str], Answer | None] | None = None


class Elsewhere(Exception):
    """What an Operation's answer does not give (a CSV export, its args say which format; a
    page not made yet): its view answers it."""


def to_json(body: Any) -> bytes:
    """A JSON answer's bytes (the standard library's C encoder: bodies hold only JSON types)."""
    return json.dumps(body, ensure_ascii=False).encode()


def operation(**described: Any) -> Callable[[F], F]:
    """Describe a view (see Operation); its docstring is the summary."""
    op = Operation(**described)

    def mark(view: F) -> F:
        view.operation = op  # type: ignore[attr-defined]
        return view

    return mark


def operation_of(view: Callable[..., Any] | None) -> Operation | None:
    """The Operation a view carries, if any."""
    return getattr(view, "operation", None)
