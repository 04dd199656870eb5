"""The latency tail under gunicorn's workers: the shipped one, its sleep(0) predecessor, plain
gevent, sync (issue 25).

    bench/.venv/bin/python bench/tail.py     # --rounds 2 --duration 5 --connections 32

Starts bare Flask and the catalog (1,000 synthetic offerings; the CI answer kept, and rendered
with a new `at` each request) under catalog/server/gunicorn_conf.py with 2 workers, once per
worker class, and measures each with wrk on loopback, the classes alternated in rounds. Prints
p50, p99 and req/s per run: the machine is shared, so compare rows of the same round.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventWorker

from catalog.server.worker import Worker

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import run  # noqa: E402
import synth  # noqa: E402

CLASSES = {
    "shipped (catalog.server.worker: the loop's next turn after each answer)": [],
    "sleep(0) after each answer (the shipped worker before)": ["--worker-class", "tail.SleepZero"],
    "gunicorn's gevent worker (no yield)": ["--worker-class", "gevent"],
    "sync": ["--worker-class", "sync"],
}


class SleepZero(Worker):
    """The shipped worker as it was: `gevent.sleep(0)` after each answer, a callback the loop
    runs before it polls again."""

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> bool:
        handled: bool = GeventWorker.handle_request(self, listener_name, req, sock, addr)
        gevent.sleep(0)
        return handled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="catalog-tail-") as folder:
        database = Path(folder) / "catalog.db"
        synth.build(database, 1000)
        with sqlite3.connect(database) as db:
            model, cloud = db.execute("select model, cloud from offerings order by id").fetchone()
        env = {
            **os.environ,
            "CATALOG_DATABASE": str(database),
            "CATALOG_CACHE_MAX_AGE": "60",
            "PYTHONPATH": str(HERE),  # tail.SleepZero, bare:app
        }
        gunicorn = [sys.executable, "-m", "gunicorn", "--config",
                    "python:catalog.server.gunicorn_conf", "--bind", "127.0.0.1:{port}",
                    "--workers", "2"]  # fmt: skip
        apps = {
            "bare Flask": ("bare:app", "", None),
            "catalog, CI answer (kept)": ("catalog:create_app()", "?at=2026-06-01", None),
            # Every request a new `at` (run.RENDER_LUA), so every answer is rendered.
            "catalog, CI answer (rendered)": ("catalog:create_app()", "?at={at}", "render"),
        }
        path = f"/v1/models/{model}/availability/{cloud}"
        starts = itertools.count(run.RENDER_START, 1_000_000)
        print("| round | worker | app | p50 ms | p99 ms | req/s |\n|---|---|---|---:|---:|---:|")
        for round_ in range(1, args.rounds + 1):
            for worker, flags in CLASSES.items():
                for app, (target, query, render) in apps.items():
                    server = run.Server(app, [*gunicorn, *flags, target], env)
                    server.start(Path(folder) / "server.log", "/healthz")
                    url, script = server.url + path + query, None
                    if render:  # wrk asks what the script makes; the URL only names the server
                        script = Path(folder) / "render.lua"
                        script.write_text(run.RENDER_LUA % (next(starts), path + query))
                        url = server.url + "/"
                    try:  # a second unmeasured first: imports, statements, caches warm
                        run.wrk(url, 1, args.connections, [], script)
                        got = run.wrk(url, args.duration, args.connections, [], script)
                    finally:
                        server.stop()
                    print(
                        f"| {round_} | {worker} | {app} | {got['p50']:.1f} | {got['p99']:.1f} "
                        f"| {got['rps']:,.0f} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
