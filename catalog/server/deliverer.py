"""The deliverer process gunicorn's master runs (gunicorn_conf.py): one per database, by a
lease row, delivering (delivery.py) until it is stopped or its master is gone.

A lease holder on this host whose process is gone is replaced at once; one elsewhere, when its
lease expires. With no subscription the loop only reads, so an idle catalog sees no write.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sqlite3
import sys
import time

from ..storage import db
from .delivery import Deliverer, Settings, db_transaction, log

LEASE_SECONDS = 10.0
KEEP_SECONDS = 30 * 86400  # delivered or given-up changes, with their attempts, are kept 30 days
POLL_SECONDS = 0.5


def prune(conn: sqlite3.Connection, now: float) -> int:
    """Forget the changes delivered or given up over 30 days ago (their attempts go with them:
    ON DELETE CASCADE); returns how many. The queue and the recent log stay."""
    with db_transaction(conn):
        cursor = conn.execute(
            "DELETE FROM webhook_outbox WHERE state != 'pending' AND done_at < ?",
            [now - KEEP_SECONDS],
        )
    return cursor.rowcount


def _alive(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's: only its lease's expiry says it is gone
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def hold_lease(conn: sqlite3.Connection, me: str, now: float) -> bool:
    """Take or renew the one deliverer's lease; False while another live deliverer holds it."""
    with db_transaction(conn):
        row = conn.execute("SELECT holder, expires_at FROM webhook_lease WHERE name = 'deliverer'")
        current = row.fetchone()
        if current is not None and current["holder"] != me:
            if current["expires_at"] > now and _alive(current["holder"]):
                return False
        conn.execute(
            "INSERT INTO webhook_lease (name, holder, expires_at) VALUES ('deliverer', ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
            "expires_at = excluded.expires_at",
            [me, now + LEASE_SECONDS],
        )
    return True


def run(path: str, settings: Settings, parent: int | None = None) -> None:
    """Deliver until stopped (SIGTERM), or until the process that started it is gone."""
    conn = db.connect(path)
    me = f"{socket.gethostname()}:{os.getpid()}"
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    held_until = 0.0  # the lease is renewed at half time: one small write per 5 s at most
    deliverer = Deliverer(conn, settings)
    pruned_at = 0.0
    try:
        while not stopping and (parent is None or os.getppid() == parent):
            now = time.time()
            try:
                # No subscription, nothing to do: an idle catalog sees no write from here.
                if conn.execute("SELECT EXISTS (SELECT 1 FROM subscriptions)").fetchone()[0]:
                    if held_until - now < LEASE_SECONDS / 2:
                        held_until = now + LEASE_SECONDS if hold_lease(conn, me, now) else 0.0
                    if held_until > now and now - pruned_at > 3600:
                        prune(conn, now)
                        pruned_at = now
                    if held_until > now and deliverer.step():
                        continue  # more may be due at once: each subscription's next change
            except sqlite3.Error:  # busy, or a full disk: the outbox keeps it all; try again
                log.exception("the deliverer could not read or write the database")
            time.sleep(0.05 if deliverer.flying else POLL_SECONDS)
    finally:
        deliverer.close()
        conn.execute("DELETE FROM webhook_lease WHERE holder = ?", [me])
        conn.close()


def main() -> None:
    """`python -m catalog.server.deliverer DATABASE PARENT_PID`: what gunicorn's master starts."""
    from .logs import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    path, parent = sys.argv[1], int(sys.argv[2])
    os.nice(10)  # the workers answer requests first when the CPU is short
    db.migrate(path).conn.close()
    run(path, Settings.from_environment(), parent)


if __name__ == "__main__":
    main()
