"""The timeline: every dated fact as an event, in order; also as iCalendar."""

from flask import Blueprint, Response

from .. import queries, resources
from ..db import get_db
from ..operations import operation
from .args import filters_of, load_args, negotiate, read_as_of
from .formats import calendar_response
from .responses import collection_response

bp = Blueprint("timeline", __name__)
TIMELINE = resources.get("timeline")


@bp.get("/timeline")
@operation(
    args=TIMELINE.list_args,
    response=TIMELINE.schema,
    page=True,
    formats=TIMELINE.formats,
    problems=(400,),
)
def list_events() -> Response:
    """List dated events (offerings available, deprecated, retired; windows start, end).

    Each event carries its date's certainty and source. As iCalendar (`format=ics`), each is an
    all-day event with a UID that stays the same from call to call.
    """
    args = load_args(TIMELINE.list_args)
    read_as_of(args)
    if negotiate(args, TIMELINE.formats) != "ics":
        return collection_response(TIMELINE, args)
    events = queries.list_records(get_db(), TIMELINE, filters_of(args), sort=args["sort"])
    return calendar_response(list(events), "Model availability timeline")
