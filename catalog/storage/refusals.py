"""What the store refuses, and why: each names what the write conflicts with. errors.py answers
them as 409 problems; the loader and the importers report them with the record's location."""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]


class Refused(Exception):
    """A write the catalog will not take; says what it conflicts with."""

    problem = "conflict"
    status = 409

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None,
                 extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None
                 ) -> None:  # fmt: skip
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra or {}
        self.headers = headers or {}


class BrokenReference(Refused):
    problem = "broken-reference"


class AlreadyExists(Refused):
    problem = "already-exists"


class StillReferenced(Refused):
    problem = "still-referenced"


def describe(offering: Record, window: Record) -> str:
    """The exclusivity rule broken, in words: the one wording of the API's 409, the loader's
    and the importers' reports."""
    until = window["ends_at"] or "further notice"
    return (
        f"offering {offering['id']!r} ({offering['model']} on {offering['cloud']} from "
        f"{offering['available_from']}) contradicts exclusivity window {window['id']!r}: "
        f"{window['holder']} holds {window['model'] or window['provider']} from "
        f"{window['starts_at']} until {until}"
    )


class AliasTaken(Refused):
    problem = "alias-taken"


class Contradiction(Refused):
    problem = "exclusivity-conflict"

    def __init__(self, pairs: list[tuple[Record, Record]]) -> None:
        text = describe(*pairs[0])
        super().__init__(
            f"{text[0].upper()}{text[1:]}.",
            extra={
                "conflicts": [
                    {"offering": o["id"], "exclusivity_window": w["id"]} for o, w in pairs[:20]
                ]
            },
        )
        self.pairs = pairs


class Overlap(Refused):
    problem = "price-overlap"

    def __init__(self, price: Record, other: Record) -> None:
        until = other["effective_until"] or "further notice"
        super().__init__(
            f"Price {price['id']!r} overlaps price {other['id']!r} of the same offering, region, "
            f"unit and currency (in force from {other['effective_from']} until {until}); "
            "give an effective_until, or change that price first.",
            extra={"conflicts_with": other["id"]},
        )


class WindowOverlap(Refused):
    problem = "window-overlap"

    def __init__(self, window: Record, other: Record) -> None:
        until = other["ends_at"] or "further notice"
        super().__init__(
            f"Exclusivity window {window['id']!r} overlaps window {other['id']!r} "
            f"({other['kind']}, held by {other['holder']} from {other['starts_at']} until "
            f"{until}) on the same subject and scope; end one before the other starts.",
            extra={"conflicts_with": other["id"]},
        )


class NothingToExclude(Refused):
    """A window that would bar no cloud at all: not a window (a 422 naming the field)."""

    problem = "unprocessable"
    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            f"The exclusivity window breaks a rule: {field}: {message}",
            errors={field: [message]},
        )


class AfterRetirement(Refused):
    """A price in force after its offering retired: an offering's prices end no later than its
    retirement (a retirement written later ends them itself; a price given is not cut)."""

    problem = "price-after-retirement"

    def __init__(self, price: Record, field: str, message: str) -> None:
        super().__init__(
            f"Price {price['id']!r} {message} Give an effective_until no later than the "
            "retirement, or change the offering's retired_from first.",
            errors={field: [message]},
            extra={"offering": price["offering"]},
        )
