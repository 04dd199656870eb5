"""Models, as their makers name them; `aliases` are the other ids people and registries use."""

from typing import Any

from marshmallow import fields, validate

from ..declarations.fields import query_bool, query_slug, slug, strict_bool, text
from ..declarations.resource import Child, Filter, Reference, Resource, like_pattern
from ..declarations.schemas import Problems, Record, unique


class ModelSchema(Record):
    id = slug(required=True, example="mistral-large-2402")
    provider = slug(required=True, metadata={"description": "The maker's provider id."})
    name = text(200, required=True)
    family = slug(allow_none=True, load_default=None, example="mistral-large")
    open_weights = strict_bool(required=True)
    aliases = fields.List(
        slug(),
        load_default=list,
        validate=[validate.Length(max=100), unique],
        metadata={
            "description": "Other ids for the same model (as registries, clouds or older "
            "catalog versions spell it): a path or filter that names one answers for `id`. "
            "Unique across every model's id and aliases.",
            "uniqueItems": True,
            "example": ["claude-4-sonnet"],
        },
    )


def _rules(record: dict[str, Any]) -> Problems:
    if record["id"] in record["aliases"]:
        return {"aliases": ["An alias is another id than the model's own."]}
    return {}


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
        "provider": Filter(
            query_slug("Only this provider's models."),
            "t.provider = :provider",
            refers="providers",
        ),
        "family": Filter(
            query_slug("Only models of this family."), "t.family = :family", refers="families"
        ),
        "open_weights": Filter(
            query_bool("Only open-weight (true) or closed (false) models."),
            "t.open_weights = :open_weights",
        ),
        "q": Filter(
            fields.String(
                validate=validate.Length(min=1, max=200),
                metadata={
                    "description": "Text search over model ids, aliases, names and families."
                },
            ),
            "(t.id LIKE :q ESCAPE '\\' OR t.name LIKE :q ESCAPE '\\' "
            "OR t.family LIKE :q ESCAPE '\\' OR EXISTS (SELECT 1 FROM model_aliases a "
            "WHERE a.model = t.id AND a.alias LIKE :q ESCAPE '\\'))",
            bind=like_pattern,
        ),
    },
    computed={
        "aliases": "(SELECT json_group_array(alias) FROM "
        "(SELECT alias FROM model_aliases WHERE model = t.id ORDER BY position))"
    },
    children={"aliases": Child("model_aliases", "model", "alias")},
    aliases="aliases",
    references=(Reference("provider", "providers"),),
    rules=_rules,
)
