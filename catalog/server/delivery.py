"""The webhook deliverer: posts each queued change to its subscription, signed, at least once.

The outbox (webhook_outbox) is filled by a trigger in the transaction that records the change,
so a change the API acknowledged is queued even if the server dies the next instant. The loop
that drives this runs in a process of its own (deliverer.py), which gunicorn's master starts
and restarts: requests never wait for it.

Per subscription, changes go out in feed order: only its oldest undelivered one is tried, and
the next waits until it is delivered or given up. A failed attempt (a timeout, a refused or
broken connection, an answer that is not 2xx) is retried after 5 s, 30 s, 2 min, 10 min, 30 min,
1 h, 2 h, 4 h, then every 8 h, with the same webhook-id, until 24 h after the first attempt.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from ..core import webhooks

RETRY_DELAYS = (5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800)  # then 28800 again
GIVE_UP_AFTER = 24 * 3600
ATTEMPT_TIMEOUT = 10.0  # seconds to connect, and again for each read of the answer's head
USER_AGENT = "catalog-webhooks/1"
log = logging.getLogger("catalog.server.delivery")


@dataclass(frozen=True)
class Settings:
    """The deliverer's settings, from CATALOG_* like the service's."""

    timeout: float = ATTEMPT_TIMEOUT
    allow_private: bool = False

    @classmethod
    def from_environment(cls) -> Settings:
        """CATALOG_WEBHOOKS_TIMEOUT (seconds) and CATALOG_WEBHOOKS_ALLOW_PRIVATE (1/true)."""
        allow = os.environ.get("CATALOG_WEBHOOKS_ALLOW_PRIVATE", "") in ("1", "true", "yes")
        timeout = float(os.environ.get("CATALOG_WEBHOOKS_TIMEOUT") or ATTEMPT_TIMEOUT)
        return cls(timeout=timeout, allow_private=allow)


def next_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def payload(conn: sqlite3.Connection, seq: int, event: str) -> bytes:
    """The body of a delivery: Standard Webhooks' {type, timestamp, data}, data being the change
    as GET /v1/changes shows it. Made from the stored change, so every attempt sends the same."""
    row = conn.execute(
        "SELECT seq, recorded_at, actor, action, resource, record_id AS id, before, after "
        "FROM changes WHERE seq = ?",
        [seq],
    ).fetchone()
    change = dict(row)
    for side in ("before", "after"):
        change[side] = json.loads(change[side]) if change[side] is not None else None
    body = {"type": event, "timestamp": change["recorded_at"], "data": change}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def due(conn: sqlite3.Connection, now: float) -> list[sqlite3.Row]:
    """For each subscription, its oldest pending change, if its next attempt is due."""
    return conn.execute(
        "SELECT o.id, o.subscription, o.seq, o.event, o.attempts, o.first_attempt_at, "
        "s.url, s.secret FROM webhook_outbox AS o JOIN subscriptions AS s ON s.id = o.subscription "
        "WHERE o.id IN (SELECT min(id) FROM webhook_outbox WHERE state = 'pending' "
        "GROUP BY subscription) AND o.next_attempt_at <= ? ORDER BY o.id",
        [now],
    ).fetchall()


def post(
    url: str, headers: dict[str, str], body: bytes, settings: Settings
) -> tuple[int | None, str | None]:
    """One attempt: the HTTP status (None if there was no answer) and what went wrong, if it did."""
    try:
        webhooks.check_url(url, settings.allow_private)
        with requests.post(
            url,
            data=body,
            headers=headers,
            timeout=(settings.timeout, settings.timeout),
            allow_redirects=False,
            stream=True,  # the answer's body is not read: only its status counts
        ) as response:
            status = response.status_code
    except webhooks.UnsafeURL as error:
        return None, f"refused: the URL {error}"
    except requests.Timeout:
        return None, f"timed out after {settings.timeout:g} s"
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    if 200 <= status < 300:
        return status, None
    return status, f"answered {status}"


def _instant(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _attempt(row: sqlite3.Row, body: bytes, settings: Settings) -> dict[str, Any]:
    started = time.time()
    timestamp = int(started)
    ident = webhooks.webhook_id(row["seq"], row["subscription"])
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": ident,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhooks.sign(row["secret"], ident, timestamp, body),
    }
    status, error = post(row["url"], headers, body, settings)
    return {"started": started, "status": status, "error": error,
            "duration_ms": int((time.time() - started) * 1000)}  # fmt: skip


def _record(conn: sqlite3.Connection, row: sqlite3.Row, result: dict[str, Any], now: float) -> None:
    attempts = row["attempts"] + 1
    first = row["first_attempt_at"] or now
    if result["error"] is None:
        state, next_at = "delivered", 0.0
    else:
        next_at = now + next_delay(attempts)
        state = "failed" if next_at - first > GIVE_UP_AFTER else "pending"
    with db_transaction(conn):
        conn.execute(
            # The subscription may have been deleted during the attempt (its queue with it).
            "INSERT INTO webhook_attempts (outbox, subscription, attempt, at, status, error, "
            "duration_ms) SELECT ?, ?, ?, ?, ?, ?, ? "
            "WHERE EXISTS (SELECT 1 FROM webhook_outbox WHERE id = ?)",
            [row["id"], row["subscription"], attempts, _instant(result["started"]),
             result["status"], result["error"], result["duration_ms"], row["id"]],
        )  # fmt: skip
        conn.execute(
            "UPDATE webhook_outbox SET attempts = ?, first_attempt_at = ?, next_attempt_at = ?, "
            "state = ?, done_at = ? WHERE id = ? AND state = 'pending'",
            [attempts, first, next_at, state, None if state == "pending" else now, row["id"]],
        )
    ident = webhooks.webhook_id(row["seq"], row["subscription"])
    if state == "delivered":
        log.info("delivered %s (attempt %d)", ident, attempts)
    elif state == "pending":
        log.warning("attempt %d of %s failed: %s; next in %d s", attempts, ident,
                    result["error"], next_at - now)  # fmt: skip
    else:
        log.error("gave %s up after %d attempts: %s", ident, attempts, result["error"])


def db_transaction(conn: sqlite3.Connection) -> Any:
    """BEGIN IMMEDIATE ... COMMIT (store.transaction, imported late: it pulls in the rules)."""
    from ..storage.store import transaction

    return transaction(conn)


class Deliverer:
    """Attempts in flight, at most one per subscription (so each keeps feed order) and `slots`
    at once: a receiver that hangs holds its own subscription back, no other."""

    def __init__(self, conn: sqlite3.Connection, settings: Settings, slots: int = 16) -> None:
        self.conn, self.settings, self.slots = conn, settings, slots
        self.pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="webhook")
        self.flying: dict[str, tuple[sqlite3.Row, Future[dict[str, Any]]]] = {}

    def step(self, now: float | None = None) -> int:
        """Record the attempts that have finished, start the due ones of idle subscriptions;
        returns how many did either. The database is used from this thread only."""
        moved = 0
        for subscription, (row, attempt) in list(self.flying.items()):
            if attempt.done():
                del self.flying[subscription]
                _record(self.conn, row, attempt.result(), time.time() if now is None else now)
                moved += 1
        for row in due(self.conn, time.time() if now is None else now):
            if len(self.flying) >= self.slots:
                break
            if row["subscription"] not in self.flying:
                body = payload(self.conn, row["seq"], row["event"])
                self.flying[row["subscription"]] = (
                    row, self.pool.submit(_attempt, row, body, self.settings))  # fmt: skip
                moved += 1
        return moved

    def finish(self, now: float | None = None) -> int:
        """Wait for the attempts in flight (each bounded by its timeout) and record them."""
        count = len(self.flying)
        for subscription, (row, attempt) in list(self.flying.items()):
            del self.flying[subscription]
            _record(self.conn, row, attempt.result(), time.time() if now is None else now)
        return count

    def close(self) -> None:
        """Finish what is in flight, then stop the threads."""
        self.finish()
        self.pool.shutdown()


def deliver_due(conn: sqlite3.Connection, settings: Settings, now: float | None = None) -> int:
    """Try every subscription's due change once and record the outcomes; returns how many
    attempts were made. (`now` only decides what is due and when to retry: tests set it.)"""
    deliverer = Deliverer(conn, settings)
    started = deliverer.step(now)
    deliverer.finish(now)
    deliverer.pool.shutdown()
    return started
