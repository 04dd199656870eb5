"""The catalog's render path and kept path beside the stack's ceiling (bare Flask), with wrk.

    bash bench/setup                     # once: wrk from apt, Datasette in bench/.venv
    bench/.venv/bin/python bench/run.py  # --scales 1000,100000 --duration 3 --rounds 2 [--peer]

For each scale it builds a synthetic catalog (timed; bench/synth.py), starts the catalog and
bare Flask on loopback under the same gunicorn config and worker count (and, with --peer,
Datasette as its docs run it, immutable), then for each request measures in rotating order,
round after round: the kept path (the same request again: kept answers, as CI polls), the
render path (every request a new `at`, a wrk Lua script: nothing repeats, all is rendered) and
bare Flask. The machine is shared and noisy: the ratios are taken within one run. It prints
the ratios to bare Flask, then a table per scale: median req/s, p50 and p99 latency, server
CPU ms per request.
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


# The render path: every request asks a new `at` (a second later than the last, from a start
# of its own for each wrk run and thread), so no answer repeats and none is kept. (A page or an
# availability answer is made once per moment of `at`: most of these take their moment's.)
RENDER_LUA = """
local start = %d
local template = "%s"
local threads = 0
function setup(thread)
  thread:set("first", start + threads * 500000)
  threads = threads + 1
end
local n = 0
function request()
  n = n + 1
  local at = os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", first + n)
  return wrk.format("GET", (string.gsub(template, "{at}", at)))
