"""What the azure-docs import tests share: the stored tables, a plan against a catalog, a copy
of the tables with one line changed, and the command run against a database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from helpers import copy_database

from catalog import cli
from catalog.importers import azure_docs, azure_matrix
from catalog.storage import db

NEWEST = Path(__file__).parent / "data" / "azure-docs" / "newest"
MATRIX = azure_matrix.MATRIX  # Azure OpenAI's tables
FOUNDRY = azure_matrix.FOUNDRY  # the Foundry Models sold directly by Azure


def table(path: str) -> azure_matrix.Table:
    """One stored table, parsed."""
    return azure_matrix.parse_matrix(path, (NEWEST / path).read_text())


def planned(database: Path, checkout: Path, mapping: Any = None) -> Any:
    """The import's plan against `database`, written nowhere."""
    conn = db.connect(database, read_only=True)
    try:
        return azure_docs.plan_import(conn, checkout, mapping=mapping)
    finally:
        conn.close()


def broken(tmp_path: Path, path: str, old: str, new: str) -> Path:
    """A copy of the stored tables with `old` replaced by `new` once in `path`."""
    checkout = tmp_path / "broken"
    shutil.copytree(NEWEST, checkout)
    file = checkout / path
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))
    return checkout


def run(database: Path, checkout: Path) -> Any:
    """`catalog import azure-docs CHECKOUT` against `database`."""
    return CliRunner().invoke(
        cli.main, ["import", "azure-docs", str(checkout)], env={"CATALOG_DATABASE": str(database)}
    )


def without_routes(seeded_db: Path, folder: Path, then: str) -> Path:
    """A copy of the shipped catalog without the offerings the tables gave it, and with `then`
    (SQL) run after."""
    path = copy_database(seeded_db, folder / "catalog.db")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM offerings WHERE origin = 'azure-docs'")
        conn.execute(then)
    conn.close()
    return path
