"""Running the service: serve, snapshot, tokens, the OpenAPI document."""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
from pathlib import Path
from typing import TextIO

import click

from .. import create_app
from ..api import openapi
from ..config import database_path
from ..http import auth
from ..storage import db


@click.command()
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
    busy = _cannot_listen(host, port)
    if busy:  # one line now, rather than gunicorn's five retries in JSON
        click.echo(
            f"error: cannot listen on {bind}: {busy}. Is a catalog already running there? "
            "Pick another with --port (clients take --url or CATALOG_URL).",
            err=True,
        )
        sys.exit(2)
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:catalog.server.gunicorn_conf",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "catalog:create_app()",
    ]
    os.execv(sys.executable, args)


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the address cannot be listened on (None when it can): a port already taken, say."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or str(error)
    return None


@click.command(name="openapi")
@click.argument("output", type=click.File("w"), default="-")
def write_openapi(output: TextIO) -> None:
    """Write the OpenAPI document generated from the code (the committed openapi.yaml).

    Example: catalog openapi openapi.yaml
    """
    output.write(openapi.to_yaml(openapi.build_spec(create_app())))


@click.group()
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


@click.command()
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
