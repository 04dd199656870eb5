"""One model, one id: aliases answer for their id on every route kind, collisions are 409s,
unknown names carry suggestions, and the shipped models hold no duplicate group."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from helpers import assert_problem
from test_cli import check, server  # noqa: F401  (server: the fixture)
from test_loading import broken_copy, load_fails

from catalog.core import identity

MERGE_PATCH = "application/merge-patch+json"
FIXTURES = Path(__file__).parents[1] / "fixtures"
MODELS: list[dict[str, Any]] = json.loads((FIXTURES / "models.json").read_text())


def groups(key: Any) -> list[list[str]]:
    """Model ids of one provider that share a key: suspected duplicates."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for model in MODELS:
        found[(model["provider"], key(model["id"]))].append(model["id"])
    return sorted(sorted(ids) for ids in found.values() if len(ids) > 1)


def test_no_duplicate_group_by_the_audits_rule() -> None:
    # Ids equal after dropping -, . and _ and putting Claude's tier word first: one model.
    assert groups(identity.spelling_key) == []
    # Nor does an alias of one model spell another's id or alias that way.
    owners: dict[str, set[str]] = defaultdict(set)
    for model in MODELS:
        for name in (model["id"], *model["aliases"]):
            owners[identity.spelling_key(name)].add(model["id"])
    assert {key: ids for key, ids in owners.items() if len(ids) > 1} == {}


# The audit's wider spelling key (identity section): host prefixes, serving suffixes, a
# trailing -instruct/-it/-base/-latest, a MoE -aNb tag, Mistral's open- prefix all dropped.
def wider_key(model_id: str) -> str:
    text = model_id.lower().replace(".", "-").replace("_", "-")
    text = re.sub(r"^(cerebras|groq)-", "", text)
    text = re.sub(r"-(fp8|tee|maas)$", "", text)
    if not text.startswith("gpt"):
        text = re.sub(r"-(instruct|it|base|latest)$", "", text)
    text = re.sub(r"-a\d+b(?=-|$)", "", re.sub(r"^open-", "", text))
    return identity.spelling_key(text)


# Groups the wider key finds that are different models, each for a reason a reader can check.
DISTINCT = {
    ("mistral-7b-instruct", "open-mistral-7b"): "Bedrock serves v0.2; Mistral's API v0.3",
    ("qwen3-vl-235b-a22b", "qwen3-vl-235b-a22b-instruct"): "Alibaba's id has a thinking mode",
    ("qwen3-vl-30b-a3b", "qwen3-vl-30b-a3b-instruct"): "Alibaba's id has a thinking mode",
}


def test_no_duplicate_group_by_the_wider_key_but_the_reviewed_ones() -> None:
    found = {tuple(ids) for ids in groups(wider_key)}
    assert found <= set(DISTINCT), found - set(DISTINCT)


def test_merged_ids_are_aliases_of_one_model() -> None:
    by_alias = {alias: m["id"] for m in MODELS for alias in m["aliases"]}
    assert by_alias["claude-4-sonnet"] == "claude-sonnet-4"
    assert by_alias["mistral-medium-3-5"] == "mistral-medium-2604"
    assert by_alias["cerebras-llama-4-scout-17b-16e-instruct"] == "llama-4-scout-17b-16e-instruct"
    ids = {m["id"] for m in MODELS}
    assert not ids & set(by_alias)  # an alias is never also an id
    offerings = json.loads((FIXTURES / "offerings.json").read_text())
    assert not {o["model"] for o in offerings} & set(by_alias)


# Alias resolution, one test per route kind.


def test_item_path_answers_for_the_id(client: FlaskClient) -> None:
    response = client.get("/v1/models/claude-4-sonnet")
    assert response.status_code == 200
    assert response.json["id"] == "claude-sonnet-4"
    assert "claude-4-sonnet" in response.json["aliases"]


def test_sub_resource_paths_answer_for_the_id(client: FlaskClient) -> None:
    one = client.get("/v1/models/mistral-medium-3-5/availability/azure?at=2026-11-01")
    assert one.status_code == 200 and one.json["model"] == "mistral-medium-2604"
    assert one.json["available"] is True
    every = client.get("/v1/models/mistral-medium-3-5/availability?at=2026-11-01").json
    assert every["model"] == "mistral-medium-2604"
    on = {c["cloud"] for c in every["clouds"] if c["available"]}
    assert {"azure", "la-plateforme"} <= on  # one answer, no longer split between two ids
    prices = client.get("/v1/models/claude-4-sonnet/prices")
    assert prices.status_code == 200 and prices.json["model"] == "claude-sonnet-4"
    history = client.get("/v1/models/claude-4-sonnet/history").json["items"]
    assert history and {h["id"] for h in history} == {"claude-sonnet-4"}
    assert "suggestions" not in client.get("/v1/models/no-such-model/history").json


