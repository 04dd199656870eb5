"""The pages in a real browser: headless Chromium driven by Selenium against `catalog serve`.

Needs Debian's chromium and chromium-driver, and axe-core installed into .tools/ (CI does both:
see the README, "In the browser"). Render times are printed, not asserted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
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
    "/models/mistral-large-2402?at=2024-03-15",
    "/timeline",
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
            if not url.startswith(("data:", "about:")):
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
    search.send_keys("gpt-4o")
    shown = [r for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-row]") if r.is_displayed()]
    assert shown and all("gpt-4o" in str(r.get_attribute("data-row")) for r in shown)


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
    assert errors == []
    browser.execute_script(AXE.read_text())
    violations: list[dict[str, Any]] = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations));"
        "",
    )
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


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
