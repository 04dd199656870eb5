"""Query-argument schemas: what every read takes (as_of), lists (paging, sort, format), answers.

An unknown argument is an error, not ignored. Each collection's own filters are declared with
the collection (catalog/resources/); list_args puts them together with the rest.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from .fields import CURSOR, Instant, query_instant, query_slug, text


class Args(Schema):
    """Query arguments. With no fields: a request that takes none (the health checks)."""

    class Meta:
        unknown = RAISE


def as_of_field() -> Instant:
    """`as_of`: the answer as the catalog had it recorded then."""
    return query_instant(
        "Answer as the catalog had it recorded at this instant (its own history), "
        "not as it is now. Combines with `at`."
    )


def list_args(
    name: str,
    sort_fields: tuple[str, ...],
    formats: tuple[str, ...] = ("json", "csv"),
    **filters: fields.Field,
) -> type[Args]:
    """The argument schema of one collection: its filters plus paging, sorting and format."""
    sorts = [*sort_fields, *(f"-{field}" for field in sort_fields)]
    attrs: dict[str, Any] = {
        "as_of": as_of_field(),
        "limit": fields.Integer(
            strict=False,
            load_default=50,
            validate=validate.Range(min=1, max=500),
            metadata={"description": "Page size, 1 to 500."},
        ),
        "cursor": fields.String(
            validate=[validate.Length(min=1, max=1000), validate.Regexp(CURSOR)],
            metadata={
                "description": "The next_cursor of the previous page. Treat it as opaque: its form "
                "may change. A cursor that was not handed out is refused (400).",
                "pattern": CURSOR,
            },
        ),
        "sort": fields.String(
            load_default=sort_fields[0],
            validate=validate.OneOf(sorts),
            metadata={"description": "One field; a leading - sorts descending. Ties break on id."},
        ),
        "format": fields.String(
            validate=validate.OneOf(formats),
            metadata={"description": "Response format; overrides the Accept header."},
        ),
        **filters,
    }
    return type(name, (Args,), attrs)


class ItemArgs(Args):
    """A single record: only as_of."""

    as_of = as_of_field()


class AvailabilityArgs(Args):
    as_of = as_of_field()
    at = query_instant("The instant asked about (default: now).")
    geography = text(
        20,
        metadata={
            "description": "Only count offerings whose data stays in this geography (US, EU, "
            "...): a region of it serves them or they are its data-zone route (never a global "
            "one). An unknown geography is a 400 with suggestions."
        },
    )


class CloudAvailabilityArgs(AvailabilityArgs):
    region = query_slug("Only count offerings in this region (the cloud's region id).")


HistoryArgs = list_args("HistoryArgs", ("seq",))
