"""Whether the catalog can store writes now: a full or read-only disk, and SQLite's own refusals.

A write that cannot be stored is refused whole (store.transaction rolls it back) and answered by
errors.py from `refusal()`; reads go on. `/readyz` says `writable` from `writable()`, so that an
operator (or a load balancer) sees a full disk before a client does.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

# Below this much free space the catalog says it is not writable: a write needs a few pages of
# write-ahead log, and SQLite, the logs and the metrics files all want room to work.
RESERVE_BYTES = 1024 * 1024

# Free bytes on the database's file system when a write last failed for lack of space, per
# folder: it is not writable again until more than that is free.
_full_at: dict[str, int] = {}

# SQLite's primary result codes (the low byte of an extended code), and how each is answered:
# (status, problem type, title, detail).
REFUSALS: dict[int, tuple[int, str, str, str]] = {
    sqlite3.SQLITE_FULL: (
        507,
        "storage-full",
        "Insufficient Storage",
        "The catalog's disk is full: nothing of this write was stored. Reads go on; "
        "send the write again once space is freed.",
    ),
    sqlite3.SQLITE_READONLY: (
        507,
        "storage-read-only",
        "Insufficient Storage",
        "The catalog's database cannot be written (a read-only file system or file): nothing "
        "of this write was stored. Reads go on.",
    ),
    sqlite3.SQLITE_BUSY: (
        503,
        "database-busy",
        "Service Unavailable",
        "Another write held the database longer than the busy timeout: nothing of this write "
        "was stored. Send it again.",
    ),
}


def refusal(error: sqlite3.Error) -> tuple[int, str, str, str] | None:
    """How to answer a SQLite error that says the database cannot store this now, else None."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return None
    return REFUSALS.get(code & 0xFF)


def _folder(database: str | Path) -> str:
    return str(Path(database).absolute().parent)


def free_bytes(database: str | Path) -> int:
    """Bytes an unprivileged writer may still use on the database's file system."""
    stats = os.statvfs(_folder(database))
    return stats.f_bavail * stats.f_frsize


def note_full(database: str | Path) -> None:
    """A write failed for lack of space: not writable until more is free than now."""
    _full_at[_folder(database)] = free_bytes(database)


def writable(database: str | Path) -> bool:
    """Whether a write could be stored now: the file system takes writes and has room."""
    folder = _folder(database)
    stats = os.statvfs(folder)
    if stats.f_flag & os.ST_RDONLY or not os.access(folder, os.W_OK):
        return False
    if os.path.exists(database) and not os.access(database, os.W_OK):
        return False
    free = stats.f_bavail * stats.f_frsize
    return free >= RESERVE_BYTES and free > _full_at.get(folder, -1)
