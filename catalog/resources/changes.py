"""The change feed: every accepted write, in order, with the record before and after it."""

from marshmallow import Schema, fields, validate

from ..declarations.args import as_of_field
from ..declarations.fields import Instant, query_instant
from ..declarations.resource import Filter, Resource


def declaration(fed: tuple[str, ...]) -> Resource:
    """The feed's declaration, given the collections it records (the registry's writable ones:
    resources/__init__.py passes them, so a new resource is fed with no edit here)."""

    class ChangeSchema(Schema):
        seq = fields.Integer(
            required=True, metadata={"description": "Position in the feed, from 1."}
        )
        recorded_at = Instant(required=True)
        actor = fields.String(
            required=True, metadata={"description": "The token's name, or fixtures."}
        )
        action = fields.String(
            required=True, validate=validate.OneOf(("create", "update", "delete"))
        )
        resource = fields.String(required=True, validate=validate.OneOf(fed))
        id = fields.String(
            required=True, metadata={"description": "The record (cloud/id for regions)."}
        )
        before = fields.Dict(required=True, allow_none=True)
        after = fields.Dict(required=True, allow_none=True)

    return Resource(
        name="changes",
        noun="change",
        schema=ChangeSchema,
        table="changes",
        writable=False,
        generic_list=False,  # api/changes.py
        key=("seq",),
        sorts=("seq",),
        filters={
            "after": Filter(
                fields.Integer(
                    validate=validate.Range(min=0, max=2**62),
                    metadata={
                        "description": "Only changes after this seq: the last one a client "
                        "has seen."
                    },
                ),
                "t.seq > :after",
            ),
            "since": Filter(
                query_instant("Only changes recorded at or after this instant."),
                "t.recorded_at >= :since",
            ),
            "resource": Filter(
                fields.String(
                    validate=validate.OneOf(fed), metadata={"description": "Only this collection."}
                ),
                "t.resource = :resource",
            ),
            "record": Filter(None, "t.record_id = :record"),
            # Here as_of filters the feed itself: the changes recorded by then.
            "as_of": Filter(as_of_field(), "t.recorded_at <= :as_of"),
        },
        computed={"id": "t.record_id"},
    )
