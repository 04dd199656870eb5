"""Schemas of the answers that are not records (the availability answers), for openapi.yaml
and for the tests that check every response against it."""

from marshmallow import Schema, fields, validate

from ..resources.offerings import OfferingSchema
from .fields import CERTAINTIES, CLOUD_KINDS, STAGES, WINDOW_KINDS, WINDOW_SCOPES, Instant, url

LIFECYCLE_STATES = (*STAGES, "deprecated", "retired", "not-offered")


class ExclusivitySchema(Schema):
    state = fields.String(required=True, validate=validate.OneOf(("exclusive", "excluded", "none")))
    holder = fields.String(
        metadata={"description": "The cloud holding the window (absent for none)."}
    )
    holder_name = fields.String()
    window = fields.String(metadata={"description": "The window's id."})
    scope = fields.String(validate=validate.OneOf(WINDOW_SCOPES))
    kind = fields.String(
        validate=validate.OneOf(WINDOW_KINDS),
        metadata={
            "description": "first-ship: the state comes from the model's span under that "
            "first-ship window (ends_at is the span's end)."
        },
    )
    ends_at = Instant(allow_none=True, metadata={"description": "null: open until further notice."})
    ends_at_certainty = fields.String(allow_none=True, validate=validate.OneOf(CERTAINTIES))
    ends_at_source = url(allow_none=True)
    days_remaining = fields.Integer(
        allow_none=True, metadata={"description": "Whole days from `at` to ends_at; null if open."}
    )


class LifecycleSchema(Schema):
    state = fields.String(
        required=True,
        validate=validate.OneOf(LIFECYCLE_STATES),
        metadata={
            "description": "The offering's stage (ga, preview) while available and not "
            "deprecated; deprecated (still available, not for new work); retired (its "
            "retirement has happened); not-offered (no offering there, or none started yet)."
        },
    )
    offering = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The offering this is about: the latest-retiring one."},
    )
    deprecated_from = Instant(required=True, allow_none=True)
    deprecated_from_certainty = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(CERTAINTIES)
    )
    retires_at = Instant(
        required=True,
        allow_none=True,
        metadata={
            "description": "Its retirement, past or future, however sure (see the certainty); "
            "null: none known. A not-before one does not end availability."
        },
    )
    retires_at_certainty = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(CERTAINTIES)
    )
    retires_at_source = url(required=True, allow_none=True)
    replacement = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The model the vendor recommends instead, where it names one."},
    )


def regions_unknown() -> fields.List:
    """Offering ids that may serve the region asked: the catalog does not know their regions."""
    return fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "With a region asked and no offering known to serve it: the offerings "
            "available at `at` whose regions the catalog does not know (they may serve it)."
        },
    )


class CloudAvailabilitySchema(Schema):
    cloud = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CLOUD_KINDS))
    available = fields.Boolean(required=True)
    regions = fields.List(fields.String(), required=True)
    offerings = fields.List(fields.Nested(OfferingSchema), required=True)
    regions_unknown = regions_unknown()
    exclusivity = fields.Nested(ExclusivitySchema, required=True)
    lifecycle = fields.Nested(LifecycleSchema, required=True)


class ModelAvailabilitySchema(Schema):
    model = fields.String(required=True)
    at = Instant(required=True)
    clouds = fields.List(fields.Nested(CloudAvailabilitySchema), required=True)


class AvailabilityAnswerSchema(Schema):
    model = fields.String(required=True)
    cloud = fields.String(required=True)
    cloud_name = fields.String(required=True)
    region = fields.String(required=True, allow_none=True)
    at = Instant(required=True)
    available = fields.Boolean(required=True)
    regions = fields.List(fields.String(), required=True)
    offerings = fields.List(fields.Nested(OfferingSchema), required=True)
    regions_unknown = regions_unknown()
    exclusivity = fields.Nested(ExclusivitySchema, required=True)
    lifecycle = fields.Nested(LifecycleSchema, required=True)
