"""The exclusivity semantics at every boundary, as plain functions (no HTTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog import resources
from catalog.core import reading, rules
from catalog.storage import db, queries

AZURE = {"id": "azure", "kind": "hyperscaler", "provider": None}
AWS = {"id": "aws", "kind": "hyperscaler", "provider": None}
GCP = {"id": "gcp", "kind": "hyperscaler", "provider": "google"}
SNOWFLAKE = {"id": "snowflake-cortex", "kind": "data-platform", "provider": None}
LA_PLATEFORME = {"id": "la-plateforme", "kind": "first-party", "provider": "mistral-ai"}
OPENAI_API = {"id": "openai-api", "kind": "first-party", "provider": "openai"}

LARGE = {"id": "mistral-large-2402", "provider": "mistral-ai", "open_weights": False}
GPT4O = {"id": "gpt-4o", "provider": "openai", "open_weights": False}
GPT_OSS = {"id": "gpt-oss-120b", "provider": "openai", "open_weights": True}
GEMINI = {"id": "gemini-2.5-pro", "provider": "google", "open_weights": False}


def window(**overrides: Any) -> dict[str, Any]:
    base = {
        "id": "w",
        "holder": "azure",
        "model": "mistral-large-2402",
        "provider": None,
        "includes_open_weights": False,
        "scope": "hyperscalers",
        "starts_at": "2024-02-26T00:00:00Z",
        "ends_at": "2024-04-03T00:00:00Z",
        "ends_at_certainty": "inferred",
        "ends_at_source": "https://example.org/end",
    }
    return base | overrides


def offering(**overrides: Any) -> dict[str, Any]:
    base = {
        "id": "o",
        "model": "mistral-large-2402",
        "cloud": "aws",
        "regions": ["eu-west-3"],
        "available_from": "2024-04-04T00:00:00Z",
        "retired_from": None,
    }
    return base | overrides


class TestWindowBounds:
    def test_active_from_the_instant_it_starts(self) -> None:
        assert rules.is_active(window(), "2024-02-26T00:00:00Z")
        assert not rules.is_active(window(), "2024-02-25T23:59:59Z")

    def test_not_active_at_the_instant_it_ends(self) -> None:
        assert rules.is_active(window(), "2024-04-02T23:59:59Z")
        assert not rules.is_active(window(), "2024-04-03T00:00:00Z")

    def test_open_window_never_ends(self) -> None:
        assert rules.is_active(window(ends_at=None), "9000-01-01T00:00:00Z")

    def test_days_remaining_whole_days(self) -> None:
        assert rules.days_remaining("2024-03-15T00:00:00Z", "2024-04-03T00:00:00Z") == 19
        assert rules.days_remaining("2024-03-15T12:00:00Z", "2024-04-03T00:00:00Z") == 18
        assert rules.days_remaining("2024-04-02T23:59:59Z", "2024-04-03T00:00:00Z") == 0
        assert rules.days_remaining("2024-03-15T00:00:00Z", None) is None


class TestState:
    def test_holder_is_exclusive_with_days_left(self) -> None:
        state = rules.exclusivity_state(LARGE, AZURE, [window()], "2024-03-15T00:00:00Z")
        assert state["state"] == "exclusive"
        assert state["window"] == "w"
        assert state["days_remaining"] == 19
        assert state["ends_at_certainty"] == "inferred"

    def test_other_hyperscaler_is_excluded(self) -> None:
        state = rules.exclusivity_state(LARGE, AWS, [window()], "2024-03-15T00:00:00Z")
        assert (state["state"], state["holder"]) == ("excluded", "azure")

    def test_none_before_start_and_at_end(self) -> None:
        for at in ("2024-02-25T23:59:59Z", "2024-04-03T00:00:00Z"):
            assert rules.exclusivity_state(LARGE, AWS, [window()], at) == {"state": "none"}

    def test_first_party_platform_never_excluded(self) -> None:
        for scope in ("hyperscalers", "all-third-party"):
            w = window(scope=scope)
            state = rules.exclusivity_state(LARGE, LA_PLATEFORME, [w], "2024-03-15T00:00:00Z")
            assert state == {"state": "none"}

    def test_makers_own_cloud_never_excluded(self) -> None:
        w = window(holder="aws", model="gemini-2.5-pro", scope="all-third-party")
        assert not rules.excludes(w, GEMINI, GCP)
        assert rules.excludes(w, GEMINI, AZURE)

    def test_data_platform_free_under_hyperscalers_scope(self) -> None:
        assert not rules.excludes(window(), LARGE, SNOWFLAKE)
        assert rules.excludes(window(scope="all-third-party"), LARGE, SNOWFLAKE)

    def test_all_third_party_excludes_another_makers_first_party(self) -> None:
        assert rules.excludes(window(scope="all-third-party"), LARGE, OPENAI_API)

    def test_other_model_unaffected(self) -> None:
        assert not rules.covers(window(), GPT4O)

    def test_provider_wide_window_exempts_open_weights(self) -> None:
        w = window(model=None, provider="openai", ends_at="2026-04-27T00:00:00Z")
        assert rules.covers(w, GPT4O)
        assert not rules.covers(w, GPT_OSS)
        assert rules.exclusivity_state(GPT_OSS, AWS, [w], "2025-09-01T00:00:00Z") == {
            "state": "none"
        }
        assert rules.covers(w | {"includes_open_weights": True}, GPT_OSS)

    def test_longest_window_decides(self) -> None:
        short = window(id="short", ends_at="2024-03-20T00:00:00Z")
        open_ended = window(id="open", ends_at=None)
        state = rules.exclusivity_state(LARGE, AZURE, [short, open_ended], "2024-03-15T00:00:00Z")
        assert state["window"] == "open"
        assert state["days_remaining"] is None


class TestAvailability:
    def test_half_open_interval(self) -> None:
        o = offering(retired_from="2025-04-04T00:00:00Z")
        assert not rules.is_available(o, "2024-04-03T23:59:59Z")
        assert rules.is_available(o, "2024-04-04T00:00:00Z")
        assert rules.is_available(o, "2025-04-03T23:59:59Z")
        assert not rules.is_available(o, "2025-04-04T00:00:00Z")  # retired

    def test_region(self) -> None:
        assert rules.is_available(offering(), "2024-06-01T00:00:00Z", "eu-west-3")
        assert not rules.is_available(offering(), "2024-06-01T00:00:00Z", "us-east-1")

    def test_contradiction_needs_overlap(self) -> None:
        assert not rules.contradicts(offering(), LARGE, AWS, window())
        assert rules.contradicts(
            offering(available_from="2024-04-02T00:00:00Z"), LARGE, AWS, window()
        )
        assert not rules.contradicts(
            offering(available_from="2024-01-01T00:00:00Z", retired_from="2024-02-26T00:00:00Z"),
            LARGE,
            AWS,
            window(),
        )
        assert not rules.contradicts(
            offering(available_from="2024-03-01T00:00:00Z"), LARGE, SNOWFLAKE, window()
        )


@pytest.mark.parametrize(
    "model_id", ["gpt-4o", "gpt-oss-120b", "mistral-large-2402", "claude-3-opus"]
)
def test_sql_covers_matches_python(seeded_db: Path, model_id: str) -> None:
    """The window `model` filter in SQL says exactly what rules.covers() says."""
    conn = db.connect(seeded_db, read_only=True)
    windows = resources.get("exclusivity-windows")
    model = queries.get_record(conn, resources.get("models"), model_id)
    assert model is not None
    by_sql = {w["id"] for w in queries.list_records(conn, windows, {"model": model_id})}
    by_rule = {w["id"] for w in queries.list_records(conn, windows, {}) if rules.covers(w, model)}
    assert by_sql == by_rule
    conn.close()


def test_shipped_fixtures_hold_no_contradiction(seeded_db: Path) -> None:
    conn = db.connect(seeded_db, read_only=True)
    assert reading.find_contradictions(conn) == []
    conn.close()


def test_a_region_asked_of_offerings_whose_regions_are_unknown_is_not_a_no() -> None:
    unknown = offering(id="aws:x:serverless", regions=None, stage="ga")
    elsewhere = offering(id="aws:x:global", regions=["us-west-2"], stage="ga")
    at = "2024-05-01T00:00:00Z"
    (cell,) = rules.states(LARGE, [AWS], [], [unknown, elsewhere], at, region="eu-west-3")
    assert cell.offerings == [] and cell.unplaced == ["aws:x:serverless"]
    # Known to serve it: no doubt to report; no region asked: nothing to doubt.
    (cell,) = rules.states(LARGE, [AWS], [], [unknown, elsewhere], at, region="us-west-2")
    assert cell.offerings == [elsewhere] and cell.unplaced == []
    (cell,) = rules.states(LARGE, [AWS], [], [unknown], at)
    assert cell.offerings == [unknown] and cell.unplaced == []
    # Not yet available then: nothing that may serve it.
    (cell,) = rules.states(LARGE, [AWS], [], [unknown], "2024-01-01T00:00:00Z", region="x")
    assert cell.unplaced == []
