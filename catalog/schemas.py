"""One marshmallow schema per resource and per set of query arguments.

The resource schemas validate fixtures and request bodies, document responses (openapi.yaml is
generated from them) and, in the tests, check every response the service sends.
"""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
)

from . import instants

SLUG = r"^[a-z0-9][a-z0-9._:-]*$"
CURSOR = r"^[A-Za-z0-9._~%:-]+$"
CERTAINTIES = ("exact", "month", "on-or-before", "inferred", "announced")
CLOUD_KINDS = ("hyperscaler", "first-party", "data-platform", "inference-host", "gateway")
ORIGINS = ("curated", "models.dev", "litellm")
DEPLOYMENT_TYPES = ("serverless", "provisioned", "managed-compute")
STAGES = ("preview", "ga")
SCOPES = ("hyperscalers", "all-third-party")
BASES = ("contractual", "announced", "observed")


class Instant(fields.Field):
    """An RFC 3339 instant in UTC; a date is taken as its midnight UTC."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            return instants.parse(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def slug(**kwargs: Any) -> fields.String:
    """A lowercase id: stable, URL-safe."""
    metadata = {"pattern": SLUG, **kwargs.pop("metadata", {})}
    if "example" in kwargs:
        metadata["example"] = kwargs.pop("example")
    return fields.String(
        validate=[validate.Length(min=1, max=200), validate.Regexp(SLUG)],
        metadata=metadata,
        **kwargs,
    )


def text(max_length: int = 500, **kwargs: Any) -> fields.String:
    """Free text of bounded length."""
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


# A host name, then printable ASCII only, spelled out: engines disagree on what \s covers
# (Python's includes \x1c-\x1f), and the pattern must mean the same to every client as here.
URL = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][!-~]*)?$"


def url(**kwargs: Any) -> fields.String:
    """An http(s) URL (checked by the pattern the spec documents, nothing stricter)."""
    metadata = {"pattern": URL, **kwargs.pop("metadata", {})}
    return fields.String(
        validate=[validate.Length(max=2000), validate.Regexp(URL, error="Not an http(s) URL.")],
        metadata=metadata,
        **kwargs,
    )


class StrictBoolean(fields.Boolean):
    """A JSON true or false; not 0 or 1, which equal False and True in Python."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def strict_bool(**kwargs: Any) -> fields.Boolean:
    """A JSON boolean, nothing that merely looks like one."""
    return StrictBoolean(**kwargs)


def dated_fact(description: str, required: bool) -> tuple[Instant, fields.String, fields.String]:
    """The three fields of a dated fact: the instant, how sure it is, and its source."""
    certainty = (
        "exact: the day is known; month: only the month (the date is its 1st); "
        "on-or-before: the earliest evidence; inferred: deduced, not stated by a source."
    )
    extra: dict[str, Any] = {} if required else {"load_default": None}
    return (
        Instant(
            required=required,
            allow_none=not required,
            metadata={"description": description},
            **extra,
        ),
        fields.String(
            required=required,
            allow_none=not required,
            validate=validate.OneOf(CERTAINTIES),
            metadata={"description": certainty},
            **extra,
        ),
        url(
            required=required,
            allow_none=not required,
            metadata={"description": "Source URL."},
            **extra,
        ),
    )


class Record(Schema):
    """Fields every stored record has."""

    class Meta:
        unknown = RAISE

    created_at = Instant(dump_only=True, metadata={"description": "Set by the server."})
    updated_at = Instant(dump_only=True, metadata={"description": "Set by the server."})


class ProviderSchema(Record):
    id = slug(required=True, example="mistral-ai")
    name = text(200, required=True)
    website = url(allow_none=True, load_default=None)


class ModelSchema(Record):
    id = slug(required=True, example="mistral-large-2402")
    provider = slug(required=True, metadata={"description": "The maker's provider id."})
    name = text(200, required=True)
    family = slug(allow_none=True, load_default=None, example="mistral-large")
    open_weights = strict_bool(required=True)


class CloudSchema(Record):
    id = slug(required=True, example="azure")
    name = text(200, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CLOUD_KINDS))
    provider = slug(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The model maker that runs this platform (required for first-party)."
        },
    )


