"""The marshmallow fields the schemas are built from: ids, text, URLs, instants, dated facts."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from ..core import instants

SLUG = r"^[a-z0-9][a-z0-9._:-]*$"
NOT_A_SLUG = "Not an id: lowercase letters, digits and . _ : - (such as us-east-1 or eastus)."
CURSOR = r"^[A-Za-z0-9._~%:-]+$"
CERTAINTIES = ("exact", "month", "on-or-before", "inferred", "announced", "not-before")
CLOUD_KINDS = ("hyperscaler", "first-party", "data-platform", "inference-host", "gateway")
# Who recorded a fact: a maintainer, or an importer (each of importers.IMPORTERS names its word
# here; this is the one list).
ORIGINS = ("curated", "models.dev", "litellm", "azure-docs")
# global: routed anywhere the cloud likes; data-zone: within the offering's geography.
DEPLOYMENT_TYPES = ("serverless", "global", "data-zone", "provisioned", "batch", "managed-compute")
STAGES = ("preview", "ga")
WINDOW_SCOPES = ("hyperscalers", "all-third-party")
WINDOW_KINDS = ("exclusive", "first-ship")
BASES = ("contractual", "announced", "observed")


class Instant(fields.Field):
    """An RFC 3339 instant in UTC; a date is taken as its midnight UTC. Only from 1970-01-01 to
    2100-01-01 (instants.bounded): writes, fixtures, imports and queries all load through here."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            return instants.bounded(instants.parse(value))
        except ValueError as error:
            raise ValidationError(str(error)) from None


def slug(**kwargs: Any) -> fields.String:
    """A lowercase id: stable, URL-safe."""
    metadata = {"pattern": SLUG, **kwargs.pop("metadata", {})}
    if "example" in kwargs:
        metadata["example"] = kwargs.pop("example")
    return fields.String(
        validate=[validate.Length(min=1, max=200), validate.Regexp(SLUG, error=NOT_A_SLUG)],
        metadata=metadata,
        **kwargs,
    )


def text(max_length: int = 500, **kwargs: Any) -> fields.String:
    """Free text of bounded length."""
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


# A host name, then printable ASCII only, spelled out: engines disagree on what \s covers
# (Python's includes \x1c-\x1f), and the pattern must mean the same to every client as here.
URL = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][!-~]*)?$"


def url(**kwargs: Any) -> fields.String:
    """An http(s) URL (checked by the pattern the spec documents, nothing stricter)."""
    metadata = {"pattern": URL, **kwargs.pop("metadata", {})}
    return fields.String(
        validate=[validate.Length(max=2000), validate.Regexp(URL, error="Not an http(s) URL.")],
        metadata=metadata,
        **kwargs,
    )


class StrictBoolean(fields.Boolean):
    """A JSON true or false; not 0 or 1, which equal False and True in Python."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def strict_bool(**kwargs: Any) -> fields.Boolean:
    """A JSON boolean, nothing that merely looks like one."""
    return StrictBoolean(**kwargs)


def dated_fact(description: str, required: bool) -> tuple[Instant, fields.String, fields.String]:
    """The three fields of a dated fact: the instant, how sure it is, and its source."""
    certainty = (
        "exact: the day is known; month: only the month (the date is its 1st); "
        "on-or-before: the earliest evidence; inferred: deduced, not stated by a source; "
        "announced: a date the vendor set in advance (it may still move); "
        "not-before: the vendor said no earlier than that day (the earliest it may happen)."
    )
    extra: dict[str, Any] = {} if required else {"load_default": None}
    return (
        Instant(
            required=required,
            allow_none=not required,
            metadata={"description": description},
            **extra,
        ),
        fields.String(
            required=required,
            allow_none=not required,
            validate=validate.OneOf(CERTAINTIES),
            metadata={"description": certainty},
            **extra,
        ),
        url(
            required=required,
            allow_none=not required,
            metadata={"description": "Source URL."},
            **extra,
        ),
    )


class QueryInstant(Instant):
    """An instant in a query string; documented as date-time or date."""


def query_instant(description: str) -> QueryInstant:
    """An instant in a query string; a date (its midnight UTC) is accepted too."""
    return QueryInstant(
        metadata={
            "description": description,
            "anyOf": [{"format": "date-time"}, {"format": "date"}],
            "example": "2024-03-15",
        }
    )


def query_slug(description: str) -> fields.String:
    """A filter on an id."""
    return slug(metadata={"description": description})


def query_bool(description: str) -> fields.Boolean:
    """A true/false filter."""
    return fields.Boolean(truthy={"true"}, falsy={"false"}, metadata={"description": description})


def origin_field() -> fields.String:
    """Who recorded a fact: a maintainer (curated), or a public registry's import."""
    return fields.String(
        load_default="curated",
        validate=validate.OneOf(ORIGINS),
        metadata={
            "description": "Who recorded it: a maintainer (curated) or a public registry's import."
        },
    )
