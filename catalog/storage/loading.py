"""Fixtures in and out: validate a whole set, load it in one transaction, dump it back.

A fixture set is a folder of JSON files, one per collection (`offerings.json`, ...), each an array
of records in the resource schema's shape. Loading is all or nothing: any bad record, broken
reference or exclusivity contradiction aborts it with errors that name the file and the record.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from importlib import resources as package_files
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .. import resources
from ..core import instants
from ..declarations import fields
from ..declarations.resource import TIMESTAMPS, Key
from ..resources import WRITABLE
from . import db, queries, refusals, store
from .refusals import describe

Entry = tuple[str, dict[str, Any]]  # (where it came from, the record)


class LoadError(Exception):
    """A fixture set that cannot be loaded; `problems` name file, record and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(problems))
        self.problems = problems


def shipped_fixtures() -> Path:
    """The fixture folder inside the installed package."""
    return Path(str(package_files.files("catalog.fixtures")))


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
        if collection not in WRITABLE:
            problems.append(
                f"{file}: unknown collection {collection!r} (expected one of {', '.join(WRITABLE)})"
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


def validate(raw: dict[str, list[Entry]]) -> tuple[dict[str, list[Entry]], list[str]]:
    """Each record against its schema and its rules across fields; no id twice in the set."""
    problems: list[str] = []
    valid: dict[str, list[Entry]] = {}
    for name in WRITABLE:
        resource = resources.get(name)
        seen: set[Key] = set()
        for location, item in raw.get(name, []):
            record, broken = resource.validate(item)
            for field, messages in broken.items():
                problems.append(f"{location}: {field}: {' '.join(messages)}")
            if record is None or broken:
                continue
            key = resource.key_of(record)
            if key in seen:
                problems.append(f"{location}: id: appears twice in this set")
                continue
            seen.add(key)
            valid.setdefault(name, []).append((location, record))
    return valid, problems


def load_records(
    database: Database,
    raw: dict[str, list[Entry]],
    actor: str,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Validate and load a fixture set in one transaction, each write in the change feed.

    Returns how many records each collection gained or changed (unchanged ones are skipped).
    """
    counts = dict.fromkeys(WRITABLE, 0)
    valid, problems = validate(raw)
    if problems:
        raise LoadError(problems)
    where: dict[str, str] = {}
    try:
        with store.writing(database.conn, actor) as writer:
            for name in WRITABLE:  # parents first
                for location, record in valid.get(name, []):
                    where[record.get("id", "")] = location
                    try:
                        if writer.put(name, record):
                            counts[name] += 1
                    except refusals.Refused as refused:
                        problems.append(f"{location}: {_field_messages(refused)}")
                    if progress:
                        progress(1)
            if problems:
                raise LoadError(problems)
    except refusals.Contradiction as refused:
        raise LoadError(
            [f"{where.get(o['id'], 'fixtures')}: {describe(o, w)}" for o, w in refused.pairs]
        ) from None
    return counts


def _field_messages(refused: refusals.Refused) -> str:
    if not refused.errors:
        return refused.detail
    return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in refused.errors.items())


def seed_if_empty(path: str | Path) -> bool:
    """Create and migrate the database; seed it from the shipped fixtures if it holds nothing.

    Returns whether it seeded.
    """
    database = db.migrate(path)
    try:
        if not db.is_empty(database):
            return False
        load_records(database, read_fixture_dir(shipped_fixtures()), actor="fixtures")
        return True
    finally:
        database.conn.close()


def dump_records(conn: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    """Every record in fixture form: no server timestamps, midnight instants as dates."""
    dumped: dict[str, list[dict[str, Any]]] = {}
    for collection in WRITABLE:
        resource = resources.get(collection)
        instant_fields = [
            name
            for name, f in resource.schema().fields.items()
            if isinstance(f, fields.Instant) and name not in TIMESTAMPS
        ]
        rows = []
        records = queries.list_records(conn, resource, {}, sort=resource.key[0])
        for record in map(store.fixture_form, records):
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
