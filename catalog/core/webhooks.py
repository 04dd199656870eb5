"""Webhook subscriptions: event names, the receiver-URL rule, secrets and Standard Webhooks
signatures. No Flask here: the API (api/subscriptions.py) and the deliverer (delivery.py) share it.

The secret signs every delivery, so it is stored as given out (a hash could not sign), and shown
only once, in the answer that creates the subscription.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import sqlite3
from typing import Any
from urllib.parse import urlsplit

from ..resources import WRITABLE
from . import instants

ACTIONS = ("create", "update", "delete")
# Every name a subscription may list: each collection's actions, its wildcard, and "*".
KNOWN_EVENTS: tuple[str, ...] = (
    "*",
    *(f"{collection}.{action}" for collection in WRITABLE for action in (*ACTIONS, "*")),
)
SECRET_PREFIX = "whsec_"


class UnsafeURL(ValueError):
    """A receiver URL the catalog will not post to."""


def unknown_events(events: list[str]) -> list[str]:
    """The names in `events` that are not event names (in the order given)."""
    return [name for name in events if name not in KNOWN_EVENTS]


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(f"the host {host!r} cannot be resolved ({error})") from None


def is_private(address: str) -> bool:
    """Loopback, private, link-local, or otherwise not a public unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_url(url: str, allow_private: bool) -> None:
    """Refuse a URL that is not http(s) with a host, or that resolves to a private, loopback or
    link-local address (unless `allow_private`). Checked again before every delivery, so a name
    that later resolves elsewhere cannot reach inside."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("must be an http:// or https:// URL with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("has a port that is not a number from 0 to 65535") from None
    if allow_private:
        return
    private = [a for a in _addresses(parts.hostname, port) if is_private(a)]
    if private:
        raise UnsafeURL(
            f"resolves to a private, loopback or link-local address ({private[0]}); "
            "set CATALOG_WEBHOOKS_ALLOW_PRIVATE=1 to allow it"
        )


def new_secret() -> str:
    """A signing secret as Standard Webhooks write it: whsec_ and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header: v1, and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"
    keyed with the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def webhook_id(seq: int, subscription: str) -> str:
    """The message id, the same on every attempt: receivers deduplicate by it."""
    return f"msg_{seq}_{subscription}"


def create(conn: sqlite3.Connection, fields: dict[str, Any], actor: str) -> dict[str, Any]:
    """Store a subscription; returns it with its secret (the only time the secret is shown).
    It receives the changes recorded after it."""
    now = instants.now()
    record = {
        "id": "sub_" + secrets.token_hex(8),
        "url": fields["url"],
        "events": list(fields["events"]),
        "model": fields.get("model"),
        "cloud": fields.get("cloud"),
        "provider": fields.get("provider"),
        "created_at": now,
        "updated_at": now,
    }
    secret = new_secret()
    conn.execute(
        "INSERT INTO subscriptions (id, url, events, model, cloud, provider, secret, actor, "
        "created_at, updated_at) VALUES (:id, :url, :events, :model, :cloud, :provider, "
        ":secret, :actor, :created_at, :updated_at)",
        record | {"events": json.dumps(record["events"]), "secret": secret, "actor": actor},
    )
    return record | {"secret": secret}


COLUMNS = "id, url, events, model, cloud, provider, created_at, updated_at"


def shown(row: sqlite3.Row) -> dict[str, Any]:
    """A subscription as the API shows it after creation: no secret."""
    record = dict(row)
    record["events"] = json.loads(record["events"])
    return record


def get(conn: sqlite3.Connection, ident: str) -> dict[str, Any] | None:
    """A subscription by id, without its secret."""
    row = conn.execute(f"SELECT {COLUMNS} FROM subscriptions WHERE id = ?", [ident]).fetchone()
    return shown(row) if row is not None else None
