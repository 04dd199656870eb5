"""Exclusivity windows: periods in which one cloud alone may offer a model (or a provider's)."""

from typing import Any

from marshmallow import Schema, fields, validate

from ..declarations.fields import (
    BASES,
    CERTAINTIES,
    WINDOW_KINDS,
    WINDOW_SCOPES,
    Instant,
    dated_fact,
    query_instant,
    query_slug,
    slug,
    strict_bool,
    text,
    url,
)
from ..declarations.resource import Calendar, Filter, Reference, Resource
from ..declarations.schemas import Problems, Record, in_order, together

WINDOW_STATES = ("upcoming", "active", "ended")


class SpanSchema(Schema):
    """One model's span under a first-ship window: derived from offerings, never stored."""

    model = fields.String(required=True)
    starts_at = Instant(
        required=True, metadata={"description": "The model's first offering on the holder."}
    )
    starts_at_certainty = fields.String(required=True, validate=validate.OneOf(CERTAINTIES))
    starts_at_source = url(required=True)
    started_by = fields.String(required=True, metadata={"description": "That offering's id."})
    ends_at = Instant(
        required=True,
        allow_none=True,
        metadata={
            "description": "The model's first offering on another cloud in the scope (or the "
            "window's end, if sooner); null: open while there is none."
        },
    )
    ends_at_certainty = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(CERTAINTIES)
    )
    ends_at_source = url(required=True, allow_none=True)
    ended_by = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The offering that ends the span (null: open, or the window's end)."
        },
    )


class ExclusivityWindowSchema(Record):
    id = slug(required=True, example="azure-mistral-large-2402")
    holder = slug(required=True, metadata={"description": "The cloud that holds the exclusivity."})
    model = slug(
        allow_none=True, load_default=None, metadata={"description": "Subject: one model."}
    )
    provider = slug(
        allow_none=True,
        load_default=None,
        metadata={"description": "Subject: every model of this provider."},
    )
    includes_open_weights = strict_bool(
        load_default=False,
        metadata={"description": "Whether a provider-wide window covers open-weight models too."},
    )
    scope = fields.String(
        required=True,
        validate=validate.OneOf(WINDOW_SCOPES),
        metadata={
            "description": "hyperscalers: other hyperscalers are excluded; all-third-party: "
            "every cloud but the holder and the maker's own platform is excluded."
        },
    )
    kind = fields.String(
        load_default="exclusive",
        validate=validate.OneOf(WINDOW_KINDS),
        metadata={
            "description": "exclusive: the holder alone may offer the subject; first-ship: "
            "the holder gets each covered model first (see spans)."
        },
    )
    basis = fields.String(required=True, validate=validate.OneOf(BASES))
    starts_at, starts_at_certainty, starts_at_source = dated_fact(
        "The window opens at this instant (inclusive).", required=True
    )
    ends_at, ends_at_certainty, ends_at_source = dated_fact(
        "The window closes at this instant (exclusive); null: open until further notice.",
        required=False,
    )
    terms = text(4000, required=True)
    spans = fields.List(
        fields.Nested(SpanSchema),
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "A first-ship window's per-model spans, derived from the offerings "
            "(each acts as an exclusive window); null for an exclusive window, and in history."
        },
    )


def _rules(record: dict[str, Any]) -> Problems:
    found: Problems = {}
    if (record["model"] is None) == (record["provider"] is None):
        found["model"] = ["Give exactly one of model and provider."]
    found |= together(record, "ends_at")
    found |= in_order(record, "starts_at", "ends_at")
    return found


# Rows whose subject covers the model :model: the model itself, or its provider's models
# (open-weight ones only where the window includes them). rules.covers() says the same in
# Python; a test holds the two to each other.
COVERS_MODEL = (
    "(t.model = :model OR (t.model IS NULL "
    "AND t.provider = (SELECT provider FROM models WHERE id = :model) "
    "AND (t.includes_open_weights = 1 OR (SELECT open_weights FROM models WHERE id = :model) = 0)))"
)

WINDOWS = Resource(
    name="exclusivity-windows",
    noun="exclusivity window",
    schema=ExclusivityWindowSchema,
    table="exclusivity_windows",
    list_rule="/exclusivity-windows",
    item_rule="/exclusivity-windows/<window_id>",
    item_doc="Get one exclusivity window.",
    list_doc="List exclusivity windows; `state` is judged at `at` (default now).\n\n"
    "As iCalendar (`format=ics`), each window's start and end are all-day events.",
    ident="window",
    list_endpoint="list_windows",
    sorts=("id", "starts_at", "holder", "created_at", "updated_at"),
    formats=("json", "csv", "ics"),
    calendar=Calendar("Exclusivity windows", events_by="windows"),
    filters={
        "model": Filter(
            query_slug(
                "Only windows whose subject covers this model (provider-wide ones included)."
            ),
            COVERS_MODEL,
            refers="models",
        ),
        "provider": Filter(
            query_slug("Only windows on this provider or on one of its models."),
            "(t.provider = :provider OR t.model IN "
            "(SELECT id FROM models WHERE provider = :provider))",
            refers="providers",
        ),
        "cloud": Filter(
            query_slug("Only windows this cloud holds."), "t.holder = :cloud", refers="clouds"
        ),
        "kind": Filter(
            fields.String(
                validate=validate.OneOf(WINDOW_KINDS),
                metadata={"description": "Only windows of this kind (exclusive, first-ship)."},
            ),
            "t.kind = :kind",
        ),
        "state": Filter(
            fields.String(
                validate=validate.OneOf(WINDOW_STATES),
                metadata={"description": "Only windows in this state at `at`."},
            ),
            "(CASE WHEN t.starts_at > :at THEN 'upcoming' "
            "WHEN t.ends_at IS NOT NULL AND t.ends_at <= :at THEN 'ended' ELSE 'active' END) "
            "= :state",
            compares=("starts_at", "ends_at"),
        ),
        "at": Filter(query_instant("The instant `state` is judged at (default: now)."), None),
        "ends_before": Filter(
            query_instant("Only windows that end before this instant (open ones never do)."),
            "t.ends_at IS NOT NULL AND t.ends_at < :ends_before",
        ),
    },
    references=(
        Reference("holder", "clouds"),
        Reference("model", "models"),
        Reference("provider", "providers"),
    ),
    rules=_rules,
    now_when=("state",),
    computed={"spans": "NULL"},  # derived from the offerings as the API shows it: spans.shown
)
