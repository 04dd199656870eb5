"""How a view describes itself: read by openapi.py (the document) and caching.py (its ETags)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from marshmallow import Schema

F = TypeVar("F", bound=Callable[..., Any])

JSON = "application/json"
CSV = "text/csv"
ICS = "text/calendar"
MERGE_PATCH = "application/merge-patch+json"
MEDIA_TYPES = {"json": JSON, "csv": CSV, "ics": ICS}


@dataclass(frozen=True)
class Operation:
    """What openapi.py needs to document a view."""

    args: type[Schema] | None
    response: type[Schema] | None
    page: bool
    formats: tuple[str, ...]
    problems: tuple[int, ...]
    body: Schema | None = None
    partial: bool = False  # the body is a JSON merge patch of `body`
    success: int = 200
    if_match: str | None = None  # "required" or "optional"
    etag: str = "version"  # "version": decided before the query (caching.py); "record": content
    now_when: tuple[str, ...] | None = None  # the answer speaks of now if these are given, no `at`


def operation(
    *,
    args: type[Schema] | None = None,
    response: type[Schema] | None = None,
    page: bool = False,
    formats: tuple[str, ...] = ("json",),
    problems: tuple[int, ...] = (400, 404),
    body: Schema | None = None,
    partial: bool = False,
    success: int = 200,
    if_match: str | None = None,
    etag: str = "version",
    now_when: tuple[str, ...] | None = None,
) -> Callable[[F], F]:
    """Describe a view for the generated OpenAPI document; its docstring is the summary.

    `problems` lists the error statuses the view can answer (406 is added for several formats).
    """
    if len(formats) > 1:
        problems = (*problems, 406)
    described = Operation(
        args=args,
        response=response,
        page=page,
        formats=formats,
        problems=problems,
        body=body,
        partial=partial,
        success=success,
        if_match=if_match,
        etag=etag,
        now_when=now_when,
    )

    def mark(view: F) -> F:
        view.operation = described  # type: ignore[attr-defined]
        return view

    return mark
