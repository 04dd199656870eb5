"""Page cursors: the position after a page's last row, in a form a client can only hand back.

A cursor is the last row's sort value and key, percent-encoded (printable ASCII, short in a URL),
and a check: a cursor the catalog did not hand out, for this collection and sort, is refused
(BadCursor).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib import parse as urlparse


class BadCursor(ValueError):
    """A cursor this catalog did not hand out (made up, cut short, or from another sort)."""


def encode(collection: str, sort: str, value: Any, last_id: Any, key: str = "id") -> str:
    """The cursor of the page after the row (value, last_id) of `collection` sorted by `sort`."""
    column = sort.lstrip("-")
    raw = str(last_id) if column == key else f"{urlparse.quote(str(value), safe=':-._')}~{last_id}"
    return f"{raw}.{_check(collection, sort, raw)}"


def decode(raw: str, column: str, key: str = "id") -> tuple[Any, str]:
    """The (sort value, id) a checked cursor stands for: ids never hold "~", so the last one
    splits."""
    if column == key:
        return raw, raw
    value, _, last_id = raw.rpartition("~")
    return urlparse.unquote(value), last_id


def _check(collection: str, sort: str, raw: str) -> str:
    # A checksum, not a secret: it tells a forged or mangled cursor from one the catalog made,
    # for this collection and sort. Someone who computes it only pages from a position of their
    # choosing, which a filter lets anyone do anyway.
    text = f"{collection}\x1f{sort}\x1f{raw}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def checked(collection: str, sort: str, cursor: str) -> str:
    """The cursor without its check; BadCursor if the check does not match."""
    raw, _, check = cursor.rpartition(".")
    if not raw or not hmac.compare_digest(check, _check(collection, sort, raw)):
        raise BadCursor("Not a cursor this catalog handed out: use next_cursor as it came.")
    return raw
