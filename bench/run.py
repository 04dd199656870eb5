"""The catalog beside the stack's ceiling (bare Flask) and a peer (Datasette), with wrk.

    bash bench/setup                     # once: wrk from apt, Datasette in bench/.venv
    bench/.venv/bin/python bench/run.py  # --scales 1000,100000,1000000 --duration 5 --rounds 3

For each scale it builds a synthetic catalog (timed), starts the three servers on loopback
(catalog and bare Flask under the same gunicorn config and worker count; Datasette as its docs
run it, immutable), then for each request alternates the servers in rounds (the machine is
shared and noisy; ratios taken within one run hold where absolute figures drift) and prints
one table: median req/s, p50 and p99 latency, server CPU ms per request, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log: Path, ready: str) -> None:
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=tempfile.gettempdir(),
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + ready, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not start; see {log}")

    def pids(self) -> list[int]:
        assert self.process is not None
        found = [self.process.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    found.append(int(entry.name))
        return found

    def cpu_seconds(self) -> float:
        """CPU of the master and its live workers, plus the workers it has reaped (gunicorn
        recycles them), so a recycled worker's work still counts."""
        total = 0
        for n, pid in enumerate(self.pids()):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
            if n == 0:
                total += int(fields[13]) + int(fields[14])  # cutime + cstime: reaped children
        return total / TICKS

    def worker_rss_mb(self) -> float:
        sizes = []
        for pid in self.pids()[1:] or self.pids():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return max(sizes) if sizes else 0.0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def parse_duration(text: str) -> float:
    """wrk's '1.23ms' as milliseconds."""
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, duration: int, connections: int, headers: list[str]) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Latency Distribution" not in output:
        raise SystemExit(f"wrk gave no latency distribution for {url}:\n{output}")
    latency = output.split("Latency Distribution", 1)[1]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": parse_duration(re.search(r"^\s+50%\s+(\S+)", latency, re.M).group(1)),  # type: ignore[union-attr]
        "p99": parse_duration(re.search(r"^\s+99%\s+(\S+)", latency, re.M).group(1)),  # type: ignore[union-attr]
        "requests": requests,
        "errors": int(errors.group(1)) if errors else 0,
    }


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def cases(model: str, cloud: str) -> list[tuple[str, str, str, list[str]]]:
    """(name, catalog path, Datasette path, flags); the 304's If-None-Match is added later."""
    export_sql = (
        "select * from offerings where model in (select id from models "
        "where provider = 'bench-export') order by id"
    )
    ci_sql = (
        "select * from offerings where model = :m and cloud = :c and available_from <= :at "
        "and (retired_from is null or retired_from > :at)"
    )
    # The peer's nearest query: it orders by the amount as a float, which the catalog never does.
    prices_sql = (
        "select p.*, o.cloud from prices p join offerings o on o.id = p.offering "
        "where o.model = :m and o.available_from <= :at "
        "and (o.retired_from is null or o.retired_from > :at) and p.effective_from <= :at "
        "and (p.effective_until is null or p.effective_until > :at) "
        "order by p.unit, p.currency, cast(p.amount as real), o.cloud"
    )
    model_sql = "select * from offerings where model = :m order by cloud, id"
    q = urllib.parse.quote
    return [
        (
            "offerings of one model (~10)",
            f"/v1/offerings?model={model}",
            f"/catalog/offerings.json?model={model}&_shape=objects",
            [],
        ),
        (
            "availability of one model, every cloud (API)",
            f"/v1/models/{model}/availability?at=2026-06-01",
            f"/catalog.json?sql={q(model_sql)}&m={model}&_shape=objects",
            [],
        ),
        (
            "the same row as the matrix page (HTML)",
            f"/?model={model}&at=2026-06-01",
            f"/catalog.json?sql={q(model_sql)}&m={model}&_shape=objects",
            [],
        ),
        (
            "CI availability answer",
            f"/v1/models/{model}/availability/{cloud}?at=2026-06-01",
            f"/catalog.json?sql={q(ci_sql)}&m={model}&c={cloud}&at=2026-06-01T00:00:00Z&_shape=objects",
            [],
        ),
        (
            "model price comparison (~10 offerings)",
            f"/v1/models/{model}/prices?at=2026-06-01",
            f"/catalog.json?sql={q(prices_sql)}&m={model}&at=2026-06-01T00:00:00Z&_shape=objects",
            [],
        ),
        ("one model", f"/v1/models/{model}", f"/catalog/models/{model}.json?_shape=object", []),
        (
            "list page of 50",
            "/v1/offerings?limit=50",
            "/catalog/offerings.json?_size=50&_shape=objects",
            [],
        ),
        (
            "same page, If-None-Match (304)",
            "/v1/offerings?limit=50",
            "/catalog/offerings.json?_size=50&_shape=objects",
            ["304"],
        ),
        (
            "CSV export, 1,000 rows",
            "/v1/offerings?provider=bench-export&format=csv",
            f"/catalog.csv?sql={q(export_sql)}&_size=max",
            [],
        ),
    ]


