"""Model makers."""

from flask import Blueprint, Response

from .. import schemas
from . import collection, item, load_args, operation

bp = Blueprint("providers", __name__)


@bp.get("/providers")
@operation(
    args=schemas.ProviderListArgs,
    response=schemas.ProviderSchema,
    page=True,
    formats=("json", "csv"),
    problems=(400,),
)
def list_providers() -> Response:
    """List model makers."""
    return collection("providers", load_args(schemas.ProviderListArgs))


@bp.get("/providers/<provider_id>")
@operation(args=schemas.ItemArgs, response=schemas.ProviderSchema, etag="record")
def get_provider(provider_id: str) -> Response:
    """Get one model maker."""
    load_args(schemas.ItemArgs)
    return item("providers", provider_id, "provider")
