"""gunicorn settings: `gunicorn -c python:catalog.gunicorn_conf 'catalog:create_app()'`."""

import os

bind = os.environ.get("CATALOG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CATALOG_WORKERS", "2"))
worker_class = "sync"
# A request that takes longer than this is a bug; the worker is replaced, not left hanging.
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that no slow leak can grow without bound.
max_requests = 20000
max_requests_jitter = 2000
# Bounds on what a client may send before the app sees it.
limit_request_line = 8190
limit_request_fields = 100
# No control socket in $HOME: the service may run as a user without one.
control_socket_disable = True


def on_starting(server: object) -> None:
    """Create, migrate and seed the database once, before any worker starts."""
    from catalog import create_app, db

    db.ensure_database(create_app().config["DATABASE"])
