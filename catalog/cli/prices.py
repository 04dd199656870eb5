"""`catalog prices`: the procurement comparison of a running catalog, as an aligned table."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

from .. import client
from ..core import comparison, instants
from ..core.instants import said as dated
from ..resources.prices import UNITS
from .ask import asking, parse_at, url_option


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


def lifecycle(life: Mapping[str, Any]) -> str:
    """An offering's lifecycle in a few words: deprecated, and its planned retirement."""
    parts = []
    if life["state"] == "deprecated":
        parts.append(f"DEPRECATED since {instants.short(life['deprecated_from'])}")
    if life["retires_at"]:
        when = dated(life["retires_at"], life["retires_at_certainty"])
        # said() words an announced date "planned for ...": the noun, not a tensed verb.
        planned = life["retires_at_certainty"] == "announced"
        parts.append(f"retirement {when}" if planned else f"retires {when}")
    if life.get("replacement"):
        parts.append(f"use {life['replacement']}")
    return ", ".join(parts) or "-"


# How a cell shows its field, where not as it is; the columns are the answer's own fields
# (comparison.ComparedPriceSchema), in its order, less those left out here.
SHOWN: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "unit": lambda item: item["unit"] or "-",
    "currency": lambda item: item["currency"] or "-",
    "region": lambda item: item["region"] or ("all" if item["amount"] is not None else "-"),
    "geography": lambda item: item["geography"] or "-",
    "effective_from": lambda item: (
        dated(item["effective_from"], item["certainty"]) if item["effective_from"] else "-"
    ),
    "exclusivity": lambda item: exclusivity(item["exclusivity"]),
    "lifecycle": lambda item: lifecycle(item["lifecycle"]),
}
LEFT_OUT = {"free", "deployment_type", "effective_until", "certainty", "source", "price"}


def _aligned(amounts: list[str]) -> list[str]:
    """Amounts aligned on their decimal point."""
    whole = max([len(a.partition(".")[0]) for a in amounts], default=0)
    places = max([len(a.partition(".")[2]) for a in amounts], default=0)
    width = places + 1 if places else 0
    return [a.partition(".")[0].rjust(whole) + "".join(a.partition(".")[1:]).ljust(width)
            for a in amounts]  # fmt: skip


def table(items: Sequence[Mapping[str, Any]]) -> str:
    """The comparison as aligned columns, amounts right-aligned on their decimal point; a free
    tier marked `free`, an offering with no price known `no price`, a deprecated one
    `DEPRECATED`."""
    columns = [n for n in comparison.ComparedPriceSchema().fields if n not in LEFT_OUT]
    cells = {
        name: [SHOWN[name](i) if name in SHOWN else str(i[name]) for i in items] for name in columns
    }
    # Amounts aligned on the point; a free tier says so, an offering with no price known too.
    aligned = iter(_aligned([i["amount"] for i in items if i["amount"] is not None]))
    cells["amount"] = [
        "no price" if i["amount"] is None else next(aligned) + (" free" if i["free"] else "")
        for i in items
    ]
    widths = {name: max([len(name), *(len(c) for c in cells[name])]) for name in columns}
    lines = ["  ".join(name.ljust(widths[name]) for name in columns).rstrip()]
    for row in range(len(items)):
        lines.append("  ".join(cells[n][row].ljust(widths[n]) for n in columns).rstrip())
    return "\n".join(lines)


@click.command()
@click.argument("model")
@click.option("--at", "at", help="An instant or a date (default: now).")
@click.option("--unit", type=click.Choice(UNITS), help="Only this unit.")
@click.option("--region", help="Only offerings in this region (the cloud's region id).")
@click.option(
    "--geography",
    help="Only offerings whose data stays in this geography (US, EU, ...): a data-zone route "
    "of it, or a region of it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the catalog's answer as JSON.")
@click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help="Print the catalog's CSV: a row per offering and price region, a column per unit.",
)
@url_option
def prices(
    model: str,
    at: str | None,
    unit: str | None,
    region: str | None,
    geography: str | None,
    as_json: bool,
    as_csv: bool,
    url: str,
) -> None:
    """Compare what MODEL costs on every cloud offering it at --at: cheapest paid price first
    per unit and currency (a free tier marked `free`, after them), then the offerings with no
    price known (`no price`), with each cloud's exclusivity state (cheapest, and allowed
    there?) and each offering's lifecycle (`DEPRECATED`, a planned retirement).

    Exit 0 with the table (nothing priced: a note on standard error); 2: usage or connection
    error.

    Example: catalog prices claude-sonnet-4-5 --unit input-1m-tokens --at 2025-12-01
    (the cheapest EU route: add --geography EU)
    """
    if as_csv:
        with asking(url):
            text = client.Client(url).prices_csv(
                model, at=parse_at(at), unit=unit, region=region, geography=geography
            )
        click.echo(text, nl=False)
        return
    with asking(url):
        items = client.Client(url).prices(
            model, at=parse_at(at), unit=unit, region=region, geography=geography
        )
    if as_json:
        click.echo(json.dumps(items, indent=2))
    elif items:
        click.echo(table(items))
    else:
        click.echo(f"No prices in force for {model} at {at or 'now'}.", err=True)
