"""What deploy/check runs: writer, Litestream, a read replica and nginx on free loopback ports,
the checks of README.md, "Running it in production", and one table of figures.

    python deploy/checks.py RUN_DIR [--offerings 100000]

Every process it starts is a session leader whose id is written to RUN_DIR/pids (deploy/check
kills what is left there); it stops them all itself on the way out. Exit status 1 when a check
fails.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import ssl
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
BIN = Path(sys.executable).parent
CATALOG = str(BIN / "catalog")
LITESTREAM = shutil.which("litestream", path=str(BIN)) or "litestream"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WRK = shutil.which("wrk")
MAX_AGE = 2  # seconds; 60 in production, short here so that an entry expires during the run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Processes:
    """The processes this run started, each in its own session (so its children go with it)."""

    def __init__(self, run: Path) -> None:
        self.run = run
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        with (self.run / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                argv,
                env=env,
                cwd=self.run,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started[name] = process
        with (self.run / "pids").open("a") as pids:
            pids.write(f"{process.pid}\n")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.started.pop(name)
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def alive(self, name: str) -> bool:
        return self.started[name].poll() is None

    def stop_all(self) -> None:
        for name in list(self.started):
            try:
                self.kill(name, signal.SIGTERM)
            except subprocess.TimeoutExpired:
                self.kill(name, signal.SIGKILL)


def wait_until(what: str, condition: Any, timeout: float = 60.0, every: float = 0.1) -> float:
    """Poll `condition` until it is true; returns the seconds it took."""
    started = time.monotonic()
    while True:
        try:
            if condition():
                return time.monotonic() - started
        except (requests.ConnectionError, requests.Timeout, OSError, sqlite3.Error):
            pass
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(every)


def answers(url: str, status: int = 200) -> bool:
    return requests.get(url, timeout=2).status_code == status


class Check:
    """The figures table and the pass/fail verdicts."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str]] = []
        self.failed = 0

    def figure(self, name: str, value: str, verdict: bool | None = None) -> None:
        mark = "" if verdict is None else ("ok" if verdict else "FAIL")
        self.failed += verdict is False
        self.rows.append((name, value, mark))
        print(f"  {mark or '--':4} {name}: {value}", flush=True)

    def table(self) -> str:
        width = max(len("figure"), *(len(name) for name, _, _ in self.rows))
        value_width = max(len("value"), *(len(value) for _, value, _ in self.rows))
        lines = [f"| {'figure'.ljust(width)} | {'value'.ljust(value_width)} | check |"]
        lines.append(f"|{'-' * (width + 2)}|{'-' * (value_width + 2)}|-------|")
        for name, value, mark in self.rows:
            lines.append(f"| {name.ljust(width)} | {value.ljust(value_width)} | {mark:5} |")
        return "\n".join(lines)


