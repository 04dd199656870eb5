"""Settings: the defaults, and how a boolean one is read. Every other module asks here."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: the CLI reads settings without importing Flask
    from flask import Flask

LARGEST_BODY = 1024 * 1024  # MAX_CONTENT_LENGTH is held to this (the contract's bound)

DEFAULTS: dict[str, Any] = {
    "DATABASE": "catalog.db",
    "READ_ONLY": False,  # a replica: the database opened read-only, writes refused
    "READ_REQUIRES_TOKEN": False,  # reads need a token too (health and docs stay public)
    "MAX_CONTENT_LENGTH": 256 * 1024,  # request bodies; larger ones get a 413 (max 1 MiB)
    "CACHE_MAX_AGE": 60,  # seconds a read may be reused without asking again
    "RESPONSE_CACHE_BYTES": 32 * 1024 * 1024,  # rendered reads kept per worker (0: none)
    "KEPT_FILE_BYTES": 256 * 1024 * 1024,  # larger ones kept on disk per worker (0: none)
    "FAST_PATH": True,  # 304s and kept answers sent before Flask (fastpath.py)
    "PUBLIC_URL": "",  # where the service is served, for absolute links in the feeds
    "WEBHOOKS_ALLOW_PRIVATE": False,  # webhook URLs may resolve to private/loopback addresses
}


def flag(app: Flask, name: str) -> bool:
    """A boolean setting, from CATALOG_* (JSON-parsed: true/1) or test config."""
    return app.config.get(name, False) in (True, 1, "1", "true", "yes")


def database_path() -> str:
    """The database file the settings name (CATALOG_DATABASE, default catalog.db), for the CLI."""
    return os.environ.get("CATALOG_DATABASE") or str(DEFAULTS["DATABASE"])


def registry_cache() -> str:
    """Where `catalog import` keeps its clones of registries named by URL
    (CATALOG_REGISTRY_CACHE, default the user's cache folder: $XDG_CACHE_HOME/catalog, or
    ~/.cache/catalog)."""
    found = os.environ.get("CATALOG_REGISTRY_CACHE")
    if found:
        return found
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "catalog", "registries")
