"""Lifecycle: until when. The domain rule (rules.lifecycle), the line that says it
(verdicts.verdict), and both through HTTP: the CI answer, every cloud's answer, GET /v1/checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import assert_problem

from catalog.core import rules, verdicts

LIFECYCLE_PAGE = (
    "https://learn.microsoft.com/en-us/azure/ai-foundry/concepts/model-lifecycle-retirement"
)


def offering(**overrides: Any) -> dict[str, Any]:
    base = {
        "id": "azure:mistral-large-2402:serverless",
        "model": "mistral-large-2402",
        "cloud": "azure",
        "regions": ["eastus", "swedencentral"],
        "stage": "ga",
        "available_from": "2024-02-26T00:00:00Z",
        "deprecated_from": None,
        "deprecated_from_certainty": None,
        "retired_from": None,
        "retired_from_certainty": None,
        "retired_from_source": None,
        "replacement": None,
    }
    return base | overrides


RETIRED_EXACT = offering(
    deprecated_from="2025-01-15T00:00:00Z",
    deprecated_from_certainty="exact",
    retired_from="2025-04-15T00:00:00Z",
    retired_from_certainty="exact",
    retired_from_source=LIFECYCLE_PAGE,
    replacement="mistral-medium-2505",
)


class TestLifecycleRule:
    def test_retired_exact_ends_availability(self) -> None:
        assert rules.is_available(RETIRED_EXACT, "2025-04-14T23:59:59Z")
        assert not rules.is_available(RETIRED_EXACT, "2025-04-15T00:00:00Z")
        said = rules.lifecycle([RETIRED_EXACT], "2025-05-01T00:00:00Z")
        assert said == {
            "state": "retired",
            "offering": "azure:mistral-large-2402:serverless",
            "deprecated_from": "2025-01-15T00:00:00Z",
            "deprecated_from_certainty": "exact",
            "retires_at": "2025-04-15T00:00:00Z",
            "retires_at_certainty": "exact",
            "retires_at_source": LIFECYCLE_PAGE,
            "replacement": "mistral-medium-2505",
        }

    def test_deprecated_before_it_retires(self) -> None:
        said = rules.lifecycle([RETIRED_EXACT], "2025-02-01T00:00:00Z")
        assert said["state"] == "deprecated"
        assert said["retires_at"] == "2025-04-15T00:00:00Z"
        before = rules.lifecycle([RETIRED_EXACT], "2025-01-14T00:00:00Z")
        assert before["state"] == "ga" and before["deprecated_from"] == "2025-01-15T00:00:00Z"

    def test_past_announced_retirement_ends_availability(self) -> None:
        announced = offering(
            retired_from="2026-06-01T00:00:00Z",
            retired_from_certainty="announced",
            retired_from_source=LIFECYCLE_PAGE,
        )
        assert rules.is_available(announced, "2026-05-31T00:00:00Z")
        assert not rules.is_available(announced, "2026-06-01T00:00:00Z")
        assert rules.lifecycle([announced], "2026-07-01T00:00:00Z")["state"] == "retired"
        future = rules.lifecycle([announced], "2026-01-01T00:00:00Z")
        assert (future["state"], future["retires_at_certainty"]) == ("ga", "announced")

    def test_not_before_does_not_end_availability_but_is_reported(self) -> None:
        promised = offering(
            retired_from="2026-03-01T00:00:00Z",
            retired_from_certainty="not-before",
            retired_from_source=LIFECYCLE_PAGE,
        )
        for at in ("2026-01-01T00:00:00Z", "2026-09-01T00:00:00Z"):  # before and after the day
            assert rules.is_available(promised, at)
            said = rules.lifecycle([promised], at)
            assert said["state"] == "ga"
            assert (said["retires_at"], said["retires_at_certainty"]) == (
                "2026-03-01T00:00:00Z",
                "not-before",
            )

    def test_latest_retiring_offering_decides(self) -> None:
        early = offering(
            id="a", retired_from="2026-03-31T00:00:00Z", retired_from_certainty="exact"
        )
        late = offering(id="b", retired_from="2026-06-05T00:00:00Z", retired_from_certainty="exact")
        open_ended = offering(id="c", deprecated_from="2025-01-01T00:00:00Z")
        at = "2026-01-01T00:00:00Z"
        assert rules.lifecycle([early, late], at)["offering"] == "b"
        assert rules.lifecycle([late, open_ended, early], at)["offering"] == "c"
        assert rules.lifecycle([late, open_ended], at)["state"] == "deprecated"
        # Once both have retired, the later retirement is the one reported.
        gone = rules.lifecycle([early, late], "2026-07-01T00:00:00Z")
        assert (gone["state"], gone["retires_at"]) == ("retired", "2026-06-05T00:00:00Z")

    def test_available_offering_wins_over_a_retired_one(self) -> None:
        retired = offering(
            id="old", retired_from="2025-01-01T00:00:00Z", retired_from_certainty="exact"
        )
        current = offering(id="new", stage="preview", available_from="2025-01-01T00:00:00Z")
        said = rules.lifecycle([retired, current], "2025-06-01T00:00:00Z")
        assert (said["state"], said["offering"], said["retires_at"]) == ("preview", "new", None)

    def test_region_and_not_offered(self) -> None:
        at = "2025-05-01T00:00:00Z"
        assert rules.lifecycle([RETIRED_EXACT], at, "swedencentral")["state"] == "retired"
        assert rules.lifecycle([RETIRED_EXACT], at, "westus")["state"] == "not-offered"
        assert rules.lifecycle([], at) == rules.NOT_OFFERED
        upcoming = offering(available_from="2030-01-01T00:00:00Z")
        assert rules.lifecycle([upcoming], at)["state"] == "not-offered"


def answer(lifecycle: dict[str, Any], available: bool, at: str = "2025-05-01T00:00:00Z") -> dict:
    return {
        "model": "mistral-large-2402",
        "cloud": "azure",
        "cloud_name": "Azure",
        "region": None,
        "at": at,
        "available": available,
        "exclusivity": {"state": "none"},
        "lifecycle": lifecycle,
    }


class TestVerdictLines:
    def test_retired_says_when_how_sure_and_the_replacement(self) -> None:
        lifecycle = rules.lifecycle([RETIRED_EXACT], "2025-05-01T00:00:00Z")
        assert verdicts.verdict(answer(lifecycle, False)) == (
            False,
            "mistral-large-2402 is not available on azure at 2025-05-01: "
            "retired on 2025-04-15 (exact); Azure suggests mistral-medium-2505",
        )

    def test_deprecated_is_a_warning_not_a_failure(self) -> None:
        at = "2025-02-01T00:00:00Z"
        holds, line = verdicts.verdict(answer(rules.lifecycle([RETIRED_EXACT], at), True, at))
        assert holds
        assert line == (
            "mistral-large-2402 is available on azure at 2025-02-01; warning: deprecated since "
            "2025-01-15 (exact), retires on 2025-04-15 (exact; 73 days); "
            "Azure suggests mistral-medium-2505"
        )

    def test_retires_within_fails_inside_the_horizon_only(self) -> None:
        at = "2025-02-01T00:00:00Z"  # 73 days before the retirement
        said = answer(rules.lifecycle([RETIRED_EXACT], at), True, at)
        assert verdicts.verdict(said, within=73)[0]  # [at, at + 73 days) ends on the day
        holds, line = verdicts.verdict(said, within=74)
        assert not holds
        assert line == (
            "mistral-large-2402 is available on azure at 2025-02-01, but retires on 2025-04-15 "
            "(exact; 73 days): within 74 days; Azure suggests mistral-medium-2505"
        )

    def test_retires_within_counts_a_not_before_date_even_once_past(self) -> None:
        promised = offering(
            retired_from="2026-03-01T00:00:00Z", retired_from_certainty="not-before"
        )
        at = "2026-04-01T00:00:00Z"
        holds, line = verdicts.verdict(answer(rules.lifecycle([promised], at), True, at), within=0)
        assert not holds
        assert "retires no earlier than 2026-03-01 (not-before; 31 days ago)" in line
        assert verdicts.verdict(answer(rules.lifecycle([offering()], at), True, at), within=9999)[0]

    @pytest.mark.parametrize(
        ("certainty", "said"),
        [
            ("exact", "retired on 2026-06-01 (exact)"),
            ("announced", "retired on 2026-06-01 (announced)"),  # not "planned for": it happened
            ("on-or-before", "retired no later than 2026-06-01 (on-or-before)"),
            ("inferred", "retired about 2026-06-01 (inferred)"),
            ("month", "retired in 2026-06 (month)"),
        ],
    )
    def test_a_past_retirement_says_how_sure(self, certainty: str, said: str) -> None:
        gone = offering(retired_from="2026-06-01T00:00:00Z", retired_from_certainty=certainty)
        at = "2026-07-01T00:00:00Z"
        holds, line = verdicts.verdict(answer(rules.lifecycle([gone], at), False, at))
        assert not holds and line.endswith(f": {said}")

    def test_an_older_catalogs_answer_without_lifecycle(self) -> None:
        old = answer(rules.NOT_OFFERED, True) | {"lifecycle": None}
        assert verdicts.verdict(old, within=30) == (
            True,
            "mistral-large-2402 is available on azure at 2025-05-01",
        )


# ---- through HTTP --------------------------------------------------------------------------


def patch(writer: FlaskClient, offering_id: str, **changes: Any) -> None:
    url = f"/v1/offerings/{offering_id}"
    etag = writer.get(url).headers["ETag"]
    response = writer.patch(
        url,
        data=json.dumps(changes),
        headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.json


@pytest.fixture
def retired(writer: FlaskClient) -> FlaskClient:
    """Azure's schedule for Mistral Large (24.02) written into a private copy of the catalog,
    and a not-before promise on Mistral's own platform."""
    patch(
        writer,
        "azure:mistral-large-2402:serverless",
        deprecated_from="2025-01-15",
        deprecated_from_certainty="exact",
        deprecated_from_source=LIFECYCLE_PAGE,
        retired_from="2025-04-15",
        retired_from_certainty="exact",
        retired_from_source=LIFECYCLE_PAGE,
        replacement="mistral-medium-2505",
    )
    patch(
        writer,
        "la-plateforme:mistral-large-2402:serverless",
        retired_from="2025-03-01",
        retired_from_certainty="not-before",
        retired_from_source="https://docs.mistral.ai/getting-started/models/",
    )
    return writer


