"""The timeline: every dated fact as an event (a view over offerings, windows and prices)."""

import json

from marshmallow import Schema, fields, validate

from ..declarations.fields import CERTAINTIES, Instant, query_instant, query_slug, url
from ..declarations.resource import Calendar, Filter, Resource
from .windows import COVERS_MODEL

EVENTS = (
    "offering-available",
    "offering-deprecated",
    "offering-retired",
    "window-starts",
    "window-ends",
    "price-effective",
)


class TimelineEventSchema(Schema):
    id = fields.String(
        required=True, metadata={"description": "Stable: the event kind and record id."}
    )
    at = Instant(required=True)
    event = fields.String(required=True, validate=validate.OneOf(EVENTS))
    certainty = fields.String(required=True, validate=validate.OneOf(CERTAINTIES))
    source = url(required=True)
    summary = fields.String(required=True)
    offering = fields.String(required=True, allow_none=True)
    window = fields.String(required=True, allow_none=True)
    price = fields.String(required=True, allow_none=True)
    model = fields.String(required=True, allow_none=True)
    provider = fields.String(required=True, allow_none=True)
    cloud = fields.String(required=True)
    updated_at = Instant(
        required=True, metadata={"description": "When the underlying record last changed."}
    )


TIMELINE = Resource(
    name="timeline",
    noun="event",
    schema=TimelineEventSchema,
    table="timeline_events",
    list_rule="/timeline",
    list_doc="List dated events (offerings available, deprecated, retired; windows start, end; "
    "prices take effect). `event` keeps one kind.\n\n"
    "Each event carries its date's certainty and source. As iCalendar (`format=ics`), each is an "
    "all-day event with a UID that stays the same from call to call.",
    writable=False,
    list_endpoint="list_events",
    args_name="TimelineArgs",
    sorts=("at", "id"),
    formats=("json", "csv", "ics"),
    calendar=Calendar("Model availability timeline"),
    filters={
        "model": Filter(
            query_slug("Only events of this model (windows that cover it included)."),
            COVERS_MODEL,
            refers="models",
        ),
        "provider": Filter(
            query_slug("Only events of this provider's models."),
            "t.provider = :provider",
            refers="providers",
        ),
        "cloud": Filter(
            query_slug("Only events on this cloud (a window's holder)."),
            "t.cloud = :cloud",
            refers="clouds",
        ),
        "event": Filter(
            fields.String(
                validate=validate.OneOf(EVENTS),
                metadata={
                    "description": "Only events of this kind (price-effective: a rate moved)."
                },
            ),
            "t.event = :event",
        ),
        "from": Filter(query_instant("Only events at or after this instant."), "t.at >= :from"),
        "to": Filter(query_instant("Only events before this instant."), "t.at < :to"),
        # A window's events, for the windows' calendar (a JSON list of window ids).
        "windows": Filter(
            None, 't."window" IN (SELECT value FROM json_each(:windows))', bind=json.dumps
        ),
    },
)
