"""A query that differs from one seen only in `at` has only `at` validated (context._load): the
same arguments, the same answers and the same 400s as validating the whole query."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from catalog.declarations.args import CloudAvailabilityArgs
from catalog.http import context

CI = "/v1/models/gpt-4o/availability/aws"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Each whole-query validation of the CI answer's arguments, from a worker that has seen
    no query yet."""
    context._parsed.clear()  # module-wide: start empty
    context._rests.clear()
    seen: list[dict[str, Any]] = []
    load = CloudAvailabilityArgs.load

    def counted(self: CloudAvailabilityArgs, data: Any, **kwargs: Any) -> Any:
        seen.append(dict(data))
        return load(self, data, **kwargs)

    monkeypatch.setattr(CloudAvailabilityArgs, "load", counted)
    yield seen
    context._parsed.clear()
    context._rests.clear()


def _fresh(client: FlaskClient, url: str) -> tuple[int, bytes]:
    context._parsed.clear()
    context._rests.clear()
    answer = client.get(url)
    return answer.status_code, answer.get_data()


def test_a_new_at_is_validated_alone(client: FlaskClient, loads: list[dict[str, Any]]) -> None:
    first = client.get(f"{CI}?region=us-east-1&at=2025-01-01")
    assert first.status_code == 200 and len(loads) == 1
    later = [f"{CI}?region=us-east-1&at=2025-{m:02d}-01T10:00:00Z" for m in range(2, 8)]
    answers = [(a.status_code, a.get_data()) for a in map(client.get, later)]
    assert len(loads) == 1  # the rest of the query was seen: only `at` validated
    assert {code for code, _ in answers} == {200}
    assert answers == [_fresh(client, url) for url in later]  # as whole validation answers
    assert b'"at": "2025-07-01T10:00:00Z"' in answers[-1][1]


def test_a_bad_at_gets_the_400_whole_validation_gives(
    client: FlaskClient, loads: list[dict[str, Any]]
) -> None:
    assert client.get(f"{CI}?at=2025-01-01").status_code == 200
    for bad in ("yesterday", "2025-02-30", "", "1900-01-01"):
        answer = client.get(f"{CI}?at={bad}")
        assert answer.status_code == 400, bad
        assert "at" in answer.json["errors"], answer.json
        assert (answer.status_code, answer.get_data()) == _fresh(client, f"{CI}?at={bad}")


def test_anything_else_new_is_validated_whole(
    client: FlaskClient, loads: list[dict[str, Any]]
) -> None:
    assert client.get(f"{CI}?at=2025-01-01").status_code == 200
    unknown = client.get(f"{CI}?at=2025-01-02&colour=blue")
    assert unknown.status_code == 400 and "colour" in unknown.json["errors"]
    twice = client.get(f"{CI}?at=2025-01-03&at=2025-01-04")
    assert twice.status_code == 400 and twice.json["errors"]["at"] == ["Given more than once."]
    assert client.get(f"{CI}?at=2025-01-05&region=us-east-1").status_code == 200
    assert len(loads) == 4


def test_a_page_with_a_blank_at_answers_for_now(
    client: FlaskClient, loads: list[dict[str, Any]]
) -> None:
    assert client.get("/models/gpt-4o?at=2025-01-01").status_code == 200
    blank = client.get("/models/gpt-4o?at=")
    now = client.get("/models/gpt-4o")
    assert blank.status_code == 200
    assert blank.get_data() == now.get_data()
