"""The availability answers over HTTP: the contract's example and the issue's questions."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_contract_example(client: FlaskClient) -> None:
    body = client.get("/v1/models/mistral-large-2402/availability/aws?at=2024-03-15").json
    assert body["model"] == "mistral-large-2402"
    assert body["cloud"] == "aws"
    assert body["region"] is None
    assert body["at"] == "2024-03-15T00:00:00Z"
    assert body["available"] is False
    assert body["offerings"] == []
    exclusivity = body["exclusivity"]
    assert exclusivity["state"] == "excluded"
    assert exclusivity["holder"] == "azure"
    assert exclusivity["window"] == "azure-mistral-large-2402"
    assert exclusivity["ends_at"] == "2024-04-03T00:00:00Z"
    assert exclusivity["days_remaining"] == 19
    assert exclusivity["ends_at_certainty"] == "inferred"  # the end is inferred, and says so
    assert exclusivity["ends_at_source"].startswith("https://")


def test_after_the_window_aws_is_available(client: FlaskClient) -> None:
    body = client.get("/v1/models/mistral-large-2402/availability/aws?at=2024-06-01").json
    assert body["available"] is True
    assert body["exclusivity"] == {"state": "none"}
    assert [o["id"] for o in body["offerings"]] == ["aws:mistral-large-2402:serverless"]
    assert body["regions"] == ["eu-west-3"]


def test_holder_is_exclusive(client: FlaskClient) -> None:
    body = client.get("/v1/models/mistral-large-2402/availability/azure?at=2024-03-15").json
    assert body["available"] is True
    assert body["exclusivity"]["state"] == "exclusive"
    assert body["exclusivity"]["days_remaining"] == 19


def test_window_end_is_exclusive(client: FlaskClient) -> None:
    on_end = client.get("/v1/models/mistral-large-2402/availability/azure?at=2024-04-03").json
    assert on_end["exclusivity"] == {"state": "none"}
    before = client.get(
        "/v1/models/mistral-large-2402/availability/azure?at=2024-04-02T23:59:59Z"
    ).json
    assert before["exclusivity"]["days_remaining"] == 0


def test_gpt_4o_on_aws_excluded_by_azure(client: FlaskClient) -> None:
    body = client.get("/v1/models/gpt-4o/availability/aws?at=2025-01-01").json
    assert body["available"] is False
    assert (body["exclusivity"]["state"], body["exclusivity"]["holder"]) == ("excluded", "azure")
    assert body["exclusivity"]["window"] == "azure-openai-api"


def test_open_weights_exempt(client: FlaskClient) -> None:
    body = client.get("/v1/models/gpt-oss-120b/availability/aws?at=2025-09-01").json
    assert body["available"] is True
    assert body["exclusivity"] == {"state": "none"}


def test_region(client: FlaskClient) -> None:
    url = "/v1/models/mistral-large-2402/availability/aws?at=2024-06-01&region="
    assert client.get(url + "eu-west-3").json["available"] is True
    in_virginia = client.get(url + "us-east-1").json
    assert in_virginia["available"] is False and in_virginia["region"] == "us-east-1"


def test_every_cloud_at_once(client: FlaskClient) -> None:
    body = client.get("/v1/models/mistral-large-2402/availability?at=2024-03-15").json
    clouds = {c["cloud"]: c for c in body["clouds"]}
    assert set(clouds) == {c["id"] for c in client.get("/v1/clouds").json["items"]}
    assert clouds["azure"]["available"] and clouds["azure"]["exclusivity"]["state"] == "exclusive"
    assert clouds["la-plateforme"]["available"] and clouds["la-plateforme"]["exclusivity"] == {
        "state": "none"
    }
    assert clouds["aws"]["exclusivity"]["state"] == "excluded" and not clouds["aws"]["available"]
    assert clouds["snowflake-cortex"]["exclusivity"] == {"state": "none"}  # data platform
    assert "eastus2" in clouds["azure"]["regions"]


def test_at_defaults_to_now(client: FlaskClient) -> None:
    body = client.get("/v1/models/gpt-4o/availability/azure").json
    assert body["at"].endswith("Z") and body["at"] >= "2026-01-01"


def test_windows_collection(client: FlaskClient) -> None:
    active_2025 = client.get("/v1/exclusivity-windows?state=active&at=2025-01-01").json["items"]
    assert [w["id"] for w in active_2025] == ["azure-openai-api"]
    ended = client.get("/v1/exclusivity-windows?state=ended&at=2026-05-01").json["items"]
    assert {w["id"] for w in ended} == {"azure-openai-api", "azure-mistral-large-2402"}
    upcoming = client.get("/v1/exclusivity-windows?state=upcoming&at=2024-01-01").json["items"]
    assert [w["id"] for w in upcoming] == ["azure-mistral-large-2402", "azure-openai-first-ship"]
    # The subject filter: the first-ship clause's subject is every OpenAI model (spans say which)
    assert [w["id"] for w in client.get("/v1/exclusivity-windows?model=gpt-4o").json["items"]] == [
        "azure-openai-api",
        "azure-openai-first-ship",
    ]
    assert client.get("/v1/exclusivity-windows?model=gpt-oss-120b").json["items"] == []
    by_provider = client.get("/v1/exclusivity-windows?provider=mistral-ai").json["items"]
    assert [w["id"] for w in by_provider] == ["azure-mistral-large-2402"]
    assert len(client.get("/v1/exclusivity-windows?cloud=azure").json["items"]) == 3
    assert client.get("/v1/exclusivity-windows?cloud=aws").json["items"] == []
    early = client.get("/v1/exclusivity-windows?ends_before=2025-01-01").json["items"]
    assert [w["id"] for w in early] == ["azure-mistral-large-2402"]
