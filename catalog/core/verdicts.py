"""The CI condition: whether a CI answer holds, and the one line that says why.

Shared by `catalog check` (on one answer) and GET /v1/checks (on each pair), so a line reads the
same however it was asked. Plain functions over the answer's JSON: no web framework here, since
`catalog check` imports this and must start fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from . import instants

Answer = Mapping[str, Any]
UNKNOWN: Answer = {"state": None}  # an answer without a lifecycle (a catalog older than this)


def _lifecycle(answer: Answer) -> Answer:
    found: Answer = answer.get("lifecycle") or UNKNOWN
    return found


def dated(instant: str, certainty: str | None, aside: str | None = None) -> str:
    """A lifecycle date after a verb, its certainty always shown: "on 2025-04-15 (exact)", "on
    2026-06-01 (announced; 42 days)", "in 2025-04 (month)", else as instants.said words it
    ("no earlier than 2027-01-01 (not-before)", "no later than ... (on-or-before)")."""
    if certainty in (None, "exact", "announced"):
        # said() words an announced date "planned for", which reads wrong once it has passed.
        notes = "; ".join(n for n in (certainty or "exact", aside) if n)
        return f"on {instants.short(instant)} ({notes})"
    said = instants.said(instant, certainty, aside)
    return f"in {said}" if certainty == "month" else said


def days_between(start: str, end: str) -> int:
    """Whole days from `start` to `end` (negative when `end` is earlier)."""
    delta = instants.to_datetime(end) - instants.to_datetime(start)
    return delta.days if delta >= timedelta(0) else -((-delta).days)


def retirement(lifecycle: Answer, at: str) -> str:
    """The retirement of the offering an answer is about, in words ("" when none is known)."""
    retires = lifecycle.get("retires_at")
    if not retires:
        return ""
    certainty = lifecycle.get("retires_at_certainty")
    if lifecycle.get("state") == "retired":
        return f"retired {dated(retires, certainty)}"
    days = days_between(at, retires)
    aside = f"{days} days" if days >= 0 else f"{-days} days ago"
    return f"retires {dated(retires, certainty, aside)}"


def suggestion(answer: Answer) -> str:
    """ "; Azure suggests mistral-medium-2505" where the vendor names a replacement."""
    replacement = _lifecycle(answer).get("replacement")
    if not replacement:
        return ""
    return f"; {answer.get('cloud_name') or answer['cloud']} suggests {replacement}"


def retires_within(answer: Answer, days: int) -> bool:
    """Whether the answer's retirement (announced, not-before or happened) comes before `at`
    plus `days` days."""
    retires = _lifecycle(answer).get("retires_at")
    if not retires:
        return False
    horizon = instants.to_datetime(answer["at"]) + timedelta(days=days)
    return instants.to_datetime(retires) < horizon


def _not_available(answer: Answer, subject: str) -> str:
    lifecycle, state = _lifecycle(answer), answer["exclusivity"]
    if lifecycle.get("state") == "retired":
        return f"{subject}: {retirement(lifecycle, answer['at'])}{suggestion(answer)}"
    if state["state"] == "excluded":
        return f"{subject}: {state['holder_name']} holds {_held(state)} {_until(state)}"
    unknown = answer.get("regions_unknown")
    if unknown:  # not a "no": the catalog cannot tell
        more = f" and {len(unknown) - 1} more of its offerings" if len(unknown) > 1 else ""
        said = f"the regions of {unknown[0]}{more} are unknown"
        return f"{subject}: not known to be offered there: {said}"
    return f"{subject}: not offered there"


def _held(state: Answer) -> str:
    """What the window gives its holder: exclusivity, or a model's span under a first-ship
    clause (named, so a reader can look it up)."""
    if state.get("kind") == "first-ship":
        return f"first-ship exclusivity (window {state['window']})"
    return "exclusivity"


def _until(state: Answer) -> str:
    ends, days = state.get("ends_at"), state.get("days_remaining")
    if not ends:
        return "until further notice"
    return f"until {instants.said(ends, state.get('ends_at_certainty'), f'{days} days')}"


def _notes(answer: Answer) -> str:
    """What an available answer adds: a deprecation (a warning), a known retirement, a
    replacement."""
    lifecycle = _lifecycle(answer)
    notes = []
    if lifecycle.get("state") == "deprecated":
        since = dated(lifecycle["deprecated_from"], lifecycle.get("deprecated_from_certainty"))
        since = since.removeprefix("on ").removeprefix("in ")
        notes.append(f"warning: deprecated since {since}")
    if lifecycle.get("retires_at"):
        notes.append(retirement(lifecycle, answer["at"]))
    if not notes:
        return ""
    return "; " + ", ".join(notes) + suggestion(answer)


def _routes(answer: Answer) -> str:
    """Which routes serve the asked region ("via data-zone EU, global"): a buyer with data
    residency rules must know whether the region is where the model runs or only an entry point."""
    if not answer["region"]:
        return ""
    routes = sorted(
        {
            " ".join(filter(None, (o["deployment_type"], o.get("geography"))))
            for o in answer.get("offerings") or ()
        }
    )
    return f" via {', '.join(routes)}" if routes else ""


def verdict(
    answer: Answer,
    exclusive: bool = False,
    min_days: int | None = None,
    within: int | None = None,
) -> tuple[bool, str]:
    """Whether the CI condition holds for a CI answer, and one line saying why.

    Available is always demanded; `exclusive` demands state exclusive, `min_days` at least that
    many days of it left, `within` no retirement before `at` plus that many days.
    """
    model, cloud = answer["model"], answer["cloud"]
    where = f"{cloud} ({answer['region']})" if answer["region"] else cloud
    day = instants.short(answer["at"])
    state = answer["exclusivity"]
    if not answer["available"]:
        return False, _not_available(answer, f"{model} is not available on {where} at {day}")
    if (exclusive or min_days is not None) and state["state"] != "exclusive":
        return False, f"{model} is available on {where} at {day}, but not exclusively"
    if min_days is not None and state.get("ends_at") and state["days_remaining"] < min_days:
        return False, (
            f"{model} is exclusive on {where} at {day} {_until(state)}: "
            f"fewer than {min_days} days left"
        )
    if within is not None and retires_within(answer, within):
        lifecycle = _lifecycle(answer)
        return False, (
            f"{model} is available on {where} at {day}, but "
            f"{retirement(lifecycle, answer['at'])}: within {within} days{suggestion(answer)}"
        )
    said = f"{model} is available on {where} at {day}" + _routes(answer)
    if state["state"] == "exclusive":
        held = _held(state)
        said += (
            f", exclusively {_until(state)}"
            if held == "exclusivity"
            else f", {held} {_until(state)}"
        )
    return True, said + _notes(answer)
