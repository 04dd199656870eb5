"""An import's report as a maintainer reads it (lines) and as a file keeps it (JSON)."""

from __future__ import annotations

from typing import Any

from .plan import Plan


def lines(plan: Plan) -> list[str]:
    """The report as lines a maintainer reads: every decision, then the counts."""
    report = plan.report
    lines = [f"added    {what}" for what in report.added]
    lines += [f"changed  {what}: {why}" for what, why in report.changed]
    lines += [f"kept     {what}: {why}" for what, why in report.kept]
    lines += [f"refused  {what}: {why}" for what, why in report.refused]
    added: dict[str, int] = {}
    for what in report.added:
        collection = what.split("/", 1)[0]
        added[collection] = added.get(collection, 0) + 1
    summary = ", ".join(f"{n} {c}" for c, n in added.items()) or "nothing"
    lines.append(
        f"{plan.source}: added {summary}; changed {len(report.changed)}, "
        f"kept {len(report.kept)}, refused {len(report.refused)}; "
        f"{len(plan.prices)} price records found"
    )
    return lines


def as_json(plan: Plan) -> dict[str, Any]:
    """The report and the plan's records and prices, as JSON-ready data."""
    return {
        "source": plan.source,
        "report": plan.report.as_dict(),
        "records": plan.records,
        "prices": plan.prices,
    }
