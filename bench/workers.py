"""The same catalog under three servers, measured in alternation: is the gevent worker (with the
connection pool) as fast as the sync worker was?

    bench/.venv/bin/python bench/workers.py --base main   # --scale 1000 --duration 3 --rounds 3

- `before`: the code at `--base` (git archive), its own gunicorn config (sync workers);
- `sync`: this checkout forced to sync workers (the connection pool alone);
- `gevent`: this checkout as shipped (catalog.server.worker.Worker).

The machine is shared and noisy; the three run one after the other for each request and round,
so the ratios to `before` hold where the absolute figures drift.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from run import HERE, Server, cases, fetch, median, synth, wrk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="main")
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--verbose", action="store_true", help="print the servers' log")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="catalog-workers-") as tmp:
        folder = Path(tmp)
        base = folder / "base"
        base.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(HERE.parent), "archive", args.base, "catalog"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        database = folder / "catalog.db"
        synth.build(database, args.scale)
        env = {**os.environ, "CATALOG_DATABASE": str(database)}
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:catalog.server.gunicorn_conf",
        ]
        gunicorn += ["--bind", "127.0.0.1:{port}", "--workers", "2"]
        servers = [
            Server("before", [*gunicorn, "catalog:create_app()"], env | {"PYTHONPATH": str(base)}),
            Server("sync", [*gunicorn, "--worker-class", "sync", "catalog:create_app()"], env),
            Server("gevent", [*gunicorn, "catalog:create_app()"], env),
        ]
        log = folder / "servers.log"
        try:
            for server in servers:
                server.start(log, "/readyz")
            body = fetch(servers[0].url + "/v1/offerings?model=model-0000050")[2]
            cloud = __import__("json").loads(body)["items"][0]["cloud"]
            print(
                f"wrk -t2 -c{args.connections} -d{args.duration}s, {args.rounds} rounds, 2 workers"
            )
            print("| request | before req/s | sync | gevent | sync/before | gevent/before |")
            print("|---|---:|---:|---:|---:|---:|")
            for name, path, _, flags in cases("model-0000050", cloud):
                headers: list[str] = []
                if "304" in flags:
                    etag = fetch(servers[0].url + path)[1]["ETag"]
                    headers = [f"If-None-Match: {etag}"]
                rps: dict[str, list[float]] = {s.name: [] for s in servers}
                for round_number in range(args.rounds):
                    order = servers[round_number % 3 :] + servers[: round_number % 3]
                    for server in order:
                        figures = wrk(server.url + path, args.duration, args.connections, headers)
                        assert figures["errors"] == 0, (server.name, name, figures)
                        rps[server.name].append(figures["rps"])
                m = {key: median(values) for key, values in rps.items()}
                print(
                    f"| {name} | {m['before']:,.0f} | {m['sync']:,.0f} | {m['gevent']:,.0f} | "
                    f"{m['sync'] / m['before']:.2f} | {m['gevent'] / m['before']:.2f} |",
                    flush=True,
                )
        finally:
            for server in servers:
                server.stop()
            if "--verbose" in sys.argv:
                print(log.read_text()[-3000:])


if __name__ == "__main__":
    main()
