"""Asking a running catalog: the CI question (check), answered by exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import requests

from .. import client, instants

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
    except requests.RequestException as error:
        click.echo(f"error: cannot reach the catalog at {url}: {type(error).__name__}", err=True)
        raise SystemExit(2) from None


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


@click.command()
@click.argument("model")
@click.option("--cloud", required=True, help="The cloud's id, e.g. aws.")
@click.option("--region", help="The cloud's region id, e.g. us-east-1.")
@click.option("--at", "at", help="An instant or a date (default: now).")
@click.option("--exclusive", is_flag=True, help="Demand that the cloud holds exclusivity.")
@click.option(
    "--min-days", type=click.IntRange(0), help="Demand at least N days of exclusivity left."
)
@click.option("--json", "as_json", is_flag=True, help="Print the catalog's answer as JSON.")
@url_option
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
    with asking(url):
        answer = client.Client(url).availability(model, cloud, region=region, at=parse_at(at))
    holds, reason = verdict(answer, exclusive, min_days)
    if as_json:
        click.echo(json.dumps({"holds": holds, "reason": reason, **answer}, indent=2))
    else:
        click.echo(reason)
    raise SystemExit(0 if holds else 1)
