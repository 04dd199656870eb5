"""The web pages on a big synthetic catalog: page weight, server time, and render time in
headless Chromium (Debian's chromium and chromium-driver; selenium from pip).

    .venv/bin/python bench/web.py            # --offerings 4000 --extra-clouds 18
    .venv/bin/python bench/web.py --shipped  # the shipped fixtures instead

The catalog: bench/synth.py's (ten offerings a model, 12 clouds), plus `--extra-clouds`
inference hosts and gateways, each model offered on one of them: with the defaults 400 models,
4,400 offerings and 30 clouds, past the ~2,000 offerings, ~400 models and ~30 clouds the shipped
catalog is growing to. Prints one line per page; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402
from run import Server  # noqa: E402

STAMP = synth.NOW
PAGES = [
    "/",
    "/?at=2026-06-01",
    "/?at=2026-06-01&page=4",
    "/?at=2026-06-01&provider=maker-07",
    "/?at=2026-06-01&kind=hyperscaler",
    "/?at=2026-06-01&q=model-00001",
    "/?at=2026-06-01&family=family-000010",
    "/models/model-0000050?at=2026-06-01",
    "/timeline",
    "/timeline?scope=all&provider=maker-07",
]


SHIPPED_PAGES = [
    "/",
    "/?at=2024-03-15",
    "/?at=2024-03-15&provider=mistral-ai",
    "/?at=2024-03-15&family=mistral-large",
    "/?kind=hyperscaler",
    "/?q=gpt",
    "/models/mistral-large-2402",
    "/timeline",
    "/timeline?scope=all",
]


def add_clouds(path: Path, extra: int) -> dict[str, int]:
    """More clouds (inference hosts and gateways), each model offered on one of them."""
    conn = sqlite3.connect(path)
    models = [row[0] for row in conn.execute("SELECT id FROM models ORDER BY id")]
    clouds = [
        (f"{'host' if n % 3 else 'gateway'}-{n:02d}", "inference-host" if n % 3 else "gateway")
        for n in range(extra)
    ]
    with conn:
        conn.executemany(
            "INSERT INTO clouds (id, name, kind, provider, created_at, updated_at) "
            "VALUES (?, ?, ?, NULL, ?, ?)",
            [(c, c.replace("-", " ").title(), kind, STAMP, STAMP) for c, kind in clouds],
        )
        conn.executemany(
            "INSERT INTO offerings (id, model, cloud, deployment_type, cloud_model_id, stage, "
            "available_from, available_from_certainty, available_from_source, created_at, "
            "updated_at) VALUES (?, ?, ?, 'serverless', ?, 'ga', ?, 'on-or-before', ?, ?, ?)",
            [
                (f"{cloud}:{m}", m, cloud, m, "2025-06-01T00:00:00Z", synth.SOURCE, STAMP, STAMP)
                for n, m in enumerate(models)
                for cloud, _ in [clouds[n % extra]]
            ],
        )
        conn.execute(
            "INSERT INTO changes (recorded_at, actor, action, resource, record_id) "
            "VALUES (?, 'bench', 'create', 'clouds', 'bench-web')",
            (STAMP,),
        )
    conn.close()
    return count(path)


def count(path: Path) -> dict[str, int]:
    """Models, offerings and clouds in the catalog."""
    conn = sqlite3.connect(path)
    found = {
        name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        for name in ("models", "offerings", "clouds")
    }
    conn.close()
    return found


def fetch(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        size = len(response.read())
    return size, (time.perf_counter() - started) * 1000


def browser_times(base: str, paths: list[str], folder: Path) -> dict[str, float]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--window-size=1280,900 --disk-cache-size=1"
    ).split():
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={folder / 'profile'}")
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    times: dict[str, float] = {}
    try:
        for path in paths:
            runs = []
            for _ in range(3):
                driver.get(base + path)
                runs.append(
                    driver.execute_script(
                        "return performance.getEntriesByType('navigation')[0].loadEventEnd"
                    )
                )
            times[path] = statistics.median(runs)
    finally:
        driver.quit()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offerings", type=int, default=4000)
    parser.add_argument("--extra-clouds", type=int, default=18)
    parser.add_argument(
        "--shipped", action="store_true", help="the shipped fixtures instead of a synthetic catalog"
    )
    args = parser.parse_args()
    pages = SHIPPED_PAGES if args.shipped else PAGES
    with tempfile.TemporaryDirectory(prefix="catalog-web-bench-") as tmp:
        folder = Path(tmp)
        database = folder / "catalog.db"
        if args.shipped:
            from catalog.storage import loading

            loading.seed_if_empty(database)
            counts = count(database)
        else:
            synth.build(database, args.offerings)
            counts = add_clouds(database, args.extra_clouds)
        print(
            f"# {counts['models']:,} models, {counts['offerings']:,} offerings, "
            f"{counts['clouds']} clouds"
        )
        env = {
            **os.environ,
            "CATALOG_DATABASE": str(database),
            "CATALOG_RESPONSE_CACHE_BYTES": "0",  # every page rendered afresh
        }
        server = Server(
            "catalog",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:catalog.server.gunicorn_conf",
                "--bind",
                "127.0.0.1:{port}",
                "--workers",
                "1",
                "catalog:create_app()",
            ],
            env,
        )
        server.start(folder / "server.log", "/readyz")
        try:
            for path in pages:
                fetch(server.url + path)  # warm: templates compiled, menus kept
            served = {path: [fetch(server.url + path) for _ in range(5)] for path in pages}
            rendered = browser_times(server.url, pages, folder)
        finally:
            server.stop()
    print("| page | bytes | server ms (median of 5, kept answers off) | Chromium load ms |")
    print("|---|---:|---:|---:|")
    for path in pages:
        size = served[path][0][0]
        ms = statistics.median(t for _, t in served[path])
        print(f"| `{path}` | {size:,} | {ms:.0f} | {rendered[path]:.0f} |")


if __name__ == "__main__":
    main()
