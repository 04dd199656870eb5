"""The stack's ceiling: a bare Flask app answering a constant 1 KB JSON document."""

from flask import Flask, Response

app = Flask(__name__)
BODY = (
    '{"items": ['
    + ", ".join(f'{{"id": "item-{i:03d}", "name": "A constant answer"}}' for i in range(22))
    + '], "next_cursor": null}'
).encode()


@app.get("/", defaults={"anything": ""})
@app.get("/<path:anything>")
def constant(anything: str) -> Response:
    """Whatever is asked, the same bytes."""
    return Response(BODY, mimetype="application/json")
