"""The pages in a real browser: headless Chromium driven by Selenium against `catalog serve`.

Needs Debian's chromium and chromium-driver, and axe-core installed into .tools/ (CI does both:
see the README, "In the browser"). Render times are printed, not asserted.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait
from servers import CHECKOUT, Server

AXE = Path(os.environ.get("CATALOG_AXE", CHECKOUT / ".tools/node_modules/axe-core/axe.min.js"))
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)
PAGES = [
    "/",
    "/?at=2024-03-15",
    "/?at=2024-03-15&family=mistral-large",
    "/?all=1&geography=EU&kind=hyperscaler",
    "/models/mistral-large-2402?at=2024-03-15",
    "/models/mistral-large-2402",
    "/models/llama-3-1-405b-instruct",  # a free tier, a price unknown, deprecated offerings
    "/timeline",
    "/timeline?provider=google&scope=all",
    "/models/no-such-model",  # the HTML problem pages
    "/?at=yesterday",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("browser")
    served = Server(folder, cwd=folder, database=folder / "catalog.db")
    served.start(workers=1)
    yield served
    served.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    yield driver
    driver.quit()


def visit(browser: webdriver.Chrome, url: str) -> dict[str, float]:
    """Open a page; its navigation timing in ms."""
    browser.get_log("performance")  # drop what earlier pages logged
    browser.get_log("browser")
    browser.get(url)
    timing: dict[str, float] = browser.execute_script(
        "const n = performance.getEntriesByType('navigation')[0];"
        "return {response: n.responseEnd, dom: n.domContentLoadedEventEnd, load: n.loadEventEnd,"
        " bytes: n.decodedBodySize};"
    )
    return timing


def requested_hosts(browser: webdriver.Chrome) -> set[str]:
    hosts = set()
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            # The browser's own pages (a new tab's chrome://...) are not the page's requests.
            if not url.startswith(("data:", "about:", "chrome:", "chrome-untrusted:")):
                hosts.add(str(urlsplit(url).hostname))
    return hosts


def states(browser: webdriver.Chrome, model: str) -> dict[str, str]:
    cells = browser.find_elements(By.CSS_SELECTOR, f'td[data-model="{model}"]')
    return {str(c.get_attribute("data-cloud")): str(c.get_attribute("data-state")) for c in cells}


def test_the_seed_story_in_the_browser(server: Server, browser: webdriver.Chrome) -> None:
    visit(browser, server.url + "/?at=2024-03-15&family=mistral-large")
    march = states(browser, "mistral-large-2402")
    assert march["azure"] == "exclusive" and march["aws"] == "excluded"
    visit(browser, server.url + "/?at=2024-06-01&family=mistral-large")
    assert states(browser, "mistral-large-2402")["aws"] == "available"


def test_the_date_picker_and_filters_work(server: Server, browser: webdriver.Chrome) -> None:
    visit(browser, server.url + "/?at=2024-06-01&provider=mistral-ai&family=mistral-large")
    maker = browser.find_element(By.CSS_SELECTOR, "select[name=provider]")
    assert maker.get_attribute("value") == "mistral-ai"
    assert {c[0] for c in _models(browser)} == {"mistral-ai"}
    # The form submits the date like any field (no script needed).
    field = browser.find_element(By.CSS_SELECTOR, "input[name=at]")
    browser.execute_script("arguments[0].value = '2024-03-15'", field)
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: "at=2024-03-15" in b.current_url)
    assert states(browser, "mistral-large-2402")["aws"] == "excluded"
    # With the script, choosing a maker reloads at once, keeping the date.
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=provider]")).select_by_value("openai")
    WebDriverWait(browser, 10).until(lambda b: "provider=openai" in b.current_url)
    assert "at=2024-03-15" in browser.current_url
    assert {c[0] for c in _models(browser)} == {"openai"}
    # Typing a search hides the rows on the page that do not match, before any request.
    search = browser.find_element(By.CSS_SELECTOR, "input[name=q]")
    search.send_keys("turbo")
    shown = [r for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-row]") if r.is_displayed()]
    assert shown and all("turbo" in str(r.get_attribute("data-row")) for r in shown)


def _models(browser: webdriver.Chrome) -> list[tuple[str, str]]:
    return [
        (str(body.get_attribute("data-provider")), str(row.get_attribute("data-row")))
        for body in browser.find_elements(By.CSS_SELECTOR, "tbody[data-provider]")
        for row in body.find_elements(By.CSS_SELECTOR, "tr[data-row]")
    ]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_local_clean_and_accessible(
    server: Server, browser: webdriver.Chrome, path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    timing = visit(browser, server.url + path)
    with capsys.disabled():  # the figures show in every run, not only failing ones
        print(
            f"\n[browser] {path}: {timing['bytes'] / 1024:.0f} KB, response "
            f"{timing['response']:.0f} ms, DOM ready {timing['dom']:.0f} ms, "
            f"loaded {timing['load']:.0f} ms (target: under 1,000 ms, not asserted)"
        )
    assert requested_hosts(browser) == {"127.0.0.1"}
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    if path in ("/models/no-such-model", "/?at=yesterday"):  # the 404 and 400 the page is
        errors = [
            e for e in errors if "the server responded with a status of 4" not in e["message"]
        ]
    assert errors == []
    assert serious_violations(browser) == []


def serious_violations(browser: webdriver.Chrome) -> list[tuple[str, str, list[Any]]]:
    """What axe-core finds serious or critical on the page shown."""
    browser.execute_script(AXE.read_text())
    violations: list[dict[str, Any]] = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations));"
        "",
    )
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "path", ["/?at=2024-03-15", "/models/llama-3-1-405b-instruct", "/timeline"]
)
def test_dark_mode_is_accessible_too(server: Server, browser: webdriver.Chrome, path: str) -> None:
    dark = [{"name": "prefers-color-scheme", "value": "dark"}]
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": dark})
    try:
        visit(browser, server.url + path)
        background = browser.execute_script(
            "return getComputedStyle(document.body).backgroundColor"
        )
        assert background == "rgb(21, 24, 28)"  # the dark palette is the one in force
        assert serious_violations(browser) == []
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_the_tip_shows_on_focus(server: Server, browser: webdriver.Chrome) -> None:
    visit(browser, server.url + "/?at=2024-03-15&family=mistral-large")
    link = browser.find_element(
        By.CSS_SELECTOR, 'td[data-model="mistral-large-2402"][data-cloud="aws"] a'
    )
    # What screen readers say: the state, the window's end and its certainty.
    assert "until about 2024-04-03 (inferred)" in str(link.accessible_name)
    tip = "return getComputedStyle(arguments[0], '::after').content"
    assert browser.execute_script(tip, link) in ("none", "normal")
    browser.execute_script("arguments[0].focus()", link)
    shown = browser.execute_script(tip, link)
    assert "Excluded from AWS" in shown and "(inferred)" in shown


PHONE = (390, 844)


@pytest.fixture
def phone(browser: webdriver.Chrome) -> Iterator[webdriver.Chrome]:
    """The browser as a 390-pixel-wide phone (Chrome's device emulation), then back."""
    width, height = PHONE
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 3, "mobile": True},
    )
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("path", PAGES)
def test_every_page_fits_a_phone(server: Server, phone: webdriver.Chrome, path: str) -> None:
    visit(phone, server.url + path)
    assert phone.execute_script("return document.documentElement.clientWidth") == PHONE[0]
    # The page itself never scrolls sideways...
    assert phone.execute_script("return document.documentElement.scrollWidth") <= PHONE[0]
    # ...and a table wider than the screen scrolls inside its own frame, which a keyboard
    # can reach (the frame takes focus) and a screen reader names.
    wide = phone.execute_script(
        "return Array.from(document.querySelectorAll('table, svg.timeline'))"
        ".filter(t => t.getBoundingClientRect().width > innerWidth)"
        ".map(t => { const f = t.closest('.scroll, .frame, .chart');"
        " return f && {overflow: getComputedStyle(f).overflowX, width: f.clientWidth,"
        " tab: f.tabIndex,"
        " named: !!(f.getAttribute('aria-labelledby') || f.tagName == 'FIGURE')}; })"
    )
    for frame in wide:
        assert frame is not None, f"{path}: a wide table outside a frame"
        assert frame["overflow"] == "auto" and frame["width"] <= PHONE[0]
        assert frame["tab"] == 0 or frame["named"]
    if path.startswith("/models/mistral"):
        assert wide, "the model page's offerings table is wider than a phone: it scrolls"


