"""scripts/screenshot after the README's set-up (`pip install .`, no test extra): it needs only
the standard library and Debian's chromium, and makes the README's pictures."""

from __future__ import annotations

import ast
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from servers import CHECKOUT, Server

SCRIPT = CHECKOUT / "scripts" / "screenshot"


def test_the_script_imports_only_the_standard_library() -> None:
    tree = ast.parse(SCRIPT.read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        str(node.module).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0
    }
    assert imported and imported <= sys.stdlib_module_names | {"__future__"}, imported


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_the_script_makes_the_readme_pictures(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("screenshot")
    server = Server(folder, cwd=folder, database=folder / "catalog.db")
    server.start(workers=1)
    try:
        # As after the README's two commands: selenium cannot be imported at all.
        blocked = "import runpy, sys; sys.modules['selenium'] = None; sys.argv = sys.argv[1:];"
        blocked += " runpy.run_path(sys.argv[0], run_name='__main__')"
        done = subprocess.run(
            [sys.executable, "-c", blocked, str(SCRIPT), server.url, str(folder / "docs")],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    sizes = {p.name: png_size(p) for p in (folder / "docs").glob("*.png")}
    assert sizes == {
        "matrix.png": (1000, 860),
        "model-phone.png": (390, 844),
        "timeline.png": (1200, 700),
    }
    assert all((folder / "docs" / name).stat().st_size > 10_000 for name in sizes)
    assert "matrix.png: http://" in done.stdout
