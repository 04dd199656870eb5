"""The registry of resources: one declaration per collection, everything else derived from it.

A resource's file here (providers.py, offerings.py, ...) declares its marshmallow schema (its
fields, written once) and a `Resource` (declarations/resource.py): table, key, URLs, filters
(argument and SQL together), sort keys and references. From that the SQL (storage/queries.py), the
writes (storage/store.py), the argument schemas, the routes (api/records.py, api/writes.py), CSV
columns and openapi.yaml are derived.

Adding a field: the schema in the resource's file, a migration, the fixtures. Adding a resource:
a file here, a migration, its declaration in RECORDS below (the change feed follows).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..declarations.resource import Resource, quote
from . import changes
from .clouds import CLOUDS
from .models import MODELS
from .offerings import OFFERINGS
from .prices import PRICES
from .providers import PROVIDERS
from .regions import REGIONS
from .subscriptions import SUBSCRIPTIONS
from .timeline import TIMELINE
from .windows import WINDOWS

# Every collection of records, parents before children: references resolve in this order.
RECORDS = (PROVIDERS, CLOUDS, REGIONS, MODELS, OFFERINGS, PRICES, WINDOWS)
WRITABLE: tuple[str, ...] = tuple(r.name for r in RECORDS if r.writable)
# The change feed records every write to those; the timeline is a view over them. Webhook
# subscriptions are not records of the catalog: never fed, dumped or rebuilt as_of.
REGISTRY: dict[str, Resource] = {
    r.name: r for r in (*RECORDS, changes.declaration(WRITABLE), TIMELINE, SUBSCRIPTIONS)
}


def get(name: str) -> Resource:
    """The resource of a collection name."""
    return REGISTRY[name]


def referrers_of(target: str) -> Iterator[str]:
    """SQL statements listing the records that refer to one of `target` (":id", ":cloud")."""
    for resource in REGISTRY.values():
        for reference in resource.references:
            if reference.target != target:
                continue
            yield reference.referrers or (
                f"SELECT {resource.label_sql} FROM {quote(resource.table)} AS t "
                f"WHERE t.{quote(reference.field)} = :id"
            )
