"""Models, as their makers name them."""

from flask import Blueprint, Response

from .. import schemas
from . import collection, item, load_args, operation

bp = Blueprint("models", __name__)


@bp.get("/models")
@operation(
    args=schemas.ModelListArgs,
    response=schemas.ModelSchema,
    page=True,
    formats=("json", "csv"),
    problems=(400,),
)
def list_models() -> Response:
    """List models, filtered by provider, family, open weights or a text search."""
    return collection("models", load_args(schemas.ModelListArgs))


@bp.get("/models/<model_id>")
@operation(args=schemas.ItemArgs, response=schemas.ModelSchema, etag="record")
def get_model(model_id: str) -> Response:
    """Get one model."""
    load_args(schemas.ItemArgs)
    return item("models", model_id, "model")
