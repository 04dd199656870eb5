"""A model's page is made once per catalog version and moment (storage/moments.py): every `at`
between the same two of its facts' instants gets the page made for the first of them, and that
page is the one a fresh render would make."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog import create_app
from catalog.core import instants
from catalog.storage import db, moments
from catalog.web import views

# A model under an exclusivity window with a dated end, one with retirements, one under a
# first-ship window with its span, and one with prices on several clouds.
MODELS = ("mistral-large-2402", "gpt-4o", "claude-3-5-sonnet", "llama-3-1-405b-instruct")


def test_instants_in_takes_every_canonical_instant_of_any_field() -> None:
    records: list[dict[str, Any]] = [
        {"id": "a", "available_from": "2024-02-26T00:00:00Z", "notes": "2024-02-26"},
        {"starts_at": "2024-02-26T00:00:00Z", "ends_at": None, "odd": "2025-01-01T10:00:00Z"},
    ]
    found = moments.instants_in(records)
    assert found.texts == ["2024-02-26T00:00:00Z", "2025-01-01T10:00:00Z"]
    assert [time.isoformat() for time in found.times] == [
        "2024-02-26T00:00:00+00:00",
        "2025-01-01T10:00:00+00:00",
    ]


def test_a_moment_is_where_at_falls_among_the_instants() -> None:
    texts = ["2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z"]
    facts = moments.instants_in([{"from": texts[0], "until": texts[1]}])
    before, first = moments.moment(facts, "2023-12-31T23:59:59Z"), moments.moment(facts, texts[0])
    between = moments.moment(facts, "2024-01-01T00:00:01Z")
    assert before == (0, 0)
    assert first == (0, 1)  # a fact's own instant is a moment of its own
    assert between == (1, 1) == moments.moment(facts, "2024-05-31T23:59:59Z")
    assert moments.moment(facts, texts[1]) == (1, 2)
    assert moments.moment(facts, "2030-01-01T00:00:00Z") == (2, 2)


def test_the_least_recently_used_go_past_the_bound(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(moments, "MAX_CHARS", 25)
    moments.clear()
    with app.app_context():
        conn = db.get_db()
        for n in range(4):
            assert moments.per_moment(conn, ("k", n), lambda: "x" * 10) == "x" * 10
        assert [key[-1] for key in moments._kept] == [2, 3]
        moments.per_moment(conn, ("k", 2), lambda: "made again")  # kept: used, so newest
        moments.per_moment(conn, ("k", 4), lambda: "y" * 10)
        assert [key[-1] for key in moments._kept] == [2, 4]
        assert moments.per_moment(conn, ("k", 2), lambda: "made again") == "x" * 10
    moments.clear()


@pytest.fixture
def uncached(seeded_db: Path) -> Iterator[FlaskClient]:
    """A client of an app that keeps no whole answer, so each page is asked of the view."""
    settings = {"TESTING": True, "DATABASE": str(seeded_db), "READ_ONLY": True}
    app = create_app({**settings, "RESPONSE_CACHE_BYTES": 0, "KEPT_FILE_BYTES": 0})
    moments.clear()
    yield app.test_client()
    db.close_thread_connections()


def _around(facts: list[str]) -> list[str]:
    """Each instant, a second either side, and the next day's midnight."""
    found = set()
    for fact in facts:
        moment = instants.to_datetime(fact)
        for step in (timedelta(seconds=-1), timedelta(0), timedelta(seconds=1)):
            found.add((moment + step).strftime(instants.FORMAT))
        found.add((moment + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z"))
    return sorted(found)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The `at` of each model page made (not taken from its moment), from now on."""
    found: list[str] = []
    render = views._model_page

    def counted(conn: Any, facts: dict[str, Any], at: str) -> str:
        found.append(at)
        return render(conn, facts, at)

    monkeypatch.setattr(views, "_model_page", counted)
    return found


@pytest.mark.parametrize("model", MODELS)
def test_a_kept_page_is_the_page_a_fresh_render_makes(
    uncached: FlaskClient, model: str, made: list[str]
) -> None:
    first = uncached.get(f"/models/{model}?at=2020-01-01")
    assert first.status_code == 200
    with uncached.application.app_context():
        facts = views._facts(db.get_db(), model)
    assert facts is not None and len(facts["instants"].texts) >= 2
    asked = _around(facts["instants"].texts)
    for at in asked:
        kept = uncached.get(f"/models/{model}?at={at}")
        moments.clear()
        fresh = uncached.get(f"/models/{model}?at={at}")
        assert kept.status_code == fresh.status_code == 200
        assert kept.get_data(as_text=True) == fresh.get_data(as_text=True), at
    # Each `at` asked twice, the second time always made; the first only for a new moment.
    assert len(asked) + 1 < len(made) < 2 * len(asked) + 1


def test_a_page_asked_later_the_same_day_is_not_made_again(
    uncached: FlaskClient, made: list[str]
) -> None:
    for minute in range(5):
        page = uncached.get(f"/models/gpt-4o?at=2025-03-04T10:0{minute}:00Z")
        assert page.status_code == 200
    assert made == ["2025-03-04T10:00:00Z"]
    uncached.get("/models/gpt-4o?at=2025-03-05T10:00:00Z")  # another day: its date is shown
    assert made[1:] == ["2025-03-05T10:00:00Z"]


def test_a_write_makes_the_page_again(writable_app: Flask, writer: FlaskClient) -> None:
    offering = "/v1/offerings/aws:mistral-large-2402:serverless"
    before = writer.get("/models/mistral-large-2402?at=2025-01-01T10:00:00Z")
    assert "A note no page showed yet" not in before.get_data(as_text=True)
    current = writer.get(offering)
    changed = writer.patch(
        offering,
        json={"notes": "A note no page showed yet"},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.json
    after = writer.get("/models/mistral-large-2402?at=2025-01-01T10:01:00Z")
    assert "A note no page showed yet" in after.get_data(as_text=True)


def test_days_to_counts_whole_days_to_each_later_instant() -> None:
    facts = moments.instants_in([{"a": "2024-01-01T00:00:00Z", "b": "2024-01-31T12:00:00Z"}])
    assert moments.days_to(facts, "2023-12-31T23:00:00Z") == (0, 30)
    assert moments.days_to(facts, "2024-01-01T00:00:00Z") == (30,)
    assert moments.days_to(facts, "2024-01-30T12:00:01Z") == (0,)
    assert moments.days_to(facts, "2024-02-01T00:00:00Z") == ()


# Under an exclusive window with a dated end (and days_remaining), under a maker-wide one then
# a first-ship one, and with a first-ship span of a few days.
ANSWERED = ("mistral-large-2402", "gpt-4o", "gpt-5.6")


@pytest.mark.parametrize("model", ANSWERED)
def test_a_kept_availability_answer_is_the_one_made_fresh(
    uncached: FlaskClient, model: str
) -> None:
    from catalog.api import availability

    with uncached.application.app_context():
        facts = availability._facts(db.get_db(), model)[1]
    asked = set(_around(facts.texts))
    for fact in facts.times:  # where days_remaining steps: whole days before an end
        for days in (1, 30):
            for step in (-1, 0, 1):
                then = fact - timedelta(days=days, seconds=step)
                asked.add(then.strftime(instants.FORMAT))
    urls = [f"/v1/models/{model}/availability", f"/v1/models/{model}/availability/aws"]
    urls.append(f"/v1/models/{model}/availability/azure?region=swedencentral")
    made = 0
    for url in urls:  # each `at` in turn: the first request finds the last one's answer
        for at in sorted(asked):
            asking = f"{url}{'&' if '?' in url else '?'}at={at}"
            kept = uncached.get(asking)
            moments.clear()
            fresh = uncached.get(asking)
            assert kept.status_code == fresh.status_code == 200, asking
            assert kept.get_data() == fresh.get_data(), asking
            assert fresh.json["at"] == at
            made += 1
    assert made > 100


def _sampled(conn: Any, table: str, columns: tuple[str, ...], most: int = 12) -> list[str]:
    """Up to `most` of the columns' values, evenly spread, each with a second either side."""
    values = sorted(
        {v for c in columns for (v,) in conn.execute(f"SELECT {c} FROM {table}") if v}  # noqa: S608
    )
    picked = values[:: max(1, len(values) // most)]
    return _around(picked)


LISTS = {  # each list whose `at` meets only conditions comparing it with columns
    ("offerings", ("available_from", "retired_from")): [
        "/v1/offerings?format=csv&cloud=aws&at={}",
        "/v1/offerings?limit=25&sort=-available_from&at={}",
        "/v1/offerings?model=gpt-4o&at={}",
    ],
    ("prices", ("effective_from", "effective_until")): ["/v1/prices?format=csv&at={}"],
    ("exclusivity_windows", ("starts_at", "ends_at")): [
        "/v1/exclusivity-windows?state=active&at={}",
        "/v1/exclusivity-windows?state=ended&format=csv&at={}",
    ],
}


@pytest.mark.parametrize("table", list(LISTS), ids=lambda t: t[0])
def test_a_list_kept_per_moment_is_the_list_a_fresh_query_makes(
    uncached: FlaskClient, table: tuple[str, tuple[str, ...]]
) -> None:
    with uncached.application.app_context():
        asked = _sampled(db.get_db(), *table)
    seen = set()
    for url in LISTS[table]:  # each `at` in turn: the first request finds the last one's rows
        for at in asked:
            answers = []
            for forget in (False, True):  # taken from its moment (when one was), then made
                if forget:
                    moments.clear()
                got = uncached.get(url.format(at))  # a stream: read before the next request
                answers.append((got.status_code, got.get_data(), got.headers.get("Link")))
            assert answers[0] == answers[1] and answers[0][0] == 200, url.format(at)
            seen.add(answers[1][1])
    assert len(seen) > 2 * len(LISTS[table])  # the rows do change across the instants asked


def test_a_list_whose_rows_are_kept_for_their_moment_is_not_queried_again(
    uncached: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.storage import queries

    queried: list[str] = []
    rows = queries.matching

    def counted(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("keys") or (len(args) > 6 and args[6]):
            queried.append(args[1].name)
        return rows(*args, **kwargs)

    monkeypatch.setattr(queries, "matching", counted)
    pages = [uncached.get(f"/v1/offerings?cloud=aws&at=2025-03-04T10:0{m}:00Z") for m in range(4)]
    assert [p.status_code for p in pages] == [200] * 4
    assert queried == ["offerings"] and len({p.get_data() for p in pages}) == 1
