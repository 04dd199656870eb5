"""A cloud's regions, keyed by (cloud, region id)."""

from marshmallow import fields, validate

from ..declarations.fields import slug, text
from ..declarations.resource import Filter, Reference, Resource
from ..declarations.schemas import Record

GEOGRAPHY = r"^[A-Z]{2,6}$"


class RegionSchema(Record):
    cloud = slug(required=True, example="aws")
    id = slug(required=True, example="us-east-1")
    name = text(200, required=True)
    geography = fields.String(
        required=True, validate=validate.Regexp(GEOGRAPHY), metadata={"example": "US"}
    )


REGIONS = Resource(
    name="regions",
    noun="region",
    schema=RegionSchema,
    table="regions",
    list_rule="/clouds/<cloud_id>/regions",
    item_rule="/clouds/<cloud_id>/regions/<region_id>",
    list_doc="List a cloud's regions.",
    item_doc="Get one region of a cloud.",
    key=("cloud", "id"),
    sorts=("id", "name", "geography", "created_at", "updated_at"),
    filters={
        "cloud": Filter(None, "t.cloud = :cloud"),  # from the URL
        "geography": Filter(
            fields.String(
                validate=validate.Regexp(GEOGRAPHY),
                metadata={"description": "Only this geography."},
            ),
            "t.geography = :geography",
        ),
    },
    references=(Reference("cloud", "clouds"),),
)
