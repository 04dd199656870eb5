"""The `catalog` command: one group, its commands in modules by what they do."""

from __future__ import annotations

import click

from .ask import check
from .data import dump, import_group, load
from .service import serve, snapshot, tokens, write_openapi


@click.group()
@click.version_option(package_name="catalog")
def main() -> None:
    """The model-availability catalog: which models can be bought on which clouds, since when."""


for command in (serve, load, dump, write_openapi, check, tokens, snapshot, import_group):
    main.add_command(command)