def run_scale(scale: int, args: argparse.Namespace, folder: Path) -> dict[str, object]:
    (folder / str(scale)).mkdir()
    database = folder / str(scale) / "catalog.db"  # Datasette calls it "catalog" after the file
    built = synth.build(database, scale)
    print(
        f"# {scale:,} offerings: built in {built['total_s']:.1f} s "
        f"({built['generate_s']:.1f} s generating, {built['write_s']:.1f} s writing)",
        flush=True,
    )
    env = {**os.environ, "CATALOG_DATABASE": str(database), "CATALOG_CACHE_MAX_AGE": "60"}
    if args.no_kept:
        env["CATALOG_RESPONSE_CACHE_BYTES"] = "0"  # every answer rendered afresh
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:catalog.server.gunicorn_conf",
        "--bind",
        "127.0.0.1:{port}",
        "--workers",
        str(args.workers),
    ]
    # Else the shipped one (gunicorn_conf: catalog.server.worker.Worker, gevent).
    if args.worker_class:
        gunicorn += ["--worker-class", args.worker_class]
    if args.worker_class == "gthread":
        gunicorn += ["--threads", "4"]
    catalog = Server("catalog", [*gunicorn, "catalog:create_app()"], env)
    bare = Server("bare", [*gunicorn, "bare:app"], {**env, "PYTHONPATH": str(HERE)})
    datasette = Server(
        "datasette",
        [
            str(Path(sys.executable).parent / "datasette"),
            "serve",
            "-i",
            str(database),
            "-h",
            "127.0.0.1",
            "-p",
            "{port}",
            "--setting",
            "max_returned_rows",
            "1000",
            "--setting",
            "suggest_facets",
            "off",
            "--setting",
            "sql_time_limit_ms",
            "10000",
        ],
        env,
    )
    servers = [catalog, bare, datasette]
    log = folder / "servers.log"
    try:
        catalog.start(log, "/readyz")
        bare.start(log, "/healthz")
        datasette.start(log, "/-/versions.json")
        model, cloud = "model-0000050", "aws"
        status, _, body = fetch(catalog.url + f"/v1/offerings?model={model}")
        rows = len(json.loads(body)["items"])
        cloud = json.loads(body)["items"][0]["cloud"]
        results: dict[str, dict[str, list[dict[str, float]]]] = {}
        for name, path, peer_path, flags in cases(model, cloud):
            headers: list[str] = []
            if "304" in flags:
                _, response_headers, _ = fetch(catalog.url + path)
                headers = [f"If-None-Match: {response_headers['ETag']}"]
                assert (
                    fetch(catalog.url + path, {"If-None-Match": response_headers["ETag"]})[0] == 304
                )
            for server, url in ((catalog, path), (datasette, peer_path)):
                code, _, _ = fetch(server.url + url)
                assert code == 200, f"{server.name} {url}: {code}"
            per_server: dict[str, list[dict[str, float]]] = {s.name: [] for s in servers}
            for round_number in range(args.rounds):
                order = servers[round_number % 3 :] + servers[: round_number % 3]
                for server in order:
                    url = server.url + (peer_path if server is datasette else path)
                    before = server.cpu_seconds()
                    sent = headers if server is catalog else []
                    if args.close:
                        sent = [*sent, "Connection: close"]
                    figures = wrk(url, args.duration, args.connections, sent)
                    figures["cpu_ms"] = (
                        (server.cpu_seconds() - before) * 1000 / max(figures["requests"], 1)
                    )
                    per_server[server.name].append(figures)
            results[name] = per_server
            print(f"  measured: {name}", flush=True)
        rss = catalog.worker_rss_mb()
        return {
            "scale": scale,
            "built": built,
            "rows_of_one_model": rows,
            "results": results,
            "catalog_worker_rss_mb": rss,
        }
    finally:
        for server in servers:
            server.stop()


