"""gunicorn settings: `gunicorn -c python:catalog.server.gunicorn_conf 'catalog:create_app()'`."""

import ctypes
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from typing import Any

from gunicorn import util

bind = os.environ.get("CATALOG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CATALOG_WORKERS", "2"))
# gevent: each connection a greenlet, so slow clients cannot hold the workers (server/worker.py).
worker_class = "catalog.server.worker.Worker"
# Connections one worker serves at once; more wait in the listen backlog.
worker_connections = 1000
# A request that takes longer than this is a bug or a client too slow to serve: the worker
# drops it (catalog/server/worker.py), and replaces itself if its loop stalls this long.
timeout = 30
graceful_timeout = 20
# Also the time a client has to send its request line and headers, in all (gunicorn's gevent
# worker reads them under this timeout), and to start its next request on a kept-alive connection.
keepalive = 5
# Recycle workers now and then so that no slow leak can grow without bound. A recycling worker
# stops taking connections and finishes the requests it has (up to graceful_timeout) while the
# others serve; so they must not all go at once. Under even load, workers with the same budget
# reach it together (a jitter of 10% still let both go within the same second): pre_fork below
# staggers the first generation evenly across one period, and replacements keep that phase. The
# jitter is small on purpose: it only breaks exact ties, and each draw moves a worker's phase.
max_requests = 20000
max_requests_jitter = 1000
# Bounds on what a client may send before the app sees it (8190 is gunicorn's largest finite
# request line; 0 would be unbounded). Every query the spec allows fits well inside it: ids and
# cursors are ASCII with maximum lengths, and `q` is at most 200 characters.
limit_request_line = 8190
limit_request_fields = 100
# gunicorn's own lines in JSON, like the app's access and error lines (catalog/server/logs.py).
logger_class = "catalog.server.logs.Logger"
# No control socket in $HOME: the service may run as a user without one.
control_socket_disable = True


# glibc's malloc gives each block over 128 KiB (a CSV export, a JSON page of 500) pages of its
# own and returns them when it is freed, and its heap's top past 128 KiB: so each such answer
# faults its pages in anew, which on this kind of machine costs more than making it (a 350 KB
# JSON page's two copies: 238 us, 33 us from pages already held). Blocks under 4 MiB come from
# the heap, which keeps up to 32 MiB free before it shrinks. Set here, in the master: workers
# inherit it. Elsewhere than glibc (no mallopt), the allocator is left as it is.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
try:
    _mallopt = ctypes.CDLL(None).mallopt
except AttributeError:
    pass
else:
    _mallopt(M_MMAP_THRESHOLD, 4 << 20)
    _mallopt(M_TRIM_THRESHOLD, 32 << 20)


# prometheus_client's multiprocess mode: each worker writes its metrics to files here, and
# /metrics adds them up, so counts cover every worker. Set before any worker imports the app.
_made_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _made_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="catalog-metrics-")


def pre_fork(server: object, worker: object) -> None:
    """Stagger recycling: the k-th of N first workers gets k/N of a period more requests, so
    under even load one worker recycles at a time; their replacements keep that spacing."""
    count = int(server.num_workers)  # type: ignore[attr-defined]
    age = int(worker.age)  # type: ignore[attr-defined]
    if max_requests > 0 and age <= count:
        worker.max_requests += (age - 1) * max_requests // count  # type: ignore[attr-defined]


def child_exit(server: object, worker: object) -> None:
    """A worker's live gauges go when it does (its counters stay counted)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


def on_exit(server: object) -> None:
    """Stop the webhook deliverer; remove the metrics folder, if this master made it."""
    _stop_deliverer()
    if _made_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def on_starting(server: object) -> None:
    """Create, migrate and seed the database once, before any worker starts.

    A read-only replica writes nothing: its database must exist already (a snapshot).
    """
    from catalog import config, create_app
    from catalog.storage import loading

    app = create_app()
    path = app.config["DATABASE"]
    if not config.flag(app, "READ_ONLY"):
        try:
            loading.seed_if_empty(path)
        except (OSError, sqlite3.Error) as exc:
            # One line, then a clean exit: a missing or unwritable volume must not become a
            # restart loop of tracebacks.
            sys.stderr.write(_database_error(str(path), exc) + "\n")
            on_exit(server)
            raise SystemExit(1) from None
    elif not os.path.exists(path):
        raise SystemExit(f"CATALOG_READ_ONLY is set but there is no database at {path}")


# The webhook deliverer (server/deliverer.py): one process beside the workers, started by this
# master once the database is ready, restarted within a second if it dies, and stopped with the
# master. It exits by itself when the master is gone (even after a SIGKILL). A read-only
# replica delivers nothing: the writer does.
_deliverer: list[subprocess.Popen[bytes]] = []


def _start_deliverer(database: str) -> None:
    command = [sys.executable, "-m", "catalog.server.deliverer", database, str(os.getpid())]
    _deliverer[:] = [subprocess.Popen(command)]


def _stop_deliverer() -> None:
    for process in _deliverer:
        process.terminate()
        try:
            process.wait(timeout=12)  # an attempt in flight has 10 s to end and be recorded
        except subprocess.TimeoutExpired:
            process.kill()
    _deliverer.clear()


def when_ready(server: Any) -> None:
    """Start the webhook deliverer, and check on it each time the master checks its workers."""
    from catalog import config, create_app

    app = create_app()
    if config.flag(app, "READ_ONLY"):
        return
    database = os.path.abspath(str(app.config["DATABASE"]))
    _start_deliverer(database)
    manage_workers = server.manage_workers

    def manage_workers_and_deliverer() -> None:
        manage_workers()
        # poll() also notices a deliverer the master's own SIGCHLD handler has reaped.
        if _deliverer and _deliverer[0].poll() is not None:
            _start_deliverer(database)

    server.manage_workers = manage_workers_and_deliverer


def _database_error(path: str, exc: Exception) -> str:
    """One JSON log line that names the database path and why it cannot be opened."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.exists(folder):
        reason = f"the folder {folder} does not exist"
    elif not os.path.isdir(folder):
        reason = f"{folder} is not a folder"
    elif os.statvfs(folder).f_flag & os.ST_RDONLY:
        reason = f"the folder {folder} is on a read-only file system"
    elif not os.access(folder, os.W_OK):
        reason = f"the folder {folder} is not writable by uid {os.getuid()}"
    else:
        reason = "the database cannot be opened or created"
    return json.dumps(
        {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "level": "error",
            "message": f"cannot start: {reason} ({exc})",
            "database": path,
        }
    )


def _write_problem(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own refusals (malformed or oversized requests) as problem+json, like the app's."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": reason,
            "status": status_int,
            "detail": f"{reason}: the request was refused before it reached the catalog.",
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


# The workers write these errors through gunicorn.util.write_error, which answers in HTML.
util.write_error = _write_problem
