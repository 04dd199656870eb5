"""Who made the model a models.dev file lists, and which catalog model it is.

A file names its maker through its platform (a maker's own API), a platform's reviewed
prefixes, a folder or prefix in its id (a gateway's `maker/model`, Bedrock's `maker.model`, SAP's
`maker--model`), or not at all. A folder the reviewed mapping does not know names a new maker,
unless the mapping says it is not one (a router, a host's own namespace). The registry's
`base_model` link names the model unless the file's own name contradicts it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, NamedTuple

from . import identity
from .identity import Models
from .models_dev_files import File
from .plan import Report

# Words that make a model another one: a contradiction when the link and the name differ in one.
QUALIFIERS = {"preview", "customtools", "mini", "nano", "lite", "flash", "pro", "distill", "max"}


class Entry(NamedTuple):
    """One provider file, with who may name a new model from it (rank: who goes first)."""

    rank: int
    platform: str
    path: str
    name: str
    raw: str
    vendor: str | None
    maker: str | None
    why: str | None  # why no maker may name a model from it, when the mapping says


class Makers:
    """The makers the mapping knows, and the new ones the registry's folders name."""

    def __init__(self, mapping: dict[str, Any]) -> None:
        self.known: dict[str, str] = mapping["makers"]
        self.not_makers: dict[str, str] = mapping.get("not_makers", {})
        self.about: dict[str, dict[str, Any]] = mapping["providers"]
        self.spelled: dict[str, str] = {}  # a new maker's id -> its folder, as spelled

    def of(self, vendor: str, spelled: str) -> tuple[str | None, str | None]:
        """(the maker a folder or prefix names, or why it names none)."""
        if vendor in self.known:
            return self.known[vendor], None
        why = self.not_makers.get("~" if vendor.startswith("~") else vendor)
        if why is not None:
            return None, f"not a maker's folder: {why}"
        maker = identity.slug(vendor)
        self.spelled.setdefault(maker, spelled)
        return maker, None

    def record(self, maker: str) -> dict[str, Any]:
        """A provider record for a maker the catalog lacks."""
        about = self.about.get(maker, {})
        name = about.get("name") or self.spelled.get(maker, maker)
        return {"id": maker, "name": name, "website": about.get("website")}


def undecorated(name: str, raw: str, about: dict[str, Any]) -> tuple[str, str]:
    """The id without the platform's own reviewed decorations (`databricks-`, Venice's `e2ee-`
    and `-p`)."""
    strip = about.get("strip", {})
    for prefix in strip.get("prefixes", []):
        name, raw = name.removeprefix(prefix), raw.removeprefix(prefix)
    for suffix in strip.get("suffixes", []):
        name, raw = name.removesuffix(suffix), raw.removesuffix(suffix)
    return name, raw


def classify(
    files: dict[str, File], mapping: dict[str, Any], makers: Makers, report: Report
) -> list[Entry]:
    """The mapped platforms' files, the maker's own platform first, then ids that name their
    maker (a gateway's `maker/model`, Bedrock's `maker.model`, a platform's reviewed prefixes);
    the rest may only match. Unmapped platforms are reported, one line each."""
    platforms = mapping["platforms"]
    entries, unmapped = [], Counter[str]()
    for path in sorted(files):
        parts = path.split("/", 3)
        if len(parts) < 4 or parts[0] != "providers" or parts[2] != "models":
            continue
        if parts[1] not in platforms:
            unmapped[parts[1]] += 1
            continue
        about = platforms[parts[1]]
        name, raw, vendor = identity.strip(parts[1], parts[3].removesuffix(".toml"))
        name, raw = undecorated(name, raw, about)
        dotted = name.split(".", 1)
        if vendor is None and len(dotted) == 2 and dotted[0] in makers.known:
            vendor, name, raw = dotted[0], dotted[1], raw.split(".", 1)[1]  # `google.gemma-4`
        names = about.get("names", [])
        named = [n for n in ([names] if isinstance(names, dict) else names) if n["prefixes"]]
        named = [n for n in named if name.startswith(tuple(n["prefixes"]))]
        why = None
        if about["kind"] == "first-party":
            rank, maker = 0, about["provider"]
        elif named:  # Azure's `phi-4`, Model Studio's `qwen-max`
            rank, maker = named[0].get("rank", 1), named[0]["maker"]
        elif vendor is not None:
            folder = parts[3].rsplit("/", 1)[0].rsplit("/", 1)[-1]
            maker, why = makers.of(vendor, folder if folder.lower() == vendor else vendor)
            # Gateways spell ids as the maker publishes them; hosts, then Bedrock, less so.
            rank = {"gateway": 2, "hyperscaler": 4}.get(about["kind"], 3) if maker else 5
        else:
            rank, maker = 5, None
        entries.append(Entry(rank, parts[1], path, name, raw, vendor, maker, why))
    for platform, count in sorted(unmapped.items()):
        why = mapping["skipped"].get(platform, "not in the reviewed mapping")
        report.refused.append(
            (f"providers/{platform} ({count} files)", f"unmapped platform: {why}")
        )
    return sorted(entries)