@pytest.mark.parametrize(
    "url",
    [
        "/v1/offerings?model={}",
        "/v1/prices?model={}",
        "/v1/timeline?model={}",
    ],
)
def test_filters_take_an_alias(client: FlaskClient, url: str) -> None:
    answers = []
    for name in ("claude-4-sonnet", "claude-sonnet-4"):
        response = client.get(url.format(name) + "&format=csv")
        assert response.status_code == 200
        answers.append(response.get_data())
    assert answers[0] == answers[1] and answers[0].count(b"\n") > 1


def test_windows_filter_takes_an_alias(writer: FlaskClient) -> None:
    current = writer.get("/v1/models/mistral-large-2402")
    patched = writer.patch(
        "/v1/models/mistral-large-2402",
        json={"aliases": ["mistral-large-24-02"]},
        headers={"If-Match": current.headers["ETag"], "Content-Type": MERGE_PATCH},
    )
    assert patched.status_code == 200, patched.json
    items = writer.get("/v1/exclusivity-windows?model=mistral-large-24-02").json["items"]
    assert [w["id"] for w in items] == ["azure-mistral-large-2402"]
    answer = writer.get("/v1/models/mistral-large-24-02/availability/aws?at=2024-03-15").json
    assert answer["model"] == "mistral-large-2402"
    assert answer["exclusivity"]["state"] == "excluded"


def test_offerings_filter_by_alias_names_the_id(client: FlaskClient) -> None:
    items = client.get("/v1/offerings?model=open-mistral-nemo&limit=500").json["items"]
    assert items and {o["model"] for o in items} == {"mistral-nemo"}
    assert "la-plateforme" in {o["cloud"] for o in items}


def test_text_search_finds_a_model_by_an_alias(client: FlaskClient) -> None:
    items = client.get("/v1/models?q=4-sonnet").json["items"]
    assert "claude-sonnet-4" in {m["id"] for m in items}


def test_model_page_answers_for_the_id(client: FlaskClient) -> None:
    response = client.get("/models/claude-4-sonnet", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "Claude Sonnet 4" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/?model={}", "/timeline?model={}&scope=all"])
def test_page_filters_take_an_alias(client: FlaskClient, path: str) -> None:
    html = {"Accept": "text/html"}
    by_alias = client.get(path.format("claude-4-sonnet"), headers=html)
    assert by_alias.status_code == 200
    assert "claude-sonnet-4" in by_alias.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "suggested"),
    [
        ("/?provider=mistal-ai", "mistral-ai"),
        ("/timeline?cloud=awz", "aws"),
        ("/?model=gpt4o", "gpt-4o"),
    ],
)
def test_page_filter_unknown_is_a_400_page_with_suggestions(
    client: FlaskClient, path: str, suggested: str
) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert f"<code>{suggested}</code>" in response.get_data(as_text=True)


# Collisions.


def _model(model_id: str, aliases: list[str]) -> dict[str, Any]:
    return {
        "id": model_id,
        "provider": "anthropic",
        "name": "Test model",
        "family": None,
        "open_weights": False,
        "aliases": aliases,
    }


@pytest.mark.parametrize(
    ("record", "field", "named"),
    [
        (_model("test-model", ["claude-sonnet-4"]), "aliases", "claude-sonnet-4"),
        (_model("test-model", ["claude-4-sonnet"]), "aliases", "claude-sonnet-4"),
        (_model("claude-4-sonnet", []), "id", "claude-sonnet-4"),
    ],
)
def test_colliding_alias_is_a_409_naming_the_model(
    writer: FlaskClient, record: dict[str, Any], field: str, named: str
) -> None:
    body = assert_problem(writer.post("/v1/models", json=record), 409)
    assert body["type"] == "/problems/alias-taken"
    assert named in " ".join(body["errors"][field]) and named in body["detail"]
    assert writer.get("/v1/models/test-model").status_code == 404  # nothing written


def test_alias_equal_to_own_id_is_a_422(writer: FlaskClient) -> None:
    body = assert_problem(writer.post("/v1/models", json=_model("x-1", ["x-1"])), 422)
    assert "aliases" in body["errors"]