def median(values: list[float]) -> float:
    return statistics.median(values)


def ratio(a: float, b: float) -> str:
    """a / b as "12.3x"; "-" where b answered nothing (wrk counted no request in time)."""
    return f"{a / b:.1f}x" if b else "-"


def table(report: dict[str, object]) -> str:
    lines = [
        f"### {report['scale']:,} offerings "
        f"(seeded in {report['built']['total_s']:.1f} s; catalog worker RSS "  # type: ignore[index]
        f"{report['catalog_worker_rss_mb']:.0f} MB)",
        "",
        "| request | server | req/s | p50 ms | p99 ms | CPU ms/req | vs bare | catalog/Datasette |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, per_server in report["results"].items():  # type: ignore[attr-defined]
        rps = {s: median([r["rps"] for r in runs]) for s, runs in per_server.items()}
        for server, runs in per_server.items():
            errors = sum(r["errors"] for r in runs)
            note = f" ({errors} non-2xx/3xx)" if errors else ""
            lines.append(
                f"| {name if server == 'catalog' else ''} | {server}{note} | {rps[server]:,.0f} | "
                f"{median([r['p50'] for r in runs]):.2f} | "
                f"{median([r['p99'] for r in runs]):.2f} | "
                f"{median([r['cpu_ms'] for r in runs]):.2f} | "
                f"{rps[server] / rps['bare']:.2f} | "
                + (f"{ratio(rps['catalog'], rps['datasette'])} |" if server == "catalog" else " |")
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1000,100000,1000000")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", help="default: the shipped worker (gevent)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--close",
        action="store_true",
        help="a new connection for every request (Connection: close), as a client without "
        "keep-alive makes",
    )
    parser.add_argument(
        "--no-kept",
        action="store_true",
        help="turn off the catalog's kept answers: measure the render path",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as tmp:
        reports = [run_scale(int(s), args, Path(tmp)) for s in args.scales.split(",")]
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2))
    print(
        f"\nwrk -t2 -c{args.connections} -d{args.duration}s, {args.rounds} rounds, "
        f"{args.workers} {args.worker_class or 'shipped (gevent)'} workers, loopback, "
        f"{os.cpu_count()} cores"
        f"{', kept answers off' if args.no_kept else ''}"
        f"{', Connection: close' if args.close else ''}\n"
    )
    for report in reports:
        print(table(report) + "\n")
    for report in reports:
        runs = report["results"]  # type: ignore[index]
        api = median(
            [r["rps"] for r in runs["availability of one model, every cloud (API)"]["catalog"]]
        )
        page = median([r["rps"] for r in runs["the same row as the matrix page (HTML)"]["catalog"]])
        print(
            f"- {report['scale']:,} offerings: matrix page / API availability, same row: "
            f"{page / api:.2f} (req/s ratio; 1.00 or more: the page is no slower)"
        )
    if len(reports) > 1:
        first, last = reports[0], reports[-1]
        print(f"#### {last['scale']:,} vs {first['scale']:,} offerings (catalog req/s kept)\n")
        for name in first["results"]:  # type: ignore[attr-defined]
            a = median([r["rps"] for r in first["results"][name]["catalog"]])  # type: ignore[index]
            b = median([r["rps"] for r in last["results"][name]["catalog"]])  # type: ignore[index]
            print(f"- {name}: {b / a:.2f}")


if __name__ == "__main__":
    main()
