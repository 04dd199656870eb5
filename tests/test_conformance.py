"""Every operation in openapi.yaml, fuzzed by schemathesis against the app in-process.

Schemathesis checks that valid requests are accepted, invalid ones rejected, and that every
response (status, headers, body) matches the document.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from catalog import create_app
from catalog.http import auth
from catalog.storage import db, loading

SPEC = Path(__file__).parents[1] / "openapi.yaml"

# schemathesis parametrizes at import time, so the app (and its database) exist at import too.
_folder = tempfile.TemporaryDirectory(prefix="catalog-conformance-")
_database = Path(_folder.name) / "catalog.db"
loading.seed_if_empty(_database)
_conn = db.connect(_database)
_token = auth.create(_conn, "schemathesis", ["write"])
_conn.close()

schema = schemathesis.openapi.from_path(SPEC)
schema.app = create_app({"DATABASE": str(_database)})


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_operation_conforms(case: schemathesis.Case) -> None:
    # Every case carries the write token, except one whose headers were made invalid on purpose
    # (a missing Authorization, say): adding the token would turn it back into a valid request.
    headers_invalid = any(
        "header" in str(location).lower() and info.mode.is_negative
        for location, info in (case.meta.components.items() if case.meta else ())
    )
    token = {} if headers_invalid else {"Authorization": f"Bearer {_token}"}
    case.call_and_validate(headers=token)
