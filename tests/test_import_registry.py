"""The importers are declared once (importers.IMPORTERS); the CLI makes a command of each."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from registry_helpers import curated_db, snapshot

from catalog import cli
from catalog.cli import data
from catalog.declarations import fields
from catalog.importers import IMPORTERS, Importer, plan


def plan_one_provider(conn: sqlite3.Connection, name: str, **shared: Any) -> plan.Plan:
    """A third importer, as small as one can be: it adds one maker."""
    planner = plan.Planner(conn, f"test registry {name}")
    planner.add_parent("providers", {"id": name, "name": name.title(), "website": None})
    return planner.finish()


def test_every_importer_is_a_command_with_the_shared_options() -> None:
    group = cli.main.get_command(click.Context(cli.main), "import")  # loaded when asked
    assert isinstance(group, click.Group)
    assert set(group.commands) == set(IMPORTERS)
    for name, importer in IMPORTERS.items():
        options = {p.name for p in group.commands[name].params}
        assert {"dry_run", "report_file"} <= options
        assert importer.origin in fields.ORIGINS
        assert callable(importer.planner())


def test_an_origin_outside_the_one_list_is_refused() -> None:
    with pytest.raises(ValueError, match="fields.ORIGINS"):
        Importer("nowhere", None, (), "x:y", "Help.")


def test_a_new_importer_is_one_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = curated_db(tmp_path)
    monkeypatch.setenv("CATALOG_DATABASE", str(path))
    entry = Importer(
        origin="litellm",
        mapping=None,
        arguments=(click.Argument(["name"]),),
        plan=f"{__name__}:plan_one_provider",
        help="Add one maker.\n\nExample: catalog import third mistral-ai",
    )
    command = data.import_command("third", entry)
    before = snapshot(path)
    dry = CliRunner().invoke(command, ["mistral-ai", "--dry-run"])
    assert dry.exit_code == 0 and "added    providers/mistral-ai" in dry.output
    assert snapshot(path) == before
    done = CliRunner().invoke(command, ["mistral-ai"])
    assert done.exit_code == 0, done.output
    conn = sqlite3.connect(path)
    try:
        actor = conn.execute(
            "SELECT actor FROM changes WHERE resource = 'providers' AND record_id = 'mistral-ai'"
        ).fetchone()
    finally:
        conn.close()
    assert actor == ("catalog import third",)
