"""/feed.atom and /feed.json: the catalog's news (news.py) for feed readers.

Atom (RFC 4287) is written by feedgen: a small, widely used library (lxml underneath) that
escapes and orders the elements for us and installs as wheels, with no network at run time.
JSON Feed 1.1 is a plain dict. Both are cached like the pages: one strong ETag from the
catalog's version and the request, 304 for a matching If-None-Match, kept answers.

Links are relative (to this service) unless CATALOG_PUBLIC_URL names where it is served: the
cached answer is shared by every client, so it must not echo a request's Host header.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, current_app, request
from marshmallow import Schema, fields, validate

from .. import resources
from ..core import instants, news
from ..declarations.fields import query_slug
from ..http.context import request_args
from ..http.errors import invalid
from ..http.operations import ATOM, JSON_FEED, operation
from ..storage import queries
from ..storage.db import get_live_db

bp = Blueprint("feeds", __name__)
TITLE = "Model-availability catalog: what changed"
DESCRIPTION = (
    "Offerings added or ended, lifecycle dates announced or moved, exclusivity windows starting "
    "or ending, prices changed: newest first, by when the catalog recorded them."
)
FILTERS = {"model": "models", "provider": "providers", "cloud": "clouds"}


class FeedArgs(Schema):
    model = query_slug("Only news about this model.")
    provider = query_slug("Only news about this provider's models.")
    cloud = query_slug("Only news about this cloud (a window's holder).")
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=500),
        metadata={"description": "How many entries, newest first (at most 500)."},
    )


def _events() -> tuple[list[news.Event], dict[str, Any], str]:
    """The request's events, its arguments, and the feed's updated instant."""
    args = request_args()
    conn = get_live_db()
    for name, collection in FILTERS.items():
        value = args.get(name)
        if value and queries.get_by_key(conn, resources.get(collection), (value,)) is None:
            noun = resources.get(collection).noun
            raise invalid({name: [f"There is no {noun} {value!r}."]})
    events = news.list_events(conn, args, args["limit"])
    row = conn.execute("SELECT recorded_at FROM changes ORDER BY seq DESC LIMIT 1").fetchone()
    updated = events[0].recorded_at if events else (row[0] if row else "1970-01-01T00:00:00Z")
    return events, args, updated


def _url(path: str) -> str:
    return str(current_app.config.get("PUBLIC_URL") or "").rstrip("/") + path


def _self(path: str) -> str:
    query = urlencode(sorted(request.args.items()))
    return _url(path + (f"?{query}" if query else ""))


def _moment(instant: str) -> datetime:
    return instants.to_datetime(instant)


def _entry_id(event: news.Event) -> str:
    return f"urn:catalog:change:{event.seq}"


def atom(events: list[news.Event], updated: str) -> bytes:
    """The Atom document, newest entry first."""
    feed = FeedGenerator()
    feed.id(_self("/feed.atom") if current_app.config.get("PUBLIC_URL") else "urn:catalog:feed")
    feed.title(TITLE)
    feed.subtitle(DESCRIPTION)
    feed.author({"name": "Model-availability catalog"})
    feed.link(href=_self("/feed.atom"), rel="self", type="application/atom+xml")
    feed.link(href=_url("/"), rel="alternate", type="text/html")
    feed.generator("catalog")
    feed.language("en")
    feed.updated(_moment(updated))
    for event in events:
        entry = feed.add_entry(order="append")
        entry.id(_entry_id(event))
        entry.title(event.title)
        entry.updated(_moment(event.recorded_at))
        entry.link(href=_url(event.path), rel="alternate", type="text/html")
        entry.summary(event.detail)
        entry.category(term=event.kind, label=event.kind.replace("-", " "))
    document: bytes = feed.atom_str(pretty=True)
    return document


def json_feed(events: list[news.Event]) -> bytes:
    """The JSON Feed 1.1 document, newest item first; `_catalog` carries the event's data."""
    body = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": TITLE,
        "description": DESCRIPTION,
        "home_page_url": _url("/"),
        "feed_url": _self("/feed.json"),
        "language": "en",
        "authors": [{"name": "Model-availability catalog"}],
        "items": [
            {
                "id": _entry_id(event),
                "url": _url(event.path),
                "title": event.title,
                "content_text": event.detail,
                "date_published": event.recorded_at,
                "tags": [event.kind],
                "_catalog": {
                    "seq": event.seq,
                    "kind": event.kind,
                    "resource": event.resource,
                    "id": event.record_id,
                    "action": event.action,
                    "model": event.model,
                    "provider": event.provider,
                    "cloud": event.cloud,
                },
            }
            for event in events
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode()


# Cached as every read is (caching.py): one strong ETag from the catalog's version and the
# request, 304s, kept answers; not about "now", so no `at` and no minute in the ETag.
@bp.get("/feed.atom")
@operation(args=FeedArgs, formats=("atom",), problems=(400,))
def feed_atom() -> Response:
    """The catalog's news as Atom; filters model, provider, cloud; limit."""
    events, _, updated = _events()
    return Response(atom(events, updated), mimetype=ATOM)


@bp.get("/feed.json")
@operation(args=FeedArgs, formats=("jsonfeed",), problems=(400,))
def feed_json() -> Response:
    """The catalog's news as JSON Feed 1.1; filters model, provider, cloud; limit."""
    events, _, _ = _events()
    return Response(json_feed(events), mimetype=JSON_FEED)
