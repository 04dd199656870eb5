"""The catalog's record of its own changes: the feed, and each record's versions."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response

from .. import resources
from ..declarations import args as arguments
from ..declarations.resource import Resource, record_id
from ..http.context import request_args
from ..http.operations import operation
from ..storage.db import get_live_db
from .responses import collection_response, not_found

bp = Blueprint("changes", __name__)
CHANGES = resources.get("changes")


@bp.get("/changes")
@operation(
    args=CHANGES.list_args,
    response=CHANGES.schema,
    page=True,
    formats=("json", "csv"),
    problems=(400,),
    as_of="filter",
)
def list_changes() -> Response:
    """The change feed: every accepted write in order; poll with `after` = the last seq seen.

    `since` lists the entries recorded at or after an instant ("what changed last month?").

    Each entry has the record before and after the write (null for a create or a delete).
    """
    # as_of here filters the feed (the changes recorded by then): no rebuilt catalog.
    return collection_response(CHANGES, request_args())


def _has_history(name: str, record: str) -> bool:
    sql = "SELECT 1 FROM changes WHERE resource = ? AND record_id = ? LIMIT 1"
    return get_live_db().execute(sql, [name, record]).fetchone() is not None


def _history(resource: Resource) -> Callable[..., Response]:
    def history(**path: str) -> Response:
        args = request_args()
        record = record_id(resource.key_from_path(path))
        if not _has_history(resource.name, record):
            raise not_found(resource.noun, record)
        return collection_response(
            CHANGES, args, scope={"resource": resource.name, "record": record}
        )

    history.__name__ = f"history_{resource.name.replace('-', '_')}"
    history.__doc__ = f"List every recorded version of a {resource.noun}, oldest first."
    return history


describe_history = operation(
    args=arguments.HistoryArgs,
    response=CHANGES.schema,
    page=True,
    formats=("json", "csv"),
    as_of="filter",
)
for _name in resources.WRITABLE:
    _resource = resources.get(_name)
    _view = describe_history(_history(_resource))
    bp.add_url_rule(f"{_resource.item_rule}/history", _view.__name__, _view, methods=["GET"])
