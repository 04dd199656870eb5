"""Providers: the makers of models."""

from ..declarations.fields import origin_field, slug, text, url
from ..declarations.resource import Resource
from ..declarations.schemas import Record


class ProviderSchema(Record):
    id = slug(required=True, example="mistral-ai")
    name = text(200, required=True)
    website = url(allow_none=True, load_default=None)
    origin = origin_field()


PROVIDERS = Resource(
    name="providers",
    noun="provider",
    schema=ProviderSchema,
    table="providers",
    list_rule="/providers",
    item_rule="/providers/<provider_id>",
    list_doc="List model makers.",
    item_doc="Get one model maker.",
    sorts=("id", "name", "created_at", "updated_at"),
)