class RegionSchema(Record):
    cloud = slug(required=True, example="aws")
    id = slug(required=True, example="us-east-1")
    name = text(200, required=True)
    geography = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Z]{2,6}$"), metadata={"example": "US"}
    )


class OfferingSchema(Record):
    id = slug(required=True, example="aws:mistral-large-2402:serverless")
    model = slug(required=True)
    cloud = slug(required=True)
    deployment_type = fields.String(required=True, validate=validate.OneOf(DEPLOYMENT_TYPES))
    cloud_model_id = text(300, required=True, metadata={"description": "The cloud's own model id."})
    cloud_model_version = text(100, allow_none=True, load_default=None)
    regions = fields.List(
        slug(),
        required=True,
        validate=[validate.Length(max=500), lambda v: _unique(v)],
        metadata={
            "description": "The cloud's region ids; empty where the platform has none.",
            "uniqueItems": True,
        },
    )
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    available_from, available_from_certainty, available_from_source = dated_fact(
        "Available from this instant (inclusive).", required=True
    )
    deprecated_from, deprecated_from_certainty, deprecated_from_source = dated_fact(
        "Deprecated from this instant: still served, not for new work.", required=False
    )
    retired_from, retired_from_certainty, retired_from_source = dated_fact(
        "Retired from this instant (exclusive end of availability).", required=False
    )
    notes = text(2000, allow_none=True, load_default=None)
    origin = fields.String(
        load_default="curated",
        validate=validate.OneOf(ORIGINS),
        metadata={
            "description": "Who recorded it: a maintainer (curated) or a public registry's import."
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
        validate=validate.OneOf(SCOPES),
        metadata={
            "description": "hyperscalers: other hyperscalers are excluded; all-third-party: "
            "every cloud but the holder and the maker's own platform is excluded."
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


def _unique(values: list[Any]) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("An item is listed twice.")


def _order(record: dict[str, Any], earlier: str, later: str) -> dict[str, list[str]]:
    if record.get(earlier) and record.get(later) and record[later] <= record[earlier]:
        return {later: [f"Must be after {earlier}."]}
    return {}


def _together(record: dict[str, Any], name: str) -> dict[str, list[str]]:
    triple = [record.get(name), record.get(f"{name}_certainty"), record.get(f"{name}_source")]
    if any(value is not None for value in triple) and None in triple:
        return {name: [f"{name}, {name}_certainty and {name}_source go together or not at all."]}
    return {}


def rule_problems(collection: str, record: dict[str, Any]) -> dict[str, list[str]]:
    """What a record that fits its schema may still get wrong: rules across its fields.

    Kept apart from the schemas because OpenAPI cannot state them: the API answers them with 422
    (a 400 means the body does not fit the documented schema); the loader reports both alike.
    """
    found: dict[str, list[str]] = {}
    if collection == "clouds" and record["kind"] == "first-party" and not record["provider"]:
        found["provider"] = ["A first-party platform names its provider."]
    if collection == "offerings":
        for name in ("deprecated_from", "retired_from"):
            found |= _together(record, name)
        found |= _order(record, "available_from", "retired_from")
        found |= _order(record, "available_from", "deprecated_from")
    if collection == "exclusivity-windows":
        if (record["model"] is None) == (record["provider"] is None):
            found["model"] = ["Give exactly one of model and provider."]
        found |= _together(record, "ends_at")
        found |= _order(record, "starts_at", "ends_at")
    return found


# The resources, by the collection name they have in URLs and fixture files.
RESOURCE_SCHEMAS: dict[str, type[Record]] = {
    "providers": ProviderSchema,
    "clouds": CloudSchema,
    "regions": RegionSchema,
    "models": ModelSchema,
    "offerings": OfferingSchema,
    "exclusivity-windows": ExclusivityWindowSchema,
}


# ---- query arguments -------------------------------------------------------------------------


class QueryInstant(Instant):
    """An instant in a query string; documented as date-time or date."""


def query_instant(description: str) -> QueryInstant:
    """An instant in a query string; a date (its midnight UTC) is accepted too."""
    return QueryInstant(
        metadata={
            "description": description,
            "anyOf": [{"format": "date-time"}, {"format": "date"}],
            "example": "2024-03-15",
        }
    )


def query_slug(description: str) -> fields.String:
    """A filter on an id."""
    return slug(metadata={"description": description})


class Args(Schema):
    """Query arguments: an unknown one is an error, not ignored. (With no fields: a request
    that takes none, like the health checks, which as_of would only make rebuild a catalog.)

    Every read takes `as_of`: the answer as the catalog had it recorded at that instant.
    """

    class Meta:
        unknown = RAISE

    # Whether `as_of` means "answer from the catalog rebuilt as of then" (False: a plain filter).
    AS_OF_SNAPSHOT = True


def _as_of_field() -> Instant:
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
        "as_of": _as_of_field(),
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
                "may change. A cursor that was not handed out still names some position.",
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

    as_of = _as_of_field()


def query_bool(description: str) -> fields.Boolean:
    """A true/false filter."""
    return fields.Boolean(truthy={"true"}, falsy={"false"}, metadata={"description": description})


ProviderListArgs = list_args("ProviderListArgs", ("id", "name", "created_at", "updated_at"))
ModelListArgs = list_args(
    "ModelListArgs",
    ("id", "name", "provider", "created_at", "updated_at"),
    provider=query_slug("Only this provider's models."),
    family=query_slug("Only models of this family."),
    open_weights=query_bool("Only open-weight (true) or closed (false) models."),
    q=fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Text search over model ids, names and families."},
    ),
)
CloudListArgs = list_args(
    "CloudListArgs",
    ("id", "name", "kind", "created_at", "updated_at"),
    kind=fields.String(
        validate=validate.OneOf(CLOUD_KINDS), metadata={"description": "Only this kind."}
    ),
)
RegionListArgs = list_args(
    "RegionListArgs",
    ("id", "name", "geography", "created_at", "updated_at"),
    geography=fields.String(
        validate=validate.Regexp(r"^[A-Z]{2,6}$"), metadata={"description": "Only this geography."}
    ),
)
OfferingListArgs = list_args(
    "OfferingListArgs",
    ("id", "available_from", "model", "cloud", "created_at", "updated_at"),
    model=query_slug("Only offerings of this model."),
    family=query_slug("Only offerings of models of this family."),
    provider=query_slug("Only offerings of this provider's models."),
    cloud=query_slug("Only offerings on this cloud."),
    region=query_slug("Only offerings in this region (the cloud's region id)."),
    deployment_type=fields.String(
        validate=validate.OneOf(DEPLOYMENT_TYPES),
        metadata={"description": "Only this deployment type."},
    ),
    stage=fields.String(
        validate=validate.OneOf(STAGES), metadata={"description": "Only this stage."}
    ),
    at=query_instant(
        "Only offerings available at this instant (available_from <= at < retired_from)."
    ),
)


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {"field.sub": [messages]}."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(message) for message in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        for field, items in flatten_errors(value, name).items():
            flat.setdefault(field, []).extend(items)
    return flat


WINDOW_STATES = ("upcoming", "active", "ended")
ExclusivityWindowListArgs = list_args(
    "ExclusivityWindowListArgs",
    ("id", "starts_at", "holder", "created_at", "updated_at"),
    formats=("json", "csv", "ics"),
    model=query_slug("Only windows whose subject covers this model (provider-wide ones included)."),
    provider=query_slug("Only windows on this provider or on one of its models."),
    cloud=query_slug("Only windows this cloud holds."),
    state=fields.String(
        validate=validate.OneOf(WINDOW_STATES),
        metadata={"description": "Only windows in this state at `at`."},
    ),
    at=query_instant("The instant `state` is judged at (default: now)."),
    ends_before=query_instant("Only windows that end before this instant (open ones never do)."),
)
TimelineArgs = list_args(
    "TimelineArgs",
    ("at", "id"),
    formats=("json", "csv", "ics"),
    model=query_slug("Only events of this model (windows that cover it included)."),
    provider=query_slug("Only events of this provider's models."),
    cloud=query_slug("Only events on this cloud (a window's holder)."),
    **{
        "from": query_instant("Only events at or after this instant."),
        "to": query_instant("Only events before this instant."),
    },
)


class AvailabilityArgs(Args):
    as_of = _as_of_field()
    at = query_instant("The instant asked about (default: now).")


class CloudAvailabilityArgs(AvailabilityArgs):
    region = query_slug("Only count offerings in this region (the cloud's region id).")


class TimelineEventSchema(Schema):
    id = fields.String(
        required=True, metadata={"description": "Stable: the event kind and record id."}
    )
    at = Instant(required=True)
    event = fields.String(
        required=True,
        validate=validate.OneOf(
            (
                "offering-available",
                "offering-deprecated",
                "offering-retired",
                "window-starts",
                "window-ends",
            )
        ),
    )
    certainty = fields.String(required=True, validate=validate.OneOf(CERTAINTIES))
    source = url(required=True)
    summary = fields.String(required=True)
    offering = fields.String(required=True, allow_none=True)
    window = fields.String(required=True, allow_none=True)
    model = fields.String(required=True, allow_none=True)
    provider = fields.String(required=True, allow_none=True)
    cloud = fields.String(required=True)
    updated_at = Instant(
        required=True, metadata={"description": "When the underlying record last changed."}
    )


class ExclusivitySchema(Schema):
    state = fields.String(required=True, validate=validate.OneOf(("exclusive", "excluded", "none")))
    holder = fields.String(
        metadata={"description": "The cloud holding the window (absent for none)."}
    )
    holder_name = fields.String()
    window = fields.String(metadata={"description": "The window's id."})
    scope = fields.String(validate=validate.OneOf(SCOPES))
    ends_at = Instant(allow_none=True, metadata={"description": "null: open until further notice."})
    ends_at_certainty = fields.String(allow_none=True, validate=validate.OneOf(CERTAINTIES))
    ends_at_source = url(allow_none=True)
    days_remaining = fields.Integer(
        allow_none=True, metadata={"description": "Whole days from `at` to ends_at; null if open."}
    )


class CloudAvailabilitySchema(Schema):
    cloud = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CLOUD_KINDS))
    available = fields.Boolean(required=True)
    regions = fields.List(fields.String(), required=True)
    offerings = fields.List(fields.Nested(OfferingSchema), required=True)
    exclusivity = fields.Nested(ExclusivitySchema, required=True)


