"""Sharing a gevent worker's event loop fairly: long work gives way to light requests.

Under gunicorn's gevent worker every request of a worker runs on one OS thread, and a greenlet
holds it until it waits on I/O. A large export does little I/O on a fast client, so it would
hold everyone else of its worker up while it renders. `pause` lets the others run, between the
blocks of a streamed answer. (Running the query on gevent's thread pool was tried: the light
requests then waited longer, up to a second, for the GIL; the query is some 30 ms.) Without
gevent (tests, `flask run`), it does nothing.
"""

from __future__ import annotations

import sys
from typing import Any


def _gevent() -> Any:
    """gevent, if this process runs on its loop (the worker patched the standard library)."""
    gevent = sys.modules.get("gevent")
    if gevent is None:
        return None
    from gevent import monkey

    return gevent if monkey.is_module_patched("socket") else None


def pause() -> None:
    """Let the loop's other greenlets run, if there is a loop: until it is idle (every ready
    socket served), not just once round (sleep(0)), which left light requests waiting behind
    a render's blocks for hundreds of milliseconds on a busy machine."""
    gevent = _gevent()
    if gevent is not None:
        gevent.idle()
