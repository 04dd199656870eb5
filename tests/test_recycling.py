"""Worker recycling as server/gunicorn_conf.py sets it up: staggered, so that under even load
the workers never restart together (the probe saw both go within the same second)."""

from __future__ import annotations

import importlib
import random
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.workers.base import Worker


@pytest.fixture
def conf(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    # The module makes a metrics folder unless one is named: name one, restored afterwards.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    return importlib.import_module("catalog.server.gunicorn_conf")


def recycles(conf: ModuleType, workers: int, total: int) -> list[int]:
    """When (in requests served by all workers) each worker recycles, with every worker taking
    every `workers`-th request, as gunicorn's arbiter spawns and replaces them."""
    cfg = Config()
    cfg.set("max_requests", conf.max_requests)
    cfg.set("max_requests_jitter", conf.max_requests_jitter)
    server = SimpleNamespace(num_workers=workers)
    hook = getattr(conf, "pre_fork", lambda server, worker: None)
    age = 0

    def spawn() -> Worker:
        nonlocal age
        age += 1
        worker = Worker(age, 0, [], None, 30, cfg, None)
        worker.tmp.close()
        hook(server, worker)
        return worker

    running = [spawn() for _ in range(workers)]
    served = [0] * workers
    moments = []
    for n in range(total):
        k = n % workers
        served[k] += 1
        if served[k] >= running[k].max_requests:
            moments.append(n)
            running[k], served[k] = spawn(), 0
    return moments


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_recycle_one_at_a_time(conf: ModuleType, workers: int) -> None:
    random.seed(24)
    moments = recycles(conf, workers, 25 * conf.max_requests)
    assert len(moments) >= 20
    gaps = [b - a for a, b in zip(moments, moments[1:], strict=False)]
    # 2,000 requests: most of a second at the probe's 2.6k req/s; a restart takes well under.
    assert min(gaps) >= 2000, sorted(gaps)[:5]
    assert conf.graceful_timeout > 0  # a recycling worker finishes what it has