def test_column_heads_show_whole_cloud_names(server: Server, browser: webdriver.Chrome) -> None:
    visit(browser, server.url + "/?at=2024-03-15")
    heads = browser.find_elements(By.CSS_SELECTOR, "th.cloud")
    clouds = json.loads(
        browser.execute_script("return fetch('/v1/clouds?limit=500').then(r => r.text())")
    )["items"]
    assert sorted(str(h.accessible_name) for h in heads) == sorted(c["name"] for c in clouds)
    clipped = browser.execute_script(
        "return Array.from(document.querySelectorAll('th.cloud span')).filter(s => {"
        " const r = s.getBoundingClientRect(), h = s.parentElement.getBoundingClientRect();"
        " return s.scrollHeight > s.clientHeight + 1 || s.scrollWidth > s.clientWidth + 1"
        "  || r.left < h.left - 1 || r.right > h.right + 1 || r.top < h.top - 1; })"
        ".map(s => s.textContent)"
    )
    assert clipped == []
    # The longest names wrap onto a second line rather than being cut.
    gemini = next(h for h in heads if h.accessible_name == "Gemini API (Google AI Studio)")
    assert gemini.find_element(By.TAG_NAME, "span").size["width"] > 20


def _rows(browser: webdriver.Chrome) -> list[str]:
    return [
        str(r.get_attribute("data-row"))
        for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-row]")
    ]


