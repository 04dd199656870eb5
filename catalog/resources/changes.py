"""The change feed: every accepted write, in order, with the record before and after it."""

from marshmallow import Schema, fields, validate

from ..args import as_of_field
from ..fields import Instant
from ..resource import Filter, Resource
from .clouds import CLOUDS
from .models import MODELS
from .offerings import OFFERINGS
from .providers import PROVIDERS
from .regions import REGIONS
from .windows import WINDOWS

FED = tuple(r.name for r in (PROVIDERS, CLOUDS, REGIONS, MODELS, OFFERINGS, WINDOWS))


class ChangeSchema(Schema):
    seq = fields.Integer(required=True, metadata={"description": "Position in the feed, from 1."})
    recorded_at = Instant(required=True)
    actor = fields.String(required=True, metadata={"description": "The token's name, or fixtures."})
    action = fields.String(required=True, validate=validate.OneOf(("create", "update", "delete")))
    resource = fields.String(required=True, validate=validate.OneOf(FED))
    id = fields.String(
        required=True, metadata={"description": "The record (cloud/id for regions)."}
    )
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)


CHANGES = Resource(
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
                    "description": "Only changes after this seq: the last one a client has seen."
                },
            ),
            "t.seq > :after",
        ),
        "resource": Filter(
            fields.String(
                validate=validate.OneOf(FED), metadata={"description": "Only this collection."}
            ),
            "t.resource = :resource",
        ),
        "record": Filter(None, "t.record_id = :record"),
        # Here as_of filters the feed itself: the changes recorded by then.
        "as_of": Filter(as_of_field(), "t.recorded_at <= :as_of"),
    },
    computed={"id": "t.record_id"},
)
