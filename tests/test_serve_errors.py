"""`catalog serve` with a database it cannot open: one clear line and a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from servers import CATALOG, free_port


def serve(database: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `catalog serve` against `database` until it exits (it must: it cannot start)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env["CATALOG_DATABASE"] = str(database)
    return subprocess.run(
        [CATALOG, "serve", "--port", str(free_port()), "--workers", "1"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


# Root ignores permission bits, so "unwritable" is a path that cannot be a folder: below a
# regular file. A missing folder is the other way a volume goes wrong.
@pytest.mark.parametrize(
    ("below", "reason"),
    [("missing/volume", "does not exist"), ("a-file", "is not a folder")],
)
def test_unusable_database_folder_gives_one_line(tmp_path: Path, below: str, reason: str) -> None:
    (tmp_path / "a-file").write_text("not a folder\n")
    database = tmp_path / below / "catalog.db"

    result = serve(database, tmp_path)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    naming = [line for line in result.stderr.splitlines() if str(database) in line]
    assert len(naming) == 1, result.stderr
    line = json.loads(naming[0])
    assert line["level"] == "error"
    assert line["database"] == str(database)
    assert reason in line["message"]
    # Nothing else the server said is an error: the rest is gunicorn's own start-up line (JSON
    # too, catalog/server/logs.py).
    others = [line for line in result.stderr.splitlines() if line not in naming]
    assert all(json.loads(line)["level"] == "info" for line in others), result.stderr
    assert not database.exists()