end
"""
RENDER_START = 1780272000  # 2026-06-01T00:00:00Z, as the kept path asks: the same rows, about


def wrk(
    url: str, duration: int, connections: int, headers: list[str], script: Path | None = None
) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
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


@dataclass
class Case:
    """One kind of request: the catalog's path ({at} where it takes an instant: the kept path
    asks 2026-06-01 every time, the render path a new second each request) and the nearest
    Datasette query (--peer)."""

    name: str
    path: str
    peer: str
    not_modified: bool = False  # sent with the answer's ETag: the 304

    @property
    def renders(self) -> bool:
        return "{at}" in self.path


def cases(model: str, cloud: str) -> list[Case]:
    export_sql = (
        "select * from offerings where model in (select id from models "
        "where provider = 'bench-export') order by id"
    )
    ci_sql = (
        "select * from offerings where model = :m and cloud = :c and available_from <= :at "
        "and (retired_from is null or retired_from > :at)"
    )
    model_sql = "select * from offerings where model = :m order by cloud, id"
    q = urllib.parse.quote
    at = "at=2026-06-01T00:00:00Z"
    return [
        Case(
            "CI availability answer",
            f"/v1/models/{model}/availability/{cloud}?at={{at}}",
            f"/catalog.json?sql={q(ci_sql)}&m={model}&c={cloud}&{at}&_shape=objects",
        ),
        Case(
            "availability of one model, every cloud",
            f"/v1/models/{model}/availability?at={{at}}",
            f"/catalog.json?sql={q(model_sql)}&m={model}&_shape=objects",
        ),
        Case(
            "model page (HTML)",
            f"/models/{model}?at={{at}}",
            f"/catalog.json?sql={q(model_sql)}&m={model}&_shape=objects",
        ),
        Case(
            "offerings of one model (~10)",
            f"/v1/offerings?model={model}&at={{at}}",
            f"/catalog/offerings.json?model={model}&_shape=objects",
        ),
        Case(
            "CSV export (~800 rows)",
            "/v1/offerings?provider=bench-export&format=csv&at={at}",
            f"/catalog.csv?sql={q(export_sql)}&_size=max",
        ),
        Case(
            "JSON export, a page of 500",
            "/v1/offerings?provider=bench-export&limit=500&at={at}",
            f"/catalog.json?sql={q(export_sql)}&_size=500&_shape=objects",
        ),
        Case(
            "list page of 50, If-None-Match (304)",
            "/v1/offerings?limit=50",
            "/catalog/offerings.json?_size=50&_shape=objects",
            not_modified=True,
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
    # --before: an older catalog package (its folder holds catalog/), on the same file: the
    # render path before and after a change, measured in the same run.
    before_env = {**env, "PYTHONPATH": str(args.before)} if args.before else env
    older = Server("before", [*gunicorn, "catalog:create_app()"], before_env)
    servers = [
        catalog,
        bare,
        *([older] if args.before else []),
        *([datasette] if args.peer else []),
    ]
    log = folder / "servers.log"
    scripts = iter(range(1_000_000))
    try:
        catalog.start(log, "/readyz")
        bare.start(log, "/healthz")
        if args.before:
            older.start(log, "/healthz")  # its readyz may not know this schema's newest step
        if args.peer:
            datasette.start(log, "/-/versions.json")
        model, cloud = "model-0000050", "aws"
        status, _, body = fetch(catalog.url + f"/v1/offerings?model={model}")
        rows = len(json.loads(body)["items"])
        cloud = json.loads(body)["items"][0]["cloud"]
        results: dict[str, dict[str, list[dict[str, float]]]] = {}
        for case in cases(model, cloud):
            kept_path = case.path.replace("{at}", "2026-06-01")
            headers: list[str] = []
            if case.not_modified:
                _, response_headers, _ = fetch(catalog.url + kept_path)
                headers = [f"If-None-Match: {response_headers['ETag']}"]
                assert fetch(catalog.url + kept_path, dict([headers[0].split(": ")]))[0] == 304
            code, _, _ = fetch(catalog.url + kept_path)
            assert code == 200, f"catalog {kept_path}: {code}"
            if args.peer:
                code, _, _ = fetch(datasette.url + case.peer)
                assert code == 200, f"datasette {case.peer}: {code}"
            # (label, server, path, headers, render?) measured in turn, in rotating order
            runs = [("kept", catalog, kept_path, headers, False)]
            if case.renders:
                runs.append(("render", catalog, case.path, [], True))
                if args.before:
                    runs.append(("render before", older, case.path, [], True))
            runs.append(("bare", bare, "/", [], False))
            if args.peer:
                runs.append(("datasette", datasette, case.peer, [], False))
            per_run: dict[str, list[dict[str, float]]] = {label: [] for label, *_ in runs}
            for round_number in range(args.rounds):
                shift = round_number % len(runs)
                for label, server, path, sent, render in runs[shift:] + runs[:shift]:
                    script = None
                    if render:
                        script = folder / "render.lua"
                        start = RENDER_START + next(scripts) * 1_000_000
                        script.write_text(RENDER_LUA % (start, path))
                        path = "/"
                    if args.close:
                        sent = [*sent, "Connection: close"]
                    spent = server.cpu_seconds()
                    figures = wrk(server.url + path, args.duration, args.connections, sent, script)
                    figures["cpu_ms"] = (
                        (server.cpu_seconds() - spent) * 1000 / max(figures["requests"], 1)
                    )
                    per_run[label].append(figures)
            results[case.name] = per_run
            print(f"  measured: {case.name}", flush=True)
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
        "| request | path | req/s | vs bare | p50 ms | p99 ms | CPU ms/req | CPU vs bare |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, per_run in report["results"].items():  # type: ignore[attr-defined]
        rps = {label: median([r["rps"] for r in runs]) for label, runs in per_run.items()}
        cpu = {label: median([r["cpu_ms"] for r in runs]) for label, runs in per_run.items()}
        for n, (label, runs) in enumerate(per_run.items()):
            errors = sum(r["errors"] for r in runs)
            note = f" ({errors} non-2xx/3xx)" if errors else ""
            lines.append(
                f"| {name if n == 0 else ''} | {label}{note} | {rps[label]:,.0f} | "
                f"{rps[label] / rps['bare']:.2f} | "
                f"{median([r['p50'] for r in runs]):.2f} | "
                f"{median([r['p99'] for r in runs]):.2f} | "
                f"{cpu[label]:.2f} | {cpu[label] / cpu['bare']:.1f}x |"
            )
    return "\n".join(lines)


def rps_of(report: dict[str, object], name: str, label: str) -> float:
    return median([r["rps"] for r in report["results"][name][label]])  # type: ignore[index]


def cpu_of(report: dict[str, object], name: str, label: str) -> float:
    return median([r["cpu_ms"] for r in report["results"][name][label]])  # type: ignore[index]


def summary(reports: list[dict[str, object]]) -> str:
    """Each path against bare Flask measured in the same run and scale: req/s (higher is
    better; the issue's measure) and CPU per request (lower is better; steadier on a shared
    machine); then the largest scale against the smallest, as those ratios' ratio."""
    present = {label for r in reports for runs in r["results"].values() for label in runs}  # type: ignore[attr-defined]
    labels = [x for x in ("render", "render before", "kept") if x in present]
    names = list(reports[0]["results"])  # type: ignore[call-overload]
    head = " | ".join(f"{r['scale']:,}: {label}" for r in reports for label in labels)
    rule = "|---|" + "---:|" * (len(labels) * len(reports))

    def ratio(report: dict[str, object], name: str, label: str, measure: str) -> float | None:
        if label not in report["results"][name]:  # type: ignore[index]
            return None
        if measure == "rps":
            return rps_of(report, name, label) / rps_of(report, name, "bare")
        return cpu_of(report, name, label) / cpu_of(report, name, "bare")

    lines: list[str] = []
    for measure, title in (("rps", "req/s vs bare"), ("cpu", "CPU/request vs bare")):
        lines += [f"| request ({title}) | {head} |", rule]
        for name in names:
            cells = [ratio(r, name, label, measure) for r in reports for label in labels]
            shown = ["-" if c is None else f"{c:.2f}" for c in cells]
            lines.append(f"| {name} | {' | '.join(shown)} |")
        lines.append("")
    if len(reports) > 1:
        first, last = reports[0], reports[-1]
        lines += [
            f"{last['scale']:,} against {first['scale']:,} offerings: req/s vs bare at "
            f"{last['scale']:,} / the same at {first['scale']:,} (1.00: no slower)",
            "",
        ]
        for name in names:
            found = []
            for label in labels:
                a, b = ratio(first, name, label, "rps"), ratio(last, name, label, "rps")
                if a is not None and b is not None:
                    found.append(f"{label} {b / a:.2f}")
            lines.append(f"- {name}: {', '.join(found)}")
    return "\n".join(lines)


