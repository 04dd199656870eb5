"""Exclusivity windows."""

from flask import Blueprint, Response

from .. import ical, instants, queries, schemas
from ..db import get_db
from . import collection, filters_of, item, load_args, negotiate, operation

bp = Blueprint("windows", __name__)
FORMATS = ("json", "csv", "ics")


@bp.get("/exclusivity-windows")
@operation(
    args=schemas.ExclusivityWindowListArgs,
    response=schemas.ExclusivityWindowSchema,
    page=True,
    formats=FORMATS,
    problems=(400,),
    now_when=("state",),
)
def list_windows() -> Response:
    """List exclusivity windows; `state` is judged at `at` (default now).

    As iCalendar (`format=ics`), each window's start and end are all-day events.
    """
    args = load_args(schemas.ExclusivityWindowListArgs)
    if args.get("state") and not args.get("at"):
        args["at"] = instants.now()
    if negotiate(args, FORMATS) != "ics":
        return collection("exclusivity-windows", args, FORMATS)
    conn = get_db()
    filters = filters_of(args)
    windows = queries.list_records(conn, queries.COLLECTIONS["exclusivity-windows"], filters)
    timeline = queries.COLLECTIONS["timeline"]
    events = [
        event
        for window in windows
        for event in queries.list_records(conn, timeline, {"window": window["id"]}, sort="at")
    ]
    return calendar_response(events, "Exclusivity windows")


@bp.get("/exclusivity-windows/<window_id>")
@operation(args=schemas.ItemArgs, response=schemas.ExclusivityWindowSchema, etag="record")
def get_window(window_id: str) -> Response:
    """Get one exclusivity window."""
    load_args(schemas.ItemArgs)
    return item("exclusivity-windows", window_id, "exclusivity window")


def calendar_response(events: list[dict], name: str) -> Response:
    """Events as an iCalendar document."""
    response = Response(ical.calendar(events, name), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    return response
