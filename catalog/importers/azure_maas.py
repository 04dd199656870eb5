"""Where Azure serves the models it sells as serverless APIs (Models as a Service): the region
list of `articles/ai-foundry/includes/region-availability-maas.md`.

One table per maker: a row names one or more models (`<br>`-separated) and the "Hub/Project
Region for Deployment" as display names ("East US 2", also "EastUS2"), which are the ARM region
ids without spaces. A table whose deployment column carries a footnote saying the models use
the Global Standard deployment type (Anthropic's) gives `global` routes; every other table gives
the in-region (serverless) offerings their regions. A name the catalog does not know is
reported; a changed table is a SourceError naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .azure_history import Version, source_of, versions
from .azure_tables import clean, front_date
from .facts import SourceError

MAAS = "articles/ai-foundry/includes/region-availability-maas.md"
PAGE = "ai-foundry/how-to/deploy-models-serverless-availability"
COLUMNS = (
    "model",
    "offer availability region",
    "hub/project region for deployment",
    "hub/project region for fine tuning",
)


@dataclass
class Listed:
    """One row: its line, the model names, the deployment regions (ids), and whether the
    table's models use the Global Standard deployment type."""

    line: int
    names: list[str]
    regions: list[str]
    global_route: bool


def _cells(line: str) -> list[str]:
    text = line.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") else text
    return [c.strip() for c in text.split("|")]


def parse_maas(path: str, text: str) -> list[Listed]:
    """Every row of the file's tables; SourceError naming the file and line otherwise."""
    lines = text.splitlines()
    found: list[Listed] = []
    i = 0
    while i < len(lines) - 1:
        if "|" not in lines[i] or not re.match(r"^\|?[\s:|-]+\|?$", lines[i + 1].strip()):
            i += 1
            continue
        head = _cells(lines[i])
        key = tuple(re.sub(r"<sup>.*?</sup>", "", clean(c)).strip().lower() for c in head)
        if key != COLUMNS:
            raise SourceError(f"{path}:{i + 1}: the table's columns changed: {' | '.join(key)}")
        rows, i = [], i + 2
        while i < len(lines) and "|" in lines[i]:
            cells = _cells(lines[i])
            if len(cells) != len(COLUMNS):
                raise SourceError(f"{path}:{i + 1}: {len(cells)} cells, not {len(COLUMNS)}")
            names = [clean(n) for n in re.split(r"<br\s*/?>", cells[0]) if clean(n)]
            shown = [clean(r) for r in re.split(r"<br\s*/?>", cells[2]) if clean(r)]
            rows.append((i + 1, names, [re.sub(r"\s+", "", r).lower() for r in shown]))
            i += 1
        note = next((ln for ln in lines[i:] if ln.startswith(("<sup>1</sup>", "###"))), "")
        zoned = "<sup>1</sup>" in head[2] and "Global Standard" in note and note[:3] != "###"
        found += [Listed(n, names, regions, zoned) for n, names, regions in rows]
    if not found:
        raise SourceError(f"{path}: no region table found (the file's layout changed?)")
    return found


def key(name: str) -> str:
    """A name as compared: lower case, letters and digits only, `+` as plus, `(preview)` out."""
    text = re.sub(r"\(preview\)", "", name.lower()).replace("+", "plus")
    return re.sub(r"[^a-z0-9]", "", text)


def candidates(name: str) -> list[str]:
    """The keys a listed name may match: as written; with a (25.05) version as the model's
    number (`Mistral Medium 3 (25.05)` is mistral-medium-2505); without its maker's word."""
    found = [key(name)]
    dotted = re.match(r"^(.*?)\s*\d*\s*\((\d+)\.(\d+)\)\s*$", name)
    if dotted:
        found.append(key(f"{dotted.group(1)} {dotted.group(2)}{dotted.group(3)}"))
    words = name.split(maxsplit=1)
    if len(words) == 2:
        found.append(key(words[1]))
    return list(dict.fromkeys(found))


def version_day(version: Version) -> str:
    """The day a version speaks for: its commit's, or its ms.date."""
    return version.day if version.commit else front_date(version.path, version.text)


def read_maas(checkout: Path) -> Iterable[tuple[Listed, str, str, str]]:
    """Each row of the newest version with (day, source) of the oldest version that listed
    its first model, and where it is."""
    history = versions(checkout, {MAAS: PAGE})[MAAS]
    head = history[-1]
    older = []
    for version in history[:-1]:
        try:
            older.append(
                (version, {key(n) for r in parse_maas(MAAS, version.text) for n in r.names})
            )
        except SourceError:
            continue  # an old layout: it dates nothing
    for row in parse_maas(MAAS, head.text):
        first = next((v for v, names in older if key(row.names[0]) in names), head)
        yield row, version_day(first), source_of(first), f"{MAAS}:{row.line}"


def maas_routes(
    checkout: Path,
    records: dict[str, dict[str, Any]],
    names: dict[str, str],
    regions: dict[str, str],
    refused: list[tuple[str, str]],
) -> list[tuple[str, str, str, list[str], tuple[str, str]]]:
    """(model, deployment type, Azure's name, regions, (day, source)) of each listed model the
    catalog knows (by its azure offerings' ids and models, or its model names); a region the
    import cannot name, or a model it does not know, is refused."""
    known = {key(n): i for n, i in names.items()}
    for record in records.values():
        known[key(record["cloud_model_id"])] = known[key(record["model"])] = record["model"]
    found = []
    for row, day, source, where in read_maas(checkout):
        unknown = [r for r in row.regions if r not in regions]
        for region in unknown:
            refused.append((where, f"region {region!r}: not in the catalog, and no geography"))
        served = [r for r in row.regions if r in regions]
        route = "global" if row.global_route else "serverless"
        for name in row.names:
            model = next((known[k] for k in candidates(name) if k in known), None)
            if model is None:
                refused.append((where, f"{name}: not a catalog model"))
            elif served:
                found.append((model, route, name, served, (day, source)))
    return found
