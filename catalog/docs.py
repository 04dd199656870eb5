"""The API documents for people and tools: /openapi.yaml, and /docs (Swagger UI, served here)."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Flask, Response, current_app, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from .openapi import build_spec, to_yaml

bp = Blueprint("openapi", __name__)


@cache
def _rendered(app: Flask) -> str:
    return to_yaml(build_spec(app))


@bp.get("/openapi.yaml")
def openapi_yaml() -> Response:
    """The OpenAPI document of record."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return Response(_rendered(app), mimetype="application/yaml")


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
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
    return Response(DOCS_PAGE, mimetype="text/html")


@bp.get("/docs/init.js")
def docs_init() -> Response:
    """Starts Swagger UI (a file, not inline, so a strict Content-Security-Policy can apply)."""
    return Response(DOCS_INIT, mimetype="text/javascript")


@bp.get("/docs/assets/<path:filename>")
def docs_assets(filename: str) -> Response:
    """Swagger UI's files, shipped with the swagger-ui-bundle package."""
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
