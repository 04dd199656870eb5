"""The fast path in front of Flask (issue 14) and headers sent exactly once (issue 13).

Raw responses come from real `catalog serve` processes over a socket, so that a header sent
twice is seen twice: one server with the fast path, one with it turned off, on the same
database; what they send for the same request must be the same, header for header.
"""

from __future__ import annotations

import json
import shutil
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from servers import Server

from catalog import create_app
from catalog.http.fastpath import FastPath
from catalog.storage import db, moments, versions

Raw = tuple[str, list[tuple[str, str]], bytes]

READS = [
    "/v1/offerings?limit=50",
    "/v1/offerings?model=mistral-large-2402",
    "/v1/offerings?limit=2",  # a Link header
    "/v1/models/mistral-large-2402/availability/aws?at=2024-03-15",  # rendered without Flask
    "/v1/models/gpt-4o/availability/azure?region=swedencentral&at=2025-06-01",
    "/v1/models/claude-sonnet-4-5/availability/aws?geography=EU&at=2026-06-01",
    "/v1/models/gpt-4o/availability?at=2025-01-01",
    "/v1/checks?pair=gpt-4o:azure&pair=claude-sonnet-4-5:aws:us-east-1&at=2025-06-01&min_days=1",
    "/v1/offerings?cloud=aws&limit=2&sort=-available_from&at=2025-01-01",  # rendered, a Link
    "/v1/exclusivity-windows?limit=5",  # first-ship spans filled in
    "/v1/models/gpt-4o",  # a record: its content ETag
    "/v1/offerings/aws:mistral-large-2402:serverless",
    "/v1/offerings?format=csv&cloud=aws",  # streamed when fresh
    "/v1/timeline?format=ics&model=mistral-large-2402",
    "/?at=2024-03-15&provider=mistral-ai",  # the pages take the same path
    "/models/mistral-large-2402?at=2024-03-15",
    "/v1/changes?after=100",
    "/v1/clouds/aws/regions",
]


def dechunk(body: bytes) -> bytes:
    """A chunked body's content (RFC 9112 7.1)."""
    out = b""
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return out
        out, body = out + body[:size], body[size + 2 :]


def raw(port: int, method: str, path: str, headers: dict[str, str] | None = None) -> Raw:
    """One request over a fresh socket: the status line, every header as sent, the body."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += ["X-Request-ID: test-request"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *fields = head.decode("latin-1").split("\r\n")
    pairs = [(name, value) for name, _, value in (f.partition(": ") for f in fields)]
    if ("Transfer-Encoding", "chunked") in pairs:
        body = dechunk(body)
    return status, pairs, body


def sent_once(response: Raw) -> None:
    """No header name comes twice."""
    counts = Counter(name.lower() for name, _ in response[1])
    assert [name for name, n in counts.items() if n > 1] == [], response[1]


def comparable(response: Raw) -> Raw:
    """The response with its Date's value left out (the second may differ)."""
    status, headers, body = response
    return status, [(n, "(date)" if n == "Date" else v) for n, v in headers], body


def header(response: Raw, name: str) -> str:
    values = [v for n, v in response[1] if n.lower() == name.lower()]
    assert len(values) == 1, (name, response[1])
    return values[0]