SIZES = re.compile(r"(?<![a-z0-9])a?\d+(?:\.\d+)?[bkme](?![a-z0-9])|(?<!\d)\d{4}(?!\d)")


def version(text: str) -> str:
    """The version digits of an id or name, in order: no size (`70b`, `a3b`, `16e`), no date or
    four-digit code (`2507`), no hosting marker (`claude-sonnet-4-5-20250929`: "45"; Venice's
    `gpt-52`: "52"; `nemotron-3-nano-30b-a3b`: "3")."""
    plain = identity.plainest(identity.undated(text.lower().replace(" ", "-")))
    return re.sub(r"\D", "", SIZES.sub("", plain))


def words(text: str) -> set[str]:
    """The qualifier words of an id or name."""
    return set(re.split(r"[^a-z]+", text.lower())) & QUALIFIERS


def contradicts(linked: str, entry: Entry, content: dict[str, Any]) -> bool:
    """Whether the file's own id and name both say another model than its `base_model` link:
    the same family word, but a version that does not begin with the link's (Databricks'
    "Claude Sonnet 4" linked to Sonnet 4.5) or a qualifier one has and the other lacks
    (Snowflake's `gemini-3.1-pro` linked to the preview; Cloudflare's R1 distill linked to R1).
    A name without a version, or one that only adds to the link, agrees with it."""
    linked = identity.undated(linked.lower())
    family = re.match(r"[a-z]+", linked)
    named = str(content.get("name") or "").lower()
    own = [t for t in (entry.raw, named) if family and family.group(0) in t.replace(" ", "-")]
    if not own:
        return False  # a host's brand name (`house-blend`): the link is all there is
    said = version(linked)
    return all(
        bool(version(text)) and not version(text).startswith(said) or words(text) != words(linked)
        for text in own
    )


def model_of(entry: Entry, content: dict[str, Any], models: Models, report: Report) -> str | None:
    """The catalog model a file lists: its `base_model`, the crosswalk, its id, or a new one."""
    ref = content.get("base_model") or (content.get("extends") or {}).get("from")
    lab, _, linked = ref.partition("/") if isinstance(ref, str) else ("", "", "")
    model = models.find(linked) if lab in models.makers and linked else None
    if model is not None and contradicts(linked, entry, content):
        named = models.find(entry.name, entry.raw, entry.vendor)
        if named != model:
            why = f"base_model {ref!r} contradicts the file's own name: not {model}"
            report.kept.append((entry.path, why + (f", but {named}" if named else "")))
            model = named
    model = model or models.find(entry.name, entry.raw, entry.vendor)
    if (model is None or not models.has(model)) and entry.maker is not None:
        name = entry.name if entry.rank <= 1 else identity.plainest(entry.name)
        return models.define(name, entry.maker, content, model)
    return model if model is not None and models.has(model) else None
