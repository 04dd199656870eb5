"""Imports from the public model registries, declared once each in `IMPORTERS`.

Each importer is one module with a plan function (pure: it reads its source into a `plan.Plan`
and writes nothing); `plan.write_plan` applies a plan through the same store as the API, in one
transaction. `catalog import <name>` is generated from each entry (cli/data.py), with the shared
`--dry-run` and `--report`. Adding an importer: its module, one entry below, its origin word in
`fields.ORIGINS`, and its mapping file in fixtures/registry/ if it has one.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..declarations import fields


@dataclass(frozen=True)
class Importer:
    """One registry: the origin its facts carry, its reviewed mapping file (in
    fixtures/registry/), its own command-line parameters (named as its plan function's keyword
    arguments), the plan function as "module:function", and the command's help."""

    origin: str
    mapping: str | None
    arguments: tuple[click.Parameter, ...]
    plan: str
    help: str

    def __post_init__(self) -> None:
        if self.origin not in fields.ORIGINS:
            raise ValueError(f"origin {self.origin!r} is not in fields.ORIGINS")

    def planner(self) -> Callable[..., Any]:
        """The plan function, imported on first use (the CLI starts without the importers).

        It is called as plan(conn, **arguments, mapping=, progress=) and returns a Plan;
        `progress(total)` gives the function to call with each step done, or is None."""
        module, _, function = self.plan.partition(":")
        found: Callable[..., Any] = getattr(importlib.import_module(module), function)
        return found


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise click.BadParameter("expected YYYY-MM-DD")
    return value


IMPORTERS: dict[str, Importer] = {
    "models-dev": Importer(
        origin="models.dev",
        mapping="models-dev-platforms.json",
        arguments=(
            click.Argument(["source"], metavar="PATH_OR_URL"),
            click.Option(["--rev"], default="HEAD", show_default=True, help="The commit to read."),
        ),
        plan="catalog.importers.models_dev:plan_import",
        help="""Import models.dev from a git checkout or URL: offerings dated by the commit that
        first listed them, ended by the commit that deleted the last file behind them.

        A URL is cloned once into the cache folder (CATALOG_REGISTRY_CACHE) and fetched on
        each run, so a scheduled job imports what is new. Prints what it added, changed, kept
        (the catalog's curated facts take precedence) and refused. Exit 2, with nothing
        written, on a folder that is not a models.dev checkout, a malformed file, or a remote
        git cannot fetch (git's message is shown).

        Example: catalog import models-dev https://github.com/anomalyco/models.dev
        """,
    ),
    "litellm": Importer(
        origin="litellm",
        mapping="litellm-providers.json",
        arguments=(
            click.Argument(["file"], type=click.Path(dir_okay=False, path_type=Path)),
            click.Option(
                ["--date", "day"],
                callback=_day,
                help="The UTC day the map was read (YYYY-MM-DD, default today): its prices "
                "hold on or before.",
            ),
            click.Option(
                ["--source"],
                default=None,
                help="The URL a reader can open for this copy of the map (default: the file "
                "on GitHub).",
            ),
        ),
        plan="catalog.importers.litellm:plan_import",
        help="""Import LiteLLM's model map: announced deprecations, regions and prices of known
        offerings.

        The map has no availability dates, so it adds to offerings the catalog has and never
        makes new ones. Exit 2 on a file that is not the map.

        Example: catalog import litellm model_prices_and_context_window.json --date 2026-12-01
        """,
    ),
    "azure-docs": Importer(
        origin="azure-docs",
        mapping="azure-regions.json",
        arguments=(click.Argument(["path"], type=click.Path(file_okay=False, path_type=Path)),),
        plan="catalog.importers.azure_docs:plan_import",
        help="""Import Azure's model lifecycle and model-by-region tables (a
        MicrosoftDocs/azure-ai-docs checkout).

        Where: each deployment type's table (Global and Data Zone Standard, Provisioned and
        Batch; Standard; Provisioned) gives a model its route offering (azure:MODEL:global,
        ...:global-provisioned, ...:data-zone-eu-batch, ...:provisioned) with the regions
        listed; Standard's go to the in-region offerings. A region the catalog lacks is added
        only with a geography from fixtures/registry/azure-regions.json, else its row is
        refused and reported.

        Deprecation and retirement dates and the suggested replacement of the offerings the
        catalog has on azure: "No earlier than" is not-before, a date still ahead when the file
        said it is announced; dated by the commit that first showed it (or the file's ms.date).
        Exit 2 on a checkout without the files, a table whose columns changed, or a file with
        no readable row; a single unreadable row is refused and reported.

        Example: catalog import azure-docs ~/src/azure-ai-docs --dry-run
        """,
    ),
    "vendor-lifecycle": Importer(
        origin="curated",
        mapping="vendor-lifecycle.json",
        arguments=(),
        plan="catalog.importers.vendor_lifecycle:plan_import",
        help="""Apply the vendors' lifecycle facts curated by hand to the catalog's offerings.

        The facts (fixtures/registry/vendor-lifecycle.json) come from Bedrock's, Google's,
        Anthropic's, OpenAI's and Mistral's pages, each with its URL and certainty. Run it after
        a registry import rebuilt the imported offerings; run twice, it changes nothing.

        Example: catalog import vendor-lifecycle --dry-run
        """,
    ),
    "cloud-regions": Importer(
        origin="curated",
        mapping=None,
        arguments=(
            click.Option(
                ["--file"],
                type=click.Path(dir_okay=False, path_type=Path),
                help="The curated file to read (default: fixtures/registry/cloud-regions.json).",
            ),
        ),
        plan="catalog.importers.cloud_regions:plan_import",
        help="""Apply the clouds' own region tables, curated by hand, to the catalog's offerings.

        Bedrock's models-by-region and inference-profile tables and Vertex AI's generative-AI
        locations, each table with its URL and the day it was read: the regions each offering
        is served in (named by the id the cloud's bill shows). A region the catalog lacks is
        added with its display name and geography; one without a geography, or a row naming no
        offering, is refused and reported. Exit 2, naming the file and the record, on a file
        that is not JSON or a table or row not shaped as the file's own description says. Run it
        after a registry import rebuilt the imported offerings; run twice, it changes nothing.

        Example: catalog import cloud-regions --dry-run
        """,
    ),
}


def origin(name: str) -> str:
    """The origin word the importer `name` marks its facts with."""
    return IMPORTERS[name].origin
