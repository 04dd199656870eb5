"""/feed.atom and /feed.json: the news a watcher cares about, derived from the change feed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import feedparser
import pytest
from conftest import Clock
from flask.testing import FlaskClient
from helpers import assert_problem

from catalog.core import news

ATOM = "{http://www.w3.org/2005/Atom}"
OFFERING = {
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
PRICE = {
    "id": "oci:mistral-large-2407:serverless:input",
    "offering": OFFERING["id"],
    "region": None,
    "unit": "input-1m-tokens",
    "amount": "2.00",
    "currency": "USD",
    "effective_from": "2024-09-01",
    "effective_from_certainty": "exact",
    # In force until the offering's announced retirement (a price may not outlive it); the
    # store moves this end with the retirement.
    "effective_until": "2027-03-01",
    "source": "https://example.org/price",
}
WINDOW = {
    "id": "oci-mistral-large-2407",
    "holder": "oci",
    "model": "mistral-large-2407",
    "provider": None,
    "includes_open_weights": False,
    "scope": "hyperscalers",
    "basis": "announced",
    "starts_at": "2020-01-01",
    "starts_at_certainty": "exact",
    "starts_at_source": "https://example.org/window",
    "ends_at": "2020-06-01",
    "ends_at_certainty": "exact",
    "ends_at_source": "https://example.org/window",
    "terms": "A made-up window for the test, long before any offering.",
}


def _patch(writer: FlaskClient, path: str, changes: dict[str, Any]) -> None:
    etag = writer.get(path).headers["ETag"]
    response = writer.patch(
        path,
        data=json.dumps(changes),
        headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.json


@pytest.fixture
def story(writer: FlaskClient, clock: Clock) -> FlaskClient:
    """An offering added, its retirement announced then moved, a price, a change that is not
    news (notes), and a window: each a second apart."""
    assert writer.post("/v1/offerings", json=OFFERING).status_code == 201
    path = f"/v1/offerings/{OFFERING['id']}"
    retirement = {"retired_from_certainty": "announced", "retired_from_source": "https://x.org/r"}
    clock.advance()
    _patch(writer, path, {"retired_from": "2027-01-01", **retirement})
    clock.advance()
    _patch(writer, path, {"retired_from": "2027-03-01"})
    clock.advance()
    assert writer.post("/v1/prices", json=PRICE).status_code == 201
    clock.advance()
    _patch(writer, path, {"notes": "Only a note: not news."})
    clock.advance()
    assert writer.post("/v1/exclusivity-windows", json=WINDOW).status_code == 201
    return writer


ML2 = "Mistral Large 2 (24.07)"
EXPECTED = [
    (
        "window-starts",
        f"Oracle Cloud (OCI) exclusivity on {ML2}: starts 2020-01-01, ends 2020-06-01",
    ),
    ("price-changed", f"{ML2} on Oracle Cloud (OCI): 2.00 USD per input-1m-tokens"),
    ("lifecycle-moved", "moved: was planned for 2027-01-01 (announced), now planned for 2027-03"),
    ("lifecycle-announced", "retirement: planned for 2027-01-01 (announced)"),
    (
        "offering-added",
        f"{ML2} on Oracle Cloud (OCI) (serverless) added (available no later than 2024-09-01",
    ),
]


def test_json_feed_lists_the_news_newest_first(story: FlaskClient) -> None:
    response = story.get("/feed.json?limit=5")
    assert response.status_code == 200
    assert response.mimetype == "application/feed+json"
    feed = response.json
    # JSON Feed 1.1: version, title and items are required; each item an id and a content.
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["feed_url"] == "/feed.json?limit=5"
    items = feed["items"]
    assert [(i["_catalog"]["kind"], i["tags"]) for i in items] == [
        (kind, [kind]) for kind, _ in EXPECTED
    ]
    for item, (_, words) in zip(items, EXPECTED, strict=True):
        assert words in item["title"], item["title"]
        assert isinstance(item["id"], str) and item["content_text"].startswith(item["title"])
        assert item["url"] == "/models/mistral-large-2407"
    # newest first by when the catalog recorded them; distinct, stable ids
    stamps = [i["date_published"] for i in items]
    assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) == 5
    assert len({i["id"] for i in items}) == 5
    assert "Source: https://example.org/price" in items[1]["content_text"]


def test_atom_feed_parses_as_atom(story: FlaskClient) -> None:
    response = story.get("/feed.atom?limit=5")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0 and parsed.version == "atom10"
    assert len(parsed.entries) == len(EXPECTED)
    for entry, (_, words) in zip(parsed.entries, EXPECTED, strict=True):
        assert words in entry.title and entry.link == "/models/mistral-large-2407"
    assert [e.tags[0].term for e in parsed.entries] == [kind for kind, _ in EXPECTED]
    # RFC 4287 by hand: the feed's and every entry's id, title, updated; a link per entry.
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for element in (root, *root.findall(f"{ATOM}entry")):
        assert element.findtext(f"{ATOM}id") and element.findtext(f"{ATOM}title")
        assert element.findtext(f"{ATOM}updated", "").startswith("2030-01-01T00:00:0")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 5
    assert {e.find(f"{ATOM}link").get("href") for e in entries} == {"/models/mistral-large-2407"}
    assert root.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")
    self_link = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link[0].get("href") == "/feed.atom?limit=5"


def test_filters_by_model_provider_and_cloud(story: FlaskClient) -> None:
    def kinds(query: str) -> list[str]:
        items = story.get(f"/feed.json?limit=5&{query}").json["items"]
        return [i["_catalog"]["kind"] for i in items if i["_catalog"]["seq"] > SEED]

    SEED = story.get("/v1/changes?sort=-seq&limit=7").json["items"][-1]["seq"]  # before ours
    ours = [kind for kind, _ in EXPECTED]
    assert kinds("model=mistral-large-2407") == ours
    assert kinds("cloud=oci") == ours
    assert kinds("provider=mistral-ai") == ours
    assert kinds("cloud=aws") == [] and kinds("model=gpt-4o") == []
    for item in story.get("/feed.json?limit=50&cloud=aws").json["items"]:
        assert item["_catalog"]["cloud"] == "aws"


def test_a_model_hears_of_the_provider_wide_windows_that_cover_it(client: FlaskClient) -> None:
    # The seed's Azure window over every closed-weight OpenAI model (open weights exempt).
    def windows(model: str) -> list[str]:
        items = client.get(f"/feed.json?model={model}&limit=500").json["items"]
        return [
            i["_catalog"]["id"] for i in items if i["_catalog"]["resource"] == "exclusivity-windows"
        ]

    assert "azure-openai-api" in windows("gpt-4o")
    assert "azure-openai-api" not in windows("gpt-oss-120b")


def test_feeds_carry_one_strong_etag_and_answer_304(story: FlaskClient, clock: Clock) -> None:
    for path, moved_to in (("/feed.atom", "2027-06-01"), ("/feed.json?cloud=oci", "2027-07-01")):
        first = story.get(path)
        tag = first.headers["ETag"]
        assert first.headers.getlist("ETag") == [tag] and not tag.startswith("W/")
        again = story.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.data == b""
        clock.advance()
        _patch(story, f"/v1/offerings/{OFFERING['id']}", {"retired_from": moved_to})
        changed = story.get(path, headers={"If-None-Match": tag})
        assert changed.status_code == 200 and changed.headers["ETag"] != tag
        assert moved_to.encode() in changed.data


def test_bad_filters_are_400s_naming_them(client: FlaskClient) -> None:
    for path in ("/feed.atom", "/feed.json"):
        assert set(assert_problem(client.get(f"{path}?model=no-such"), 400)["errors"]) == {"model"}
        assert set(assert_problem(client.get(f"{path}?limit=501"), 400)["errors"]) == {"limit"}
        assert set(assert_problem(client.get(f"{path}?colour=red"), 400)["errors"]) == {"colour"}


def test_pages_link_both_feeds_in_their_head(client: FlaskClient) -> None:
    head = client.get("/").get_data(as_text=True).split("</head>")[0]
    assert (
        '<link rel="alternate" type="application/atom+xml"' in head and 'href="/feed.atom"' in head
    )
    assert 'type="application/feed+json"' in head and 'href="/feed.json"' in head


def test_an_update_that_moves_no_date_is_not_news() -> None:
    row = {
        "resource": "offerings", "action": "update", "seq": 9, "recorded_at": "2030-01-01",
        "actor": "t", "record_id": OFFERING["id"], "model": "m", "provider": "p", "cloud": "c",
        "before": json.dumps(OFFERING), "after": json.dumps(OFFERING | {"notes": "n"}),
    }  # fmt: skip
    assert news.describe(row, {}) is None
    retired = {"retired_from": "2025-04-15", "retired_from_certainty": "exact",
               "retired_from_source": "https://x.org"}  # fmt: skip
    ended = row | {"after": json.dumps(OFFERING | retired)}
    event = news.describe(ended, {})
    assert event is not None and event.kind == "offering-ended"
    assert event.title.endswith(": retired 2025-04-15")
