"""openapi.yaml: generated from the code, committed, valid, served; /docs renders it offline."""

from __future__ import annotations

from pathlib import Path

import yaml
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from catalog.api import openapi

COMMITTED = Path(__file__).parents[1] / "openapi.yaml"


def test_committed_document_is_current(app: Flask) -> None:
    generated = openapi.to_yaml(openapi.build_spec(app))
    assert COMMITTED.read_text() == generated, (
        "openapi.yaml is stale: run `catalog openapi openapi.yaml`"
    )


def test_document_is_valid_openapi() -> None:
    validate(yaml.safe_load(COMMITTED.read_text()))


def test_served_document_is_the_committed_one(client: FlaskClient) -> None:
    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == COMMITTED.read_text()


def test_every_api_route_is_documented(app: Flask) -> None:
    documented = set(yaml.safe_load(COMMITTED.read_text())["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1/"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            assert path in documented, path


def test_docs_render_without_the_internet(client: FlaskClient) -> None:
    page = client.get("/docs").get_data(as_text=True)
    assert "/openapi.yaml" in client.get("/docs/init.js").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page  # every asset is served from here
    for asset in ("/docs/assets/swagger-ui.css", "/docs/assets/swagger-ui-bundle.js"):
        with client.get(asset) as response:
            assert response.status_code == 200 and len(response.data) > 1000