CI = "/v1/models/mistral-large-2402/availability/"


def test_ci_answer_retired_with_replacement(retired: FlaskClient) -> None:
    body = retired.get(CI + "azure?at=2025-05-01").json
    assert body["available"] is False and body["cloud_name"] == "Azure"
    assert body["lifecycle"] | {"retires_at_source": None} == {
        "state": "retired",
        "offering": "azure:mistral-large-2402:serverless",
        "deprecated_from": "2025-01-15T00:00:00Z",
        "deprecated_from_certainty": "exact",
        "retires_at": "2025-04-15T00:00:00Z",
        "retires_at_certainty": "exact",
        "retires_at_source": None,
        "replacement": "mistral-medium-2505",
    }


def test_available_answers_say_deprecated(retired: FlaskClient) -> None:
    one = retired.get(CI + "azure?at=2025-02-01").json
    assert one["available"] is True and one["lifecycle"]["state"] == "deprecated"
    every = retired.get("/v1/models/mistral-large-2402/availability?at=2025-02-01").json
    clouds = {c["cloud"]: c for c in every["clouds"]}
    assert clouds["azure"]["available"] and clouds["azure"]["lifecycle"]["state"] == "deprecated"
    assert clouds["aws"]["lifecycle"]["state"] == "ga"
    assert clouds["gcp"]["lifecycle"] == rules.NOT_OFFERED and not clouds["gcp"]["available"]


