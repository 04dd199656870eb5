"""The web pages, through the Flask test client: states, filters, caching, errors, no outside
requests."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.core import instants
from catalog.web import STATIC

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


class Cells(HTMLParser):
    """The matrix's cells, {(model, cloud): state}, and every URL the page refers to."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], str] = {}
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "td" and "data-state" in found:
            self.cells[(str(found["data-model"]), str(found["data-cloud"]))] = str(
                found["data-state"]
            )
        for name in ("href", "src", "action"):
            if found.get(name):
                self.urls.append(str(found[name]))


def cells_of(client: FlaskClient, url: str) -> Cells:
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/html"
    parsed = Cells()
    parsed.feed(response.get_data(as_text=True))
    return parsed


def test_the_seed_story_in_the_cells(client: FlaskClient) -> None:
    march = cells_of(client, "/?at=2024-03-15&family=mistral-large").cells
    assert march[("mistral-large-2402", "azure")] == "exclusive"
    assert march[("mistral-large-2402", "aws")] == "excluded"
    assert march[("mistral-large-2402", "gcp")] == "excluded"
    assert march[("mistral-large-2402", "la-plateforme")] == "available"  # the maker's own
    assert march[("mistral-large-2402", "snowflake-cortex")] == "available"  # not a hyperscaler
    june = cells_of(client, "/?at=2024-06-01&family=mistral-large").cells
    assert june[("mistral-large-2402", "aws")] == "available"
    assert june[("mistral-large-2402", "azure")] == "available"


def ids(client: FlaskClient, url: str) -> set[str]:
    body = client.get(url).get_json()
    assert body is not None and body["next_cursor"] is None
    return {item["id"] for item in body["items"]}


@pytest.mark.parametrize("at", ["2024-03-15", "2025-01-01"])
def test_every_state_agrees_with_the_api(client: FlaskClient, at: str) -> None:
    for family in ("mistral-large", "gpt-4o"):
        cells = cells_of(client, f"/?at={at}&family={family}&all=1").cells
        for model in ids(client, f"/v1/models?family={family}&limit=500"):
            answer = client.get(f"/v1/models/{model}/availability?at={at}").get_json()
            assert answer is not None
            for row in answer["clouds"]:
                exclusivity = row["exclusivity"]["state"]
                if row["available"]:
                    expected = "exclusive" if exclusivity == "exclusive" else "available"
                else:
                    expected = "excluded" if exclusivity == "excluded" else "none"
                assert cells[(model, row["cloud"])] == expected, (model, row)


def test_filters(client: FlaskClient) -> None:
    mistral = cells_of(client, "/?at=2024-03-15&provider=mistral-ai&kind=hyperscaler&all=1").cells
    assert {m for m, _ in mistral} == ids(client, "/v1/models?provider=mistral-ai&limit=500")
    assert {c for _, c in mistral} == ids(client, "/v1/clouds?kind=hyperscaler&limit=500")
    family = cells_of(client, "/?at=2024-03-15&family=mistral-large&all=1").cells
    assert {m for m, _ in family} == ids(client, "/v1/models?family=mistral-large&limit=500")
    # Search: every word, in any order, in the id, name, family or maker.
    searched = {m for m, _ in cells_of(client, "/?q=large+2&kind=hyperscaler&all=1").cells}
    assert ids(client, "/v1/models?q=large+2&limit=500") <= searched
    assert "mistral-large-2407" in searched
    assert searched == {m for m, _ in cells_of(client, "/?q=2+LARGE&kind=hyperscaler&all=1").cells}
    one = cells_of(client, "/?at=2024-03-15&model=mistral-large-2402").cells
    assert {m for m, _ in one} == {"mistral-large-2402"}
    # Empty form fields (a form submitted with nothing chosen) are no filter at all.
    everything = cells_of(client, "/?at=2024-03-15&provider=&family=&kind=&q=").cells
    assert everything == cells_of(client, "/?at=2024-03-15").cells


