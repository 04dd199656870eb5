"""What every importer shares: the error for a source it cannot read, its reviewed mapping, and
prices as the catalog keeps them (decimal strings, never floats)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..storage import loading

Record = dict[str, Any]


class SourceError(Exception):
    """A source that cannot be imported; the message names the path, file or remote."""


def load_mapping(name: str, path: Path | None = None) -> dict[str, Any]:
    """A reviewed mapping shipped with the fixtures (`registry/<name>`), or the file at `path`."""
    path = path or loading.shipped_fixtures() / "registry" / name
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def decimal_amount(value: Any, scale: int = 1) -> str | None:
    """A registry's number (times `scale`) as a decimal string with at least two places
    ("3.00", "0.075"); None for what is not a price (a negative, a boolean, text)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    number = (Decimal(str(value)) * scale).normalize()
    if number.as_tuple().exponent > -2:  # type: ignore[operator]
        number = number.quantize(Decimal("0.01"))
    return format(number, "f")


def price_record(
    offering: str,
    region: str | None,
    unit: str,
    amount: str,
    day: str,
    source: str,
    origin: str,
) -> Record:
    """One imported price, in force on or before `day` (its id names all that makes it one)."""
    where = f"{region}:" if region else ""
    return {
        "id": f"{offering}:{where}{unit}:{day}",
        "offering": offering,
        "region": region,
        "unit": unit,
        "amount": amount,
        "currency": "USD",
        "effective_from": day,
        "effective_from_certainty": "on-or-before",
        "source": source,
        "origin": origin,
    }
