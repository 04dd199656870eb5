"""Offerings: one model on one cloud under one deployment type."""

import json
from typing import Any

from marshmallow import fields, post_load, validate

from ..declarations.fields import (
    CLOUD_KINDS,
    DEPLOYMENT_TYPES,
    STAGES,
    dated_fact,
    origin_field,
    query_instant,
    query_slug,
    slug,
    text,
)
from ..declarations.resource import Child, Filter, Reference, Resource
from ..declarations.schemas import Problems, Record, in_order, together, unique
from .regions import GEOGRAPHY


class OfferingSchema(Record):
    id = slug(required=True, example="aws:mistral-large-2402:serverless")
    model = slug(required=True)
    cloud = slug(required=True)
    deployment_type = fields.String(required=True, validate=validate.OneOf(DEPLOYMENT_TYPES))
    cloud_model_id = text(300, required=True, metadata={"description": "The cloud's own model id."})
    cloud_model_version = text(100, allow_none=True, load_default=None)
    regions = fields.List(
        slug(),
        allow_none=True,
        load_default=None,
        validate=[validate.Length(max=500), unique],
        metadata={
            "description": "The cloud's region ids that serve the offering; null where the "
            "catalog does not know them (an empty list is taken as null).",
            "uniqueItems": True,
        },
    )
    geography = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Regexp(GEOGRAPHY),
        metadata={
            "description": "A data-zone route's geography (US, EU, APAC, JP, ...): the cloud "
            "keeps the data within it. Required for deployment_type data-zone, null otherwise.",
            "example": "EU",
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
    replacement = slug(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The model the vendor recommends instead (a model id), where it names "
            "one; null otherwise."
        },
    )
    notes = text(2000, allow_none=True, load_default=None)
    origin = origin_field()

    @post_load
    def _unknown_regions(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # No rows is "not known": the answer is null, so a write of [] reads back as null.
        if "regions" in data and not data["regions"]:
            data["regions"] = None
        return data


def _rules(record: dict[str, Any]) -> Problems:
    found: Problems = {}
    for name in ("deprecated_from", "retired_from"):
        found |= together(record, name)
    found |= in_order(record, "available_from", "retired_from")
    found |= in_order(record, "available_from", "deprecated_from")
    zoned = record.get("deployment_type") == "data-zone"
    if zoned and not record.get("geography"):
        found["geography"] = ["A data-zone offering names its geography (US, EU, ...)."]
    elif not zoned and record.get("geography"):
        found["geography"] = ["Only a data-zone offering has a geography; its regions say where."]
    if record.get("replacement") is not None and record["replacement"] == record.get("model"):
        found["replacement"] = ["Must name another model than the offering's own."]
    return found


# Bedrock's cross-region inference profiles prefix the model id with a geography; a bill shows
# the prefixed id, and each profile is its own offering (a route: global or a data zone). The
# id as given names its route; where the catalog has no offering with it, the in-region id, then
# any other route of the same model (the catalog's data may not split the routes).
BILLING_PREFIXES = ("us.", "eu.", "apac.", "us-gov.", "global.", "jp.", "au.", "ca.")


def offering_id(
    cloud: str,
    model: str,
    deployment_type: str,
    geography: str | None = None,
    version: str | None = None,
) -> str:
    """An offering's id: `cloud:model:route[:version]`, the route its deployment type, a data
    zone's with its geography (`azure:gpt-4o:data-zone-eu`). A model split into routes keeps
    its old id on the in-region (serverless) one."""
    route = f"{deployment_type}-{geography.lower()}" if geography else deployment_type
    return ":".join((cloud, model, route, *((version,) if version else ())))


def billing_ids(cloud_model_id: str) -> str:
    """Every spelling of a billed model id that names the same model, the route's own first, as
    a JSON array in the order they are tried."""
    bare = cloud_model_id
    for prefix in BILLING_PREFIXES:
        if bare.startswith(prefix):
            bare = bare.removeprefix(prefix)
            break
    others = [p + bare for p in BILLING_PREFIXES if p + bare != cloud_model_id]
    return json.dumps(list(dict.fromkeys([cloud_model_id, bare, *others])))


# The first spelling some offering carries: the route's own offerings, and only those.
_BILLED = (
    "t.cloud_model_id = (SELECT b.value FROM json_each(:cloud_model_id) b WHERE EXISTS "
    "(SELECT 1 FROM offerings o WHERE o.cloud_model_id = b.value) ORDER BY b.key LIMIT 1)"
)


def _regions(record: Any) -> list[tuple[str, ...]]:
    return [(record["cloud"], region) for region in record["regions"] or ()]


# An offering (t) where data stays in :geography: it is a data-zone route of it, or not a
# global route (which sends data anywhere, wherever it is deployed) and a region of it serves
# it. Shared by the offerings filter, availability, comparison and matrix page.
IN_GEOGRAPHY = (
    "(t.geography = :geography OR (t.deployment_type != 'global' AND EXISTS ("
    "SELECT 1 FROM offering_regions r JOIN regions g ON g.cloud = r.cloud AND g.id = r.region "
    "WHERE r.offering = t.id AND g.geography = :geography)))"
)
_MODEL_IN = "t.model IN (SELECT id FROM models WHERE {0} = :{0})"

OFFERINGS = Resource(
    name="offerings",
    noun="offering",
    schema=OfferingSchema,
    table="offerings",
    list_rule="/offerings",
    item_rule="/offerings/<offering_id>",
    list_doc="List offerings; `at` keeps those available at that instant.",
    item_doc="Get one offering.",
    sorts=("id", "available_from", "model", "cloud", "created_at", "updated_at"),
    filters={
        "model": Filter(
            query_slug("Only offerings of this model."), "t.model = :model", refers="models"
        ),
        "family": Filter(
            query_slug("Only offerings of models of this family."),
            _MODEL_IN.format("family"),
            refers="families",
        ),
        "provider": Filter(
            query_slug("Only offerings of this provider's models."),
            _MODEL_IN.format("provider"),
            refers="providers",
        ),
        "cloud": Filter(
            query_slug("Only offerings on this cloud."), "t.cloud = :cloud", refers="clouds"
        ),
        "cloud_kind": Filter(
            fields.String(
                validate=validate.OneOf(CLOUD_KINDS),
                metadata={"description": "Only offerings on clouds of this kind."},
            ),
            "t.cloud IN (SELECT id FROM clouds WHERE kind = :cloud_kind)",
        ),
        "cloud_model_id": Filter(
            text(
                300,
                metadata={
                    "description": "The id a cloud's bill shows (cross-region prefixes such as "
                    "Bedrock's us., eu. or global. included): the offerings of that route (the "
                    "in-region one where the catalog lacks the route). An unknown id is an "
                    "empty list."
                },
            ),
            _BILLED,
            bind=billing_ids,
        ),
        "region": Filter(
            query_slug("Only offerings in this region (the cloud's region id)."),
            "EXISTS (SELECT 1 FROM offering_regions r WHERE r.offering = t.id "
            "AND r.region = :region)",
            refers="regions",
        ),
        "geography": Filter(
            text(
                20,
                metadata={
                    "description": "Only offerings whose data stays in this geography (US, EU, "
                    "...): their data zone is it, or a region of it serves them (a global route "
                    "is never in one). An unknown geography is a 400 with suggestions."
                },
            ),
            IN_GEOGRAPHY,
            refers="geographies",
        ),
        "deployment_type": Filter(
            fields.String(
                validate=validate.OneOf(DEPLOYMENT_TYPES),
                metadata={"description": "Only this deployment type."},
            ),
            "t.deployment_type = :deployment_type",
        ),
        "stage": Filter(
            fields.String(
                validate=validate.OneOf(STAGES), metadata={"description": "Only this stage."}
            ),
            "t.stage = :stage",
        ),
        "at": Filter(
            query_instant(
                "Only offerings available at this instant (available_from <= at < retired_from; "
                "a not-before retired_from does not end availability)."
            ),
            "t.available_from <= :at AND (t.retired_from IS NULL OR t.retired_from > :at "
            "OR t.retired_from_certainty = 'not-before')",
            compares=("available_from", "retired_from"),
        ),
    },
    computed={
        # null, not [], where no region is known
        "regions": "(SELECT CASE WHEN count(*) THEN json_group_array(region) END FROM "
        "(SELECT region FROM offering_regions WHERE offering = t.id ORDER BY position))"
    },
    children={"regions": Child("offering_regions", "offering", "region", copied=("cloud",))},
    references=(
        Reference("model", "models"),
        Reference("cloud", "clouds"),
        Reference("replacement", "models"),
        Reference(
            "regions",
            "regions",
            keys=_regions,
            referrers="SELECT 'offerings/' || offering FROM offering_regions "
            "WHERE cloud = :cloud AND region = :id",
        ),
    ),
    rules=_rules,
)
