"""The gunicorn worker `catalog serve` and the Docker image run: gevent, a deadline per request.

A sync worker serves one connection at a time, so a few clients that send half a request and
wait hold every worker. A gevent worker serves each connection in a greenlet: a client that
trickles its bytes costs a little memory while everyone else is answered. gunicorn itself gives
the request line and headers `keepalive` seconds in all (gunicorn_conf.py); this worker adds a
deadline on the rest (the body, the answer, and the client taking it), so a client too slow to
finish is dropped instead of holding a greenlet for good.

After each answer the greenlet waits for the loop's next turn before it reads the connection's
next request: a timer of a microsecond, which gevent runs only "until the next iteration of the
loop", after the loop has polled every socket (gevent.sleep's docstring). Without a yield one
loop served a few connections again and again while the others waited: p50 under a millisecond,
p99 over a second (wrk, 32 connections, 2 workers; docs/notes/tail.md). `gevent.sleep(0)` is no
such turn: it runs the greenlet again before the loop polls, so a client whose next request is
already in the socket is served first again (rendered CI answers: p99 about 300 ms against 20-30
with the timer). Waiting for the loop to go idle (`gevent.idle()`) starved keep-alive clients
while big exports streamed (a loop with 16 downloads is never idle: tests/test_heavy.py); a
turn is bounded, one loop iteration.
"""

from __future__ import annotations

from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventWorker

# A positive sleep is a timer, run after the loop's next poll; 0 would be a callback, run before it.
NEXT_TURN = 1e-6
# Requests one kept-alive connection may carry; its last is answered with "Connection: close"
# (nginx's keepalive_requests, Apache's MaxKeepAliveRequests: 100 was both's default). The
# client then connects anew, to whichever worker accepts first: so a worker that recycled, or
# started late, takes its share again instead of leaving the other with every client for as
# long as their connections live (wrk -c32, one worker stopped 2 s in: its replacement served
# no request in the 5 s left; now half of them from the next second on; docs/notes/speed.md).
KEEPALIVE_REQUESTS = 100


class Worker(GeventWorker):
    """gunicorn's gevent worker, dropping a request that outlives `timeout` seconds, and taking
    its turn after each answer."""

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> bool:
        """Serve one request, or drop the connection when its deadline passes."""
        if req.req_number >= KEEPALIVE_REQUESTS:
            req.must_close = True
        deadline = gevent.Timeout(self.cfg.timeout)
        deadline.start()
        try:
            handled: bool = super().handle_request(listener_name, req, sock, addr)
        except gevent.Timeout as expired:
            if expired is not deadline:
                raise
            self.log.warning("Dropped %s: the request took longer than %ss", addr, self.cfg.timeout)
            # gunicorn closes the connection on StopIteration; nothing half-sent is continued.
            raise StopIteration() from None
        finally:
            deadline.close()
        # Fairness: every connection the loop finds ready runs before this one reads again.
        gevent.sleep(NEXT_TURN)
        return handled
