"""Keyboard-only journeys, and the same pages with JavaScript switched off."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.browser.conftest import favicon_from_memory, set_language
from tests.factories import PASSWORD, People


def focused(page: Page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.textContent")


def test_skip_link_then_log_in_by_keyboard(page: Page, people: People) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert focused(page) == "main"
    page.keyboard.press("Tab")
    assert focused(page) == "identifier"
    page.keyboard.type("seeker@example.org")
    page.keyboard.press("Tab")
    assert focused(page) == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/seeker/")
    assert "王芳" in page.inner_text("h1")


def test_register_by_keyboard_through_an_error(page: Page, live_server: str) -> None:
    set_language(page, live_server, "en")
    page.goto("/register")
    page.focus("#role-0")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page) == "display_name"
    page.keyboard.type("Li Ming")
    page.keyboard.press("Tab")  # organisation name: left empty
    page.keyboard.press("Tab")
    page.keyboard.type("li.ming@example.org")
    page.keyboard.press("Tab")  # phone: left empty
    page.keyboard.press("Tab")
    page.keyboard.type("long-password-1")
    page.keyboard.press("Tab")
    page.keyboard.type("long-password-2")  # does not match
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary_link = page.locator(".error-summary a")
    assert summary_link.count() == 1 and "not the same" in summary_link.inner_text()
    # The summary link takes keyboard focus to the field in error.
    summary_link.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#confirm"
    page.focus("#password")
    page.keyboard.type("long-password-1")
    page.focus("#confirm")
    page.keyboard.type("long-password-1")
    page.keyboard.press("Enter")
    page.wait_for_url("**/seeker/")


def test_language_switcher_by_keyboard(page: Page) -> None:
    page.goto("/")
    english = page.get_by_role("button", name="English")
    english.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"


def test_everything_works_without_javascript(
    browser: Browser, live_server: str, people: People
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    favicon_from_memory(context)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_role("button", name="English").click()
        assert page.get_attribute("html", "lang") == "en"
        page.goto("/login")
        page.fill("#identifier", "worker@example.org")
        page.fill("#password", PASSWORD)
        page.click("#submit")
        page.wait_for_url("**/worker/")
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(live_server + "/")
    finally:
        context.close()
