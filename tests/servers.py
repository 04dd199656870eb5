"""`catalog serve` as a real process for the tests that need gunicorn (imported by them)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

CATALOG = str(Path(sys.executable).parent / "catalog")  # the installed console script
CHECKOUT = Path(__file__).parents[1]


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """One `catalog serve`, its log in `folder`; `database` None means the default, catalog.db
    in the working folder (`cwd`)."""

    folder: Path
    cwd: Path = CHECKOUT
    database: Path | None = None
    settings: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
        if self.database is not None:
            env["CATALOG_DATABASE"] = str(self.database)
        return env | self.settings

    def token(self, name: str = "load-test") -> str:
        """A write token made with the CLI, as a maintainer would."""
        result = subprocess.run(
            [CATALOG, "tokens", "create", name, "--scope", "write"],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def start(self, workers: int = 2) -> None:
        """Start it and wait until /readyz answers 200."""
        with (self.folder / "serve.log").open("ab") as log:
            self.process = subprocess.Popen(
                [CATALOG, "serve", "--port", str(self.port), "--workers", str(workers)],
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or a worker still seeding on a busy machine
            assert self.process.poll() is None, (self.folder / "serve.log").read_text()
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no chance to clean up."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