@pytest.fixture(scope="module")
def served(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """Two replicas of the seeded catalog, one worker each: with and without the fast path."""
    folder = tmp_path_factory.mktemp("fastpath")
    shutil.copy(seeded_db, folder / "catalog.db")
    ports = {}
    running = []
    try:
        for name, on in (("fast", "true"), ("slow", "false")):
            (folder / name).mkdir()
            server = Server(
                folder / name,
                database=folder / "catalog.db",
                settings={"CATALOG_READ_ONLY": "1", "CATALOG_FAST_PATH": on},
            )
            running.append(server)
            server.start(workers=1)
            ports[name] = server.port
        yield ports
    finally:
        for server in running:
            server.stop()


@pytest.mark.parametrize("url", READS)
def test_fast_and_slow_paths_send_the_same(served: dict[str, int], url: str) -> None:
    answers: dict[str, list[Raw]] = {}
    for name, port in served.items():
        fresh = raw(port, "GET", url)
        kept = raw(port, "GET", url)
        tag = header(kept, "ETag")
        seen = [fresh, kept, raw(port, "GET", url, {"If-None-Match": tag})]
        seen.append(raw(port, "GET", url, {"If-None-Match": f'"other", {tag}'}))
        seen.append(raw(port, "HEAD", url))
        modified = [v for n, v in kept[1] if n == "Last-Modified"]
        if modified:
            seen.append(raw(port, "GET", url, {"If-Modified-Since": modified[0]}))
        answers[name] = seen
    fast, slow = answers["fast"], answers["slow"]
    assert [comparable(r) for r in fast] == [comparable(r) for r in slow]
    assert fast[0][2] == fast[1][2] and fast[0][0].startswith("HTTP/1.1 200")
    assert [r[0] for r in fast[2:4]] == ["HTTP/1.1 304 NOT MODIFIED"] * 2
    assert fast[4][2] == b"" and header(fast[4], "Content-Length") == str(len(fast[1][2]))
    for response in fast:
        sent_once(response)
        assert header(response, "ETag").startswith('"')
        assert header(response, "X-Request-ID") == "test-request"


def test_a_page_kept_for_its_moment_is_sent_as_flask_sends_it(served: dict[str, int]) -> None:
    answers: dict[str, list[Raw]] = {}
    page = "/models/mistral-large-2402?at=2024-03-15T10:0"
    for name, port in served.items():
        made = raw(port, "GET", f"{page}0:00Z")  # Flask makes the page for its moment
        same_moment = raw(port, "GET", f"{page}1:00Z")  # the fast path sends it (fast)
        tag = header(same_moment, "ETag")
        again = raw(port, "GET", f"{page}1:00Z", {"If-None-Match": tag})
        answers[name] = [made, same_moment, again, raw(port, "HEAD", f"{page}2:00Z")]
    fast, slow = answers["fast"], answers["slow"]
    assert [comparable(r) for r in fast] == [comparable(r) for r in slow]
    assert fast[0][2] == fast[1][2] and header(fast[1], "Content-Type").startswith("text/html")
    assert [r[0].split()[1] for r in fast] == ["200", "200", "304", "200"]
    for response in fast:
        sent_once(response)


AGAIN = [  # an availability answer asked again with another `at`: its moment's kept JSON
    "/v1/models/mistral-large-2402/availability/aws?at={}",
    "/v1/models/gpt-4o/availability?geography=EU&at={}",
    "/v1/models/gpt-4o/availability/azure?region=swedencentral&at={}",
]
# The same moment, another moment, a date, days_remaining counting down, a day in the future.
INSTANTS = [
    "2024-03-15T10:00:00Z",
    "2024-03-15T10:00:01Z",
    "2024-04-02T00:00:00Z",
    "2025-06-01",
    "2025-06-02T12:00:00Z",
    "2031-01-01T00:00:00Z",
]


@pytest.mark.parametrize("url", AGAIN)
def test_an_answer_for_another_at_is_sent_as_flask_sends_it(
    served: dict[str, int], url: str
) -> None:
    answers: dict[str, list[Raw]] = {}
    for name, port in served.items():
        answers[name] = [raw(port, "GET", url.format(at)) for at in INSTANTS]
        answers[name].append(raw(port, "HEAD", url.format("2024-03-15T10:00:02Z")))
    fast, slow = answers["fast"], answers["slow"]
    assert [comparable(r) for r in fast] == [comparable(r) for r in slow]
    assert {r[0] for r in fast} == {"HTTP/1.1 200 OK"} and len({r[2] for r in fast[:-1]}) > 3
    for response in fast:
        sent_once(response)


PAGES = [  # a page or export asked again with another `at`: the arguments read once
    ("/v1/offerings?model=gpt-4o&at={}", {}),
    ("/v1/offerings?limit=2&at={}&sort=-available_from", {}),  # a Link, `at` amid the query
    ("/v1/offerings?at={}&limit=2&sort=-available_from", {}),  # the same, in another order
    ("/v1/offerings?cloud=aws&limit=3&at={}", {"Accept": "text/csv"}),  # CSV, whole
    ("/v1/offerings?cloud=aws&limit=3&at={}", {}),  # the same query, JSON
    ("/v1/exclusivity-windows?format=csv&at={}", {}),  # first-ship spans filled in
    ("/v1/exclusivity-windows?at={}", {"Accept": "text/calendar"}),  # streamed by Flask
    ("/v1/prices?at={}&limit=2", {}),
    ("/models/mistral-large-2402?at={}", {}),  # HTML, kept per moment and day
]


def test_a_page_for_another_at_is_sent_as_flask_sends_it(served: dict[str, int]) -> None:
    answers: dict[str, list[Raw]] = {}
    for name, port in served.items():
        answers[name] = [
            raw(port, method, url.format(at), headers)
            for at in INSTANTS
            for url, headers in PAGES
            for method in ("GET", "GET", "HEAD")
        ]
    fast, slow = answers["fast"], answers["slow"]
    assert [comparable(r) for r in fast] == [comparable(r) for r in slow]
    assert {r[0] for r in fast} == {"HTTP/1.1 200 OK"}
    links = {header(r, "Link") for r in fast if "Link" in dict(r[1])}
    assert {"2025-06-01", "2024-03-15T10%3A00%3A01Z"} <= {
        link.partition("at=")[2].partition(">")[0].partition("&")[0] for link in links
    }
    assert any(link.startswith("</v1/offerings?at=") for link in links)
    assert len({r[2] for r in fast if header(r, "Content-Type").startswith("text/csv")}) > 1
    for response in fast:
        sent_once(response)


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The query of each request whose arguments the fast path reads in full."""
    from catalog.http import context

    queries, arguments = [], context.arguments

    def counted(operation, asked, conn, now):  # type: ignore[no-untyped-def]
        queries.append(asked.query_string.decode())
        return arguments(operation, asked, conn, now)

    monkeypatch.setattr(context, "arguments", counted)
    return queries


def test_a_page_for_another_at_is_made_without_the_query_read_again(
    app: Flask, read: list[str]
) -> None:
    client = app.test_client()
    pages = [client.get(f"/v1/offerings?limit=2&at={at}") for at in INSTANTS]
    assert read == [f"limit=2&at={INSTANTS[0]}"]
    assert len({page.data for page in pages}) > 1  # the rows of each moment
    assert pages[3].headers["Link"].startswith("</v1/offerings?limit=2&at=2025-06-01&cursor=")
    client.get("/v1/offerings?limit=2&at=2025-06-01", headers={"Accept": "text/csv"})
    assert len(read) == 2  # another Accept: read in full
    made = client.get(f"/models/gpt-4o?at={INSTANTS[0]}")  # read; not kept: Flask's view
    sent = [client.get(f"/models/gpt-4o?at=2024-03-15T10:00:0{n}Z") for n in range(1, 5)]
    assert len(read) == 4 and {page.data for page in sent} == {made.data}  # the first read


def test_another_at_is_answered_without_the_query_read_again(app: Flask, read: list[str]) -> None:
    """Once a path and the rest of its query were answered in full, an answer kept for the
    moment of another `at` is sent at once; anything else is read and checked in full."""
    client = app.test_client()
    moments.clear()
    url = "/v1/models/mistral-large-2402/availability/aws?"
    first = client.get(url + "at=2024-03-15T10:00:00Z")  # read in full, kept for its moment
    again = client.get(url + "at=2024-03-15T10:00:05Z")  # the same moment: not read again
    assert read == ["at=2024-03-15T10:00:00Z"] and first.json["at"] != again.json["at"]
    assert {**first.json, "at": 0} == {**again.json, "at": 0}
    client.get(url + "at=2024-03-15T10:00:05Z&at=2024-03-16")  # twice: read in full
    client.get(url + "at=2024-03-15T10%3A00%3A06Z")  # percent-encoded: read in full
    bad = client.get(url + "at=2024-13-15T10:00:00Z")  # not an instant: Flask's 400
    assert len(read) == 4 and bad.status_code == 400  # each of the three read in full
    assert client.get(url + "at=1900-01-01").status_code == 400  # out of bounds: the same


DOCUMENTS = ["/openapi.yaml", "/docs", "/docs/init.js", "/docs/assets/swagger-ui.css"]


@pytest.mark.parametrize("url", DOCUMENTS)
def test_documents_carry_one_etag_and_answer_304(served: dict[str, int], url: str) -> None:
    first = raw(served["fast"], "GET", url)
    assert first[0] == "HTTP/1.1 200 OK" and first[2]
    sent_once(first)
    tag = header(first, "ETag")
    assert tag.startswith('"') and tag.endswith('"')
    again = raw(served["fast"], "GET", url, {"If-None-Match": tag})
    assert again[0] == "HTTP/1.1 304 NOT MODIFIED" and again[2] == b""
    sent_once(again)
    assert header(again, "ETag") == tag


OTHERS = [
    ("GET", "/v1/models/nope", "404"),
    ("GET", "/v1/offerings?limit=abc", "400"),
    ("GET", "/nowhere", "404"),
    ("DELETE", "/v1/providers/mistral-ai", "405"),  # a replica takes no writes
    ("GET", "/healthz", "200"),
    ("GET", "/metrics", "200"),
]


@pytest.mark.parametrize(("method", "url", "status"), OTHERS)
def test_errors_and_operations_send_each_header_once(
    served: dict[str, int], method: str, url: str, status: str
) -> None:
    for port in served.values():
        response = raw(port, method, url)
        assert response[0].split()[1] == status
        sent_once(response)
        assert header(response, "X-Request-ID") == "test-request"
        assert header(response, "Cache-Control")


# In process: which requests the fast path answers, and what it leaves to Flask.


def fast_paths(app: Flask) -> list[FastPath]:
    """The fast path among the WSGI layers in front of Flask (security headers wrap it)."""
    found, layer = [], app.wsgi_app
    while hasattr(layer, "wrapped"):
        found.append(layer)
        layer = layer.wrapped
    return [each for each in found if isinstance(each, FastPath)]


def count_flask_calls(app: Flask) -> list[str]:
    """The paths that reach Flask behind the fast path, from now on."""
    (layer,) = fast_paths(app)
    inner, calls = layer.wrapped, []

    def counting(environ, start_response):  # type: ignore[no-untyped-def]
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    layer.wrapped = counting
    return calls


@pytest.mark.parametrize("url", READS)
def test_repeats_and_304s_do_not_reach_flask(app: Flask, url: str) -> None:
    client = app.test_client()
    first = client.get(url)
    first.get_data()  # a streamed answer is kept once it is finished
    calls = count_flask_calls(app)
    kept = client.get(url)
    not_modified = client.get(url, headers={"If-None-Match": kept.headers["ETag"]})
    assert (kept.status_code, not_modified.status_code, calls) == (200, 304, [])
    assert kept.get_data() == first.get_data()


def test_what_the_fast_path_leaves_to_flask(app: Flask) -> None:
    client = app.test_client()
    url = "/v1/offerings?limit=5"
    client.get(url)
    client.get(url + "&as_of=2099-01-01")
    calls = count_flask_calls(app)
    client.get(url, headers={"Authorization": "Bearer cat_x"})  # a token: Flask checks it
    client.get(url + "&as_of=2099-01-01")
    client.post(url, json={})
    client.get("/v1/models/nope")  # an error is never kept
    client.get("/v1/models/nope")
    client.get("/openapi.yaml")
    assert len(calls) == 6


def test_the_availability_answers_render_without_flask(app: Flask) -> None:
    client = app.test_client()
    url = "/v1/models/claude-sonnet-4/availability/aws?at=2025-06-0"
    calls = count_flask_calls(app)
    rendered = [client.get(f"{url}{day}") for day in (1, 2)]
    rendered.append(client.get(url.replace("/aws", "") + "3"))
    rendered.append(client.get("/v1/checks?pair=gpt-4o:azure&pair=gpt-4o:aws&at=2025-06-03"))
    assert [r.status_code for r in rendered] == [200] * 4 and calls == []
    # Flask answers what the fast path cannot: an alias, a bad argument, unknown names.
    for asked, status in [
        (f"{url}4".replace("claude-sonnet-4", "claude-4-sonnet"), 200),  # an alias: the id's
        (url + "4&at=2025-06-05", 400),
        (url + "4&region=nowhere", 404),
        (url.replace("/aws", "/nowhere") + "4", 404),
        (url + "x", 400),
        ("/v1/checks?pair=gpt-4o:nowhere&at=2025-06-03", 400),
    ]:
        assert client.get(asked).status_code == status, asked
    assert len(calls) == 6
    alias = client.get(f"{url}4".replace("claude-sonnet-4", "claude-4-sonnet")).json
    assert alias == client.get(f"{url}4").json and alias["model"] == "claude-sonnet-4"


def test_json_pages_render_without_flask(app: Flask) -> None:
    client = app.test_client()
    calls = count_flask_calls(app)
    first = client.get("/v1/offerings?cloud=aws&limit=3&at=2025-01-01")
    link = first.headers["Link"]
    second = client.get(link[1 : link.index(">")])
    regions = client.get("/v1/clouds/aws/regions?limit=2")
    assert [r.status_code for r in (first, second, regions)] == [200] * 3 and calls == []
    assert first.json["items"][-1]["id"] < second.json["items"][0]["id"]
    # Flask streams a CSV export whose rows are not all encoded yet (as on a new worker); once
    # they are, the fast path answers it whole, byte for byte the same.
    versions._kept.clear()
    moments.clear()
    exports = []  # streamed: each read to its end before the next request
    for asked in ("format=csv&at=2025-01-02T00:00:00Z", "at=2025-01-02T00:00:01Z"):
        export = client.get(f"/v1/offerings?cloud=aws&{asked}", headers={"Accept": "text/csv"})
        exports.append((export.mimetype, export.get_data(), "Content-Length" in export.headers))
    assert [e[0] for e in exports] == ["text/csv"] * 2 and exports[0][1].startswith(b"id,")
    assert exports[0][1] == exports[1][1] and [e[2] for e in exports] == [False, True]
    assert calls == ["/v1/offerings"]
    # Flask answers the other formats, and the errors.
    assert client.get("/v1/offerings?cursor=made-up.0&at=2025-01-04").status_code == 400
    assert client.get("/v1/clouds/nowhere/regions").status_code == 404
    refused = client.get("/v1/offerings?at=2025-01-05", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert len(calls) == 4


def test_a_model_page_kept_for_its_moment_is_sent_without_flask(app: Flask) -> None:
    client = app.test_client()
    moments.clear()  # kept per worker: as on a worker that has made no page yet
    calls = count_flask_calls(app)
    pages = [client.get(f"/models/gpt-4o?at=2025-06-03T1{hour}:00:00Z") for hour in range(4)]
    assert [p.status_code for p in pages] == [200] * 4
    assert calls == ["/models/gpt-4o"]  # made once, for its moment; then sent from there
    assert {p.get_data() for p in pages} == {pages[0].get_data()}
    client.get("/models/gpt-4o?at=2025-06-04")  # another day (the page shows it): made
    client.get("/models/no-such-model?at=2025-06-03T14:00:00Z")  # Flask answers the 404
    client.get("/models/gpt-4o?at=2025-06-03T14:00:00Z&as_of=2025-01-01")  # as recorded then
    assert len(calls) == 4


def test_the_fast_path_logs_and_counts(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    client = app.test_client()
    url = "/v1/clouds?limit=3"
    tag = client.get(url).headers["ETag"]
    count_flask_calls(app)
    capsys.readouterr()
    client.get(url, headers={"X-Request-ID": "kept-1"})
    client.get(url, headers={"If-None-Match": tag})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line["route"], line["status"], line["path"]) for line in lines] == [
        ("/v1/clouds", 200, "/v1/clouds"),
        ("/v1/clouds", 304, "/v1/clouds"),
    ]
    assert lines[0]["request_id"] == "kept-1" and lines[0]["actor"] is None
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'catalog_http_requests_total{method="GET",route="/v1/clouds",status="304"}' in metrics


def test_a_write_is_seen_at_once(writable_app: Flask, tokens: dict[str, str]) -> None:
    client = writable_app.test_client()
    before = client.get("/v1/providers")
    assert client.get("/v1/providers").get_data() == before.get_data()  # kept
    write = {"Authorization": f"Bearer {tokens['write']}"}
    assert (
        client.post(
            "/v1/providers", json={"id": "fastpath-new", "name": "Fastpath New"}, headers=write
        ).status_code
        == 201
    )
    after = client.get("/v1/providers", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "fastpath-new" in after.get_data(as_text=True)


def test_read_tokens_are_never_bypassed(writable_db: Path, tokens: dict[str, str]) -> None:
    app = create_app({"TESTING": True, "DATABASE": str(writable_db), "READ_REQUIRES_TOKEN": True})
    try:
        assert not fast_paths(app)
        client = app.test_client()
        reader = {"Authorization": f"Bearer {tokens['read']}"}
        kept = client.get("/v1/providers", headers=reader)
        assert client.get("/v1/providers", headers=reader).get_data() == kept.get_data()
        refused = client.get("/v1/providers", headers={"If-None-Match": kept.headers["ETag"]})
        assert refused.status_code == 401
        assert client.get("/v1/providers").status_code == 401
    finally:
        db.close_thread_connections()


def test_a_replica_serves_a_new_file_at_once(seeded_db: Path, tmp_path: Path) -> None:
    """A kept answer is not served once a newer catalog was renamed into place (the fast path
    keeps its own connections, and reopens them as db's are reopened)."""
    served, newer = tmp_path / "served.db", tmp_path / "newer.db"
    shutil.copyfile(seeded_db, served)
    shutil.copyfile(seeded_db, newer)
    conn = db.connect(newer)
    now = "2026-12-01T00:00:00Z"
    conn.execute(
        "INSERT INTO providers (id, name, website, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        ["replica-new", "Replica New", None, now, now],
    )
    conn.execute(
        "INSERT INTO changes (recorded_at, actor, action, resource, record_id, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [now, "test", "create", "providers", "replica-new", None, "{}"],
    )
    conn.execute("VACUUM INTO ?", [str(tmp_path / "snapshot.db")])
    conn.close()
    app = create_app({"TESTING": True, "DATABASE": str(served), "READ_ONLY": True})
    try:
        client = app.test_client()
        url = "/v1/providers?limit=200"
        first = client.get(url)
        calls = count_flask_calls(app)
        assert client.get(url).get_data() == first.get_data() and calls == []  # kept
        (tmp_path / "snapshot.db").replace(served)
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 200 and "replica-new" in again.get_data(as_text=True)
    finally:
        db.close_thread_connections()


def test_a_replica_serves_a_file_rewritten_in_place_at_once(
    seeded_db: Path, tmp_path: Path
) -> None:
    """What `litestream restore -f` does (the file in rollback-journal mode): PRAGMA
    data_version moves, so the version is read again and no kept answer of the old one is sent."""
    served, newer = tmp_path / "served.db", tmp_path / "newer.db"
    shutil.copyfile(seeded_db, served)
    shutil.copyfile(seeded_db, newer)
    for path in (served, newer):
        conn = db.connect(path)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
    conn = db.connect(newer)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(
        "INSERT INTO changes (recorded_at, actor, action, resource, record_id, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        ["2026-12-01T00:00:00Z", "test", "update", "providers", "x", None, "{}"],
    )
    conn.close()
    app = create_app({"TESTING": True, "DATABASE": str(served), "READ_ONLY": True})
    try:
        client = app.test_client()
        url = "/v1/providers?limit=3"
        first = client.get(url)
        calls = count_flask_calls(app)
        assert client.get(url).headers["ETag"] == first.headers["ETag"] and calls == []
        inode = served.stat().st_ino
        with served.open("r+b") as target:
            target.write(newer.read_bytes())
            target.truncate()
        assert served.stat().st_ino == inode
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    finally:
        db.close_thread_connections()
