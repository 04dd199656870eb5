"""Which catalog model a registry's model id names: prefixes and suffixes off, then a key.

Clouds decorate a maker's id (Bedrock's `us.anthropic.claude-sonnet-4-5-20250929-v1:0`, Vertex's
`claude-sonnet-4-5@20250929`, a gateway's `anthropic/claude-sonnet-4.5`); `strip` takes the
decoration off and `key` compares what is left without punctuation or a snapshot date.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

GEO_PREFIX = re.compile(r"^(us|eu|apac|au|jp|ca|global|us-gov)\.")
VENDOR_PREFIX = re.compile(r"^([a-z0-9-]+)\.(?=[a-z])")
VERSION_SUFFIX = re.compile(r"(-v?\d+:\d+|-v\d+|:\d+)$")
VARIANT_SUFFIX = re.compile(r"(@[a-z0-9-]+|:[a-z][a-z0-9-]*)$")
FIREWORKS_DOT = re.compile(r"(\d)p(\d)")
CLAUDE_ORDER = re.compile(r"^claude-(\d+(?:[.-]\d+)?)-(opus|sonnet|haiku)$")
SNAPSHOT = re.compile(r"(-\d{8}|-\d{4}-\d{2}-\d{2}|-latest)$")
LATEST = re.compile(r"\s*(\(latest\)|latest|-latest)$", re.IGNORECASE)


def strip(platform: str, file_id: str) -> tuple[str, str, str | None]:
    """(the model id without decoration, the id before its version suffix went, its maker:
    Bedrock's vendor prefix or a gateway's folder, when the id names one)."""
    folder, _, name = unquote(file_id).lower().rpartition("/")  # `meta-llama%2Fllama-4-...`
    vendor = folder.split("/")[-1] or None
    if "--" in name:  # SAP AI Core's `anthropic--claude-4.5-sonnet`
        vendor, name = name.split("--", 1)
    if platform == "amazon-bedrock":
        name = GEO_PREFIX.sub("", name)
        found = VENDOR_PREFIX.match(name)
        if found:
            vendor, name = found.group(1), name[found.end() :]
    if platform == "fireworks-ai":
        name = FIREWORKS_DOT.sub(r"\1.\2", name)  # `deepseek-v3p1` is DeepSeek V3.1
    raw = name
    name = VARIANT_SUFFIX.sub("", name)
    name = VERSION_SUFFIX.sub("", name)
    return name, raw, vendor


def bare_cloud_id(platform: str, file_id: str) -> str:
    """The id a cloud's bill shows, without Bedrock's cross-region prefix."""
    return GEO_PREFIX.sub("", file_id) if platform == "amazon-bedrock" else file_id


def undated(model_id: str) -> str:
    """The id without a snapshot date (`-20250929`, `-2024-08-06`) or `-latest`."""
    return SNAPSHOT.sub("", model_id)


# How hosts mark one model served another way (quantized, sped up, in an enclave, as a managed
# service): the same model, so the same offering, when the plain id is known.
SERVING_SUFFIX = re.compile(
    r"-(fp8|fp16|bf16|nvfp4|awq|int4|int8|maas|tee|fast|turbo|lite-fast|high|00\d"
    r"|non-reasoning|reasoning)$"
)


# The markers no maker puts in a model's own name: a host's new model is named without them.
HOSTING_SUFFIX = re.compile(r"-(fp8|fp16|bf16|nvfp4|awq|int4|int8|maas|tee)$")


# What instruction-tuned and mixture-of-experts ids carry that hosts often leave out
# (`qwen-3-coder-480b` is `qwen3-coder-480b-a35b-instruct`): a last resort, when unambiguous.
LOOSE = re.compile(r"-(a\d+(?:\.\d+)?b|instruct|it|chat|hf)(?=-|$)")
# OpenAI's snapshot codes (`gpt-3.5-turbo-0125`): month and day, one model.
OPENAI_SNAPSHOT = re.compile(r"^((?:gpt|o\d)[a-z0-9.-]*?)-\d{4}$")


def loose(model_id: str) -> str:
    """The key without the instruct/chat marks and MoE active-parameter tags."""
    return key(LOOSE.sub("", undated(model_id.lower())))


def plainer(model_id: str, pattern: re.Pattern[str] = SERVING_SUFFIX) -> list[str]:
    """The id with serving suffixes taken off one at a time (`x-fp8-fast`: `x-fp8`, `x`)."""
    found = []
    while (shorter := pattern.sub("", model_id)) != model_id:
        found.append(model_id := shorter)
    return found


def plainest(model_id: str) -> str:
    """The id without the hosting markers no maker uses (`deepseek-v3.1-terminus-tee`)."""
    return ([model_id, *plainer(model_id, HOSTING_SUFFIX)])[-1]


def reordered(model_id: str) -> str | None:
    """Claude 4 and later put the tier first (`claude-sonnet-4-6`); some hosts do not."""
    found = CLAUDE_ORDER.match(model_id)
    return f"claude-{found.group(2)}-{found.group(1)}" if found else None


def key(model_id: str) -> str:
    """What two spellings of one model share: lowercase letters and digits, no snapshot date."""
    return re.sub(r"[^a-z0-9]", "", undated(model_id.lower()))


def slug(model_id: str) -> str:
    """A catalog id for a model the catalog lacks: the undated id, lowercased."""
    text = re.sub(r"[^a-z0-9._-]+", "-", undated(model_id.lower())).strip("-._")
    return text or model_id.lower()


# Bedrock's cross-region inference profiles: `global.` routes anywhere, the others within one
# geography (a data zone). A profile is its own offering, with its own prices.
DATA_ZONES = {"us": "US", "eu": "EU", "apac": "APAC", "au": "AU", "jp": "JP", "ca": "CA"}
DATA_ZONES["us-gov"] = "US"


def route(platform: str, file_id: str) -> str | None:
    """The cross-region prefix a file id carries (`global`, `eu`, ...), None for in-region."""
    found = GEO_PREFIX.match(unquote(file_id).rsplit("/", 1)[-1].lower())
    return found.group(1) if platform == "amazon-bedrock" and found else None


def route_offering(cloud: str, model: str, prefix: str | None) -> tuple[str, str, str | None]:
    """(offering id, deployment type, geography) of a model's route on a cloud: the in-region
    offering keeps its `cloud:model:serverless` id; `global.` is `cloud:model:global`; a data
    zone is `cloud:model:data-zone-eu`, in its geography."""
    if prefix is None:
        return f"{cloud}:{model}:serverless", "serverless", None
    if prefix == "global":
        return f"{cloud}:{model}:global", "global", None
    return f"{cloud}:{model}:data-zone-{prefix}", "data-zone", DATA_ZONES[prefix]


def is_variant(platform: str, file_id: str) -> bool:
    """Whether the id is a cross-region or tier variant (`us.`..., `...:free`) of another."""
    name = file_id.rsplit("/", 1)[-1]
    return bool(
        (platform == "amazon-bedrock" and GEO_PREFIX.match(name)) or re.search(r":[a-z]", name)
    )


class Models:
    """The catalog's models and the registry's, found by key (ids and aliases); new ones become
    model records."""

    def __init__(self, known: dict[str, dict[str, Any]], mapping: dict[str, Any]) -> None:
        self.crosswalk: dict[str, str] = dict(mapping["crosswalk"])
        # Makers' names that hosts put before a model's (`meta-llama-3-8b-instruct`).
        self.makers: dict[str, str] = mapping["makers"]
        self.prefixes = sorted(set(self.makers), key=len, reverse=True)
        self.known = set(known)
        self.by_key = {key(m): m for m in sorted(known, key=len, reverse=True)}
        # Another id people use for a known model (the model's `aliases`) names that model,
        # also where the crosswalk names it (an old id kept as an alias after a merge).
        self.alias_of: dict[str, str] = {}
        for model_id, record in sorted(known.items()):
            for alias in record.get("aliases") or []:
                self.alias_of.setdefault(alias, model_id)
                self.by_key.setdefault(key(alias), model_id)
        self.crosswalk = {k: self.alias_of.get(v, v) for k, v in self.crosswalk.items()}
        self.crosswalk |= {a: m for a, m in self.alias_of.items() if a not in self.crosswalk}
        by_loose: dict[str, set[str]] = {}
        for model_id in known:
            by_loose.setdefault(loose(model_id), set()).add(model_id)
        self.by_loose = {k: next(iter(ids)) for k, ids in by_loose.items() if len(ids) == 1}
        self.records: dict[str, dict[str, Any]] = {}

    def find(self, name: str, raw: str | None = None, vendor: str | None = None) -> str | None:
        """The catalog id for a stripped registry id (or its undecorated form), if known."""
        for candidate in (raw, name):
            if candidate in self.crosswalk:
                return self.crosswalk[candidate]
        tries = [name, *plainer(name)]
        tries += [n[len(p) + 1 :] for n in tries for p in self.prefixes if n.startswith(f"{p}-")]
        if vendor:  # `meta-llama-3-8b-instruct` under meta-llama/, Bedrock's `deepseek.r1`
            tries += [n.removeprefix(f"{vendor}-") for n in tries] + [f"{vendor}-{name}"]
        tries += [r for n in tries if (r := reordered(n))]
        tries += [dated.group(1) for n in tries if (dated := OPENAI_SNAPSHOT.match(n))]
        for candidate in tries:
            found = self.crosswalk.get(candidate) or self.by_key.get(key(candidate))
            if found is not None:
                return found
        for candidate in tries:  # the last resort: unambiguous without instruct/MoE marks
            if (found := self.by_loose.get(loose(candidate))) is not None:
                return found
        return None

    def has(self, model_id: str) -> bool:
        """Whether the catalog has the model or this import defines it."""
        return model_id in self.known or model_id in self.records

    def define(
        self, name: str, maker: str, content: dict[str, Any], model_id: str | None = None
    ) -> str:
        """The catalog id for a model its maker names `name`; a new one gets a record."""
        found = model_id or self.find(name)
        if found is not None and self.has(found):
            return found
        model_id = found or slug(name)
        family = content.get("family")
        self.records[model_id] = {
            "id": model_id,
            "provider": maker,
            "name": LATEST.sub("", str(content.get("name") or name))[:200] or name,
            "family": slug(family) if isinstance(family, str) and family else None,
            "open_weights": bool(content.get("open_weights", False)),
        }
        self.by_key.setdefault(key(model_id), model_id)
        self.by_key.setdefault(key(name), model_id)
        self.by_loose.setdefault(loose(model_id), model_id)
        return model_id
