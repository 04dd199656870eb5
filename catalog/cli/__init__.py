"""The `catalog` command: one group, its commands in modules by what they do.

Each command's module is imported only when that command runs (or help lists them all): the
service's commands need Flask, and `catalog check` in a CI job must start without importing it.
"""

from __future__ import annotations

from importlib import import_module

import click

# name -> "module:attribute", the module relative to this package.
COMMANDS = {
    "check": "ask:check",
    "dump": "data:dump",
    "import": "data:import_group",
    "load": "data:load",
    "openapi": "service:write_openapi",
    "prices": "prices:prices",
    "serve": "service:serve",
    "snapshot": "service:snapshot",
    "tokens": "service:tokens",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when asked for (click's documented lazy pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        command: click.Command = getattr(import_module(f".{module}", __name__), attribute)
        return command


@click.group(cls=LazyGroup)
@click.version_option(package_name="catalog")
def main() -> None:
    """The model-availability catalog: which models can be bought on which clouds, since when."""
