"""Feed and change-feed render times (first, then kept) on the seeded catalog: run from the
checkout with .venv/bin/python docs/notes/feeds/bench_feeds.py."""
import shutil, statistics, sys, tempfile, time
sys.path.insert(0, "tests")
from helpers import copy_database
from catalog import create_app
from catalog.storage import loading
from pathlib import Path
p = Path(tempfile.gettempdir()) / "feeds-bench.db"
if not p.exists():
    loading.seed_if_empty(p)
for url in ["/feed.atom", "/feed.json", "/feed.atom?model=mistral-large-2402", "/feed.json?cloud=aws&limit=500", "/v1/changes?since=2026-12-01&limit=50"]:
    firsts, repeats = [], []
    for _ in range(5):
        app = create_app({"TESTING": True, "DATABASE": str(p), "READ_ONLY": True})
        c = app.test_client()
        t = time.perf_counter(); r = c.get(url); firsts.append(time.perf_counter() - t)
        assert r.status_code == 200, r.data
        t = time.perf_counter(); c.get(url); repeats.append(time.perf_counter() - t)
    print(f"{url:45s} first {statistics.median(firsts)*1000:6.1f} ms  kept {statistics.median(repeats)*1000:5.2f} ms  bytes {len(r.data)}")
