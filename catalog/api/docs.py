"""The API documents for people and tools: /openapi.yaml, and /docs (Swagger UI, served here)."""

from __future__ import annotations

import hashlib
from functools import cache

from flask import Blueprint, Flask, Response, current_app, request, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from .openapi import build_spec, to_yaml

bp = Blueprint("openapi", __name__)


@cache
def _rendered(app: Flask) -> tuple[str, str]:
    """The document and its ETag (both fixed while the app runs)."""
    text = to_yaml(build_spec(app))
    return text, _tag(text)


def _tag(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _document(text: str, tag: str, mimetype: str) -> Response:
    """A fixed document with its strong ETag; a 304 when the client has it already."""
    response = Response(text, mimetype=mimetype)
    response.set_etag(tag)
    response.headers["Cache-Control"] = current_app.extensions["catalog.cache_control"]
    response.headers["Vary"] = current_app.extensions["catalog.vary"]
    response.make_conditional(request)  # in place: a 304 when If-None-Match has the tag
    return response


@bp.get("/openapi.yaml")
def openapi_yaml() -> Response:
    """The OpenAPI document of record."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _document(*_rendered(app), "application/yaml")


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Model-availability catalog: API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
"""
DOCS_INIT = (
    'window.ui = SwaggerUIBundle({url: "/openapi.yaml", dom_id: "#docs", deepLinking: true});\n'
)


@bp.get("/docs")
def docs() -> Response:
    """The API reference, rendered in the browser from /openapi.yaml with no outside requests."""
    return _document(DOCS_PAGE, _tag(DOCS_PAGE), "text/html")


@bp.get("/docs/init.js")
def docs_init() -> Response:
    """Starts Swagger UI (a file, not inline, so a strict Content-Security-Policy can apply)."""
    return _document(DOCS_INIT, _tag(DOCS_INIT), "text/javascript")


@bp.get("/docs/assets/<path:filename>")
def docs_assets(filename: str) -> Response:
    """Swagger UI's files, shipped with the swagger-ui-bundle package."""
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
