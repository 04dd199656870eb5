"""Kept answers: rendered reads a worker serves again while the catalog has not changed.

Small answers are kept in memory, bounded in bytes counted whole: the body, the key, every
header and what Python spends on the entry itself (a 40-byte body costs some 800 bytes; counting
the body alone let a flood of distinct small answers grow a worker without bound). An answer too
big for memory (over an eighth of the budget: the whole calendar, a large CSV) is kept as a file
instead, in a folder of this process's own, bounded in bytes too; it is sent from the file, in
blocks, so a slow reader holds a file descriptor, not a copy of the answer.

`Spool` is how a streamed answer is kept while it is sent: its blocks in memory until they
outgrow the memory limit, then in a file, handed to `put` once the stream has finished.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import IO

Headers = list[tuple[str, str]]
BLOCK = 256 * 1024  # bytes read from a kept file at a time
# The least an answer must weigh to be kept in a file: making a file costs more than rendering
# a small answer again (with memory turned off, every answer would otherwise become a file).
SMALLEST_FILE = 64 * 1024

# Python's own cost of an entry beyond its strings' sizes: the OrderedDict's slot and links,
# the entry tuple, the header list and its tuples (measured with tracemalloc: tests/test_kept.py).
_ENTRY = 250
_HEADER = sys.getsizeof(("", ""))


def cost(tag: str, body: bytes, headers: Headers) -> int:
    """The memory an entry takes, counted whole."""
    return (
        _ENTRY
        + sys.getsizeof(body)
        + sys.getsizeof(tag)
        + sys.getsizeof(headers)
        + sum(_HEADER + sys.getsizeof(name) + sys.getsizeof(value) for name, value in headers)
    )


class KeptFile:
    """A kept answer's file, open for one request: iterate it to send it (in BLOCK bytes).

    Not wsgi.file_wrapper: gunicorn would hand it to gevent's sendfile, which is a Python loop
    over 8 KiB reads, and costs more CPU than this (the light requests waited longer with it)."""

    def __init__(self, path: str, size: int) -> None:
        self.size = size
        self.file: IO[bytes] | None = open(path, "rb")  # open now: eviction may unlink it

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[bytes]:
        try:
            while self.file is not None and (block := self.file.read(BLOCK)):
                yield block
        finally:
            self.close()

    def close(self) -> None:
        """Let the file go (WSGI servers call this when the answer is done or dropped)."""
        if self.file is not None:
            self.file.close()
            self.file = None


class ResponseCache:
    """Rendered answers by ETag, least recently used first out: in memory up to `max_bytes`
    (one answer at most an eighth of it), larger ones in files up to `file_bytes`. The headers
    kept are all of the answer's but Content-Length and X-Request-ID (added when it is sent)."""

    def __init__(self, max_bytes: int, file_bytes: int = 0) -> None:
        self.max_bytes = max_bytes
        self.file_bytes = file_bytes
        self.size = 0
        self.file_size = 0
        self.entries: OrderedDict[str, tuple[bytes, Headers]] = OrderedDict()
        self.files: OrderedDict[str, tuple[str, int, Headers]] = OrderedDict()
        self._folder: str | None = None

    def get(self, tag: str) -> tuple[bytes | KeptFile, Headers] | None:
        """The kept answer (bytes, or its file opened for this request), else None."""
        entry = self.entries.get(tag)
        if entry is not None:
            self.entries.move_to_end(tag)
            return entry
        kept = self.files.get(tag)
        if kept is None:
            return None
        self.files.move_to_end(tag)
        try:
            return KeptFile(kept[0], kept[1]), kept[2]
        except OSError:  # removed behind our back (a tmp cleaner): forget it
            self._drop_file(tag)
            return None

    def put(self, tag: str, body: bytes, headers: Headers) -> None:
        """Keep an answer in memory, or in a file when it is too big for memory."""
        if tag in self.entries or tag in self.files:
            return
        if len(body) > self.max_bytes // 8:
            if len(body) < SMALLEST_FILE:
                return
            spool = self.spool()
            if spool is not None:
                spool.write(body)
                spool.keep(tag, headers)
            return
        self.entries[tag] = (body, headers)
        self.size += cost(tag, body, headers)
        while self.size > self.max_bytes:
            old_tag, (old, old_headers) = self.entries.popitem(last=False)
            self.size -= cost(old_tag, old, old_headers)

    def spool(self) -> Spool | None:
        """Somewhere to write a streamed answer while it is sent (None: nothing is kept)."""
        return Spool(self) if self.max_bytes > 0 or self.file_bytes > 0 else None

    def folder(self) -> str:
        """This process's folder of kept files, made when first needed, removed at exit."""
        if self._folder is None or not os.path.isdir(self._folder):
            self._folder = tempfile.mkdtemp(prefix="catalog-kept-")
            atexit.register(shutil.rmtree, self._folder, True)
        return self._folder

    def put_file(self, tag: str, path: str, size: int, headers: Headers) -> None:
        """Keep a finished file (the cache owns it from now on)."""
        if tag in self.files or tag in self.entries or size > self.file_bytes:
            os.unlink(path)
            return
        self.files[tag] = (path, size, headers)
        self.file_size += size
        while self.file_size > self.file_bytes:
            self._drop_file(next(iter(self.files)))

    def _drop_file(self, tag: str) -> None:
        path, size, _ = self.files.pop(tag)
        self.file_size -= size
        try:
            os.unlink(path)  # a request still sending it keeps its open file
        except FileNotFoundError:
            pass


