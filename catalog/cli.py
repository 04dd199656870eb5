"""The `catalog` command."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import create_app, db, loading, openapi


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
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the catalog under gunicorn.

    With no database yet (CATALOG_DATABASE, default catalog.db) it creates one and seeds it from
    the fixtures shipped with the package.

    Example: catalog serve --port 8080 --workers 4
    """
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    args = [
        sys.executable, "-m", "gunicorn",
        "--config", "python:catalog.gunicorn_conf",
        "--bind", bind, "--workers", str(workers),
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
                counts = loading.load_records(database, raw, progress=bar.update)
        else:
            counts = loading.load_records(database, raw)
    except loading.LoadError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from None
    summary = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
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
def write_openapi(output: click.utils.LazyFile) -> None:
    """Write the OpenAPI document generated from the code (the committed openapi.yaml).

    Example: catalog openapi openapi.yaml
    """
    output.write(openapi.to_yaml(openapi.build_spec(create_app())))
