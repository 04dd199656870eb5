"""`catalog prices`: the procurement comparison of a running catalog, as an aligned table."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click
import requests

from . import client, instants
from .resources.prices import UNITS

HEADINGS = ("unit", "amount", "currency", "cloud", "region", "offering", "since", "exclusivity")


def dated(instant: str, certainty: str) -> str:
    """A date as the contract says it: with its certainty unless exact."""
    day = instants.short(instant)
    return day if certainty == "exact" else f"{day} ({certainty})"


def exclusivity(state: Mapping[str, Any]) -> str:
    """One cloud's exclusivity state in a few words."""
    if state["state"] == "none":
        return "-"
    until = (
        f" until {dated(state['ends_at'], state['ends_at_certainty'])}" if state["ends_at"] else ""
    )
    if state["state"] == "exclusive":
        return f"exclusive{until}"
    return f"excluded: {state['holder']} holds it{until}"


def table(items: Sequence[Mapping[str, Any]]) -> str:
    """The comparison as aligned columns, amounts right-aligned on their decimal point."""
    rows = [
        (
            item["unit"],
            item["amount"],
            item["currency"],
            item["cloud"],
            item["region"] or "all",
            item["offering"],
            dated(item["effective_from"], item["certainty"]),
            exclusivity(item["exclusivity"]),
        )
        for item in items
    ]
    whole = max([len(r[1].partition(".")[0]) for r in rows], default=0)
    places = max([len(r[1].partition(".")[2]) for r in rows], default=0)

    def aligned(text: str) -> str:
        head, dot, tail = text.partition(".")
        return head.rjust(whole) + (dot + tail).ljust(places + 1 if places else 0)

    rows = [(r[0], aligned(r[1]), *r[2:]) for r in rows]
    widths = [max(len(str(r[i])) for r in [HEADINGS, *rows]) for i in range(len(HEADINGS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [HEADINGS, *rows]
    )


@click.command()
@click.argument("model")
@click.option("--at", "at", help="An instant or a date (default: now).")
@click.option("--unit", type=click.Choice(UNITS), help="Only this unit.")
@click.option("--region", help="Only offerings in this region (the cloud's region id).")
@click.option("--json", "as_json", is_flag=True, help="Print the catalog's answer as JSON.")
@click.option(
    "--url",
    envvar="CATALOG_URL",
    default=client.DEFAULT_URL,
    show_default=True,
    help="The catalog to ask (or CATALOG_URL).",
)
def prices(
    model: str, at: str | None, unit: str | None, region: str | None, as_json: bool, url: str
) -> None:
    """Compare what MODEL costs on every cloud offering it at --at: cheapest first per unit
    and currency, with each cloud's exclusivity state (cheapest, and allowed there?).

    Exit 0 with the table (nothing priced: a note on standard error); 2: usage or connection
    error.

    Example: catalog prices claude-sonnet-4-5 --unit input-1m-tokens --at 2025-12-01
    """
    if at is not None:
        try:
            at = instants.parse(at)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--at") from None
    try:
        items = client.Client(url).prices(model, at=at, unit=unit, region=region)
    except client.CatalogError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(2) from None
    except requests.RequestException as error:
        click.echo(f"error: cannot reach the catalog at {url}: {type(error).__name__}", err=True)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps(items, indent=2))
    elif items:
        click.echo(table(items))
    else:
        click.echo(f"No prices in force for {model} at {at or 'now'}.", err=True)