class ModelAvailabilitySchema(Schema):
    model = fields.String(required=True)
    at = Instant(required=True)
    clouds = fields.List(fields.Nested(CloudAvailabilitySchema), required=True)


class AvailabilityAnswerSchema(Schema):
    model = fields.String(required=True)
    cloud = fields.String(required=True)
    region = fields.String(required=True, allow_none=True)
    at = Instant(required=True)
    available = fields.Boolean(required=True)
    regions = fields.List(fields.String(), required=True)
    offerings = fields.List(fields.Nested(OfferingSchema), required=True)
    exclusivity = fields.Nested(ExclusivitySchema, required=True)


class ChangeSchema(Schema):
    seq = fields.Integer(required=True, metadata={"description": "Position in the feed, from 1."})
    recorded_at = Instant(required=True)
    actor = fields.String(required=True, metadata={"description": "The token's name, or fixtures."})
    action = fields.String(required=True, validate=validate.OneOf(("create", "update", "delete")))
    resource = fields.String(required=True, validate=validate.OneOf(tuple(RESOURCE_SCHEMAS)))
    id = fields.String(
        required=True, metadata={"description": "The record (cloud/id for regions)."}
    )
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)


ChangeListArgs = list_args(
    "ChangeListArgs",
    ("seq",),
    after=fields.Integer(
        validate=validate.Range(min=0, max=2**62),
        metadata={"description": "Only changes after this seq: the last one a client has seen."},
    ),
    resource=fields.String(
        validate=validate.OneOf(tuple(RESOURCE_SCHEMAS)),
        metadata={"description": "Only this collection."},
    ),
)
ChangeListArgs.AS_OF_SNAPSHOT = False
HistoryArgs = list_args("HistoryArgs", ("seq",))
HistoryArgs.AS_OF_SNAPSHOT = False
