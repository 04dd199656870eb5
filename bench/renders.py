"""Where the render path spends its CPU: each request in-process (no server, no network),
every one with a new `at` so nothing repeats (kept answers on, as shipped); CPU ms per request
beside the same loop over bare Flask (bench/bare.py), and pyinstrument's top frames.

    bench/.venv/bin/python bench/renders.py            # --scale 1000 --requests 400
    bench/.venv/bin/python bench/renders.py --only csv --tree   # one request kind, the full tree
    bench/.venv/bin/python bench/renders.py --made     # no answer kept per moment either

A page or an availability answer is made once per moment of `at` (storage/moments.py), so
most of these requests, a minute apart, take the one made for their moment; --made lets every
kept moment go before each request, so each is made: what the first request of a moment (or
after a write) costs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402

MODEL = "model-0000050"
START = datetime(2026, 1, 1, tzinfo=UTC)


def requests(cloud: str) -> dict[str, Callable[[int], str]]:
    """Each kind of request as a function of n: the n-th asks a new `at`."""

    def at(n: int) -> str:
        return (START + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")

    return {
        "healthz": lambda n: "/healthz",
        "ci": lambda n: f"/v1/models/{MODEL}/availability/{cloud}?at={at(n)}",
        "checks": lambda n: f"/v1/checks?pair={MODEL}:{cloud}&at={at(n)}",
        "availability": lambda n: f"/v1/models/{MODEL}/availability?at={at(n)}",
        "page": lambda n: f"/models/{MODEL}?at={at(n)}",
        "offerings": lambda n: f"/v1/offerings?model={MODEL}&at={at(n)}",
        "csv": lambda n: f"/v1/offerings?provider=bench-export&format=csv&at={at(n)}",
        "export": lambda n: f"/v1/offerings?provider=bench-export&limit=500&at={at(n)}",
    }


def call(app: Any, path: str) -> tuple[int, int]:
    """One request through the whole WSGI app, its body read; returns the status and size."""
    environ = EnvironBuilder(path=path).get_environ()
    status: list[str] = []

    def start_response(code: str, headers: Iterable[tuple[str, str]], exc: Any = None) -> None:
        status.append(code)

    body = app(environ, start_response)
    size = 0
    try:
        for block in body:
            size += len(block)
    finally:
        if hasattr(body, "close"):
            body.close()
    return int(status[0].split()[0]), size


def cpu_ms(app: Any, paths: list[str], before: Callable[[], None] = lambda: None) -> float:
    started = time.process_time()
    for path in paths:
        before()
        code, _ = call(app, path)
        assert code == 200, (path, code)
    return (time.process_time() - started) * 1000 / len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--only", help="one kind of request (ci, availability, page, ...)")
    parser.add_argument("--tree", action="store_true", help="print pyinstrument's whole tree")
    parser.add_argument("--flat", action="store_true", help="the frames by their own time")
    parser.add_argument("--no-profile", action="store_true", help="CPU figures only")
    parser.add_argument("--made", action="store_true", help="no answer kept per moment")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="catalog-profile-"))
    database = folder / "catalog.db"
    synth.build(database, args.scale)
    os.environ.update(
        CATALOG_DATABASE=str(database),
        CATALOG_LOG_LEVEL="warning",
    )
    import bare

    from catalog import create_app

    forget: Callable[[], None] = lambda: None  # noqa: E731
    if args.made:  # (an older catalog, measured with PYTHONPATH, may keep no moments)
        from catalog.storage import moments

        forget = moments.clear

    app = create_app()
    cloud = synth.HYPERSCALERS[0]
    import json

    first = json.loads(b"".join(app.test_client().get(f"/v1/offerings?model={MODEL}").response))
    cloud = first["items"][0]["cloud"]
    kinds = requests(cloud)
    if args.only:
        kinds = {args.only: kinds[args.only]}
    for make in kinds.values():  # warm: templates compiled, statements prepared, menus kept
        for n in range(3):
            call(app, make(10_000_000 + n))
    base_paths = [f"/anything?at={n}" for n in range(args.requests)]
    cpu_ms(bare.app, base_paths)
    baseline = cpu_ms(bare.app, base_paths)
    print(f"# {args.scale:,} offerings; in-process, CPU ms per request; bare Flask {baseline:.3f}")
    for name, make in kinds.items():
        paths = [make(n) for n in range(args.requests)]
        spent = cpu_ms(app, paths, forget)
        size = call(app, make(20_000_000))[1]
        print(
            f"{name:13s} {spent:7.3f} ms  ({spent / baseline:4.1f}x bare; {size:,} bytes)",
            flush=True,
        )
        if args.no_profile:
            continue
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        paths = [make(args.requests + n) for n in range(args.requests)]
        profiler.start()
        for path in paths:
            forget()
            call(app, path)
        profiler.stop()
        if args.flat:  # where the time is spent, whatever called it
            text = profiler.output_text(unicode=False, color=False, flat=True)
            print("\n".join(text.splitlines()[:40]))
            continue
        text = profiler.output_text(
            unicode=False, color=False, show_all=False, short_mode=not args.tree
        )
        print(text if args.tree else "\n".join(text.splitlines()[:60]))


if __name__ == "__main__":
    main()
