"""catalog.client against a running catalog: the calls the CLI and maintainers' scripts make."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers import Server

from catalog.client import CatalogError, Client


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("client")
    server = Server(folder, database=folder / "catalog.db")
    token = server.token("client-test")
    server.start()
    yield server.url, token
    server.stop()


def test_reads(live: tuple[str, str]) -> None:
    client = Client(live[0])
    answer = client.availability("mistral-large-2402", "aws", at="2024-03-15")
    assert answer["exclusivity"]["state"] == "excluded"
    offerings = client.list_all("offerings", model="mistral-large-2402")
    assert {"azure", "aws", "la-plateforme"} <= {o["cloud"] for o in offerings}
    with pytest.raises(CatalogError) as error:
        client.get("/v1/models/no-such-model")
    assert error.value.status == 404 and "no-such-model" in str(error.value)


def test_write_cycle_and_history(live: tuple[str, str]) -> None:
    url, token = live
    client = Client(url, token=token)
    last = client.changes()[-1]["seq"]
    created, etag = client.create("providers", {"id": "example-maker", "name": "Example Labs"})
    assert created["id"] == "example-maker"
    patched, etag = client.patch(
        "providers/example-maker", {"website": "https://www.example.org"}, etag
    )
    assert patched["website"] == "https://www.example.org"
    replaced, etag = client.replace("providers/example-maker", {"name": "Example"}, etag)
    assert replaced["website"] is None  # a replacement, not a merge
    with pytest.raises(CatalogError) as stale:
        client.delete("providers/example-maker", '"stale"')
    assert stale.value.status == 412
    assert client.read("providers/example-maker") == (replaced, etag)
    client.delete("providers/example-maker", etag)
    assert [c["action"] for c in client.history("providers/example-maker")] == [
        "create",
        "update",
        "update",
        "delete",
    ]
    assert [(c["action"], c["actor"]) for c in client.changes(after=last)] == [
        ("create", "client-test"),
        ("update", "client-test"),
        ("update", "client-test"),
        ("delete", "client-test"),
    ]


def test_writes_need_the_token(live: tuple[str, str]) -> None:
    with pytest.raises(CatalogError) as error:
        Client(live[0]).create("providers", {"id": "x", "name": "X"})
    assert error.value.status == 401
