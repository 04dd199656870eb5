"""The CI answer's latency from catalog serve, idle and while the deliverer works (24
subscriptions: 8 hanging, 8 failing, 8 healthy; 30 writes): .venv/bin/python
docs/notes/feeds/bench_deliveries.py from the checkout (about a minute)."""
import statistics, sys, time, tempfile
from pathlib import Path
sys.path.insert(0, "tests")
import requests
from servers import Server
from receivers import Receiver
from helpers import bearer

def measure(url, n=300):
    s = requests.Session(); out = []
    for i in range(n):
        t = time.perf_counter()
        r = s.get(f"{url}/v1/models/gpt-4o/availability/aws?at=2025-01-01T00:{i // 60:02d}:{i % 60:02d}Z")
        out.append(time.perf_counter() - t); assert r.status_code == 200
    out.sort()
    return f"p50 {statistics.median(out)*1000:.1f} ms, p99 {out[int(len(out)*0.99)]*1000:.1f} ms"

folder = Path(tempfile.mkdtemp(prefix="bench-deliver-"))
server = Server(folder, database=folder / "catalog.db", settings={"CATALOG_WEBHOOKS_ALLOW_PRIVATE": "1"})
server.start()
try:
    auth = bearer(server.token())
    print("idle (no subscription):       ", measure(server.url))
    with Receiver(answers=["hang"] * 1000) as hanging, Receiver(answers=[500] * 1000) as failing, Receiver() as ok:
        for r in [hanging] * 8 + [failing] * 8 + [ok] * 8:
            requests.post(f"{server.url}/v1/subscriptions", json={"url": r.url, "events": ["*"]}, headers=auth).raise_for_status()
        for i in range(30):
            requests.post(f"{server.url}/v1/providers", json={"id": f"lab-{i}", "name": "L"}, headers=auth).raise_for_status()
        time.sleep(1)
        print("deliverer busy (24 subs, 720 queued):", measure(server.url))
        while len(ok.received) < 240: time.sleep(0.2)
        print("after (only retries left):    ", measure(server.url))
        print("received: ok", len(ok.received), "failing", len(failing.received), "hanging", len(hanging.received))
finally:
    server.stop()