def test_cells_link_to_what_they_rest_on(client: FlaskClient) -> None:
    html = client.get("/?at=2024-03-15&family=mistral-large").get_data(as_text=True)
    cell = re.search(r'<td data-model="mistral-large-2402" data-cloud="aws"[^>]*>(.*?)</td>', html)
    assert cell is not None
    assert 'href="/models/mistral-large-2402?at=2024-03-15#on-aws"' in cell.group(1)
    # The tip says the window's end with its certainty, never as a plain fact.
    assert "until about 2024-04-03 (inferred)" in cell.group(1)
    offering = client.get("/v1/offerings/aws:mistral-large-2402:serverless").get_json()
    assert offering is not None and offering["available_from_certainty"] == "on-or-before"
    day = offering["available_from"][:10]
    assert f"serverless from no later than {day} (on-or-before)" in cell.group(1)


def test_bad_input_is_a_400_page_naming_it(client: FlaskClient) -> None:
    for url, name in [
        ("/?at=yesterday", "at"),
        ("/?kind=moon", "kind"),
        ("/?colour=red", "colour"),
        ("/?page=0", "page"),
        ("/timeline?scope=some", "scope"),
    ]:
        response = client.get(url)
        assert response.status_code == 400 and response.mimetype == "text/html"
        assert f"<code>{name}</code>" in response.get_data(as_text=True)


def test_model_page(client: FlaskClient) -> None:
    response = client.get("/models/mistral-large-2402?at=2024-03-15")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="on-aws"' in html and 'id="on-azure"' in html
    assert 'data-window="azure-mistral-large-2402"' in html
    assert "eu-west-3" in html and "swedencentral" in html  # regions
    assert "about 2024-04-03 (inferred)" in html
    assert 'id="prices"' in html
    window = client.get("/v1/exclusivity-windows/azure-mistral-large-2402").get_json()
    assert window is not None
    assert f'<a href="{window["ends_at_source"]}"' in html  # every source is a link


def test_model_page_says_which_regions_it_does_not_know(client: FlaskClient) -> None:
    html = client.get("/models/claude-sonnet-4-5?at=2026-06-01").get_data(as_text=True)

    def row(offering: str) -> str:
        start = html.index(f'data-offering="{offering}"')
        return html[start : html.index("</tr>", start)]

    # Bedrock's in-region route: its regions are null, which is "not known", not "none".
    assert ">not known</span>" in row("aws:claude-sonnet-4-5:serverless")
    # Each route is named by its id's route part: a data zone's geography, how it is bought.
    assert ">data-zone-eu <small>" in row("aws:claude-sonnet-4-5:data-zone-eu")
    gpt = client.get("/models/gpt-4o?at=2026-06-01").get_data(as_text=True)
    assert ">data-zone-eu-batch <small>" in gpt and ">data-zone-eu-provisioned <small>" in gpt
    assert "not listed" not in html


def test_unknown_model_is_an_html_404(client: FlaskClient) -> None:
    response = client.get("/models/no-such-model")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "no-such-model" in response.get_data(as_text=True)
    # A browser asking for a page that does not exist gets a page; the API keeps problem+json.
    assert client.get("/nothing-here", headers=HTML).mimetype == "text/html"
    assert client.get("/nothing-here").mimetype == "application/problem+json"
    assert client.get("/v1/nothing", headers=HTML).mimetype == "application/problem+json"


def test_timeline_draws_windows_with_their_uncertain_ends(client: FlaskClient) -> None:
    html = client.get("/timeline").get_data(as_text=True)
    assert "<svg" in html
    window = re.search(r'<g [^>]*data-window="azure-mistral-large-2402"[^>]*>', html)
    assert window is not None and 'data-end="uncertain"' in window.group(0)
    exact = re.search(r'<g [^>]*data-window="azure-openai-api"[^>]*>', html)
    assert exact is not None and "data-end" not in exact.group(0)
    assert "ends about 2024-04-03 (inferred)" in html
    one = client.get("/timeline?model=mistral-large-2402&scope=all").get_data(as_text=True)
    assert 'data-offering="aws:mistral-large-2402:serverless"' in one
    assert 'data-window="azure-openai-api"' not in one


