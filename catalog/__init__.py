"""The model-availability catalog: which foundation models can be bought where, since when."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import config

if TYPE_CHECKING:  # Flask is imported by create_app: `catalog check` must start without it
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the WSGI app: defaults, then CATALOG_* environment variables, then `test_config`."""
    from flask import Flask

    app = Flask(__name__)
    app.config.from_mapping(config.DEFAULTS)
    # CATALOG_DATABASE=/data/catalog.db sets DATABASE, and so on for every setting.
    app.config.from_prefixed_env("CATALOG")
    if test_config is not None:
        app.config.update(test_config)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # The contract's bound on request bodies: a setting may lower it, not raise it.
    app.config["MAX_CONTENT_LENGTH"] = min(
        int(app.config["MAX_CONTENT_LENGTH"] or config.LARGEST_BODY), config.LARGEST_BODY
    )

    from . import api, web
    from .api import docs, health
    from .http import auth, caching, errors, fastpath, observe, paths, security
    from .storage import db
    from .web import feeds

    db.init_app(app)
    errors.init_app(app)
    observe.init_app(app)
    auth.init_app(app)  # before caching: no 304 for a request that may not read
    caching.init_app(app)
    paths.init_app(app)  # aliases and unknown names in paths: after auth, before any view
    api.init_app(app)
    app.register_blueprint(docs.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(feeds.bp)
    fastpath.install(app)  # repeat reads answered in front of Flask, as caching decides
    security.install(app)  # outermost: every answer gets the headers a browser needs
    return app