def test_not_before_keeps_it_available_and_reports_it(retired: FlaskClient) -> None:
    body = retired.get(CI + "la-plateforme?at=2025-06-01").json
    assert body["available"] is True
    assert body["lifecycle"]["state"] == "deprecated"  # Mistral deprecated it on 2024-11-30
    assert (body["lifecycle"]["retires_at"], body["lifecycle"]["retires_at_certainty"]) == (
        "2025-03-01T00:00:00Z",
        "not-before",
    )
    listed = retired.get("/v1/offerings?model=mistral-large-2402&at=2025-06-01").json["items"]
    assert "la-plateforme:mistral-large-2402:serverless" in {o["id"] for o in listed}
    assert "azure:mistral-large-2402:serverless" not in {o["id"] for o in listed}


def test_checks_three_pairs_in_order(retired: FlaskClient) -> None:
    response = retired.get(
        "/v1/checks?pair=mistral-large-2402:azure&pair=mistral-large-2402:aws:eu-west-3"
        "&pair=mistral-large-2402:la-plateforme&at=2025-05-01&retires_within=30"
    )
    assert response.status_code == 200
    items = response.json["items"]
    assert [(i["cloud"], i["region"], i["ok"]) for i in items] == [
        ("azure", None, False),
        ("aws", "eu-west-3", True),
        ("la-plateforme", None, False),
    ]
    assert items[0]["reason"] == (
        "mistral-large-2402 is not available on azure at 2025-05-01: "
        "retired on 2025-04-15 (exact); Azure suggests mistral-medium-2505"
    )
    assert items[1]["reason"] is None and items[1]["lifecycle"]["state"] == "ga"
    assert items[2]["reason"] == (
        "mistral-large-2402 is available on la-plateforme at 2025-05-01, but retires no earlier "
        "than 2025-03-01 (not-before; 61 days ago): within 30 days; "
        "Mistral La Plateforme suggests mistral-large-2411"
    )
    # Each item is the CI answer of its pair, plus ok and reason.
    single = retired.get(CI + "aws?at=2025-05-01&region=eu-west-3").json
    assert {k: v for k, v in items[1].items() if k not in ("ok", "reason")} == single


