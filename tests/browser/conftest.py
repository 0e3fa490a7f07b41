"""A live server and a real headless Chromium (the system's), driven by Playwright, with axe-core.

Outside CI the browser tests skip when Chromium or axe-core is missing; with CI=true they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Flags the probe of this machine kind needs: no sandbox as root, and no background traffic
# to hosts the closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def missing(what: str) -> None:
    """Fail in CI, skip elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required in CI (see .ci/run)", pytrace=False)
    pytest.skip(f"{what} not available")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    candidates = [os.environ.get("CHROMIUM_PATH"), *map(shutil.which, ("chromium",
                  "chromium-browser", "google-chrome"))]
    path = next((c for c in candidates if c), None)
    if path is None:
        missing("Chromium (apt install chromium)")
    return str(path)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.exists():
        missing("axe-core (npm ci)")
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


FAVICON = (ROOT / "static" / "favicon.svg").read_bytes()


def favicon_from_memory(context: Any) -> None:
    """Serve the favicon without the live server.

    When a test navigates on before the browser has fetched the favicon, the browser aborts the
    request and the server drops the connection with the file still open: a ResourceWarning,
    which is an error here. The favicon is no part of what the tests check.
    """
    context.route(
        "**/static/favicon.svg",
        lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=FAVICON),
    )


@pytest.fixture
def page(browser: Browser, live_server: str, app_ctx: Flask) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1024, "height": 800})
    favicon_from_memory(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []

    def on_console(message: Any) -> None:
        # Failed loads are checked below, by resource type: an error *page* is expected here.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", on_response)
    yield page
    context.close()
    # A CSP violation, a script error or a missing asset fails the test.
    assert errors == [], errors


def set_language(page: Page, live_server: str, language: str) -> None:
    """Choose the interface language the way the switcher remembers it."""
    page.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])


def axe_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """Run axe-core on the current page for the WCAG 2.2 AA tags; return the violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    return page.evaluate(  # type: ignore[no-any-return]
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }""",
        AXE_TAGS,
    )


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#identifier", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("#submit")


class Keyboard:
    """Presses keys on the page and counts them (each typed character is one key press)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.counts = {"Tab": 0, "Space": 0, "Enter": 0, "ArrowDown": 0, "characters": 0}

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.counts[key] += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.counts["characters"] += len(text)

    def tab_to(self, element_id: str) -> None:
        self.press("Tab")
        assert focused_id(self.page) == element_id

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def focused_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.id"))
