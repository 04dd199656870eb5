"""API tokens: made by the CLI, shown once, stored as hashes; bearer auth for the API."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass

from flask import Flask, Request, g, request

from .. import config
from ..core import instants
from ..storage.db import get_live_db
from .errors import APIError

SCOPES = ("read", "write")
PREFIX = "cat_"


@dataclass(frozen=True)
class Token:
    """Who is calling, and what they may do."""

    name: str
    scopes: frozenset[str]


def digest(secret: str) -> str:
    """The stored form of a token. Tokens are 256 random bits, so one SHA-256 is enough: there
    is nothing to guess that a slow hash would protect."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create(conn: sqlite3.Connection, name: str, scopes: list[str]) -> str:
    """Make a token; returns the secret, which is stored nowhere."""
    secret = PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO tokens (name, hash, scopes, created_at) VALUES (?, ?, ?, ?)",
        [name, digest(secret), " ".join(sorted(set(scopes))), instants.now()],
    )
    return secret


def revoke(conn: sqlite3.Connection, name: str) -> bool:
    """Revoke a token by name; False if there is no such live token."""
    cursor = conn.execute(
        "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
        [instants.now(), name],
    )
    return cursor.rowcount == 1


def verify(conn: sqlite3.Connection, secret: str) -> Token | None:
    """The live token with this secret, or None."""
    wanted = digest(secret)
    row = conn.execute(
        "SELECT name, hash, scopes FROM tokens WHERE hash = ? AND revoked_at IS NULL", [wanted]
    ).fetchone()
    # The lookup is by an index; the final comparison is constant-time all the same.
    if row is None or not hmac.compare_digest(row["hash"], wanted):
        return None
    return Token(row["name"], frozenset(row["scopes"].split()))


def _unauthorized(detail: str) -> APIError:
    return APIError(
        401,
        detail,
        problem="unauthorized",
        headers={"WWW-Authenticate": 'Bearer realm="catalog"'},
    )


def bearer(req: Request) -> str | None:
    """The bearer token of a request, if it sends one."""
    header = req.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorized("Send the token as: Authorization: Bearer <token>.")
    return secret.strip()


def require(scope: str) -> Token:
    """The caller's token, which must carry `scope` (401 without a valid token, 403 without it)."""
    secret = bearer(request)
    if secret is None:
        raise _unauthorized(f"This request needs a token with the {scope!r} scope.")
    token = verify(get_live_db(), secret)  # tokens are live state, never as_of
    if token is None:
        raise _unauthorized("The token is not valid (unknown or revoked).")
    if scope not in token.scopes and not (scope == "read" and "write" in token.scopes):
        raise APIError(
            403, f"The token {token.name!r} lacks the {scope!r} scope.", problem="forbidden"
        )
    g.token = token
    return token


PUBLIC_ENDPOINTS = {
    "ops.healthz",
    "ops.readyz",
    "openapi.openapi_yaml",
    "openapi.docs",
    "openapi.docs_init",
    "openapi.docs_assets",
}


def _reads_need_a_token() -> None:
    if request.method in ("GET", "HEAD") and request.endpoint not in PUBLIC_ENDPOINTS:
        require("read")


def init_app(app: Flask) -> None:
    """With READ_REQUIRES_TOKEN set, every read but health and docs needs a token."""
    if config.flag(app, "READ_REQUIRES_TOKEN"):
        app.before_request(_reads_need_a_token)
