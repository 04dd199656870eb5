"""Fixtures in and out: validate a whole set, load it in one transaction, dump it back.

A fixture set is a folder of JSON files, one per collection (`offerings.json`, ...), each an array
of records in the resource schema's shape. Loading is all or nothing: any bad record, broken
reference or exclusivity contradiction aborts it with errors that name the file and the record.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlite_utils import Database

from . import instants, queries, rules, schemas, store
from .store import ORDER

Entry = tuple[str, dict[str, Any]]  # (where it came from, the record)


class LoadError(Exception):
    """A fixture set that cannot be loaded; `problems` name file, record and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(problems))
        self.problems = problems


def shipped_fixtures() -> Path:
    """The fixture folder inside the installed package."""
    return Path(str(resources.files("catalog.fixtures")))


def read_fixture_dir(path: str | Path) -> dict[str, list[Entry]]:
    """Read a fixture folder (or one fixture file) without validating the records yet."""
    path = Path(path)
    files = [path] if path.is_file() else sorted(path.glob("*.json"))
    if not files:
        raise LoadError([f"{path}: no fixture files (*.json) here"])
    found: dict[str, list[Entry]] = {}
    problems = []
    for file in files:
        collection = file.stem
        if collection not in ORDER:
            problems.append(
                f"{file}: unknown collection {collection!r} (expected one of {', '.join(ORDER)})"
            )
            continue
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            problems.append(f"{file}: not readable JSON: {error}")
            continue
        if not isinstance(data, list):
            problems.append(f"{file}: expected a JSON array of records")
            continue
        found[collection] = [
            (f"{file}: record {index} (id {_id_of(item)!r})", item)
            for index, item in enumerate(data)
        ]
    if problems:
        raise LoadError(problems)
    return found


def _id_of(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else None


def _existing_keys(conn: sqlite3.Connection, collection: str) -> set[store.Key]:
    spec = queries.COLLECTIONS[collection]
    columns = "cloud, id" if collection == "regions" else "id"
    return {
        tuple(row) for row in conn.execute(f"SELECT {columns} FROM {queries.quote(spec.table)}")
    }


def validate(conn: sqlite3.Connection, raw: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
    """Check each record against its schema, each reference against the set plus the database."""
    problems: list[str] = []
    valid: dict[str, list[Entry]] = {}
    keys: dict[str, set[store.Key]] = {}
    for collection in ORDER:
        schema = schemas.RESOURCE_SCHEMAS[collection]()
        keys[collection] = _existing_keys(conn, collection)
        seen: set[store.Key] = set()
        for location, item in raw.get(collection, []):
            try:
                record = schema.load(item)
            except ValidationError as error:
                for name, messages in schemas.flatten_errors(error.messages).items():
                    problems.append(f"{location}: {name}: {' '.join(messages)}")
                continue
            broken = schemas.rule_problems(collection, record)
            for name, messages in broken.items():
                problems.append(f"{location}: {name}: {' '.join(messages)}")
            if broken:
                continue
            key = store.key_of(collection, record)
            if key in seen:
                problems.append(f"{location}: id: appears twice in this set")
                continue
            seen.add(key)
            valid.setdefault(collection, []).append((location, record))
        keys[collection] |= seen
    for collection in ORDER:
        for location, record in valid.get(collection, []):
            for field, target, key in store.references(collection, record):
                if key not in keys[target]:
                    problems.append(f"{location}: {field}: {store.missing_reference(target, key)}")
    if problems:
        raise LoadError(problems)
    return valid


def load_records(
    db: Database,
    raw: dict[str, list[Entry]],
    actor: str,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Validate and load a fixture set in one transaction, each write in the change feed.

    Returns how many records each collection gained or changed (unchanged ones are skipped).
    """
    counts = dict.fromkeys(ORDER, 0)
    with store.transaction(db.conn):
        valid = validate(db.conn, raw)
        now = store.now()
        for collection in ORDER:
            for _, record in valid.get(collection, []):
                if store.save(db.conn, collection, record, actor, now):
                    counts[collection] += 1
                if progress:
                    progress(1)
        if valid.get("offerings") or valid.get("exclusivity-windows"):
            _refuse_contradictions(db.conn, valid)
    return counts


def _refuse_contradictions(conn: sqlite3.Connection, valid: dict[str, list[Entry]]) -> None:
    where = {
        record["id"]: location
        for c in ("offerings", "exclusivity-windows")
        for location, record in valid.get(c, [])
    }
    problems = [
        f"{where.get(offering['id'], 'offering ' + repr(offering['id']))}: "
        f"contradicts exclusivity window {window['id']!r} ({window['holder']} holds "
        f"{window['model'] or window['provider']} from {window['starts_at']} "
        f"until {window['ends_at'] or 'further notice'})"
        for offering, window in rules.find_contradictions(conn)
    ]
    if problems:
        raise LoadError(problems)


def dump_records(conn: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    """Every record in fixture form: no server timestamps, midnight instants as dates."""
    dumped: dict[str, list[dict[str, Any]]] = {}
    for collection in ORDER:
        spec = queries.COLLECTIONS[collection]
        instant_fields = [
            name
            for name, f in schemas.RESOURCE_SCHEMAS[collection]().fields.items()
            if isinstance(f, schemas.Instant) and name not in queries.TIMESTAMPS
        ]
        sort = "cloud" if collection == "regions" else "id"
        rows = []
        for record in map(store.fixture_form, queries.list_records(conn, spec, {}, sort=sort)):
            for name in instant_fields:
                if record[name] is not None:
                    record[name] = instants.short(record[name])
            rows.append(record)
        dumped[collection] = rows
    return dumped


def write_fixture_dir(records: dict[str, list[dict[str, Any]]], path: str | Path) -> list[Path]:
    """Write a fixture set as one pretty JSON file per collection."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for collection, rows in records.items():
        file = folder / f"{collection}.json"
        file.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(file)
    return written


def count(raw: dict[str, list[Entry]]) -> int:
    """How many records a fixture set holds."""
    return sum(len(entries) for entries in raw.values())
