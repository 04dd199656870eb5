"""GET /v1/about: what the data is and how fresh; and "data as of" for every page."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response

from ..core import about
from ..declarations.args import ItemArgs
from ..http import caching
from ..http.context import request_args
from ..http.operations import operation
from ..storage.db import get_db
from .responses import json_response

bp = Blueprint("about", __name__)


@bp.get("/about")
@operation(args=ItemArgs, response=about.AboutSchema, problems=(400,), now_when=())
def get_about() -> Response:
    """What the data is: each source taken in (a registry's commit and its day; the curated
    core's newest fact), the newest fact as happened, and the records by resource."""
    args = request_args()
    return json_response(about.describe(get_db(), args["at"]))


@bp.app_context_processor
def _data_as_of() -> dict[str, Callable[[], str | None]]:
    # A function, so only a template that shows it (base.html's footer) pays for it.
    return {"data_as_of": lambda: about.data_as_of(get_db(), caching.now())}
