"""Exclusivity windows: listed as JSON and CSV like any collection, and as iCalendar."""

from flask import Blueprint, Response

from .. import instants, queries, resources
from ..db import get_db
from ..operations import operation
from .args import filters_of, load_args, negotiate, read_as_of
from .formats import calendar_response
from .responses import collection_response

bp = Blueprint("windows", __name__)
WINDOWS = resources.get("exclusivity-windows")


@bp.get("/exclusivity-windows")
@operation(
    args=WINDOWS.list_args,
    response=WINDOWS.schema,
    page=True,
    formats=WINDOWS.formats,
    problems=(400,),
    now_when=WINDOWS.now_when,
)
def list_windows() -> Response:
    """List exclusivity windows; `state` is judged at `at` (default now).

    As iCalendar (`format=ics`), each window's start and end are all-day events.
    """
    args = load_args(WINDOWS.list_args)
    read_as_of(args)
    if args.get("state") and not args.get("at"):
        args["at"] = instants.now()
    if negotiate(args, WINDOWS.formats) != "ics":
        return collection_response(WINDOWS, args)
    conn = get_db()
    ids = [w["id"] for w in queries.list_records(conn, WINDOWS, filters_of(args))]
    timeline = resources.get("timeline")
    events = [
        event
        for window_id in ids
        for event in queries.list_records(conn, timeline, {"window": window_id}, sort="at")
    ]
    return calendar_response(events, "Exclusivity windows")