def service_env(database: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env["CATALOG_DATABASE"] = str(database)
    env["CATALOG_CACHE_MAX_AGE"] = str(MAX_AGE)
    return env | {f"CATALOG_{k}": v for k, v in settings.items()}


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with openssl for this run (one day)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def render_nginx(
    run: Path, listen: int, tls: tuple[int, Path, Path], writer: int, replicas: list[int]
) -> Path:
    folder = run / "nginx"
    for sub in ("cache", "logs", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    text = (HERE / "nginx" / "catalog.conf").read_text()
    tls_port, cert, key = tls
    for name, value in {
        "LISTEN": f"127.0.0.1:{listen}",
        "TLS_LISTEN": f"127.0.0.1:{tls_port}",
        "TLS_CERT": str(cert),
        "TLS_KEY": str(key),
        # This run's own client is not limited (its load figures); 127.0.0.2 is, below.
        "UNLIMITED": "127.0.0.1 0;",
        "WRITER": f"127.0.0.1:{writer}",
        "REPLICAS": " ".join(f"server 127.0.0.1:{port};" for port in replicas),
        "CACHE_DIR": str(folder / "cache"),
        "LOG_DIR": str(folder / "logs"),
    }.items():
        text = text.replace(f"@@{name}@@", value)
    assert not re.search(r"^[^#]*@@", text, re.M), (
        "a placeholder of deploy/nginx/catalog.conf was left unfilled"
    )
    (folder / "catalog.conf").write_text(text)
    tmp = folder / "tmp"
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 2;\nworker_rlimit_nofile 8192;\n"
        f"pid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        f"  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;\n"
        f"  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi;\n"
        f"  scgi_temp_path {tmp}/scgi;\n"
        f"  include {folder}/catalog.conf;\n"
        "}\n"
    )
    return folder / "nginx.conf"


def tls_checks(check: Check, url: str, cert: Path) -> None:
    """HTTPS with the run's self-signed certificate: verified, cached, with HSTS."""
    target = "/v1/models?limit=5"
    plain = {"Accept": "application/json"}
    first = requests.get(url + target, headers=plain, verify=str(cert))
    again = requests.get(url + target, headers=plain, verify=str(cert))
    check.figure(
        "nginx TLS: a verified HTTPS read, cached, with HSTS and the service's headers",
        f"{first.status_code} {first.headers.get('X-Cache-Status')} then "
        f"{again.headers.get('X-Cache-Status')}",
        first.status_code == 200
        and again.headers.get("X-Cache-Status") == "HIT"
        and again.headers.get("Strict-Transport-Security", "").startswith("max-age=")
        and again.headers.get("X-Content-Type-Options") == "nosniff",
    )
    try:
        requests.get(url + "/healthz", timeout=5)  # the system's trust store: not this one
        unverified = "accepted"
    except requests.exceptions.SSLError:
        unverified = "refused"
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
    # A client that offers TLS 1.1 and nothing newer (its own security level lowered, so
    # that a refusal is the server's).
    old.set_ciphers("DEFAULT:@SECLEVEL=0")
    old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=5) as s:
            old.wrap_socket(s).close()
        tls11 = "accepted"
    except (ssl.SSLError, OSError):
        tls11 = "refused"
    check.figure(
        "nginx TLS: an unknown certificate (client side) / TLS 1.1 (server side)",
        f"{unverified} / {tls11}",
        unverified == "refused" and tls11 == "refused",
    )


def limit_checks(check: Check, port: int) -> None:
    """A client address that is not exempt (127.0.0.2) flooding the API gets 429s (problem+json);
    its pages and health checks are not limited."""
    statuses: list[int] = []
    problem = ""
    conn = http.client.HTTPConnection("127.0.0.1", port, source_address=("127.0.0.2", 0))
    for _ in range(300):
        conn.request("GET", "/v1/models?limit=1", headers={"Accept": "application/json"})
        answer = conn.getresponse()
        body = answer.read()
        statuses.append(answer.status)
        if answer.status == 429:
            problem = answer.getheader("Content-Type", "")
            json.loads(body)
    conn.request("GET", "/healthz")
    health = conn.getresponse()
    health.read()
    conn.close()
    limited = statuses.count(429)
    check.figure(
        "nginx limits: 300 back-to-back API reads from one address (50/s, burst 100)",
        f"{statuses.count(200)} answered, {limited} refused (429, {problem or '-'}); "
        f"/healthz {health.status}",
        statuses[0] == 200
        and limited > 0
        and problem == "application/problem+json"
        and health.status == 200,
    )


def upstream_hits(log: Path, path: str, status: int | None = None) -> int:
    """Requests for `path` the service answered, from its one-JSON-line-per-request log."""
    count = 0
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("path") == path and (status is None or entry.get("status") == status):
            count += 1
    return count