def svg(reports: list[dict[str, object]]) -> str:
    """A bar chart of the summary: req/s against bare Flask's, per request, path and scale."""
    colours = {"render before": "#bbbbbb", "render": "#3b6fb6", "kept": "#7fb77e"}
    names = list(reports[0]["results"])  # type: ignore[call-overload]
    bar, gap, left, top, width = 9, 10, 270, 40, 330
    per_name = 14 + len(reports) * (len(colours) * bar + 4) + gap
    height = top + len(names) * per_name + 40
    scale = width / 2.0  # the axis runs from 0 to 2x bare Flask's req/s
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        f'<text x="{left}" y="16" font-size="12">req/s against bare Flask (1.0), '
        "wrk -c32, 2 gevent workers</text>",
    ]
    for n, (label, colour) in enumerate(colours.items()):
        out.append(f'<rect x="{left + n * 110}" y="22" width="9" height="9" fill="{colour}"/>')
        out.append(f'<text x="{left + n * 110 + 13}" y="30">{label}</text>')
    y = top
    for name in names:
        out.append(f'<text x="{left - 8}" y="{y + 10}" text-anchor="end">{name}</text>')
        y += 14
        for report in reports:
            runs = report["results"][name]  # type: ignore[index]
            out.append(
                f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" fill="#666">'
                f"{report['scale']:,} offerings</text>"
            )
            for label, colour in colours.items():
                if label in runs:
                    value = rps_of(report, name, label) / rps_of(report, name, "bare")
                    length = min(value, 2.0) * scale
                    out.append(
                        f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar - 1}" '
                        f'fill="{colour}"/><text x="{left + length + 3:.1f}" y="{y + 8}" '
                        f'font-size="9">{value:.2f}</text>'
                    )
                y += bar
            y += 4
        y += gap
    one = left + scale
    out.append(
        f'<line x1="{one}" y1="{top - 4}" x2="{one}" y2="{y}" stroke="#000" '
        'stroke-dasharray="3,3"/>'
    )
    out.append(f'<text x="{one}" y="{y + 12}" text-anchor="middle">bare Flask</text></svg>')
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1000,100000")
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", help="default: the shipped worker (gevent)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--peer", action="store_true", help="also measure Datasette (kept path)")
    parser.add_argument(
        "--before",
        type=Path,
        help="a folder holding an older catalog/ package: its render path is measured too",
    )
    parser.add_argument(
        "--close",
        action="store_true",
        help="a new connection for every request (Connection: close), as a client without "
        "keep-alive makes",
    )
    parser.add_argument("--svg", type=Path, help="also draw the summary as an SVG bar chart")
    parser.add_argument(
        "--report", type=Path, help="print (and draw) the figures a --json run wrote; no measuring"
    )
    args = parser.parse_args()
    if args.report:
        reports = json.loads(args.report.read_text())
    else:
        with tempfile.TemporaryDirectory(prefix="catalog-bench-") as tmp:
            reports = [run_scale(int(s), args, Path(tmp)) for s in args.scales.split(",")]
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2))
    if args.svg:
        args.svg.write_text(svg(reports))
    print(
        f"\nwrk -t2 -c{args.connections} -d{args.duration}s, {args.rounds} rounds (medians), "
        f"{args.workers} {args.worker_class or 'shipped (gevent)'} workers, loopback, "
        f"{os.cpu_count()} cores"
        f"{', Connection: close' if args.close else ''}. kept: the same request again (kept "
        "answers, as CI polls); render: every request a new `at`, so no answer repeats (a "
        "page or an availability answer is made once per moment of `at`, storage/moments.py); "
        "bare: bare Flask's constant 1 KB answer under the same gunicorn settings.\n"
    )
    print(summary(reports) + "\n")
    for report in reports:
        print(table(report) + "\n")


if __name__ == "__main__":
    main()
