"""The catalog's data in and out: fixtures (load, dump) and the public registries (import)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..config import database_path
from ..importers import IMPORTERS, Importer
from ..storage import db, loading

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


SHARED = (
    click.Option(["--dry-run"], is_flag=True, help="Plan and report; write nothing."),
    click.Option(
        ["--report", "report_file"],
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the report, with the price records found, as JSON here.",
    ),
)


def import_command(name: str, importer: Importer) -> click.Command:
    """`catalog import NAME`: the importer's own parameters, then --dry-run and --report."""

    def run(dry_run: bool, report_file: Path | None, **arguments: Any) -> None:
        from ..importers import facts, plan, report

        target = database_path()
        # A dry run against no database plans against an empty catalog and leaves no file.
        database = db.migrate(":memory:" if dry_run and not Path(target).exists() else target)
        mapping = facts.load_mapping(importer.mapping) if importer.mapping else None
        try:
            with contextlib.ExitStack() as stack:

                def progress(total: int) -> Callable[[int], None]:
                    bar = click.progressbar(length=total, label="Reading", file=sys.stderr)
                    return stack.enter_context(bar).update

                found = importer.planner()(
                    database.conn, **arguments, mapping=mapping, progress=progress
                )
        except facts.SourceError as error:
            click.echo(f"error: {error}", err=True)
            raise SystemExit(2) from None
        for line in report.lines(found):
            click.echo(line)
        if report_file is not None:
            report_file.write_text(json.dumps(report.as_json(found), indent=2) + "\n")
        if dry_run:
            click.echo(f"Dry run: nothing written ({found.count()} records planned).", err=True)
            return
        try:
            with click.progressbar(length=found.count(), label="Writing", file=sys.stderr) as bar:
                written = plan.write_plan(
                    database.conn, found, f"catalog import {name}", progress=bar.update
                )
        except plan.ImportRefused as error:
            click.echo(f"error: {error}", err=True)
            raise SystemExit(1) from None
        click.echo(f"Wrote {written} records into {target}.", err=True)

    return click.Command(
        name, callback=run, params=[*importer.arguments, *SHARED], help=importer.help
    )


for _name, _importer in IMPORTERS.items():
    import_group.add_command(import_command(_name, _importer))
