"""Authenticated writes, preconditions, the change feed, history and as_of, over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Clock
from flask import Flask
from flask.testing import FlaskClient
from helpers import assert_problem, bearer, walk

from catalog import create_app
from catalog.storage import db, loading

NEW_OFFERING = {
    "id": "oci:mistral-large-2407:serverless",
    "model": "mistral-large-2407",
    "cloud": "oci",
    "deployment_type": "serverless",
    "cloud_model_id": "mistral.mistral-large-2407",
    "regions": [],
    "stage": "ga",
    "available_from": "2024-09-01",
    "available_from_certainty": "on-or-before",
    "available_from_source": "https://example.org/evidence",
}


@pytest.fixture
def client(writable_app: Flask) -> FlaskClient:
    return writable_app.test_client()


def test_contract_write_scenario(client: FlaskClient, tokens: dict[str, str]) -> None:
    # No token, a bad one, a revoked one: 401. A token without the write scope: 403.
    response = client.post("/v1/offerings", json=NEW_OFFERING)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(
        client.post("/v1/offerings", json=NEW_OFFERING, headers=bearer("cat_nonsense")), 401
    )
    assert_problem(
        client.post("/v1/offerings", json=NEW_OFFERING, headers=bearer(tokens["revoked"])), 401
    )
    assert_problem(
        client.post("/v1/offerings", json=NEW_OFFERING, headers=bearer(tokens["read"])), 403
    )
    writer = bearer(tokens["write"])

    # Create: 201 with Location and ETag; the record carries server-set timestamps.
    created = client.post("/v1/offerings", json=NEW_OFFERING, headers=writer)
    assert created.status_code == 201
    location = created.headers["Location"]
    assert location == "/v1/offerings/oci:mistral-large-2407:serverless"
    etag = created.headers["ETag"]
    assert created.json["created_at"] == created.json["updated_at"]
    fetched = client.get(location)
    assert fetched.json == created.json and fetched.headers["ETag"] == etag
    assert client.get(location, headers={"If-None-Match": etag}).status_code == 304

    # Replacing needs If-Match: missing 428, stale 412, current 200 with a new ETag.
    replacement = NEW_OFFERING | {"stage": "preview"}
    assert_problem(client.put(location, json=replacement, headers=writer), 428)
    stale = assert_problem(
        client.put(location, json=replacement, headers=writer | {"If-Match": '"0"'}), 412
    )
    assert stale["type"] == "/problems/precondition-failed"
    replaced = client.put(location, json=replacement, headers=writer | {"If-Match": etag})
    assert replaced.status_code == 200 and replaced.json["stage"] == "preview"
    assert replaced.headers["ETag"] != etag
    assert replaced.json["created_at"] == created.json["created_at"]

    # The old ETag is stale now.
    assert_problem(client.delete(location, headers=writer | {"If-Match": etag}), 412)
    deleted = client.delete(location, headers=writer | {"If-Match": replaced.headers["ETag"]})
    assert deleted.status_code == 204 and deleted.data == b""
    assert_problem(client.get(location), 404)

    # The exclusivity rule: Mistral Large 24.02 on Google Cloud inside Azure's window.
    gcp = NEW_OFFERING | {
        "id": "gcp:mistral-large-2402:serverless",
        "model": "mistral-large-2402",
        "cloud": "gcp",
        "available_from": "2024-03-01",
    }
    conflict = assert_problem(client.post("/v1/offerings", json=gcp, headers=writer), 409)
    assert "azure-mistral-large-2402" in conflict["detail"]
    assert conflict["conflicts"] == [
        {
            "offering": "gcp:mistral-large-2402:serverless",
            "exclusivity_window": "azure-mistral-large-2402",
        }
    ]
    assert_problem(
        client.get("/v1/offerings/gcp:mistral-large-2402:serverless"), 404
    )  # nothing stored

    # The history keeps all of it, with the token's name as actor.
    history = client.get(f"{location}/history").json["items"]
    assert [c["action"] for c in history] == ["create", "update", "delete"]
    assert {c["actor"] for c in history} == {"maintainer"}
    assert history[0]["before"] is None and history[-1]["after"] is None
    assert history[1]["before"]["stage"] == "ga" and history[1]["after"]["stage"] == "preview"


def test_patch_is_a_merge_patch(client: FlaskClient, tokens: dict[str, str]) -> None:
    writer = bearer(tokens["write"])
    url = "/v1/offerings/aws:mistral-large-2402:serverless"
    current = client.get(url)
    patch = {"notes": "checked", "deprecated_from": None}
    assert_problem(client.patch(url, json=patch, headers=writer), 428)
    response = client.patch(
        url,
        data='{"notes": "checked", "regions": ["eu-west-3", "us-east-1"]}',
        headers=writer
        | {"If-Match": current.headers["ETag"], "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.json
    assert response.json["notes"] == "checked"
    assert response.json["regions"] == ["eu-west-3", "us-east-1"]
    assert response.json["cloud_model_id"] == current.json["cloud_model_id"]
    cleared = client.patch(
        url, json={"notes": None}, headers=writer | {"If-Match": response.headers["ETag"]}
    )
    assert cleared.json["notes"] is None
    body = assert_problem(
        client.patch(
            url, json={"stage": None}, headers=writer | {"If-Match": cleared.headers["ETag"]}
        ),
        422,
    )
    assert "stage" in body["errors"]
    body = assert_problem(
        client.patch(
            url, json={"id": "other"}, headers=writer | {"If-Match": cleared.headers["ETag"]}
        ),
        400,
    )
    assert "id" in body["errors"]
    assert_problem(
        client.patch("/v1/offerings/nothing", json={}, headers=writer | {"If-Match": "*"}), 404
    )


def test_bad_bodies(client: FlaskClient, tokens: dict[str, str]) -> None:
    writer = bearer(tokens["write"])
    last = client.get("/v1/changes?sort=-seq&limit=1").json["items"][0]["seq"]
    body = assert_problem(
        client.post("/v1/offerings", json=NEW_OFFERING | {"price": 3}, headers=writer), 400
    )
    assert body["errors"] == {"price": ["Unknown field."]}
    body = assert_problem(
        client.post(
            "/v1/offerings", json=NEW_OFFERING | {"created_at": "2020-01-01"}, headers=writer
        ),
        400,
    )
    assert "created_at" in body["errors"]  # server-set: a client cannot write it
    body = assert_problem(client.post("/v1/offerings", json={"id": "x"}, headers=writer), 400)
    assert {"model", "cloud", "available_from"} <= set(body["errors"])
    assert_problem(
        client.post(
            "/v1/offerings", data="{not json", headers=writer | {"Content-Type": "application/json"}
        ),
        400,
    )
    assert_problem(
        client.post(
            "/v1/offerings", data="[1]", headers=writer | {"Content-Type": "application/json"}
        ),
        400,
    )
    assert_problem(
        client.post("/v1/offerings", data="id=x", headers=writer | {"Content-Type": "text/plain"}),
        415,
    )
    big = {"notes": "x" * 300_000} | NEW_OFFERING
    assert_problem(client.post("/v1/offerings", json=big, headers=writer), 413)
    missing = assert_problem(
        client.post("/v1/offerings", json=NEW_OFFERING | {"model": "gpt-9"}, headers=writer), 409
    )
    assert missing["errors"] == {"model": ["no model 'gpt-9'"]}
    wrong_region = assert_problem(
        client.post(
            "/v1/offerings", json=NEW_OFFERING | {"regions": ["us-east-1"]}, headers=writer
        ),
        409,
    )
    assert "regions" in wrong_region["errors"]  # us-east-1 is AWS's, not Oracle's
    exists = assert_problem(
        client.post(
            "/v1/offerings",
            json=NEW_OFFERING | {"id": "aws:mistral-large-2402:serverless"},
            headers=writer,
        ),
        409,
    )
    assert exists["type"] == "/problems/already-exists"
    # Nothing of the above reached the feed.
    assert client.get(f"/v1/changes?after={last}").json["items"] == []


def test_delete_refuses_to_leave_dangling_references(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    writer = bearer(tokens["write"])
    model = client.get("/v1/models/mistral-large-2402")
    body = assert_problem(
        client.delete(
            "/v1/models/mistral-large-2402", headers=writer | {"If-Match": model.headers["ETag"]}
        ),
        409,
    )
    assert "offerings/aws:mistral-large-2402:serverless" in body["referrers"]
    assert "exclusivity-windows/azure-mistral-large-2402" in body["referrers"]
    region = client.get("/v1/clouds/aws/regions/eu-west-3")
    body = assert_problem(
        client.delete(
            "/v1/clouds/aws/regions/eu-west-3",
            headers=writer | {"If-Match": region.headers["ETag"]},
        ),
        409,
    )
    assert "offerings/aws:mistral-large-2402:serverless" in body["referrers"]


def test_a_new_window_must_not_contradict_offerings(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    window = {
        "id": "aws-claude",
        "holder": "aws",
        "provider": "anthropic",
        "scope": "hyperscalers",
        "basis": "observed",
        "starts_at": "2024-01-01",
        "starts_at_certainty": "exact",
        "starts_at_source": "https://example.org/w",
        "terms": "hypothetical",
    }
    body = assert_problem(
        client.post("/v1/exclusivity-windows", json=window, headers=bearer(tokens["write"])), 409
    )
    assert body["type"] == "/problems/exclusivity-conflict"
    assert all(c["exclusivity_window"] == "aws-claude" for c in body["conflicts"])
    assert_problem(client.get("/v1/exclusivity-windows/aws-claude"), 404)


def test_regions_are_written_under_their_cloud(client: FlaskClient, tokens: dict[str, str]) -> None:
    writer = bearer(tokens["write"])
    # An id no cloud uses, so the test does not depend on which regions the fixtures ship.
    region = {"id": "xx-test-1", "name": "Test (Nowhere)", "geography": "EU"}
    created = client.post("/v1/clouds/aws/regions", json=region, headers=writer)
    assert created.status_code == 201 and created.json["cloud"] == "aws"
    assert created.headers["Location"] == "/v1/clouds/aws/regions/xx-test-1"
    assert_problem(
        client.post("/v1/clouds/aws/regions", json=region | {"cloud": "gcp"}, headers=writer), 400
    )
    assert_problem(client.post("/v1/clouds/nowhere/regions", json=region, headers=writer), 409)
    history = client.get("/v1/clouds/aws/regions/xx-test-1/history").json["items"]
    assert [(c["resource"], c["id"]) for c in history] == [("regions", "aws/xx-test-1")]


def test_put_creates_and_unchanged_writes_record_nothing(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    writer = bearer(tokens["write"])
    provider = {"id": "example-maker", "name": "Example Labs", "website": "https://www.example.org"}
    created = client.put("/v1/providers/example-maker", json=provider, headers=writer)
    assert (
        created.status_code == 201 and created.headers["Location"] == "/v1/providers/example-maker"
    )
    seq = client.get("/v1/changes?resource=providers&sort=-seq&limit=1").json["items"][0]["seq"]
    again = client.put(
        "/v1/providers/example-maker",
        json=provider,
        headers=writer | {"If-Match": created.headers["ETag"]},
    )
    assert again.status_code == 200 and again.headers["ETag"] == created.headers["ETag"]
    assert client.get(f"/v1/changes?after={seq}").json["items"] == []


def test_change_feed_syncs_incrementally(client: FlaskClient, tokens: dict[str, str]) -> None:
    seeded = loading.count(loading.read_fixture_dir(loading.shipped_fixtures()))
    first = walk(client, "/v1/changes?limit=500")
    assert [c["seq"] for c in first] == list(range(1, len(first) + 1))
    assert {c["actor"] for c in first} == {"fixtures"}
    assert len(first) == seeded  # every seeded record, once
    last = first[-1]["seq"]
    client.post(
        "/v1/providers",
        json={"id": "example-maker", "name": "Example Labs"},
        headers=bearer(tokens["write"]),
    )
    new = client.get(f"/v1/changes?after={last}").json["items"]
    assert [(c["seq"], c["action"], c["resource"], c["id"], c["actor"]) for c in new] == [
        (last + 1, "create", "providers", "example-maker", "maintainer")
    ]
    walked: list[int] = []
    url: str | None = "/v1/changes?limit=40"
    while url:
        response = client.get(url)
        walked += [c["seq"] for c in response.json["items"]]
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert walked == list(range(1, last + 2))


def test_as_of_shows_what_was_recorded(
    client: FlaskClient, tokens: dict[str, str], clock: Clock
) -> None:
    writer = bearer(tokens["write"])
    provider = {"id": "example-maker", "name": "Example Labs"}

    def instant() -> str:
        """A second between two writes (recorded_at has whole seconds)."""
        between = clock.advance()
        clock.advance()
        return between

    before_creation = instant()
    created = client.post("/v1/providers", json=provider, headers=writer)
    after_creation = instant()
    changed = client.patch(
        "/v1/providers/example-maker",
        json={"name": "Example"},
        headers=writer | {"If-Match": created.headers["ETag"]},
    )
    after_change = instant()
    client.delete(
        "/v1/providers/example-maker", headers=writer | {"If-Match": changed.headers["ETag"]}
    )
    after_deletion = instant()

    def name_as_of(as_of: str) -> str | None:
        response = client.get(f"/v1/providers/example-maker?as_of={as_of}")
        return response.json["name"] if response.status_code == 200 else None

    assert name_as_of(before_creation) is None
    assert name_as_of(after_creation) == "Example Labs"
    assert name_as_of(after_change) == "Example"
    assert name_as_of(after_deletion) is None
    assert client.get("/v1/providers/example-maker").status_code == 404
    # Lists and the other reads take as_of too; timestamps are the ones recorded then.
    listed = client.get(f"/v1/providers?as_of={after_change}").json["items"]
    old = next(p for p in listed if p["id"] == "example-maker")
    assert old["created_at"] == created.json["created_at"]
    feed_then = client.get(f"/v1/changes?as_of={after_creation}&sort=-seq&limit=1").json["items"]
    assert [(c["id"], c["action"]) for c in feed_then] == [("example-maker", "create")]
    # Before the catalog existed there was nothing.
    assert client.get("/v1/models?as_of=2000-01-01").json["items"] == []


def test_as_of_with_at(client: FlaskClient) -> None:
    """as_of (what the catalog knew) and at (what was true) combine."""
    answer = client.get(
        "/v1/models/mistral-large-2402/availability/aws?at=2024-03-15&as_of=2099-01-01"
    )
    assert answer.json["exclusivity"]["state"] == "excluded"
    assert (
        client.get("/v1/models/mistral-large-2402/availability/aws?as_of=2000-01-01").status_code
        == 404
    )


def test_read_only_replica_refuses_writes(writable_db: Path, tokens: dict[str, str]) -> None:
    app = create_app({"DATABASE": str(writable_db), "READ_ONLY": True})
    client = app.test_client()
    body = assert_problem(
        client.post(
            "/v1/providers", json={"id": "x", "name": "X"}, headers=bearer(tokens["write"])
        ),
        405,
    )
    assert body["type"] == "/problems/read-only" and "replica" in body["detail"]
    assert client.get("/v1/providers/mistral-ai").status_code == 200
    db.close_thread_connections()


def test_reads_can_require_a_token(writable_db: Path, tokens: dict[str, str]) -> None:
    app = create_app({"DATABASE": str(writable_db), "READ_REQUIRES_TOKEN": True})
    client = app.test_client()
    assert_problem(client.get("/v1/models"), 401)
    assert client.get("/v1/models", headers=bearer(tokens["read"])).status_code == 200
    assert client.get("/v1/models", headers=bearer(tokens["write"])).status_code == 200
    as_of = client.get("/v1/models?as_of=2099-01-01", headers=bearer(tokens["read"]))
    assert as_of.status_code == 200 and as_of.json["items"]  # tokens are checked live
    assert client.get("/healthz").status_code == 200
    assert client.get("/openapi.yaml").status_code == 200
    db.close_thread_connections()


def test_if_match_on_a_missing_record_fails(client: FlaskClient, tokens: dict[str, str]) -> None:
    """RFC 9110: with no current version nothing matches, so a PUT that expected one fails."""
    writer = bearer(tokens["write"])
    provider = {"id": "example-maker", "name": "Example Labs"}
    body = assert_problem(
        client.put(
            "/v1/providers/example-maker", json=provider, headers=writer | {"If-Match": "*"}
        ),
        412,
    )
    assert "leave If-Match out" in body["detail"]
    assert (
        client.put("/v1/providers/example-maker", json=provider, headers=writer).status_code == 201
    )
