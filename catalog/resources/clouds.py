"""Clouds and platforms that offer models."""

from typing import Any

from marshmallow import fields, validate

from ..declarations.fields import CLOUD_KINDS, slug, text
from ..declarations.resource import Filter, Reference, Resource
from ..declarations.schemas import Problems, Record


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


def _rules(record: dict[str, Any]) -> Problems:
    if record["kind"] == "first-party" and not record["provider"]:
        return {"provider": ["A first-party platform names its provider."]}
    return {}


CLOUDS = Resource(
    name="clouds",
    noun="cloud",
    schema=CloudSchema,
    table="clouds",
    list_rule="/clouds",
    item_rule="/clouds/<cloud_id>",
    list_doc="List clouds and platforms, filtered by kind.",
    item_doc="Get one cloud or platform.",
    sorts=("id", "name", "kind", "created_at", "updated_at"),
    filters={
        "kind": Filter(
            fields.String(
                validate=validate.OneOf(CLOUD_KINDS), metadata={"description": "Only this kind."}
            ),
            "t.kind = :kind",
        ),
    },
    references=(Reference("provider", "providers"),),
    rules=_rules,
)
