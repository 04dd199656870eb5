"""Headers a browser needs, on every answer: the outermost WSGI layer, so 304s, kept answers of
the fast path, errors and static files all carry them.

Every answer: `X-Content-Type-Options: nosniff` (a JSON or CSV body is never run as a script or
shown as a page) and `Referrer-Policy: no-referrer` (links out to sources do not tell where the
reader came from). HTML pages also get a Content-Security-Policy that allows only the service's
own scripts, styles and fetches (no inline ones: the pages and /docs load theirs from files) and
no framing; every other answer a policy that allows nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# data: images: Swagger UI's stylesheet draws its icons as data: URLs (images cannot run code).
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"
EVERY = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"))
PAGE = (*EVERY, ("Content-Security-Policy", PAGE_POLICY), ("X-Frame-Options", "DENY"))
OTHER = (*EVERY, ("Content-Security-Policy", OTHER_POLICY))


def headers_for(headers: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The security headers an answer with these headers gets. One with no body type (a 304,
    a 204) gets no policy: a 304's headers update the kept page's (RFC 9111 4.3.4), and a
    deny-all policy there would switch off a page's own script and style."""
    for name, value in headers:
        if name.lower() == "content-type":
            return PAGE if value.startswith("text/html") else OTHER
    return EVERY


class SecurityHeaders:
    """Adds the headers above to whatever the wrapped app answers."""

    def __init__(self, wrapped: WSGIApp) -> None:
        self.wrapped = wrapped

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, *headers_for(headers)], exc_info)

        return self.wrapped(environ, start)


def install(app: Flask) -> None:
    """Wrap the app (fast path included): call it last in create_app."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
