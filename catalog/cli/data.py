"""The catalog's data in and out: fixtures (load, dump) and the public registries (import)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .. import db, loading
from ..config import database_path

ACTOR_LOAD = "catalog load"


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def load(path: Path) -> None:
    """Validate and load fixtures (a folder of JSON files, or one file) in one transaction.

    All or nothing: a bad record, a broken reference or an exclusivity contradiction loads
    nothing, and each error names the file and the record.

    Example: catalog load fixtures/
    """
    target = database_path()
    try:
        raw = loading.read_fixture_dir(path)
        database = db.migrate(target)
        total = loading.count(raw)
        if total >= 10000:
            with click.progressbar(length=total, label="Loading", file=sys.stderr) as bar:
                counts = loading.load_records(database, raw, ACTOR_LOAD, progress=bar.update)
        else:
            counts = loading.load_records(database, raw, ACTOR_LOAD)
    except loading.LoadError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from None
    summary = ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "nothing new"
    click.echo(f"Loaded {summary} into {target}.", err=True)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def dump(directory: Path) -> None:
    """Write every record as fixture files into DIRECTORY (dump, then load, is lossless).

    Example: catalog dump backup/
    """
    database = db.migrate(database_path())
    for file in loading.write_fixture_dir(loading.dump_records(database.conn), directory):
        click.echo(str(file))


@click.group(name="import")
def import_group() -> None:
    """Take in facts from a public model registry (models.dev, LiteLLM's model map).

    Example: catalog import models-dev ~/src/models.dev --dry-run
    """


def _run_import(plan_of: Any, dry_run: bool, report_file: Path | None, actor: str) -> None:
    from ..importers import plan

    target = database_path()
    # A dry run against no database plans against an empty catalog and leaves no file behind.
    database = db.migrate(":memory:" if dry_run and not Path(target).exists() else target)
    try:
        result = plan_of(database.conn)
    except plan.SourceError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(2) from None
    for line in plan.report_lines(result):
        click.echo(line)
    if report_file is not None:
        report_file.write_text(json.dumps(plan.report_json(result), indent=2) + "\n")
    if dry_run:
        click.echo(f"Dry run: nothing written ({result.count()} records planned).", err=True)
        return
    try:
        with click.progressbar(length=result.count(), label="Writing", file=sys.stderr) as bar:
            written = plan.write_plan(database.conn, result, actor, progress=bar.update)
    except plan.ImportRefused as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Wrote {written} records into {target}.", err=True)


@import_group.command(name="models-dev")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--rev", default="HEAD", show_default=True, help="The registry commit to import.")
@click.option("--dry-run", is_flag=True, help="Plan and report; write nothing.")
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report, with the price records found, as JSON here.",
)
def import_models_dev(path: Path, rev: str, dry_run: bool, report_file: Path | None) -> None:
    """Import a models.dev git checkout: offerings dated by the commit that first listed them.

    Prints what it added, changed, kept (the catalog's curated facts take precedence) and
    refused. Exit 2 on a folder that is not a models.dev checkout, or a malformed file.

    Example: catalog import models-dev ~/src/models.dev --dry-run
    """
    from ..importers import models_dev

    def plan_of(conn: sqlite3.Connection) -> Any:
        with contextlib.ExitStack() as stack:

            def progress(total: int) -> Callable[[int], None]:
                bar = click.progressbar(length=total, label="Reading history", file=sys.stderr)
                return stack.enter_context(bar).update

            return models_dev.plan_import(conn, path, rev, progress)

    _run_import(plan_of, dry_run, report_file, "catalog import models-dev")


@import_group.command(name="litellm")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Plan and report; write nothing.")
@click.option(
    "--date",
    "day",
    help="The UTC day the map was read (YYYY-MM-DD, default today): its prices hold on or before.",
)
@click.option(
    "--source",
    default=None,
    help="The URL a reader can open for this copy of the map (default: the file on GitHub).",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report, with the price records found, as JSON here.",
)
def import_litellm(
    file: Path, dry_run: bool, day: str | None, source: str | None, report_file: Path | None
) -> None:
    """Import LiteLLM's model map: announced deprecations, regions and prices of known offerings.

    The map has no availability dates, so it adds to offerings the catalog has and never makes
    new ones. Exit 2 on a file that is not the map.

    Example: catalog import litellm model_prices_and_context_window.json --date 2026-12-01
    """
    from ..importers import litellm

    if day is not None and not litellm.DAY.match(day):
        raise click.BadParameter("expected YYYY-MM-DD", param_hint="--date")

    def plan_of(conn: sqlite3.Connection) -> Any:
        return litellm.plan_import(conn, file, day, source or litellm.DEFAULT_SOURCE)

    _run_import(plan_of, dry_run, report_file, "catalog import litellm")
