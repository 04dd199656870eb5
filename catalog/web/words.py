"""How the pages say things: each cell's tip and link, sources (dates: instants.said)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core.instants import said
from .matrix import Cell


def _offering_span(offering: Mapping[str, Any]) -> str:
    text = f"{offering['deployment_type']} from " + said(
        offering["available_from"], offering["available_from_certainty"]
    )
    if offering["retired_from"]:
        text += ", retired " + said(offering["retired_from"], offering["retired_from_certainty"])
    elif offering["deprecated_from"]:
        text += ", deprecated " + said(
            offering["deprecated_from"], offering["deprecated_from_certainty"]
        )
    return text


def _window(exclusivity: Mapping[str, Any], clouds: Mapping[str, Mapping[str, Any]]) -> str:
    holder = clouds[exclusivity["holder"]]["name"] if exclusivity["holder"] in clouds else ""
    until = (
        "until " + said(exclusivity["ends_at"], exclusivity["ends_at_certainty"])
        if exclusivity["ends_at"]
        else "with no end known"
    )
    what = "exclusivity"
    if exclusivity.get("kind") == "first-ship":  # a model's span under a first-ship clause
        what = f"first-ship exclusivity (window {exclusivity['window']})"
    return f"{holder or exclusivity['holder']} holds {what} ({exclusivity['scope']}) {until}"


def cell_tip(cell: Cell, cloud_name: str, clouds: Mapping[str, Mapping[str, Any]]) -> str:
    """What a cell says on hover and to screen readers: its state, dates and certainty."""
    parts: list[str] = []
    if cell.state in ("exclusive", "available"):
        parts.append(f"{cell.state.capitalize()} on {cloud_name}: ")
        parts.append("; ".join(_offering_span(o) for o in cell.offerings))
    elif cell.state == "excluded":
        parts.append(f"Excluded from {cloud_name}: {_window(cell.exclusivity, clouds)}")
    else:
        parts.append(f"Not offered on {cloud_name} then")
    if cell.state == "exclusive":
        parts.append(f". {_window(cell.exclusivity, clouds)}")
    if cell.others:
        parts.append(". Other offerings: " + "; ".join(_offering_span(o) for o in cell.others))
    return "".join(parts)


def cell_href(cell: Cell, day: str) -> str | None:
    """Where a cell's facts are shown with their sources (None: there are none)."""
    # Ids are slugs ([a-z0-9._:-]): safe in a URL as they are.
    base = f"/models/{cell.model}?at={day}"
    if cell.offerings or cell.others:
        return f"{base}#on-{cell.cloud}"
    if cell.state == "excluded":
        return f"{base}#window-{cell.exclusivity['window']}"
    return None


def sources(
    offerings: Iterable[Mapping[str, Any]], windows: Iterable[Mapping[str, Any]]
) -> list[tuple[str, list[str]]]:
    """Every source URL once, with what it supports."""
    found: dict[str, list[str]] = {}
    for offering in offerings:
        for name in ("available_from", "deprecated_from", "retired_from"):
            url = offering[f"{name}_source"]
            if url:
                found.setdefault(url, []).append(f"{offering['id']}: {name.replace('_', ' ')}")
    for window in windows:
        for name in ("starts_at", "ends_at"):
            url = window[f"{name}_source"]
            if url:
                found.setdefault(url, []).append(f"window {window['id']}: {name.replace('_', ' ')}")
    return sorted(found.items())
