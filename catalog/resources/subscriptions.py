"""Webhook subscriptions: a receiver URL, the events it wants, and optional filters.

Not part of the public catalog: not fed, not dumped, not in as_of. Every route needs a token
with the write scope (api/subscriptions.py), because a receiver's URL is its owner's business.
"""

from marshmallow import Schema, fields, validate

from ..declarations.fields import Instant, slug, url
from ..declarations.resource import Resource


class SubscriptionSchema(Schema):
    id = fields.String(dump_only=True, metadata={"description": "Made by the server: sub_..."})
    url = url(required=True, metadata={"description": "Where each change is POSTed (http/https)."})
    events = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "{collection}.{action} names (offerings.create, prices.update, ...), "
            "with {collection}.* and * as wildcards.",
            "example": ["offerings.*", "prices.update"],
        },
    )
    model = slug(load_default=None, allow_none=True, metadata={"description": "Only its changes."})
    cloud = slug(load_default=None, allow_none=True, metadata={"description": "Only its changes."})
    provider = slug(
        load_default=None, allow_none=True, metadata={"description": "Only its models' changes."}
    )
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class NewSubscriptionSchema(SubscriptionSchema):
    secret = fields.String(
        dump_only=True,
        metadata={
            "description": "whsec_ and the base64 of the signing key: shown once, here only.",
        },
    )


class DeliverySchema(Schema):
    webhook_id = fields.String(required=True, metadata={"description": "Same on every attempt."})
    seq = fields.Integer(required=True, metadata={"description": "The change delivered."})
    event = fields.String(required=True)
    attempt = fields.Integer(required=True, metadata={"description": "1 for the first."})
    at = fields.String(required=True, metadata={"description": "When the attempt started (UTC)."})
    status = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The receiver's HTTP status."}
    )
    error = fields.String(required=True, allow_none=True)
    duration_ms = fields.Integer(required=True)
    state = fields.String(
        required=True,
        validate=validate.OneOf(("pending", "delivered", "failed")),
        metadata={"description": "The change's state for this subscription now."},
    )


SUBSCRIPTIONS = Resource(
    name="subscriptions",
    noun="subscription",
    schema=SubscriptionSchema,
    table="subscriptions",
    writable=False,  # written by api/subscriptions.py, never through the feed
    generic_list=False,
    sorts=("id",),
)
