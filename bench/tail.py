"""The latency tail under gunicorn's workers: the shipped one, plain gevent, sync (issue 25).

    .venv/bin/python bench/tail.py          # --rounds 2 --duration 5 --connections 32

Starts bare Flask and the catalog (1,000 synthetic offerings, the CI answer, kept answers on)
under catalog/server/gunicorn_conf.py with 2 workers, once per worker class, and measures each
with wrk on loopback, the classes alternated in rounds. Prints p50, p99 and req/s per run: the
machine is shared, so compare rows of the same round.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import run  # noqa: E402
import synth  # noqa: E402

CLASSES = {
    "shipped (catalog.server.worker, idle after each answer)": [],
    "gunicorn's gevent worker (no yield)": ["--worker-class", "gevent"],
    "sync": ["--worker-class", "sync"],
}


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
        env = {**os.environ, "CATALOG_DATABASE": str(database), "CATALOG_CACHE_MAX_AGE": "60"}
        gunicorn = [sys.executable, "-m", "gunicorn", "--config",
                    "python:catalog.server.gunicorn_conf", "--bind", "127.0.0.1:{port}",
                    "--workers", "2"]  # fmt: skip
        apps = {
            "bare Flask": ("bare:app", "/", {**env, "PYTHONPATH": str(HERE)}),
            "catalog, CI answer": (
                "catalog:create_app()",
                f"/v1/models/{model}/availability/{cloud}?at=2026-06-01",
                env,
            ),
        }
        print("| round | worker | app | p50 ms | p99 ms | req/s |\n|---|---|---|---:|---:|---:|")
        for round_ in range(1, args.rounds + 1):
            for worker, flags in CLASSES.items():
                for app, (target, path, app_env) in apps.items():
                    server = run.Server(app, [*gunicorn, *flags, target], app_env)
                    server.start(Path(folder) / "server.log", path)
                    try:
                        got = run.wrk(server.url + path, args.duration, args.connections, [])
                    finally:
                        server.stop()
                    print(
                        f"| {round_} | {worker} | {app} | {got['p50']:.1f} | {got['p99']:.1f} "
                        f"| {got['rps']:,.0f} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
