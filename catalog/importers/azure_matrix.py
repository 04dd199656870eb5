"""Azure's model-by-region tables (`includes/model-matrix/*.md`): which file is which deployment
type, and how one is read.

Each table has a row per Azure region and a column per model and version (`**gpt-4o**,
**2024-11-20**`, or `**grok-3**` for every version), a cell ✅ where that deployment type serves
it there (`-` or empty where not). Azure's deployment types are two things at once: where the
data is processed (a region, a data zone, anywhere) and how it is bought (pay per token,
provisioned throughput, batch). The catalog's `deployment_type` says the first, since that is
what `geography` and the CI answer's "via" rely on: Global Standard, Global Provisioned and
Global Batch are `global`; Data Zone Standard, Provisioned and Batch are `data-zone` (the zone's
geography); Standard is `serverless` and (regional) Provisioned `provisioned`. The route id adds
how it is bought when that is not per token: `azure:o3:global-provisioned`,
`azure:gpt-4o:data-zone-eu-batch`, mirroring Azure's SKU names (GlobalProvisionedManaged,
DataZoneBatch). The older per-family Standard tables only add regions to the in-region
offerings the catalog has; they never make one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .azure_history import Version
from .azure_tables import ISO, clean, front_date
from .facts import SourceError

MATRIX = "articles/ai-foundry/openai/includes/model-matrix/"
FOUNDRY = "articles/ai-foundry/foundry-models/includes/model-matrix/"
PAGE = "ai-foundry/openai/concepts/models"
DIRECT = "ai-foundry/foundry-models/concepts/models-sold-directly-by-azure"
ANY = "any"  # a column or region list that names no version: every version's


@dataclass(frozen=True)
class Kind:
    """What a table is: the catalog's deployment type, Azure's name for it, how it is bought
    (a route-id suffix, "" for per token), whether it may make offerings (else it only adds
    regions to in-region ones), and the learn.microsoft.com page that shows it."""

    deployment_type: str
    label: str
    bought: str = ""
    makes: bool = True
    page: str = PAGE


def _standard(family: str) -> Kind:
    return Kind("serverless", f"Standard ({family})", makes=False)


TABLES = {
    MATRIX + "standard-global.md": Kind("global", "Global Standard"),
    MATRIX + "datazone-standard.md": Kind("data-zone", "Data Zone Standard"),
    MATRIX + "standard-models.md": Kind("serverless", "Standard"),
    MATRIX + "provisioned-models.md": Kind("provisioned", "Provisioned"),
    MATRIX + "provisioned-global.md": Kind("global", "Global Provisioned", "provisioned"),
    MATRIX + "datazone-provisioned-managed.md": Kind(
        "data-zone", "Data Zone Provisioned", "provisioned"
    ),
    MATRIX + "global-batch.md": Kind("global", "Global Batch", "batch"),
    MATRIX + "global-batch-datazone.md": Kind("data-zone", "Data Zone Batch", "batch"),
    MATRIX + "standard-chat-completions.md": _standard("chat completions"),
    MATRIX + "standard-completions.md": _standard("completions"),
    MATRIX + "standard-embeddings.md": _standard("embeddings"),
    MATRIX + "standard-image-generation.md": _standard("image generation"),
    MATRIX + "standard-audio.md": _standard("audio"),
    MATRIX + "standard-gpt-4.md": _standard("GPT-4"),
    MATRIX + "standard-gpt-35-turbo.md": _standard("GPT-35-Turbo"),
    FOUNDRY + "global-standard.md": Kind("global", "Global Standard", page=DIRECT),
    FOUNDRY + "data-zone-standard.md": Kind("data-zone", "Data Zone Standard", page=DIRECT),
    FOUNDRY + "global-provisioned-managed.md": Kind(
        "global", "Global Provisioned", "provisioned", page=DIRECT
    ),
}
COLUMN = re.compile(r"^\*\*([^*]+)\*\*(?:\s*,\s*\*\*([^*]+)\*\*)?$")
CELLS = {"✅": True, "-": False, "": False}


@dataclass
class Table:
    """One model-by-region table: its columns (name, version or ANY) and, per region, its
    row's line and the columns it serves."""

    path: str
    columns: list[tuple[str, str]]
    rows: dict[str, tuple[int, set[int]]]


def parse_matrix(path: str, text: str) -> Table:
    """The file's model-by-region table; SourceError naming the file and line otherwise."""
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        if not (line.strip().startswith("|") and re.match(r"^\|[\s:|-]+\|?$", lines[i + 1])):
            continue
        head = [c.strip() for c in line.strip().strip("|").split("|")]
        if clean(head[0]).lower() != "region":
            raise SourceError(f"{path}:{i + 1}: the table's columns changed: {head[0]!r}")
        columns = []
        for cell in head[1:]:
            found = COLUMN.match(cell)
            if not found:
                raise SourceError(f"{path}:{i + 1}: the table's columns changed: {cell!r}")
            columns.append((found.group(1).strip(), (found.group(2) or ANY).strip()))
        return Table(path, columns, _rows(path, lines, i + 2, len(columns)))
    raise SourceError(f"{path}: no model-by-region table found (the file's layout changed?)")


def _rows(path: str, lines: list[str], start: int, width: int) -> dict[str, tuple[int, set[int]]]:
    rows: dict[str, tuple[int, set[int]]] = {}
    for n in range(start, len(lines)):
        if not lines[n].strip().startswith("|"):
            break
        cells = [c.strip() for c in lines[n].strip().strip("|").split("|")]
        region = clean(cells[0])
        if len(cells) != width + 1 or not re.fullmatch(r"[a-z][a-z0-9]*", region):
            raise SourceError(f"{path}:{n + 1}: not a row of {width} models for a region")
        unknown = [c for c in cells[1:] if c not in CELLS]
        if unknown:
            raise SourceError(f"{path}:{n + 1}: a cell says {unknown[0]!r}, not ✅ or -")
        rows[region] = (n + 1, {j for j, c in enumerate(cells[1:]) if CELLS[c]})
    return rows


def version_day(version: Version, table: Table) -> str:
    """The day a version of a file speaks for: its commit's; without history its ms.date, or
    the newest model version its table names if later."""
    if version.commit:
        return version.day
    named = [v for _, v in table.columns if ISO.fullmatch(v)]
    return max([front_date(version.path, version.text), *named])
