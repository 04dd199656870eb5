"""Headers a browser needs on every answer, pages without inline script or style, and CSV and
iCalendar text that a spreadsheet or a strict calendar client cannot be tricked by (issue 24)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient

from catalog.api.formats import csv_cell
from catalog.core.ical import escape

PAGES = ["/", "/timeline", "/models/mistral-large-2402", "/docs", "/nowhere"]
OTHERS = [
    "/v1/models",
    "/v1/models?format=csv",
    "/v1/timeline?format=ics&model=mistral-large-2402",
    "/openapi.yaml",
    "/docs/init.js",
    "/static/web/web.css",
    "/healthz",
    "/v1/models/nope",
    "/v1/nowhere",
]


def assert_every_answer_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_a_strict_policy(client: FlaskClient, url: str) -> None:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    assert_every_answer_headers(response)
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", OTHERS)
def test_every_other_answer_carries_them_too(client: FlaskClient, url: str) -> None:
    with client.get(url) as response:
        assert_every_answer_headers(response)
        policy = response.headers["Content-Security-Policy"]
        assert policy == "default-src 'none'; frame-ancestors 'none'"


def test_kept_answers_304s_and_refusals_carry_them(client: FlaskClient) -> None:
    first = client.get("/v1/models?limit=3")
    again = client.get("/v1/models?limit=3")  # the fast path's kept answer
    assert again.get_data() == first.get_data()
    assert_every_answer_headers(again)
    not_modified = client.get(
        "/v1/models?limit=3", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert not_modified.status_code == 304
    assert_every_answer_headers(not_modified)
    # a 304 updates a kept page's headers: it must not carry a policy that would replace its own
    assert "Content-Security-Policy" not in not_modified.headers
    assert_every_answer_headers(client.open("/healthz", method="FOO"))
    assert_every_answer_headers(client.post("/v1/models", json={}))


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


@pytest.mark.parametrize(
    "url",
    [*PAGES, "/?at=2024-03-15", "/timeline?scope=all", "/models/nope"],
)
def test_pages_hold_no_inline_script_or_style(client: FlaskClient, url: str) -> None:
    html = client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert not INLINE.search(html), INLINE.search(html)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\x00=HYPERLINK(1)", "'\x00=HYPERLINK(1)"),
        ("\n=1+1", "'\n=1+1"),
        ("\x07@SUM(1)", "'\x07@SUM(1)"),
        ("=1+1", "'=1+1"),
        ("plain", "plain"),
        (7, "7"),
    ],
)
def test_csv_cells_never_start_a_formula(value: object, expected: str) -> None:
    assert csv_cell(value) == expected


def test_ical_text_drops_control_characters() -> None:
    assert escape("nul\x00byte\x07bell\x1b\x7f\x85;x\ty\nz") == "nulbytebell\\;x\ty\\nz"


def test_a_hostile_name_in_csv_and_ical(writer: FlaskClient) -> None:
    current = writer.get("/v1/models/mistral-large-2402")
    name = "\n=1+1 bell\x07 esc\x1b"
    changed = writer.patch(
        "/v1/models/mistral-large-2402",
        json={"name": name},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.json
    text = writer.get("/v1/models?format=csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    (row,) = [r for r in rows if r["id"] == "mistral-large-2402"]
    assert row["name"] == "'" + name
    calendar = writer.get("/v1/timeline?format=ics&model=mistral-large-2402").get_data()
    assert b"=1+1 bell esc" in calendar.replace(b"\r\n ", b"")
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", calendar)
    assert not re.search(rb"[^\r]\n", calendar)