@pytest.mark.parametrize(
    "url", ["/?at=2024-03-15", "/", "/models/gpt-4o", "/timeline", "/?provider=openai&page=1"]
)
def test_pages_are_cached_like_the_api(
    client: FlaskClient, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without `at` a page speaks of now, and its ETag names the second: hold the clock still.
    monkeypatch.setattr(instants, "now", lambda: "2026-12-01T12:00:00Z")
    first = client.get(url)
    tag = first.headers["ETag"]
    assert tag.startswith('"') and first.headers.getlist("ETag") == [tag]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_page_of_now_changes_with_the_clock(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instants, "now", lambda: "2026-12-01T12:00:00Z")
    tag = client.get("/").headers["ETag"]
    monkeypatch.setattr(instants, "now", lambda: "2026-12-02T12:00:00Z")
    later = client.get("/", headers={"If-None-Match": tag})
    assert later.status_code == 200 and 'value="2026-12-02"' in later.get_data(as_text=True)


def test_a_write_changes_the_page_etag(writable_app: Flask, tokens: dict[str, str]) -> None:
    client = writable_app.test_client()
    before = client.get("/?at=2024-03-15").headers["ETag"]
    created = client.post(
        "/v1/providers",
        json={"id": "newco", "name": "NewCo", "website": "https://newco.example"},
        headers={"Authorization": f"Bearer {tokens['write']}"},
    )
    assert created.status_code == 201, created.json
    after = client.get("/?at=2024-03-15", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before
    assert "NewCo" in after.get_data(as_text=True)


def test_no_outside_urls(client: FlaskClient) -> None:
    for url in ["/?at=2024-03-15", "/timeline"]:
        for ref in cells_of(client, url).urls:
            assert ref.startswith(("/", "#")), ref
    for path in Path(STATIC).iterdir():
        text = path.read_bytes().decode("utf-8", "replace")  # the icon is a PNG
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), path
        assert "@import" not in text and "fetch(" not in text, path
    # The model page links its sources out, as it must; it loads nothing from them.
    html = client.get("/models/gpt-4o").get_data(as_text=True)
    tags = re.findall(r'(<(?:link|script|img|iframe)[^>]*(?:src|href)="([^"]+)")', html)
    # rel="alternate" names the feeds (same origin): a browser does not load them
    loads = [ref for tag, ref in tags if 'rel="alternate"' not in tag]
    assert loads and all(ref.startswith("/static/web/") for ref in loads)


def test_static_files_are_versioned_and_kept(client: FlaskClient) -> None:
    html = client.get("/?at=2024-03-15").get_data(as_text=True)
    css = re.search(r'href="(/static/web/web\.css\?v=[0-9a-f]+)"', html)
    assert css is not None
    with client.get(css.group(1)) as response:
        assert response.status_code == 200 and response.mimetype == "text/css"
        assert response.headers["Cache-Control"] == "public, max-age=86400"


def test_as_of_shows_what_the_catalog_had_recorded(
    writable_app: Flask, tokens: dict[str, str]
) -> None:
    client = writable_app.test_client()
    created = client.post(
        "/v1/providers",
        json={"id": "newco", "name": "NewCo", "website": "https://newco.example"},
        headers={"Authorization": f"Bearer {tokens['write']}"},
    )
    assert created.status_code == 201
    recorded = created.get_json()["created_at"]
    then = client.get(f"/?at=2024-03-15&as_of={recorded}").get_data(as_text=True)
    assert "NewCo" in then and "As the catalog had it recorded on" in then
    # Before anything was recorded, the catalog knew no model at all.
    empty = cells_of(client, "/?at=2024-03-15&as_of=2000-01-01")
    assert empty.cells == {}
    assert client.get("/models/gpt-4o?as_of=2000-01-01").status_code == 404


def test_model_page_shows_the_prices_in_force(client: FlaskClient) -> None:
    """The same rows as the API's comparison, each amount with its source."""
    at = "2025-12-01"
    html = client.get(f"/models/claude-sonnet-4-5?at={at}").get_data(as_text=True)
    section = html[html.index('id="prices"') : html.index('id="sources"')]
    compared = client.get(f"/v1/models/claude-sonnet-4-5/prices?at={at}").get_json()["items"]
    assert compared and section.count("<tr") == len(compared) + 1  # the heading's row too
    for item in compared:
        if item["amount"] is None:
            assert "no price known" in section
            continue
        assert f"{item['amount']} {item['currency']}" in section
        assert f'<a href="{item["source"]}"' in section


def offered_at(client: FlaskClient, at: str) -> set[str]:
    """The models the API says some cloud offered at `at` (every row: the CSV is one answer)."""
    sheet = client.get(f"/v1/offerings?at={at}&format=csv").get_data(as_text=True)
    return {row["model"] for row in csv.DictReader(io.StringIO(sheet))}


@pytest.mark.parametrize("at", ["2024-03-15", "2024-06-01"])
def test_the_matrix_lists_the_models_offered_then(client: FlaskClient, at: str) -> None:
    page = cells_of(client, f"/?at={at}")
    shown = {m for m, _ in page.cells}
    # The dozen or so then on sale, all on the first page, the seed's row among them.
    assert shown == offered_at(client, at) and "mistral-large-2402" in shown
    assert 10 <= len(shown) <= 20
    html = client.get(f"/?at={at}").get_data(as_text=True)
    assert f"{len(shown)} models offered on {at}" in html and "page 1 of" not in html
    # all=1: every model, over pages.
    every = client.get(f"/?at={at}&all=1").get_data(as_text=True)
    total = client.get("/v1/models?format=csv").get_data(as_text=True).count("\n") - 1
    assert f"{total} models, page 1 of" in every


def test_search_looks_through_every_page(client: FlaskClient) -> None:
    first = {m for m, _ in cells_of(client, "/?all=1").cells}
    assert "mistral-large-2402" not in first  # a later page holds it
    found = {m for m, _ in cells_of(client, "/?all=1&q=mistral+large").cells}
    assert "mistral-large-2402" in found and "mistral-large-2407" in found
    assert all("large" in m for m in found), found  # Mistral's (the maker's name counts too)
    # A search for a model not offered at the date says so and links to every date.
    html = client.get("/?at=2024-03-15&q=gemini").get_data(as_text=True)
    assert "0 models offered on 2024-03-15" in html and "all=1" in html


def test_the_matrix_narrows_to_a_geography(client: FlaskClient) -> None:
    day = "2026-01-06"  # before Bedrock's Mistral Large (24.02) left the registry
    sheet = client.get(f"/v1/offerings?geography=EU&format=csv&at={day}").get_data(as_text=True)
    in_eu = {(o["model"], o["cloud"]) for o in csv.DictReader(io.StringIO(sheet))}
    page = cells_of(client, f"/?geography=EU&kind=hyperscaler&at={day}").cells
    offered = {pair for pair, state in page.items() if state in ("available", "exclusive")}
    # Offered in an EU region, as the API's geography filter says; only those models listed.
    assert offered and offered == {pair for pair in in_eu if pair in page}
    assert {m for m, _ in page} == {m for m, _ in offered}
    # aws:mistral-large-2402 is in eu-west-3 (Paris), in no Japanese region.
    assert page[("mistral-large-2402", "aws")] == "available"
    japan = cells_of(client, f"/?geography=JP&model=mistral-large-2402&at={day}").cells
    assert japan[("mistral-large-2402", "aws")] == "none"
    response = client.get("/?geography=europe")
    assert response.status_code == 400
    assert "<code>geography</code>" in response.get_data(as_text=True)


def test_column_heads_hold_whole_cloud_names(client: FlaskClient) -> None:
    html = client.get("/?at=2024-03-15").get_data(as_text=True)
    heads = re.findall(r'<th scope="col" class="cloud[^"]*"[^>]*><span>([^<]*)</span></th>', html)
    names = [c["name"] for c in client.get("/v1/clouds?limit=500").get_json()["items"]]
    assert sorted(unescape(h) for h in heads) == sorted(names)
    assert "style=" not in html  # the pages' CSP allows no inline style


def test_no_internal_labels_where_users_read(client: FlaskClient) -> None:
    label = re.compile(r"\bSheet [A-Z]+\d|\bthe sheet\b", re.IGNORECASE)
    sheet = client.get("/v1/offerings?format=csv").get_data(as_text=True)
    assert not label.search(sheet)
    for model in ("mistral-large-2402", "claude-3-5-sonnet", "gpt-4o", "command-r-plus"):
        assert not label.search(client.get(f"/models/{model}").get_data(as_text=True))


def test_the_timeline_ends_retired_bars_and_marks_deprecated_spans(client: FlaskClient) -> None:
    html = client.get(
        "/timeline?provider=google&scope=all&start=2025-01-01&end=2027-12-01"
    ).get_data(as_text=True)

    def row(offering: str) -> str:
        found = re.search(rf'<g class="row ([^"]*)" data-offering="{offering}".*?</g>', html, re.S)
        assert found is not None, offering
        return found.group(0)

    def x(day: str) -> float:  # the chart's scale: 300 px of labels, 1080 px at the end
        start = instants.to_datetime("2025-01-01T00:00:00Z")
        end = instants.to_datetime("2027-12-01T00:00:00Z")
        moment = instants.to_datetime(day + "T00:00:00Z")
        return 300 + (moment - start) / (end - start) * (1080 - 300)

    def bars(g: str) -> list[tuple[str, float, float]]:
        found = re.findall(
            r'<rect class="bar offering([^"]*)" x="([\d.]+)"[^>]*width="([\d.]+)"', g
        )
        return [
            (kind.strip(), float(left), float(left) + float(width)) for kind, left, width in found
        ]

    retired = row("gcp:gemini-2.0-flash:serverless")  # retired 2026-06-01 (announced)
    assert 'class="row offering retired"' in retired
    solid = [b for b in bars(retired) if b[0] == ""]
    assert solid and abs(solid[0][2] - x("2026-06-01")) < 1.5  # ends there, not at the edge
    assert "retirement planned for 2026-06-01 (announced)" in retired
    # Deprecated 2026-10-20, retiring 2027-03-31: the deprecated span is drawn apart, to the end.
    deprecated = row("gcp:gemini-2.5-pro:serverless")
    span = [b for b in bars(deprecated) if b[0] == "deprecated"]
    assert span and abs(span[0][1] - x("2026-10-20")) < 1.5
    assert abs(span[0][2] - x("2027-03-31")) < 1.5
    assert re.search(r"deprecated from [^,]*2026-10-20", deprecated)


def test_the_model_page_says_retired_and_deprecated(client: FlaskClient) -> None:
    # Gemini 2.0 Flash on Google Cloud: retired 2026-06-01; on the Gemini API deprecated
    # 2026-06-03 and still sold on 2026-07-01.
    html = client.get("/models/gemini-2.0-flash?at=2026-07-01").get_data(as_text=True)

    def state(offering: str) -> str:
        row = re.search(rf'<tr id="offering-{re.escape(offering)}".*?</tr>', html, re.S)
        assert row is not None, offering
        return re.sub(r"<[^>]+>", "", row.group(0).split("<td>")[-1]).strip()

    assert state("gcp:gemini-2.0-flash:serverless") == "retired"
    assert state("gemini-api:gemini-2.0-flash:serverless") == "available, deprecated"
    assert "Sheet " not in html
