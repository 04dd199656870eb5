"""The README's shell examples, run against a served catalog: what it shows is what happens.

Each ```sh block is cut into commands (a line, with its backslash continuations). Comment lines
right under a command are its output as the README shows it, ending in `(exit N)` when the
exit code is not 0; a blank line ends them (a comment after a blank line describes what comes
next). The commands that ask the catalog something (curl, catalog check, tokens, and the
variables they set) run in order in one bash per block, with 127.0.0.1:8000 and the example
CATALOG_URL pointed at the test's server, and curl made to fail on an HTTP error (a .curlrc in
a HOME of the test's own), so a wrong URL fails the test. The rest (installing, serving,
backups) is not run here; `SKIPPED` says which kinds of command those may be.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from servers import CHECKOUT, Server

from catalog.core import instants
from catalog.storage import loading

README = CHECKOUT / "README.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
RUN = re.compile(
    r"^(curl |catalog check |catalog tokens (create|list)\b|export CATALOG_URL="
    r"|[A-Z_]+=\$\((curl|catalog tokens create) )"
)
SKIPPED = re.compile(
    r"^(python3 -m venv |bash |pip install |\.venv/bin/|bench/|catalog (serve|load|dump|snapshot)"
    r" |catalog tokens revoke |catalog openapi |(CATALOG_[A-Z_]+=\S+ )+catalog serve "
    # Operating other systems: the registries, Litestream, nginx, Docker. deploy/check and
    # scripts/image run those for real in CI; the import has its own tests.
    r"|git clone |catalog import |scripts/refresh-fixtures |export CATALOG_DATABASE="
    r"|(LITESTREAM_[A-Z_]+=\S+ \\\n\s*)?"
    r"litestream |deploy/|kill %|mv /var/lib/catalog/|docker )"
)
EXIT = re.compile(r"\s+\(exit (\d+)\)$")
INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")  # "now" differs from run to run
SEEDED = "2025-06-01T00:00:00Z"
HOSTS = ("http://127.0.0.1:8000", "https://catalog.internal.example")


@dataclass
class Command:
    text: str
    shown: list[str] = field(default_factory=list)  # the output comments under it

    @property
    def exit_code(self) -> int:
        found = EXIT.search(self.shown[-1]) if self.shown else None
        return int(found.group(1)) if found else 0

    @property
    def output(self) -> str:
        return EXIT.sub("", "\n".join(self.shown)).strip()


def commands(block: str) -> list[Command]:
    """The block's commands, each with the output shown under it."""
    found: list[Command] = []
    current: Command | None = None
    lines = iter(block.splitlines())
    for line in lines:
        if not line.strip():
            current = None
        elif line.startswith("#"):
            if current is not None:
                current.shown.append(line[1:].strip())
        else:
            text = line
            while text.endswith("\\"):
                text += "\n" + next(lines)
            current = Command(text)
            found.append(current)
    return found


def blocks() -> list[list[Command]]:
    return [commands(block) for block in BLOCK.findall(README.read_text())]


def contains(actual: Any, shown: Any) -> bool:
    """Whether `actual` holds everything `shown` does (an answer shown in part)."""
    if isinstance(shown, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(actual[key], value) for key, value in shown.items()
        )
    return bool(actual == shown)


def output_mismatch(command: Command, stdout: str) -> str | None:
    """What differs between the output the README shows and `stdout`, if anything."""
    shown = command.output
    if not shown:
        return None
    if shown.startswith("{"):  # JSON, `...` marking what the README leaves out
        expected = json.loads(re.sub(r",\s*\.\.\.\s*}", "}", shown.replace("\n", " ")))
        return None if contains(json.loads(stdout), expected) else f"not within: {shown}"
    if INSTANT.sub("<now>", stdout.strip()) != INSTANT.sub("<now>", shown):
        return f"shown: {shown}"
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A served catalog, seeded as if on SEEDED: the README's `as_of` (the day a contract
    was signed) then finds the catalog's history already recorded, as in production."""
    folder = tmp_path_factory.mktemp("readme")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(instants, "now", lambda: SEEDED)
        assert loading.seed_if_empty(folder / "catalog.db")
    running = Server(folder, database=folder / "catalog.db")
    running.start()
    yield running
    running.stop()


def test_every_command_is_run_or_known() -> None:
    every = [command for block in blocks() for command in block]
    unknown = [c.text for c in every if not RUN.match(c.text) and not SKIPPED.match(c.text)]
    assert unknown == []
    ran = [c.text for c in every if RUN.match(c.text)]
    assert sum(text.startswith("curl ") for text in ran) >= 10
    assert sum(text.startswith("catalog check ") for text in ran) >= 3


def test_pip_install_names_the_project() -> None:
    """`pip install PATH` in the README points at the project's root (it is not on PyPI)."""
    paths = [p.rstrip("`),") for p in re.findall(r"pip install (\.\S*)", README.read_text())]
    assert paths
    for path in paths:
        assert (CHECKOUT / path / "setup.cfg").is_file(), path


def test_readme_examples(server: Server, tmp_path: Path) -> None:
    """Every command the README shows asking a catalog, in order, in one bash (a token made in
    one block is used in the next), against the test's server."""
    run = [command for block in blocks() for command in block if RUN.match(command.text)]
    (tmp_path / ".curlrc").write_text("fail\n")
    script = ["set -u"]
    for n, command in enumerate(run):
        text = command.text
        for host in HOSTS:
            text = text.replace(host, server.url)
        # A brace group, not a subshell: the variables a command sets reach the next ones.
        script.append(f"{{ {text}\n}} >out.{n} 2>err.{n}; echo $? >rc.{n}")
    env = server.env | {
        "HOME": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "CATALOG_URL": server.url,
    }
    bash = ["bash", "-c", "\n".join(script)]
    subprocess.run(bash, cwd=tmp_path, env=env, check=True, timeout=300)
    failures = []
    for n, command in enumerate(run):
        code = int((tmp_path / f"rc.{n}").read_text())
        stdout = (tmp_path / f"out.{n}").read_text()
        if code != command.exit_code:
            failures.append((command.text, code, (tmp_path / f"err.{n}").read_text()[-300:]))
        elif problem := output_mismatch(command, stdout):
            failures.append((command.text, problem, stdout[:300]))
    assert failures == []
