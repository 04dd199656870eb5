"""The HTTP API under /v1: each resource's reads and writes, the answers, the feed."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every blueprint of the API."""
    from . import about, availability, changes, checks, prices, records, subscriptions, writes

    for bp in (
        *records.blueprints(),
        availability.bp,
        checks.bp,
        prices.bp,
        changes.bp,
        about.bp,
        subscriptions.bp,
    ):
        app.register_blueprint(bp, url_prefix="/v1")
    app.register_blueprint(writes.blueprint(), url_prefix="/v1")
