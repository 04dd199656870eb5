"""The timeline: every dated fact as an event, in order."""

from flask import Blueprint, Response

from .. import queries, schemas
from ..db import get_db
from . import collection, filters_of, load_args, negotiate, operation
from .windows import calendar_response

bp = Blueprint("timeline", __name__)
FORMATS = ("json", "csv", "ics")


@bp.get("/timeline")
@operation(
    args=schemas.TimelineArgs,
    response=schemas.TimelineEventSchema,
    page=True,
    formats=FORMATS,
    problems=(400,),
)
def list_events() -> Response:
    """List dated events (offerings available, deprecated, retired; windows start, end).

    Each event carries its date's certainty and source. As iCalendar (`format=ics`), each is an
    all-day event with a UID that stays the same from call to call.
    """
    args = load_args(schemas.TimelineArgs)
    if negotiate(args, FORMATS) != "ics":
        return collection("timeline", args, FORMATS)
    filters = filters_of(args)
    events = list(
        queries.list_records(get_db(), queries.COLLECTIONS["timeline"], filters, sort=args["sort"])
    )
    return calendar_response(events, "Model availability timeline")