class Spool:
    """A streamed answer's copy: blocks in memory while they fit the memory limit, then a file;
    `keep` hands it to the cache once the answer is complete, `discard` if it is not."""

    def __init__(self, cache: ResponseCache) -> None:
        self.cache = cache
        self.room = cache.max_bytes // 8  # in memory up to this, then a file
        self.spill = max(self.room, SMALLEST_FILE - 1)
        self.blocks: list[bytes] = []
        self.size = 0
        self.file: IO[bytes] | None = None
        self.dropped = False  # too big to keep anywhere: nothing more is copied

    def write(self, block: bytes) -> None:
        """Add the next block of the answer."""
        if self.dropped:
            return
        self.size += len(block)
        if self.size > max(self.room, self.cache.file_bytes):
            self.discard()
            self.dropped = True
        elif self.file is not None:
            self.file.write(block)
        else:
            self.blocks.append(block)
            if self.size > self.spill:
                self.file = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept beyond this call)
                    dir=self.cache.folder(), prefix="kept-", delete=False
                )
                self.file.write(b"".join(self.blocks))
                self.blocks = []

    def keep(self, tag: str, headers: Headers) -> None:
        """The answer is complete: keep it under its tag."""
        if self.dropped:
            return
        if self.file is not None:
            self.file.close()
            self.cache.put_file(tag, self.file.name, self.size, headers)
            self.file = None
        else:
            self.cache.put(tag, b"".join(self.blocks), headers)

    def discard(self) -> None:
        """The answer was not completed (the client left): keep nothing."""
        if self.file is not None:
            self.file.close()
            os.unlink(self.file.name)
            self.file = None
        self.blocks = []


class InFlight:
    """Answers being made now, by key: a request for one that another request of this worker
    is already making waits for it (then sends the kept copy) instead of making it again. So
    16 clients asking for a cold calendar at once cost one render, not 16."""

    def __init__(self) -> None:
        self.events: dict[str, threading.Event] = {}

    def claim(self, key: str) -> threading.Event | None:
        """None: this request makes it (release when done); else the maker's event to wait on."""
        other = self.events.get(key)
        if other is None:
            self.events[key] = threading.Event()
        return other

    def made(
        self, key: str, kept: ResponseCache
    ) -> tuple[tuple[bytes | KeptFile, Headers] | None, bool]:
        """The answer another request made, or is making now (waited for), else None; and
        whether this request makes it (it then releases the key when done). Finding no other
        maker, it looks again for a kept copy, made since this request first looked: else a
        burst of one export (a new worker's clients all asking it at once) is made once per
        request, each after the last, none overlapping another's making."""
        other = self.claim(key)
        if other is not None:
            other.wait(30)
            return kept.get(key), False  # None: the maker failed or was left: make it here
        found = kept.get(key)
        if found is not None:
            self.release(key)
        return found, found is None

    def release(self, key: str) -> None:
        """The answer is made (or failed): wake whoever waits for it."""
        made = self.events.pop(key, None)
        if made is not None:
            made.set()
