"""Exports encode each row once per catalog version (encoded.encoded_rows, encoded.page), and
never answer from rows of an older version."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Sequence
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import walk

from catalog import resources
from catalog.api.formats import csv_line
from catalog.storage import db, encoded, versions
from catalog.storage.db import get_db

ID = "aws:mistral-large-2402:serverless"
OFFERING = f"/v1/offerings/{ID}"


def _note(writer: FlaskClient, notes: str) -> None:
    current = writer.get(OFFERING)
    changed = writer.patch(
        OFFERING, json={"notes": notes}, headers={"If-Match": current.headers["ETag"]}
    )
    assert changed.status_code == 200, changed.json


def test_each_row_is_encoded_once_per_catalog_version(
    writable_app: Flask, writer: FlaskClient
) -> None:
    encodings: list[str] = []

    def encode(row: Sequence[Any]) -> bytes:
        encodings.append(row[0])
        return csv_line(row)

    offerings = resources.get("offerings")

    def export(**filters: Any) -> list[bytes]:
        with writable_app.app_context():
            lines = encoded.encoded_rows(
                get_db(), offerings, filters, sort="id", form="test", encode=encode
            )
            return list(lines)

    every = export(cloud="aws")
    assert len(every) == len(encodings) > 10 and len(set(encodings)) == len(encodings)
    # Fewer rows of the same version (another `at`), or the same again: nothing encoded anew.
    some = export(cloud="aws", at="2024-06-01T00:00:00Z")
    assert export(cloud="aws") == every and len(encodings) == len(every)
    assert 0 < len(some) < len(every) and set(some) <= set(every)
    # After a write the catalog has a new version: its rows are encoded again, from it.
    _note(writer, "seen again")
    after = export(cloud="aws")
    assert len(encodings) == 2 * len(every)
    assert [line for line in after if b"seen again" in line] != []
    assert [line for line in every if b"seen again" in line] == []


def test_csv_and_json_pages_show_a_write_at_once(writer: FlaskClient) -> None:
    def notes(at: str) -> tuple[str, str]:
        text = writer.get(f"/v1/offerings?cloud=aws&format=csv&at={at}").get_data(as_text=True)
        (row,) = [r for r in csv.DictReader(io.StringIO(text)) if r["id"] == ID]
        items = walk(writer, f"/v1/offerings?cloud=aws&limit=7&at={at}")  # pages, cursors
        (item,) = [i for i in items if i["id"] == ID]
        assert [i["id"] for i in items] == [r["id"] for r in csv.DictReader(io.StringIO(text))]
        return row["notes"], item["notes"]

    assert "after the write" not in notes("2025-01-01")
    _note(writer, "after the write")
    for at in ("2025-01-01", "2025-01-02"):  # a request seen before the write, and a new one
        assert notes(at) == ("after the write", "after the write")


def test_what_an_older_version_kept_is_let_go(writable_app: Flask, writer: FlaskClient) -> None:
    with writable_app.app_context():
        conn = get_db()
        before, _ = versions.catalog_version(conn)
        versions.per_version(conn, ("a test",), list)
    _note(writer, "a new version")
    with writable_app.app_context():
        conn = get_db()
        after, _ = versions.catalog_version(conn)
        versions.per_version(conn, ("a test",), list)
    kept = [key[1] for key in versions._kept if key[2:] == ("a test",)]
    assert after > before and kept == [after]


def test_past_its_bound_what_was_kept_longest_unused_goes_first(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One entry at a time, not all at once: a crawler over many models once emptied every
    kept thing (the encoded rows, the ids) each 256 models."""
    monkeypatch.setattr(versions, "MAX_KEPT", 3)
    made: list[str] = []
    with app.app_context():
        conn = get_db()

        def keep(name: str) -> None:
            versions.per_version(conn, ("a test", name), lambda: made.append(name))

        versions._kept.clear()
        for name in ("a", "b", "c", "a", "d", "a", "b"):
            keep(name)
    assert made == ["a", "b", "c", "d", "b"]  # "a", used again, stayed; "b" went for "d"


def test_a_pinned_connection_sees_one_version(writable_app: Flask, writer: FlaskClient) -> None:
    with writable_app.app_context():
        conn = get_db()
        with versions.pinned(conn):
            before = versions.catalog_version(conn)
            _note(writer, "written meanwhile")  # another connection commits
            with versions.pinned(conn):  # nested: the outer pin holds
                assert versions.catalog_version(conn) == before
            assert versions.catalog_version(conn) == before
        assert versions.catalog_version(conn)[0] > before[0]  # unpinned: the new version


