"""What a resource declaration holds: table, key, URLs, filters, sorts, references.

Each collection declares one in catalog/resources/<name>.py, next to its marshmallow schema;
the SQL (queries.py), the writes (store.py), argument schemas, routes, CSV columns and
openapi.yaml are all derived from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from marshmallow import Schema, ValidationError, fields

from . import args as arguments
from .schemas import Problems, flatten_errors

Key = tuple[str, ...]
Record = Mapping[str, Any]
TIMESTAMPS = ("created_at", "updated_at")


def quote(identifier: str) -> str:
    """Quote an SQL identifier (all of ours come from the code, never from a request)."""
    return '"' + identifier.replace('"', '""') + '"'


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's own wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Filter:
    """A query argument and the SQL condition it stands for (None: it only feeds another's)."""

    argument: fields.Field | None  # None: set from the URL, not a query argument
    sql: str | None
    bind: Callable[[Any], Any] | None = None  # the value as bound, if not as given
    # The kind of record the value names (identity.KINDS: "models", "clouds", ...): an alias
    # is taken for its id, an unknown name is a 400 with suggestions.
    refers: str | None = None
    # The columns a condition on `:at` compares `at` with, and does nothing else with it: the
    # rows it keeps then change only where `at` passes one of their values (moments.rows).
    compares: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.refers and self.argument is not None:  # the spec says what a name may be
            said = self.argument.metadata.get("description", "")
            alias = " An alias answers for its model." if self.refers == "models" else ""
            note = f"{said}{alias} An unknown name is a 400 listing close ones as `suggestions`."
            self.argument.metadata = {**self.argument.metadata, "description": note.strip()}


@dataclass(frozen=True)
class Reference:
    """A field that names records of another resource."""

    field: str
    target: str
    # The keys of the records named; default: (record[field],) when it is set.
    keys: Callable[[Record], list[Key]] | None = None
    # For a deletion: SQL listing the referring records ("collection/id"), given :id (:cloud).
    referrers: str | None = None

    def targets(self, record: Record) -> list[Key]:
        """The keys this record points at through this field."""
        if self.keys is not None:
            return self.keys(record)
        return [(record[self.field],)] if record.get(self.field) else []


@dataclass(frozen=True)
class Child:
    """A list field stored as rows of its own table, in order (an offering's regions)."""

    table: str
    owner: str  # the column naming the parent record's id
    item: str  # the column holding one list item
    copied: tuple[str, ...] = ()  # parent fields repeated in each row (for a composite reference)


@dataclass(frozen=True)
class Calendar:
    """How a collection answers as iCalendar: its title, and where its events come from."""

    name: str
    # None: each row is an event; else the timeline filter the rows' ids are given to (a
    # window's events are its start and end on the timeline).
    events_by: str | None = None


@dataclass(frozen=True, eq=False)
class Resource:
    """One collection: where it is stored, how it is keyed, filtered, sorted and addressed."""

    name: str  # as in URLs, fixture files and the change feed
    noun: str  # "exclusivity window": for messages
    schema: type[Schema]
    table: str
    list_rule: str | None = None  # "/offerings"; None: no generic list route
    item_rule: str | None = None  # "/offerings/<offering_id>"
    list_doc: str = ""
    item_doc: str = ""
    key: Key = ("id",)
    sorts: tuple[str, ...] = ("id", "created_at", "updated_at")
    # Sorts whose order is not the column's own: the SQL of the key, given the value's SQL.
    sort_keys: Mapping[str, Callable[[str], str]] = field(default_factory=dict)
    filters: Mapping[str, Filter] = field(default_factory=dict)
    formats: tuple[str, ...] = ("json", "csv")  # "ics" with a `calendar`
    calendar: Calendar | None = None
    computed: Mapping[str, str] = field(default_factory=dict)  # fields read by an SQL expression
    children: Mapping[str, Child] = field(default_factory=dict)
    references: tuple[Reference, ...] = ()
    writable: bool = True
    ident: str | None = None  # in endpoint names (get_<ident>), if not the noun
    list_endpoint: str | None = None  # the list's endpoint name, if not list_<name>
    args_name: str | None = None  # the list-argument schema's name, if not <Noun>ListArgs
    generic_list: bool = True  # False: a view of its own lists it (other rules)
    # Rules across fields that OpenAPI cannot state (the API answers them with 422).
    rules: Callable[[dict[str, Any]], dict[str, list[str]]] | None = None
    now_when: tuple[str, ...] | None = None  # the list speaks of now if these are given, no `at`
    aliases: str | None = None  # the list field of other names for a record (models' aliases)

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """The fields in response and CSV order: the schema's, server timestamps last."""
        names = list(self.schema().fields)
        return (*(n for n in names if n not in TIMESTAMPS), *(n for n in TIMESTAMPS if n in names))

    @cached_property
    def booleans(self) -> tuple[str, ...]:
        declared = self.schema().fields
        return tuple(n for n in self.fields if isinstance(declared[n], fields.Boolean))

    @cached_property
    def json_fields(self) -> tuple[str, ...]:
        declared = self.schema().fields
        return tuple(n for n in self.fields if isinstance(declared[n], fields.List | fields.Dict))

    @cached_property
    def positions(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Where a row (its fields in order) holds the booleans, and the JSON text."""
        return tuple(map(self.fields.index, self.booleans)), tuple(
            map(self.fields.index, self.json_fields)
        )

    @cached_property
    def stored(self) -> tuple[str, ...]:
        """The columns a write sets (not computed, not children, not the server's timestamps)."""
        skip = {*self.computed, *self.children, *TIMESTAMPS}
        return tuple(n for n in self.fields if n not in skip)

    @cached_property
    def refers(self) -> dict[str, str]:
        """The filters that name records: filter -> kind of record (identity.KINDS)."""
        return {name: f.refers for name, f in self.filters.items() if f.refers}

    @property
    def tiebreak(self) -> str:
        """The unique column every sort ends in, and cursors carry."""
        return self.key[-1]

    @cached_property
    def select_list(self) -> str:
        """The SELECT list, in field order."""
        return ", ".join(
            f"{self.computed[name]} AS {quote(name)}"
            if name in self.computed
            else f"t.{quote(name)}"
            for name in self.fields
        )

    @cached_property
    def list_args(self) -> type[Schema]:
        """The query-argument schema of the list: its filters plus paging, sorting and format."""
        name = self.args_name or "".join(p.title() for p in self.noun.split()) + "ListArgs"
        filters = {name: f.argument for name, f in self.filters.items() if f.argument}
        return arguments.list_args(name, self.sorts, self.formats, **filters)

    @property
    def endpoint(self) -> str:
        """The stem of this resource's endpoint names: get_<stem>, create_<stem>, ..."""
        return self.ident or self.noun.replace(" ", "_")

    def sort_key(self, column: str, value: str | None = None) -> str:
        """The SQL a sort on `column` orders by (of `value`, an SQL expression, if given)."""
        own = f"t.{quote(column)}"
        if column in self.sort_keys:
            return self.sort_keys[column](value or own)
        return value or own

    def problems(self, record: dict[str, Any]) -> dict[str, list[str]]:
        """What a record that fits the schema still gets wrong across its fields."""
        return self.rules(record) if self.rules else {}

    @cached_property
    def _loader(self) -> Schema:
        return self.schema()

    def validate(self, data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, Problems]:
        """The one check of a record against its resource, for the API, fixtures and imports:
        (the record as loaded, the rules it breaks across fields), or (None, the fields that do
        not fit the schema). Each caller words the problems for its own reader."""
        try:
            record: dict[str, Any] = self._loader.load(data)
        except ValidationError as error:
            return None, flatten_errors(error.messages)
        return record, self.problems(record)

    def key_of(self, record: Record) -> Key:
        """A record's key: (cloud, id) for a region, (id,) for most."""
        return tuple(record[name] for name in self.key)

    def path_params(self, rule: str) -> tuple[str, ...]:
        """The URL parameters of one of this resource's rules, in order."""
        return tuple(re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule))

    def key_from_path(self, path: Mapping[str, str]) -> Key:
        """The key a request's item URL names."""
        assert self.item_rule is not None
        return tuple(path[name] for name in self.path_params(self.item_rule))

    def location(self, key: Key) -> str:
        """The record's URL."""
        assert self.item_rule is not None
        values = iter(key)
        return "/v1" + re.sub(r"<[^<>]+>", lambda _: next(values), self.item_rule)

    @cached_property
    def label_sql(self) -> str:
        """An SQL expression naming a row of this table as its URL does, less /v1/."""
        assert self.item_rule is not None
        columns = iter(self.key)
        parts = re.split(r"(<[^<>]+>)", self.item_rule.lstrip("/"))
        sql = [f"t.{quote(next(columns))}" if p.startswith("<") else f"'{p}'" for p in parts if p]
        return " || ".join(sql)


def record_id(key: Key) -> str:
    """The key as one string, as the change feed names records ("aws/us-east-1" for a region)."""
    return "/".join(key)