def test_checks_exclusive_and_min_days(client: FlaskClient) -> None:
    items = client.get(
        "/v1/checks?pair=mistral-large-2402:azure&pair=mistral-large-2402:aws"
        "&at=2024-03-15&exclusive=true&min_days=10"
    ).json["items"]
    assert [i["ok"] for i in items] == [True, False]
    assert items[1]["reason"].endswith(
        "Azure holds exclusivity until about 2024-04-03 (inferred; 19 days)"
    )


def test_checks_refuses_101_pairs(client: FlaskClient) -> None:
    pairs = "&".join(["pair=gpt-4o:azure"] * 101)
    body = assert_problem(client.get(f"/v1/checks?{pairs}"), 400)
    assert body["errors"] == {
        "pair": ["Give 1 to 100 pairs in one request (101 given); split a longer list."]
    }
    assert client.get("/v1/checks?" + "&".join(["pair=gpt-4o:azure"] * 100)).status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "said"),
    [
        ("", "pair", "Missing data"),
        ("pair=gpt-4o", "pair.0", "Not MODEL:CLOUD"),
        ("pair=gpt-4o:azure:eastus:x", "pair.0", "Not MODEL:CLOUD"),
        ("pair=no-such-model:azure", "pair", "there is no model 'no-such-model'"),
        ("pair=gpt-4o:awz", "pair", "there is no cloud 'awz'"),
        ("pair=gpt-4o:azure:mars", "pair", "there is no region 'mars' on azure"),
        ("pair=gpt-4o:azure&retires_within=-1", "retires_within", ""),
        ("pair=gpt-4o:azure&exclusive=yes", "exclusive", ""),
        ("pair=gpt-4o:azure&at=someday", "at", ""),
        ("pair=gpt-4o:azure&at=2025-01-01&at=2025-01-02", "at", "more than once"),
        ("pair=gpt-4o:azure&limit=5", "limit", ""),
    ],
)
def test_checks_bad_input_names_the_field(
    client: FlaskClient, query: str, field: str, said: str
) -> None:
    body = assert_problem(client.get(f"/v1/checks?{query}"), 400)
    assert field in body["errors"]
    assert said in " ".join(body["errors"][field])


def test_the_line_names_the_routes_that_serve_an_asked_region(client: FlaskClient) -> None:
    """Shipped data (Azure's model-by-region tables): in swedencentral gpt-4o is sold through
    Azure's EU data zone, Global Standard, Provisioned and Standard; the line names each route,
    so a buyer with residency rules sees that some of them may run the model outside the region."""
    answer = client.get("/v1/models/gpt-4o/availability/azure?region=swedencentral&at=2026-06-01")
    holds, line = verdicts.verdict(answer.get_json())
    assert holds
    assert line.startswith(
        "gpt-4o is available on azure (swedencentral) at 2026-06-01 "
        "via data-zone EU, global, provisioned, serverless"
    )
    unasked = client.get("/v1/models/gpt-4o/availability/azure?at=2026-06-01").get_json()
    assert " via " not in verdicts.verdict(unasked)[1]
