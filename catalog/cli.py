"""The `catalog` command."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import click
import requests

from . import auth, client, create_app, db, instants, loading, openapi

ACTOR_LOAD = "catalog load"


def database_path() -> str:
    """The database file the settings name (CATALOG_DATABASE, default catalog.db)."""
    return str(create_app().config["DATABASE"])


@click.group()
@click.version_option(package_name="catalog")
def main() -> None:
    """The model-availability catalog: which models can be bought on which clouds, since when."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="gunicorn worker processes.",
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the catalog under gunicorn.

    With no database yet (CATALOG_DATABASE, default catalog.db) it creates one and seeds it from
    the fixtures shipped with the package.

    Example: catalog serve --port 8080 --workers 4
    """
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:catalog.gunicorn_conf",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "catalog:create_app()",
    ]
    os.execv(sys.executable, args)


@main.command()
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


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def dump(directory: Path) -> None:
    """Write every record as fixture files into DIRECTORY (dump, then load, is lossless).

    Example: catalog dump backup/
    """
    database = db.migrate(database_path())
    for file in loading.write_fixture_dir(loading.dump_records(database.conn), directory):
        click.echo(str(file))


@main.command(name="openapi")
@click.argument("output", type=click.File("w"), default="-")
def write_openapi(output: TextIO) -> None:
    """Write the OpenAPI document generated from the code (the committed openapi.yaml).

    Example: catalog openapi openapi.yaml
    """
    output.write(openapi.to_yaml(openapi.build_spec(create_app())))


def verdict(answer: dict[str, Any], exclusive: bool, min_days: int | None) -> tuple[bool, str]:
    """Whether the CI condition holds for an availability answer, and one line saying why."""
    model, cloud = answer["model"], answer["cloud"]
    where = f"{cloud} ({answer['region']})" if answer["region"] else cloud
    day = instants.short(answer["at"])
    state = answer["exclusivity"]
    ends, days = state.get("ends_at"), state.get("days_remaining")
    until = (
        f"until {instants.said(ends, state.get('ends_at_certainty'), f'{days} days')}"
        if ends
        else "until further notice"
    )
    if not answer["available"]:
        reason = f"{model} is not available on {where} at {day}"
        if state["state"] == "excluded":
            reason += f": {state['holder_name']} holds exclusivity {until}"
        return False, reason
    if (exclusive or min_days is not None) and state["state"] != "exclusive":
        return False, f"{model} is available on {where} at {day}, but not exclusively"
    if min_days is not None and ends and state["days_remaining"] < min_days:
        return False, (
            f"{model} is exclusive on {where} at {day} {until}: fewer than {min_days} days left"
        )
    if state["state"] == "exclusive":
        return True, f"{model} is available on {where} at {day}, exclusively {until}"
    return True, f"{model} is available on {where} at {day}"


@main.command()
@click.argument("model")
@click.option("--cloud", required=True, help="The cloud's id, e.g. aws.")
@click.option("--region", help="The cloud's region id, e.g. us-east-1.")
@click.option("--at", "at", help="An instant or a date (default: now).")
@click.option("--exclusive", is_flag=True, help="Demand that the cloud holds exclusivity.")
@click.option(
    "--min-days", type=click.IntRange(0), help="Demand at least N days of exclusivity left."
)
@click.option("--json", "as_json", is_flag=True, help="Print the catalog's answer as JSON.")
@click.option(
    "--url",
    envvar="CATALOG_URL",
    default=client.DEFAULT_URL,
    show_default=True,
    help="The catalog to ask (or CATALOG_URL).",
)
def check(
    model: str,
    cloud: str,
    region: str | None,
    at: str | None,
    exclusive: bool,
    min_days: int | None,
    as_json: bool,
    url: str,
) -> None:
    """Ask a running catalog one CI question; the exit code is the answer.

    Exit 0: the condition holds; 1: it does not (one line says why); 2: usage or connection error.
    Without --exclusive or --min-days the condition is "available".

    Example: catalog check gpt-4o --cloud aws --region us-east-1 || echo "not on AWS yet"
    """
    if at is not None:
        try:
            at = instants.parse(at)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--at") from None
    try:
        answer = client.Client(url).availability(model, cloud, region=region, at=at)
    except client.CatalogError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(2) from None
    except requests.RequestException as error:
        click.echo(f"error: cannot reach the catalog at {url}: {type(error).__name__}", err=True)
        raise SystemExit(2) from None
    holds, reason = verdict(answer, exclusive, min_days)
    if as_json:
        click.echo(json.dumps({"holds": holds, "reason": reason, **answer}, indent=2))
    else:
        click.echo(reason)
    raise SystemExit(0 if holds else 1)


@main.group()
def tokens() -> None:
    """Make, list and revoke API tokens (stored as hashes; a token is shown once).

    Example: catalog tokens create ci-bot --scope write
    """


@tokens.command(name="create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(auth.SCOPES),
    help="What the token may do: read, write (write implies read). Repeat for several.",
)
def create_token(name: str, scopes: tuple[str, ...]) -> None:
    """Make a token and print it alone on standard output; it is not stored, only its hash.

    Example: TOKEN=$(catalog tokens create maintainer-alice --scope write)
    """
    database = db.migrate(database_path())
    try:
        secret = auth.create(database.conn, name, list(scopes))
    except sqlite3.IntegrityError:
        click.echo(f"error: there is already a token named {name!r}", err=True)
        raise SystemExit(1) from None
    click.echo(secret)


@tokens.command(name="list")
def list_tokens() -> None:
    """List tokens: name, scopes, when made, whether revoked (never the secrets).

    Example: catalog tokens list
    """
    database = db.migrate(database_path())
    for row in database.conn.execute(
        "SELECT name, scopes, created_at, revoked_at FROM tokens ORDER BY name"
    ):
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "live"
        click.echo(f"{row['name']}\t{row['scopes']}\t{row['created_at']}\t{state}")


@tokens.command(name="revoke")
@click.argument("name")
def revoke_token(name: str) -> None:
    """Revoke a token by name; it stops working at once.

    Example: catalog tokens revoke maintainer-alice
    """
    if not auth.revoke(db.migrate(database_path()).conn, name):
        click.echo(f"error: no live token named {name!r}", err=True)
        raise SystemExit(1)
    click.echo(f"Revoked {name}.", err=True)


@main.command()
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
def snapshot(output: Path) -> None:
    """Write a consistent copy of the live database (for backups and read-only replicas).

    It is taken in one read transaction (VACUUM INTO), so writers may carry on meanwhile.

    Example: catalog snapshot /backups/catalog-$(date +%F).db
    """
    if output.exists():
        click.echo(f"error: {output} exists already", err=True)
        raise SystemExit(1)
    conn = db.connect(database_path(), read_only=True)
    conn.execute("VACUUM INTO ?", [str(output)])
    conn.close()
    click.echo(str(output))


@main.group(name="import")
def import_group() -> None:
    """Take in facts from a public model registry (models.dev, LiteLLM's model map).

    Example: catalog import models-dev ~/src/models.dev --dry-run
    """


def _run_import(plan_of: Any, dry_run: bool, report_file: Path | None, actor: str) -> None:
    from .importers import plan

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
    from .importers import models_dev

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
    from .importers import litellm

    if day is not None and not litellm.DAY.match(day):
        raise click.BadParameter("expected YYYY-MM-DD", param_hint="--date")

    def plan_of(conn: sqlite3.Connection) -> Any:
        return litellm.plan_import(conn, file, day, source or litellm.DEFAULT_SOURCE)

    _run_import(plan_of, dry_run, report_file, "catalog import litellm")