@pytest.mark.parametrize("day", ["2024-03-15", "2024-06-01"])
def test_the_matrix_opens_on_the_models_then_on_sale(
    server: Server, browser: webdriver.Chrome, day: str
) -> None:
    visit(browser, server.url + f"/?at={day}")
    sheet = browser.execute_script(
        f"return fetch('/v1/offerings?at={day}&format=csv').then(r => r.text())"
    )
    offered = {row["model"] for row in csv.DictReader(io.StringIO(sheet))}
    shown = _rows(browser)
    # Every model then on sale, on the first (and only) page, the seed's row among them.
    assert set(shown) == offered and "mistral-large-2402" in shown
    assert browser.find_elements(By.CSS_SELECTOR, "nav.pages") == []
    seed = states(browser, "mistral-large-2402")
    assert seed["aws"] == ("excluded" if day == "2024-03-15" else "available")
    summary = browser.find_element(By.ID, "summary").text
    assert f"{len(offered)} models offered on {day}" in summary


def test_search_looks_through_every_page(server: Server, browser: webdriver.Chrome) -> None:
    visit(browser, server.url + "/?all=1")
    first = _rows(browser)
    assert "mistral-large-2402" not in first and browser.find_elements(By.CSS_SELECTOR, "nav.pages")
    search = browser.find_element(By.CSS_SELECTOR, "input[name=q]")
    search.send_keys("mistral large")
    # Nothing on this page matches: the page stays as it was, and says how to search them all.
    shown = [r for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-row]") if r.is_displayed()]
    assert len(shown) == len(first)
    assert "search every page" in browser.find_element(By.ID, "search-note").text
    search.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: "q=mistral+large" in b.current_url)
    found = _rows(browser)
    assert "mistral-large-2402" in found and "mistral-large-2407" in found
    assert all("large" in m for m in found)


def test_the_timeline_ends_retired_bars(server: Server, browser: webdriver.Chrome) -> None:
    visit(
        browser, server.url + "/timeline?provider=google&scope=all&start=2025-01-01&end=2027-12-01"
    )
    svg = browser.find_element(By.CSS_SELECTOR, "svg.timeline").rect

    def bar(offering: str, kind: str = "") -> dict[str, float]:
        row = browser.find_element(By.CSS_SELECTOR, f'g[data-offering="{offering}"]')
        rects = row.find_elements(By.CSS_SELECTOR, "rect.bar")
        chosen = [
            r
            for r in rects
            if (r.get_attribute("class") or "").split()[2:] == ([kind] if kind else [])
        ]
        return dict(chosen[0].rect)

    def x(day: str) -> float:  # the chart's own scale: 300 px of labels, 1080 px at its end
        days = (date.fromisoformat(day) - date(2025, 1, 1)).days
        return svg["x"] + 300 + days / (date(2027, 12, 1) - date(2025, 1, 1)).days * 780

    # Retired 2026-06-01: the bar ends there, far from the chart's right edge.
    retired = bar("gcp:gemini-2.0-flash:serverless")
    assert abs(retired["x"] + retired["width"] - x("2026-06-01")) < 2
    assert retired["x"] + retired["width"] < svg["x"] + 1080 - 200
    # An offering with no end known runs to the edge.
    open_ended = bar("gcp:gemini-embedding-001:serverless")
    assert abs(open_ended["x"] + open_ended["width"] - (svg["x"] + 1080)) < 2
    # Deprecated 2026-10-20, retiring 2027-03-31: the deprecated span is drawn apart.
    span = bar("gcp:gemini-2.5-pro:serverless", "deprecated")
    assert abs(span["x"] - x("2026-10-20")) < 2
    assert abs(span["x"] + span["width"] - x("2027-03-31")) < 2
    fill = browser.execute_script(
        "return getComputedStyle(document.querySelector("
        "'g[data-offering=\"gcp:gemini-2.5-pro:serverless\"] rect.deprecated')).fill"
    )
    assert "hatch" in fill


def test_the_api_reference_fits_a_phone(server: Server, phone: webdriver.Chrome) -> None:
    # /docs is Swagger UI (not the pages' templates): with a viewport it lays out for a phone
    # instead of shrinking a 980-px desktop page.
    visit(phone, server.url + "/docs")
    WebDriverWait(phone, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock"))
    assert phone.execute_script("return document.documentElement.scrollWidth") <= PHONE[0]
