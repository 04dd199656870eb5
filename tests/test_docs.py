"""The README kept true by tests, as Datasette's docs are: every setting the code reads is in the
Settings table, every module is in the Layout, and the feed takes every writable resource."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from catalog import config, resources

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "catalog"
README = (ROOT / "README.md").read_text()


def section(heading: str) -> str:
    """The README's text under a `## heading`, up to the next heading of that level."""
    start = README.index(f"\n## {heading}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def settings_read_by_the_code() -> set[str]:
    named = {f"CATALOG_{key}" for key in config.DEFAULTS}
    for path in PACKAGE.rglob("*.py"):
        named |= set(re.findall(r"\bCATALOG_[A-Z][A-Z_]*[A-Z]\b", path.read_text()))
    return named


def test_settings_are_documented() -> None:
    table = section("Settings")
    assert "CATALOG_DATABASE" in settings_read_by_the_code()  # the scan finds what it should
    missing = sorted(name for name in settings_read_by_the_code() if f"`{name}`" not in table)
    assert missing == [], "add these to the README's Settings table"


def test_every_module_is_in_the_layout() -> None:
    """Each top-level module and package by its path; each module inside a package by name."""
    layout = section("Layout")
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if path.parent == PACKAGE:
            wanted = str(relative)
        elif path.name == "__init__.py":
            wanted = f"{relative.parent}/"
        else:
            wanted = path.name
        if wanted not in layout:
            missing.append(str(relative))
    assert missing == [], "name these in the README's Layout block"


@pytest.mark.parametrize("name", resources.WRITABLE)
def test_the_feed_takes_every_writable_resource(client: FlaskClient, name: str) -> None:
    response = client.get(f"/v1/changes?resource={name}&limit=1")
    assert response.status_code == 200, response.get_json()
