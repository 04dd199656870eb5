"""The web pages, through the Flask test client: states, filters, caching, errors, no outside
requests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog import instants
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
        cells = cells_of(client, f"/?at={at}&family={family}").cells
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
    mistral = cells_of(client, "/?at=2024-03-15&provider=mistral-ai&kind=hyperscaler").cells
    assert {m for m, _ in mistral} == ids(client, "/v1/models?provider=mistral-ai&limit=500")
    assert {c for _, c in mistral} == ids(client, "/v1/clouds?kind=hyperscaler&limit=500")
    family = cells_of(client, "/?at=2024-03-15&family=mistral-large").cells
    assert {m for m, _ in family} == ids(client, "/v1/models?family=mistral-large&limit=500")
    searched = cells_of(client, "/?q=large+2&at=2024-03-15&kind=hyperscaler").cells
    assert {m for m, _ in searched} == ids(client, "/v1/models?q=large+2&limit=500")
    assert "mistral-large-2407" in {m for m, _ in searched}
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
        text = path.read_text()
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.I), path
        assert "@import" not in text and "fetch(" not in text, path
    # The model page links its sources out, as it must; it loads nothing from them.
    html = client.get("/models/gpt-4o").get_data(as_text=True)
    loads = re.findall(r'<(?:link|script|img|iframe)[^>]*(?:src|href)="([^"]+)"', html)
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