def test_clients_asking_one_export_at_once_cost_one_make(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a new worker's clients do after a recycle: the first makes it, the others wait for
    it and are sent the copy it kept. Its claim lasts until the answer is sent, past the
    request's teardown (which comes first: released there, the others each made it again)."""
    from catalog.storage import moments

    # No row of it encoded yet, as on a new worker: it streams (else it is answered whole).
    versions._kept.clear()
    moments.clear()
    others = 7
    making = app.extensions["catalog.making"]
    claim, waiting, all_waiting = making.claim, [], threading.Event()

    def counted(key: str) -> threading.Event | None:
        other = claim(key)
        if other is not None:
            waiting.append(key)
            if len(waiting) == others:
                all_waiting.set()
        return other

    made, encoded_rows = [], encoded.encoded_rows

    def held(*args: Any, **kwargs: Any) -> Any:
        made.append(args[1].name)
        all_waiting.wait(10)  # the maker goes on once every other client waits for it
        return encoded_rows(*args, **kwargs)

    monkeypatch.setattr(making, "claim", counted)
    monkeypatch.setattr(encoded, "encoded_rows", held)
    url = "/v1/offerings?format=csv&cloud=aws&at=2025-02-03T04:05:06Z"
    answers: list[tuple[int, bytes]] = []

    def ask() -> None:
        answer = app.test_client().get(url)
        answers.append((answer.status_code, answer.get_data()))

    threads = [threading.Thread(target=ask) for _ in range(others + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(waiting) == others and made == ["offerings"]
    assert len(answers) == others + 1 and {code for code, _ in answers} == {200}
    assert len({body for _, body in answers}) == 1 and answers[0][1].startswith(b"id,")


def test_exports_of_the_same_new_rows_at_once_make_each_row_once(
    writable_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a burst does after a write or on a new worker: the second finds kept each block the
    first made before it paused, and makes the rest, which the first then finds kept."""
    monkeypatch.setattr(encoded, "BLOCK", 3)
    made: list[str] = []

    def encode(row: Sequence[Any]) -> bytes:
        made.append(row[0])
        return csv_line(row)

    with writable_app.app_context():
        conn, offerings = get_db(), resources.get("offerings")
        first, second = (
            encoded.encoded_rows(
                conn, offerings, {"cloud": "aws"}, sort="id", form="t", encode=encode
            )
            for _ in range(2)
        )
        head = [next(first) for _ in range(4)]  # two blocks begun: 6 rows made
        together = list(second)
        assert head + list(first) == together
    assert len(together) > 10 and sorted(made) == sorted({row for row in made})
    assert len(made) == len(together)


def test_an_export_a_write_lands_in_keeps_nothing_under_the_older_version(
    writable_app: Flask, writer: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows read after the write are sent (a row it deleted left out) but not kept for the
    version the export began in: its later requests would get them as that version's."""
    monkeypatch.setattr(encoded, "BLOCK", 3)
    with writable_app.app_context():
        conn, offerings = get_db(), resources.get("offerings")
        version, _ = versions.catalog_version(conn)
        lines = encoded.encoded_rows(
            conn, offerings, {"cloud": "aws"}, sort="id", form="t", encode=csv_line
        )
        head = [next(lines) for _ in range(3)]
        kept = versions.per_version(conn, ("encoded", "offerings", "t"), dict)
        assert len(kept) == 3
        _note(writer, "written during the export")
        gone = db.connect(writable_app.config["DATABASE"])
        last = gone.execute(
            "SELECT id FROM offerings WHERE cloud = 'aws' ORDER BY id DESC"
        ).fetchone()[0]
        gone.execute("PRAGMA foreign_keys = OFF")
        gone.execute("DELETE FROM offerings WHERE id = ?", [last])
        gone.close()
        rest = list(lines)
    sent = [line.split(b",")[0].decode() for line in head + rest]
    assert last not in sent and ID in sent and len(kept) == 3
    assert any(b"written during the export" in line for line in rest)


def test_an_export_of_a_moment_whose_rows_were_all_encoded_takes_their_lines_whole(
    writable_app: Flask,
) -> None:
    """Kept with the moment's rows: the next export of that moment looks up no row (here the
    rows' own encodings are let go, and it still answers the same lines); another moment's
    export encodes what it lacks."""
    from catalog.storage import moments

    made: list[str] = []

    def encode(row: Sequence[Any]) -> bytes:
        made.append(row[0])
        return csv_line(row)

    def export(at: str) -> list[bytes]:
        with writable_app.app_context():
            conn = get_db()
            filters = {"cloud": "aws", "at": at}
            offerings = resources.get("offerings")
            return list(
                encoded.encoded_rows(conn, offerings, filters, sort="id", form="t", encode=encode)
            )

    moments.clear()
    first = export("2025-06-01T00:00:00Z")
    again = export("2025-06-01T00:00:00Z")  # all encoded now: the lines are kept whole
    assert first == again and len(made) == len(first) > 10
    with writable_app.app_context():
        versions.per_version(get_db(), ("encoded", "offerings", "t"), dict).clear()
    assert export("2025-06-01T00:00:01Z") == first and len(made) == len(first)  # same moment
    later = export("2026-01-01T00:00:00Z")  # another moment: its rows encoded anew
    assert len(made) == len(first) + len(later)


def test_a_large_export_streams_even_when_its_lines_are_kept(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole (one join, a Content-Length) only up to WHOLE_ROWS rows: a larger one is sent
    block by block, the worker's other requests running between them."""
    from catalog.api import formats

    client = app.test_client()
    url = "/v1/offerings?format=csv&cloud=aws&at=2025-02-03T04:05:0{}Z"
    client.get(url.format(0)).get_data()  # every line encoded and kept
    whole = client.get(url.format(1))
    monkeypatch.setattr(formats, "WHOLE_ROWS", 3)
    streamed = client.get(url.format(2))
    assert whole.get_data() == streamed.get_data() and whole.get_data().count(b"\n") > 4
    assert "Content-Length" in whole.headers and "Content-Length" not in streamed.headers