async def _one(port: int, target: str, go: asyncio.Event) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await go.wait()
    writer.write(
        f"GET {target} HTTP/1.1\r\nHost: catalog\r\nAccept: application/json\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readline()
    await reader.read()
    writer.close()
    return int(head.split()[1])


async def _stampede(port: int, target: str, n: int) -> list[int]:
    go = asyncio.Event()
    tasks = [asyncio.create_task(_one(port, target, go)) for _ in range(n)]
    await asyncio.sleep(0.5)  # every connection open before any request is sent
    go.set()
    return list(await asyncio.gather(*tasks))


def stampede(port: int, target: str, n: int) -> list[int]:
    """`n` identical requests on `n` connections, sent at once."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 4 * n), hard), hard))
    return asyncio.run(_stampede(port, target, n))


def wrk(url: str, seconds: int = 5) -> float:
    """Requests per second of one URL, 2 threads and 32 connections."""
    assert WRK, "wrk is not installed"
    out = subprocess.run(
        [WRK, "-t2", "-c32", f"-d{seconds}s", "-H", "Accept: application/json", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert found and not non2xx, out
    return float(found.group(1))


class Writes:
    """Providers created on the writer by a few threads; acknowledged ids with their times."""

    def __init__(self, url: str, token: str, prefix: str) -> None:
        self.url, self.token, self.prefix = url, token, prefix
        self.acked: list[tuple[float, str]] = []  # (monotonic time of the 201, id)
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _worker(self, k: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        i = 0
        while not self.stop.is_set():
            record_id = f"{self.prefix}-{k}-{i}"
            i += 1
            try:
                answer = session.post(
                    f"{self.url}/v1/providers",
                    json={"id": record_id, "name": record_id, "website": None},
                    timeout=10,
                )
            except requests.RequestException as error:
                self.errors.append(type(error).__name__)
                continue
            if answer.status_code == 201:
                with self.lock:
                    self.acked.append((time.monotonic(), record_id))
            else:
                self.errors.append(str(answer.status_code))

    def start(self, threads: int = 4) -> list[threading.Thread]:
        workers = [threading.Thread(target=self._worker, args=(k,)) for k in range(threads)]
        for worker in workers:
            worker.start()
        return workers

    def last(self) -> tuple[float, str] | None:
        with self.lock:
            return self.acked[-1] if self.acked else None


def replication_lag(writes: Writes, replica: str, seconds: float) -> list[float]:
    """While `writes` go on: the time from a write's acknowledgement to its first sight on the
    replica, sampled every 250 ms."""
    lags: list[float] = []
    session = requests.Session()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        latest = writes.last()
        if latest is None:
            time.sleep(0.05)
            continue
        acked_at, record_id = latest
        wait_until(
            f"{record_id} on the replica",
            lambda url=f"{replica}/v1/providers/{record_id}": (
                session.get(url, timeout=2).status_code == 200
            ),
            timeout=30,
            every=0.02,
        )
        lags.append(time.monotonic() - acked_at)
        time.sleep(0.25)
    return lags


def count_ids(database: Path, ids: list[str]) -> int:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    found = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found += conn.execute(
            f"SELECT count(*) FROM providers WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        ).fetchone()[0]
    conn.close()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--offerings", type=int, default=100_000)
    options = parser.parse_args()
    run: Path = options.run.resolve()
    run.mkdir(parents=True, exist_ok=True)
    processes = Processes(run)
    check = Check()
    try:
        checks(run, processes, check, options.offerings)
    except Exception as error:  # a check that could not even run is a failed check
        check.figure("error", f"{type(error).__name__}: {error}", False)
    finally:
        processes.stop_all()
    print()
    print(check.table())
    print(f"\n{check.failed} check(s) failed" if check.failed else "\nall checks passed")
    return 1 if check.failed else 0


def checks(run: Path, processes: Processes, check: Check, offerings: int) -> None:
    writer_db = run / "writer" / "catalog.db"
    writer_db.parent.mkdir()
    replica_db = run / "replica" / "catalog.db"
    replica_db.parent.mkdir()
    store = run / "replica-store"
    store_url = f"file://{store}"
    writer_port, replica_port, nginx_port = free_port(), free_port(), free_port()
    writer_url = f"http://127.0.0.1:{writer_port}"
    replica_url = f"http://127.0.0.1:{replica_port}"
    nginx_url = f"http://127.0.0.1:{nginx_port}"
    litestream_env = os.environ | {
        "CATALOG_DATABASE": str(writer_db),
        "LITESTREAM_REPLICA_URL": store_url,
    }
    config = HERE / "litestream" / "litestream.yml"

    check.figure(
        "machine: cores, load average (1 min) at the start",
        f"{os.cpu_count()}, {os.getloadavg()[0]:.1f}",
    )
    print("starting: writer, litestream, replica, nginx", flush=True)
    token = subprocess.run(
        [CATALOG, "tokens", "create", "deploy-check", "--scope", "write"],
        env=service_env(writer_db),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    def start_writer() -> None:
        processes.start(
            "writer",
            [CATALOG, "serve", "--port", str(writer_port), "--workers", "2"],
            service_env(writer_db),
        )
        wait_until("the writer", lambda: answers(f"{writer_url}/readyz"))
        processes.start(
            "litestream", [LITESTREAM, "replicate", "-config", str(config)], litestream_env
        )

    start_writer()
    # The replica location holds the catalog once Litestream's first snapshot is up.
    wait_until("the first snapshot", lambda: any(store.rglob("*.ltx")), timeout=60)
    processes.start(
        "follow",
        [str(HERE / "litestream" / "follow"), store_url, str(replica_db)],
        os.environ | {"LITESTREAM": LITESTREAM, "PYTHON": sys.executable},
    )
    wait_until("the replica's restore", (run / "replica" / "catalog.db.ready").exists)
    processes.start(
        "replica",
        [CATALOG, "serve", "--port", str(replica_port), "--workers", "2"],
        service_env(replica_db, READ_ONLY="1"),
    )
    wait_until("the replica", lambda: answers(f"{replica_url}/readyz"))
    refused = requests.post(
        replica_url + "/v1/providers",
        json={"id": "to-a-replica", "name": "To a replica", "website": None},
        headers={"Authorization": f"Bearer {token}"},
    )
    check.figure("replica: refuses writes", str(refused.status_code), refused.status_code == 405)
    cert, key = self_signed(run / "tls")
    tls_port = free_port()
    nginx_conf = render_nginx(run, nginx_port, (tls_port, cert, key), writer_port, [replica_port])
    nginx = [NGINX, "-p", str(nginx_conf.parent), "-c", str(nginx_conf)]
    subprocess.run([*nginx, "-t", "-q"], check=True)
    processes.start("nginx", nginx)
    wait_until("nginx", lambda: answers(f"{nginx_url}/healthz"))
    replica_log = run / "replica.log"

    print("nginx: TLS and limits", flush=True)
    tls_checks(check, f"https://127.0.0.1:{tls_port}", cert)
    limit_checks(check, nginx_port)

    print("nginx", flush=True)
    # A repeat read is served from the cache, with the service's own ETag.
    # (identity: gzip would make nginx's ETag the weak form of the service's; checked below)
    target = "/v1/models?limit=100"
    plain = {"Accept": "application/json", "Accept-Encoding": "identity"}
    direct = requests.get(replica_url + target, headers=plain)
    first = requests.get(nginx_url + target, headers=plain)
    again = requests.get(nginx_url + target, headers=plain)
    check.figure(
        "nginx: repeat read answered from the cache, service's ETag",
        f"{first.headers.get('X-Cache-Status')} then {again.headers.get('X-Cache-Status')}",
        first.headers.get("X-Cache-Status") == "MISS"
        and again.headers.get("X-Cache-Status") == "HIT"
        and again.headers.get("ETag") == direct.headers["ETag"]
        and again.content == direct.content,
    )
    other = requests.get(nginx_url + target, headers=plain | {"Accept": "*/*"})
    direct_other = requests.get(replica_url + target, headers=plain | {"Accept": "*/*"})
    check.figure(
        "nginx: another Accept is another entry (as the ETag says)",
        f"{other.headers.get('X-Cache-Status')}, ETag as the service's: "
        f"{other.headers.get('ETag') == direct_other.headers['ETag']}",
        other.headers.get("X-Cache-Status") == "MISS"
        and other.headers.get("ETag") == direct_other.headers["ETag"]
        and other.headers.get("ETag") != again.headers.get("ETag"),
    )
    before = upstream_hits(replica_log, "/v1/models")
    bearer = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
    with_token = [requests.get(nginx_url + target, headers=bearer) for _ in range(2)]
    statuses = [answer.headers.get("X-Cache-Status") for answer in with_token]
    went_up = upstream_hits(replica_log, "/v1/models") - before
    check.figure(
        "nginx: requests with Authorization bypass the cache",
        f"{'/'.join(map(str, statuses))}, {went_up} of 2 upstream",
        statuses == ["BYPASS", "BYPASS"] and went_up == 2,
    )
    gzip_headers = {"Accept": "application/json", "Accept-Encoding": "gzip"}
    zipped = requests.get(nginx_url + target, headers=gzip_headers, stream=True)
    wire = zipped.raw.read(decode_content=False)
    weak = zipped.headers.get("ETag", "")
    revalidated = requests.get(nginx_url + target, headers=gzip_headers | {"If-None-Match": weak})
    unzipped = gzip.decompress(wire) if zipped.headers.get("Content-Encoding") == "gzip" else b""
    check.figure(
        "nginx: gzip (and its weak ETag still gets a 304)",
        f"{zipped.headers.get('Content-Encoding')}, {len(direct.content):,} B -> "
        f"{len(wire):,} B, ETag {weak[:6]}...; If-None-Match -> {revalidated.status_code}",
        zipped.headers.get("Content-Encoding") == "gzip"
        and unzipped == direct.content
        and weak == f"W/{direct.headers['ETag']}"
        and revalidated.status_code == 304,
    )

    # 1,000 identical concurrent requests on a cold entry: proxy_cache_lock lets one through.
    target = "/v1/offerings?limit=50"
    before = upstream_hits(replica_log, "/v1/offerings")
    codes = stampede(nginx_port, target, 1000)
    time.sleep(0.5)  # the service writes its log line after the answer
    upstream = upstream_hits(replica_log, "/v1/offerings") - before
    check.figure(
        "nginx: upstream requests for 1,000 identical concurrent requests",
        f"{upstream} (answers: {sum(c == 200 for c in codes)} x 200)",
        upstream == 1 and codes.count(200) == 1000,
    )
    # After max-age the entry is renewed with If-None-Match: the service answers 304.
    time.sleep(MAX_AGE + 1)
    before_304 = upstream_hits(replica_log, "/v1/offerings", 304)
    stale = [requests.get(nginx_url + target, headers={"Accept": "application/json"})]
    wait_until(
        "the revalidation",
        lambda: upstream_hits(replica_log, "/v1/offerings", 304) > before_304,
        timeout=10,
    )
    stale.append(requests.get(nginx_url + target, headers={"Accept": "application/json"}))
    check.figure(
        "nginx: an expired entry is revalidated (If-None-Match -> 304)",
        f"{stale[0].headers.get('X-Cache-Status')} then {stale[1].headers.get('X-Cache-Status')},"
        f" upstream 304s: {upstream_hits(replica_log, '/v1/offerings', 304) - before_304}",
        stale[1].headers.get("X-Cache-Status") == "HIT"
        and upstream_hits(replica_log, "/v1/offerings", 304) - before_304 == 1,
    )
    target = "/v1/models?limit=100"
    direct_rps = wrk(replica_url + target)
    cached_rps = wrk(nginx_url + target)
    check.figure("req/s, repeat read, straight to the service (2 workers)", f"{direct_rps:,.0f}")
    check.figure(
        "req/s, repeat read, through nginx",
        f"{cached_rps:,.0f} ({cached_rps / direct_rps:.1f}x)",
        cached_rps > direct_rps,
    )

    print("litestream", flush=True)
    # Writes through nginx reach the writer; the replica catches up under a write storm.
    answer = requests.post(
        nginx_url + "/v1/providers",
        json={"id": "deploy-check", "name": "Deploy check", "website": None},
        headers={"Authorization": f"Bearer {token}"},
    )
    check.figure(
        "nginx: a write goes to the writer", str(answer.status_code), answer.status_code == 201
    )
    writes = Writes(writer_url, token, "storm")
    threads = writes.start()
    started = time.monotonic()
    try:
        lags = replication_lag(writes, replica_url, seconds=8)
    finally:
        writes.stop.set()
        for thread in threads:
            thread.join()
    rate = len(writes.acked) / (time.monotonic() - started)
    check.figure(
        "replication lag under a write storm (ack -> visible on replica)",
        f"median {statistics.median(lags):.2f} s, max {max(lags):.2f} s "
        f"({len(lags)} samples, {rate:.0f} writes/s)",
        max(lags) < 10 and not writes.errors,
    )

    # The writer's machine dies: SIGKILL to the service and Litestream, the disk lost.
    writes = Writes(writer_url, token, "doomed")
    threads = writes.start()
    time.sleep(4)
    killed_at = time.monotonic()
    processes.kill("litestream")
    processes.kill("writer")
    writes.stop.set()
    for thread in threads:
        thread.join()
    shutil.rmtree(writer_db.parent)
    restore = subprocess.run(
        [LITESTREAM, "restore", "-o", str(writer_db), store_url], capture_output=True, text=True
    )
    assert restore.returncode == 0, restore.stderr
    acked = [(at, record_id) for at, record_id in writes.acked if at <= killed_at]
    survived = {
        record_id
        for _, record_id in acked
        if count_ids(writer_db, [record_id])  # few thousand at most
    }
    lost = [(killed_at - at, record_id) for at, record_id in acked if record_id not in survived]
    oldest_lost = max((age for age, _ in lost), default=0.0)
    check.figure(
        "acknowledged writes surviving SIGKILL + disk loss (restored from the replica)",
        f"{len(survived)} of {len(acked)}; lost {len(lost)}, all acked in the last "
        f"{oldest_lost:.2f} s",
        oldest_lost < 3.0,  # monitor-interval 1 s + sync-interval 1 s, and a second to spare
    )
    # The restored writer carries on; the replica keeps following it.
    start_writer()
    answer = requests.post(
        writer_url + "/v1/providers",
        json={"id": "after-restore", "name": "After restore", "website": None},
        headers={"Authorization": f"Bearer {token}"},
    )
    seen = wait_until(
        "the first write after the restore on the replica",
        lambda: answers(f"{replica_url}/v1/providers/after-restore"),
        timeout=30,
    )
    check.figure(
        "replica follows the restored writer (its next write seen after)",
        f"{seen:.2f} s",
        answer.status_code == 201 and processes.alive("follow"),
    )

    print(f"restore of {offerings:,} offerings", flush=True)
    big = run / "big" / "catalog.db"
    big.parent.mkdir()
    built = time.monotonic()
    subprocess.run(
        [sys.executable, str(CHECKOUT / "bench" / "synth.py"), str(big), str(offerings)],
        check=True,
        capture_output=True,
    )
    built = time.monotonic() - built
    big_store = run / "big-store"
    processes.start(
        "litestream-big",
        [LITESTREAM, "replicate", "-config", str(config)],
        os.environ
        | {"CATALOG_DATABASE": str(big), "LITESTREAM_REPLICA_URL": f"file://{big_store}"},
    )
    wait_until("the big catalog's snapshot", lambda: any(big_store.rglob("*.ltx")), timeout=300)
    processes.kill("litestream-big", signal.SIGTERM)
    size = big.stat().st_size
    restored = run / "big-restored.db"
    took = time.monotonic()
    subprocess.run(
        [LITESTREAM, "restore", "-o", str(restored), f"file://{big_store}"],
        check=True,
        capture_output=True,
    )
    took = time.monotonic() - took
    conn = sqlite3.connect(f"file:{restored}?mode=ro", uri=True)
    count = conn.execute("SELECT count(*) FROM offerings").fetchone()[0]
    conn.close()
    check.figure(
        f"restore of a catalog of {offerings:,} offerings ({size / 1e6:.0f} MB)",
        f"{took:.1f} s (built in {built:.0f} s)",
        count == offerings,
    )


if __name__ == "__main__":
    sys.exit(main())