def test_new_alias_answers_at_once_and_moves_with_writes(writer: FlaskClient) -> None:
    created = writer.post("/v1/models", json=_model("test-model", ["test-model-old"]))
    assert created.status_code == 201
    assert writer.get("/v1/models/test-model-old").json["id"] == "test-model"
    etag = created.headers["ETag"]
    patched = writer.patch(
        "/v1/models/test-model",
        json={"aliases": []},
        headers={"If-Match": etag, "Content-Type": MERGE_PATCH},
    )
    assert patched.status_code == 200
    assert writer.get("/v1/models/test-model-old").status_code == 404


def test_fixtures_with_a_colliding_alias_do_not_load(runner: CliRunner, tmp_path: Path) -> None:
    def change(data: list[dict[str, Any]]) -> None:
        next(m for m in data if m["id"] == "gpt-4o")["aliases"] = ["claude-4-sonnet"]

    output = load_fails(runner, broken_copy(tmp_path, "models", change))
    assert "claude-4-sonnet" in output and "claude-sonnet-4" in output


# Suggestions.


def test_unknown_model_path_is_a_404_with_suggestions(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/models/claude-sonnet-4.5"), 404)
    assert body["suggestions"][0] == "claude-sonnet-4-5"
    assert len(body["suggestions"]) <= 5
    body = assert_problem(client.get("/v1/models/gpt4o/availability/aws"), 404)
    assert "gpt-4o" in body["suggestions"]
    body = assert_problem(client.get("/v1/models/gpt-4o/availability/AWS"), 404)
    assert body["detail"] == "There is no cloud 'AWS'." and body["suggestions"][0] == "aws"


def test_an_alias_close_to_a_typo_suggests_its_id(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/models/claude-4-sonet"), 404)
    assert "claude-sonnet-4" in body["suggestions"]
    assert "claude-4-sonnet" not in body["suggestions"]  # the id, not the alias


def test_unknown_filter_in_a_streamed_csv_is_a_400_before_any_row(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/offerings?cloud=awz&format=csv"), 400)
    assert body["suggestions"] == ["aws"]


@pytest.mark.parametrize(
    ("url", "field", "suggested"),
    [
        ("/v1/offerings?cloud=awz", "cloud", "aws"),
        ("/v1/offerings?model=gpt4o", "model", "gpt-4o"),
        ("/v1/prices?cloud=awz", "cloud", "aws"),
        ("/v1/timeline?cloud=awz", "cloud", "aws"),
        ("/v1/exclusivity-windows?provider=mistal-ai", "provider", "mistral-ai"),
        ("/v1/models?family=mistral-larg", "family", "mistral-large"),
        ("/v1/offerings?region=us-east-9", "region", "us-east-1"),
    ],
)
def test_unknown_reference_filter_is_a_400_with_suggestions(
    client: FlaskClient, url: str, field: str, suggested: str
) -> None:
    body = assert_problem(client.get(url), 400)
    assert field in body["errors"]
    assert suggested in body["suggestions"]


def test_unknown_region_of_a_cloud_names_the_cloud(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/offerings?cloud=aws&region=swedencentral"), 400)
    assert body["errors"]["region"] == ["There is no region 'swedencentral' on aws."]
    assert "swedencentral" not in body["suggestions"]  # an Azure region: not one of aws's
    body = assert_problem(client.get("/v1/clouds/aws/regions/us-east-9"), 404)
    assert body["detail"] == "There is no region 'us-east-9' on aws."
    assert "us-east-1" in body["suggestions"]


def test_unknown_cloud_model_id_is_still_an_empty_list(client: FlaskClient) -> None:
    response = client.get("/v1/offerings?cloud_model_id=no-such-thing")
    assert response.status_code == 200 and response.json["items"] == []


def test_page_404_shows_suggestions(client: FlaskClient) -> None:
    response = client.get("/models/claude-sonnet-4.5", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert '<a href="/models/claude-sonnet-4-5">claude-sonnet-4-5</a>' in response.get_data(
        as_text=True
    )


def test_spelling_key() -> None:
    assert identity.spelling_key("claude-4-sonnet") == identity.spelling_key("claude-sonnet-4")
    assert identity.spelling_key("llama-3.1-70b") == identity.spelling_key("llama_3-1-70b")
    assert identity.spelling_key("gpt-4o") != identity.spelling_key("gpt-4")


def test_catalog_check_prints_the_suggestions(server: str) -> None:  # noqa: F811
    code, output = check(server, "claude-sonnet-4.5", "--cloud", "aws")
    assert code == 2
    assert "There is no model 'claude-sonnet-4.5'. Did you mean: claude-sonnet-4-5" in output
    code, output = check(server, "claude-4-sonnet", "--cloud", "aws", "--at", "2026-01-01")
    assert code == 0 and output.startswith("claude-sonnet-4 is available on aws")
