"""The lifecycle fields a vendor's schedule needs: `replacement` and the `not-before` certainty."""

from __future__ import annotations

from flask.testing import FlaskClient
from helpers import assert_problem

OFFERING = {
    "id": "oci:mistral-large-2402:serverless",
    "model": "mistral-large-2402",
    "cloud": "oci",
    "deployment_type": "serverless",
    "cloud_model_id": "mistral.mistral-large-2402",
    "regions": [],
    "stage": "ga",
    "available_from": "2024-09-01",
    "available_from_certainty": "on-or-before",
    "available_from_source": "https://example.org/evidence",
    "retired_from": "2027-01-15",
    "retired_from_certainty": "not-before",
    "retired_from_source": "https://example.org/schedule",
    "replacement": "mistral-large-2407",
}
URL = "/v1/offerings/oci:mistral-large-2402:serverless"


def test_replacement_and_not_before_are_stored_and_shown(writer: FlaskClient) -> None:
    created = writer.put(URL, json=OFFERING)
    assert created.status_code == 201, created.json
    shown = writer.get(URL).json
    assert shown["replacement"] == "mistral-large-2407"
    assert shown["retired_from_certainty"] == "not-before"
    assert shown["retired_from"] == "2027-01-15T00:00:00Z"


def test_replacement_defaults_to_null(writer: FlaskClient) -> None:
    body = {k: v for k, v in OFFERING.items() if k != "replacement"}
    assert writer.put(URL, json=body).json["replacement"] is None


def test_replacement_must_be_a_known_model(writer: FlaskClient) -> None:
    problem = assert_problem(writer.put(URL, json=OFFERING | {"replacement": "no-such-model"}), 409)
    assert "replacement" in problem["errors"]
    assert writer.get(URL).status_code == 404


def test_replacement_is_not_the_model_itself(writer: FlaskClient) -> None:
    problem = assert_problem(
        writer.put(URL, json=OFFERING | {"replacement": "mistral-large-2402"}), 422
    )
    assert "replacement" in problem["errors"]


def test_a_model_named_as_replacement_cannot_be_deleted(writer: FlaskClient) -> None:
    assert writer.put(URL, json=OFFERING).status_code == 201
    model = writer.get("/v1/models/mistral-large-2407")
    deleted = writer.delete(
        "/v1/models/mistral-large-2407", headers={"If-Match": model.headers["ETag"]}
    )
    problem = assert_problem(deleted, 409)
    assert "offerings/oci:mistral-large-2402:serverless" in problem["referrers"]


def test_an_unknown_certainty_is_still_refused(writer: FlaskClient) -> None:
    body = OFFERING | {"retired_from_certainty": "not-after"}
    problem = assert_problem(writer.put(URL, json=body), 400)
    assert "retired_from_certainty" in problem["errors"]
