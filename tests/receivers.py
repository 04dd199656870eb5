"""A webhook receiver on 127.0.0.1 for the tests: it records what it is sent, answers with the
statuses it is told to (then 200), hangs when told to, and checks signatures as a receiver
would (imported by the tests that need it)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next of `answers` (an HTTP status, "hang", or a function
    called first that returns the status), then 200."""

    answers: list[Any] = field(default_factory=list)
    port: int = 0
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body)
                )
                answer = receiver.answers.pop(0) if receiver.answers else 200
                if callable(answer):  # something to do while the sender waits, then its status
                    answer = answer()
                if answer == "hang":
                    time.sleep(3)
                    return
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def wait(self, count: int, seconds: float = 30) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"got {len(self.received)} of {count}"
            time.sleep(0.05)
        return self.received


def verify(secret: str, received: Received, tolerance: int = 300) -> None:
    """What a receiver does with Standard Webhooks' headers: recompute the HMAC over
    "{webhook-id}.{webhook-timestamp}.{body}" with the secret's key, compare in constant time,
    and refuse a stale timestamp."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    ident, stamp = received.headers["webhook-id"], received.headers["webhook-timestamp"]
    assert abs(time.time() - int(stamp)) < tolerance
    signed = f"{ident}.{stamp}.".encode() + received.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    versions = [s.split(",", 1) for s in received.headers["webhook-signature"].split(" ")]
    assert any(v == "v1" and hmac.compare_digest(sig, expected) for v, sig in versions)
