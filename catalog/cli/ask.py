"""Asking a running catalog: the CI question (check), answered by exit code.

This module is all `catalog check` imports (with catalog.client and catalog.core.verdicts): no web
framework and no requests, so a CI job's check starts fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import click

from .. import client
from ..core import instants, verdicts

# Every command that asks a running catalog takes the same --url.
url_option = click.option(
    "--url",
    envvar="CATALOG_URL",
    default=client.DEFAULT_URL,
    show_default=True,
    help="The catalog to ask (or CATALOG_URL).",
)


def parse_at(at: str | None) -> str | None:
    """--at as an instant; a usage error (exit 2) naming --at if it is none."""
    if at is None:
        return None
    try:
        return instants.parse(at)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--at") from None


@contextmanager
def asking(url: str) -> Iterator[None]:
    """A call to a running catalog: its refusal or silence is one line and exit 2."""
    try:
        yield
    except client.CatalogError as error:
        suggestions = error.problem.get("suggestions") or []
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        click.echo(f"error: {error}{hint}", err=True)
        raise SystemExit(2) from None
    except OSError as error:  # the standard library's and requests' failures alike
        cause = getattr(error, "reason", None)
        named = type(cause if isinstance(cause, BaseException) else error).__name__
        click.echo(f"error: cannot reach the catalog at {url}: {named}", err=True)
        raise SystemExit(2) from None


def read_pairs(lines: TextIO) -> list[tuple[str, ...]]:
    """The pairs of a --file: `MODEL CLOUD [REGION]` a line; blank lines and # comments skipped.
    A usage error (exit 2) names the first line that is none of these."""
    pairs = []
    for number, line in enumerate(lines, 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) not in (2, 3):
            raise click.BadParameter(
                f"line {number}: expected MODEL CLOUD [REGION], got {line.strip()!r}",
                param_hint="--file",
            )
        pairs.append(tuple(words))
    if not pairs:
        raise click.BadParameter("no MODEL CLOUD [REGION] line in it", param_hint="--file")
    return pairs


@click.command()
@click.argument("model", required=False)
@click.option("--cloud", help="The cloud's id, e.g. aws.")
@click.option("--region", help="The cloud's region id, e.g. us-east-1.")
@click.option("--at", "at", help="An instant or a date (default: now).")
@click.option("--exclusive", is_flag=True, help="Demand that the cloud holds exclusivity.")
@click.option(
    "--min-days", type=click.IntRange(0), help="Demand at least N days of exclusivity left."
)
@click.option(
    "--retires-within",
    type=click.IntRange(0),
    metavar="DAYS",
    help="Also fail when the retirement (announced, not-before or happened) comes within DAYS "
    "days of --at.",
)
@click.option(
    "--file",
    "pairs_file",
    type=click.File("r"),
    metavar="PAIRS",
    help="Check every line MODEL CLOUD [REGION] of PAIRS (- for standard input) in one request.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the catalog's answer as JSON.")
@url_option
def check(
    model: str | None,
    cloud: str | None,
    region: str | None,
    at: str | None,
    exclusive: bool,
    min_days: int | None,
    retires_within: int | None,
    pairs_file: TextIO | None,
    as_json: bool,
    url: str,
) -> None:
    """Ask a running catalog one CI question; the exit code is the answer.

    Exit 0: the condition holds; 1: it does not (one line says why); 2: usage or connection error.
    Without --exclusive, --min-days or --retires-within the condition is "available"; a line
    warns when the model is deprecated there. With --file, one line per pair and exit 0 only when
    every pair holds.

    Example: catalog check gpt-4o --cloud aws --region us-east-1 || echo "not on AWS yet"
    """
    instant = parse_at(at)
    if pairs_file is not None:
        if model or cloud or region:
            raise click.UsageError("Give MODEL --cloud [--region] or --file PAIRS, not both.")
        pairs = read_pairs(pairs_file)
        with asking(url):
            items = client.Client(url).checks(pairs, instant, exclusive, min_days, retires_within)
        if as_json:
            click.echo(json.dumps({"items": items}, indent=2))
        else:
            for item in items:  # the catalog's reason, or the line saying what holds
                ok_line = verdicts.verdict(item, exclusive, min_days, retires_within)[1]
                click.echo(item["reason"] or ok_line)
        raise SystemExit(0 if all(item["ok"] for item in items) else 1)
    if not model or not cloud:
        raise click.UsageError("Give MODEL and --cloud CLOUD (or --file PAIRS).")
    with asking(url):
        answer = client.Client(url).availability(model, cloud, region=region, at=instant)
    holds, reason = verdicts.verdict(answer, exclusive, min_days, retires_within)
    if as_json:
        click.echo(json.dumps({"holds": holds, "reason": reason, **answer}, indent=2))
    else:
        click.echo(reason)
    raise SystemExit(0 if holds else 1)
