"""Real gunicorn, several workers, many writers at once; then a SIGKILL in the middle of it."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from servers import Server, free_port

from catalog.client import Client

THREADS = 16


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path, database=tmp_path / "catalog.db")  # run from the checkout
    yield running
    running.stop()


def write_storm(
    url: str,
    token: str,
    per_thread: int,
    stop: threading.Event | None = None,
    acknowledged: list[str] | None = None,
) -> tuple[list[str], list[tuple[int, str]]]:
    """THREADS threads each creating providers; returns (acknowledged ids, unexpected answers).

    `acknowledged`, if given, is filled as the writes are answered (the caller may watch it).
    """
    acknowledged = [] if acknowledged is None else acknowledged
    unexpected: list[tuple[int, str]] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            for i in range(per_thread):
                if stop is not None and stop.is_set():
                    return
                record = {"id": f"load-{n}-{i}", "name": f"Load test {n}/{i}"}
                try:
                    response = session.post(f"{url}/v1/providers", json=record, timeout=30)
                except requests.RequestException:
                    return  # the server went away (the crash test)
                with lock:
                    if response.status_code == 201:
                        acknowledged.append(record["id"])
                    else:
                        unexpected.append((response.status_code, response.text[:200]))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return acknowledged, unexpected


def feed(url: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    after = 0
    while True:
        page = requests.get(
            f"{url}/v1/changes", params={"after": after, "limit": 500}, timeout=10
        ).json()
        items.extend(page["items"])
        if not page["next_cursor"]:
            return items
        after = int(page["items"][-1]["seq"])  # type: ignore[call-overload]


def check_consistent(url: str, acknowledged: list[str]) -> None:
    changes = feed(url)
    assert [c["seq"] for c in changes] == list(range(1, len(changes) + 1)), "the feed has a gap"
    created = [
        c["id"]
        for c in changes
        if c["resource"] == "providers" and str(c["id"]).startswith("load-")
    ]
    assert len(created) == len(set(created)), "a write was recorded twice"
    assert set(acknowledged) <= set(created), "an acknowledged write is missing from the feed"
    providers = Client(url).list_all("providers")
    stored = {p["id"] for p in providers if p["id"].startswith("load-")}
    assert set(acknowledged) <= stored and stored == set(created)


def test_many_writers_lose_and_double_nothing(server: Server) -> None:
    token = server.token()
    server.start(workers=4)
    acknowledged, unexpected = write_storm(server.url, token, per_thread=15)
    assert unexpected == []  # no 500, no "database is locked"
    assert len(acknowledged) == THREADS * 15
    check_consistent(server.url, acknowledged)


def test_sigkill_mid_storm_loses_no_acknowledged_write(server: Server) -> None:
    token = server.token()
    server.start(workers=4)
    stop = threading.Event()
    result: dict[str, tuple[list[str], list[tuple[int, str]]]] = {}
    so_far: list[str] = []
    storm = threading.Thread(
        target=lambda: result.setdefault(
            "r", write_storm(server.url, token, 10_000, stop, acknowledged=so_far)
        )
    )
    storm.start()
    deadline = time.monotonic() + 60
    while len(so_far) < 100 and time.monotonic() < deadline:  # kill it mid-storm, not before
        time.sleep(0.01)
    server.kill()
    stop.set()
    storm.join(timeout=60)
    acknowledged, unexpected = result["r"]
    assert acknowledged, "the storm wrote nothing before the kill"
    assert unexpected == []

    conn = sqlite3.connect(server.folder / "catalog.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    server.port = free_port()
    server.start(workers=2)
    check_consistent(server.url, acknowledged)


def test_metrics_count_every_worker(server: Server) -> None:
    """/metrics adds up what all gunicorn workers served (prometheus multiprocess mode)."""
    import json as jsonlib

    server.start(workers=4)

    def served_by() -> set[int]:
        return {
            entry["pid"]
            for line in (server.folder / "serve.log").read_text().splitlines()
            if line.startswith("{") and (entry := jsonlib.loads(line))["route"] == "/v1/clouds"
        }

    def batch() -> None:
        with requests.Session() as session:
            for _ in range(10):
                assert session.get(f"{server.url}/v1/clouds", timeout=10).status_code == 200

    sent = 0
    # Spread requests until at least two workers have served some (the kernel decides who
    # accepts; a few batches always suffice), so the count below really spans workers.
    for _ in range(20):
        threads = [threading.Thread(target=batch) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sent += THREADS * 10
        if len(served_by()) >= 2:
            break
    assert len(served_by()) >= 2, "every request went to one worker: the test proves nothing"
    text = requests.get(f"{server.url}/metrics", timeout=10).text
    counted = next(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(
            'catalog_http_requests_total{method="GET",route="/v1/clouds",status="200"}'
        )
    )
    assert counted == sent
