"""Models, as their makers name them."""

from marshmallow import fields, validate

from ..fields import query_bool, query_slug, slug, strict_bool, text
from ..resource import Filter, Reference, Resource, like_pattern
from ..schemas import Record


class ModelSchema(Record):
    id = slug(required=True, example="mistral-large-2402")
    provider = slug(required=True, metadata={"description": "The maker's provider id."})
    name = text(200, required=True)
    family = slug(allow_none=True, load_default=None, example="mistral-large")
    open_weights = strict_bool(required=True)


MODELS = Resource(
    name="models",
    noun="model",
    schema=ModelSchema,
    table="models",
    list_rule="/models",
    item_rule="/models/<model_id>",
    list_doc="List models, filtered by provider, family, open weights or a text search.",
    item_doc="Get one model.",
    sorts=("id", "name", "provider", "created_at", "updated_at"),
    filters={
        "provider": Filter(query_slug("Only this provider's models."), "t.provider = :provider"),
        "family": Filter(query_slug("Only models of this family."), "t.family = :family"),
        "open_weights": Filter(
            query_bool("Only open-weight (true) or closed (false) models."),
            "t.open_weights = :open_weights",
        ),
        "q": Filter(
            fields.String(
                validate=validate.Length(min=1, max=200),
                metadata={"description": "Text search over model ids, names and families."},
            ),
            "(t.id LIKE :q ESCAPE '\\' OR t.name LIKE :q ESCAPE '\\' "
            "OR t.family LIKE :q ESCAPE '\\')",
            bind=like_pattern,
        ),
    },
    references=(Reference("provider", "providers"),),
)
