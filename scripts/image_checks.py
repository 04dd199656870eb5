"""The HTTP and process checks scripts/image runs against the image (standard library only).

Each subcommand prints one line and exits 0 when its check holds, 1 (with the reason) when not.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from typing import Any

PROVIDER = {"id": "image-check", "name": "Image check"}


def fail(message: str) -> None:
    """Say why the check failed and exit 1."""
    print(message)
    raise SystemExit(1)


def get(url: str, timeout: float = 5.0, token: str | None = None) -> tuple[int, Any]:
    """GET url: its status and its JSON body (None when not JSON)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def ready(base: str, pid: int, limit: float) -> None:
    """Poll /readyz until it answers 200, while the server process lives; print the seconds."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if not os.path.exists(f"/proc/{pid}"):
            fail("the server exited before it was ready")
        try:
            status, body = get(f"{base}/readyz", timeout=1)
            if status == 200 and body["status"] == "ready":
                print(f"{time.monotonic() - start:.2f}")
                return
        except OSError:
            pass
        time.sleep(0.05)
    fail(f"not ready after {limit:.0f} s")


def ci_answer(base: str) -> None:
    """The contract's CI answer for the seed story."""
    url = f"{base}/v1/models/mistral-large-2402/availability/aws?at=2024-03-15"
    status, body = get(url)
    exclusivity = (body or {}).get("exclusivity", {})
    if status != 200 or body["available"] is not False:
        fail(f"{status} {body}")
    if exclusivity.get("state") != "excluded" or exclusivity.get("holder") != "azure":
        fail(f"exclusivity is {exclusivity}")
    print(f"available false, excluded, holder azure, ends {exclusivity.get('ends_at')}")


def write(base: str, token: str) -> None:
    """One authenticated write: POST a provider."""
    request = urllib.request.Request(
        f"{base}/v1/providers",
        data=json.dumps(PROVIDER).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        fail(f"POST /v1/providers: {error.code} {error.read()[:300]!r}")
    if status != 201:
        fail(f"POST /v1/providers: {status}")
    print(f"201 Created /v1/providers/{PROVIDER['id']}")


def read_back(base: str, provider: str) -> None:
    """The provider written before is there."""
    status, body = get(f"{base}/v1/providers/{provider}")
    if status != 200:
        fail(f"GET /v1/providers/{provider}: {status} {body}")
    print(f"GET /v1/providers/{provider}: 200, created_at {body['created_at']}")


def slow_clients(host: str, port: int, count: int, limit: float) -> None:
    """Hold `count` sockets with a partial request line each; /healthz must still answer fast."""
    held = []
    try:
        for _ in range(count):
            sock = socket.create_connection((host, port), timeout=5)
            sock.sendall(b"GET /heal")
            held.append(sock)
        start = time.monotonic()
        try:
            status, _ = get(f"http://{host}:{port}/healthz", timeout=limit)
        except OSError as error:
            fail(f"/healthz did not answer within {limit:.0f} s with {count} slow clients: {error}")
        elapsed = time.monotonic() - start
        if status != 200:
            fail(f"/healthz answered {status} with {count} slow clients")
        print(f"/healthz 200 in {elapsed * 1000:.0f} ms with {count} slow clients held")
    finally:
        for sock in held:
            sock.close()


def inflight(host: str, port: int, token: str, master: int) -> None:
    """SIGTERM the server while a POST is in flight (half its body sent); it must complete."""
    body = json.dumps({"id": "image-check-inflight", "name": "Written during SIGTERM"}).encode()
    head = (
        f"POST /v1/providers HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    half = len(body) // 2
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(head + body[:half])
        time.sleep(0.5)  # let a worker take the request and block reading the rest of the body
        os.kill(master, signal.SIGTERM)
        time.sleep(0.5)  # the worker has had the signal before the body completes
        sock.sendall(body[half:])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    if " 201 " not in status_line + " ":
        fail(f"the in-flight request got {status_line!r}")
    print(f"in-flight POST completed after SIGTERM: {status_line}")


def master_pid(root: int) -> None:
    """The gunicorn master among the descendants of process `root` (what `docker stop` signals)."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                commands[int(entry)] = cmdline.read().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
    frontier, below = [root], []
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        below += children
        frontier += children
    # buildah's own helpers (buildah-chroot-exec) name the command too: skip them.
    for pid in sorted(below):
        command = commands.get(pid, "")
        if "gunicorn" in command and not command.startswith("buildah"):
            print(pid)
            return
    fail(f"no gunicorn process below {root}")


def uids(master: int) -> None:
    """The master and its workers run as uid 10001."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        if pid == master or int(fields["PPid"]) == master:
            found[pid] = int(fields["Uid"].split()[1])  # the effective uid
    if not found or set(found.values()) != {10001}:
        fail(f"uids of the master and workers: {found}")
    print(f"{len(found)} processes (master and workers), all uid 10001")


def free_port() -> None:
    """A loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        print(sock.getsockname()[1])


def main(argv: list[str]) -> None:
    """Dispatch: image_checks.py COMMAND ARGS..."""
    command, args = argv[0], argv[1:]
    if command == "ready":
        ready(args[0], int(args[1]), float(args[2]))
    elif command == "ci-answer":
        ci_answer(args[0])
    elif command == "write":
        write(args[0], args[1])
    elif command == "read-back":
        read_back(args[0], args[1])
    elif command == "slow-clients":
        slow_clients(args[0], int(args[1]), int(args[2]), float(args[3]))
    elif command == "inflight":
        inflight(args[0], int(args[1]), args[2], int(args[3]))
    elif command == "master-pid":
        master_pid(int(args[0]))
    elif command == "free-port":
        free_port()
    elif command == "uids":
        uids(int(args[0]))
    else:
        fail(f"unknown check {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
