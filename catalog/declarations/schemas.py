"""What every resource schema shares: the server's timestamps, unknown fields refused, and the
helpers for rules across fields (which OpenAPI cannot state, so the API answers them with 422).

Each resource's own schema lives with its declaration in catalog/resources/.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError

from .fields import Instant

Problems = dict[str, list[str]]


class Record(Schema):
    """Fields every stored record has."""

    class Meta:
        unknown = RAISE

    created_at = Instant(dump_only=True, metadata={"description": "Set by the server."})
    updated_at = Instant(dump_only=True, metadata={"description": "Set by the server."})


def unique(values: list[Any]) -> None:
    """A validator: no item twice."""
    if len(set(values)) != len(values):
        raise ValidationError("An item is listed twice.")


def in_order(record: dict[str, Any], earlier: str, later: str) -> Problems:
    """`later` (when set) comes strictly after `earlier`."""
    if record.get(earlier) and record.get(later) and record[later] <= record[earlier]:
        return {later: [f"Must be after {earlier}."]}
    return {}


def together(record: dict[str, Any], name: str) -> Problems:
    """A dated fact's instant, certainty and source are all given or none is."""
    triple = [record.get(name), record.get(f"{name}_certainty"), record.get(f"{name}_source")]
    if any(value is not None for value in triple) and None in triple:
        return {name: [f"{name}, {name}_certainty and {name}_source go together or not at all."]}
    return {}


def flatten_errors(messages: Any, prefix: str = "") -> Problems:
    """marshmallow's nested messages as {"field.sub": [messages]}."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(message) for message in messages]}
    flat: Problems = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        for field, items in flatten_errors(value, name).items():
            flat.setdefault(field, []).extend(items)
    return flat
