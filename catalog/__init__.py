"""The model-availability catalog: which foundation models can be bought where, since when."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the WSGI app: defaults, then CATALOG_* environment variables, then `test_config`."""
    app = Flask(__name__)
    app.config.from_mapping(
        DATABASE="catalog.db",
        READ_ONLY=False,  # a replica: the database opened read-only, writes refused
        READ_REQUIRES_TOKEN=False,  # reads need a token too (health and docs stay public)
        MAX_CONTENT_LENGTH=256 * 1024,  # request bodies; larger ones get a 413
        CACHE_MAX_AGE=60,  # seconds a read may be reused without asking again
        RESPONSE_CACHE_BYTES=32 * 1024 * 1024,  # rendered reads kept per worker (0: none)
    )
    # CATALOG_DATABASE=/data/catalog.db sets DATABASE, and so on for every setting.
    app.config.from_prefixed_env("CATALOG")
    if test_config is not None:
        app.config.update(test_config)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from . import api, auth, caching, errors, observe, openapi, ops, web

    errors.init_app(app)
    observe.init_app(app)
    auth.init_app(app)  # before caching: no 304 for a request that may not read
    caching.init_app(app)
    api.init_app(app)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(web.bp)
    return app
