"""axe-core (WCAG 2.0/2.1/2.2 A and AA) on every page, both languages, error states included."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from rongye.extensions import db
from tests.browser.conftest import axe_violations, log_in, set_language
from tests.factories import PASSWORD, People, create_position

LANGUAGES = ["zh_CN", "en"]
DEMO_PAGES = {
    "seeker@demo.rongye": ["/seeker/"],
    "employer@demo.rongye": ["/employer/"],
    "worker@demo.rongye": ["/worker/", "/worker/?page=3"],
    "analyst@demo.rongye": ["/analyst/"],
    "admin@demo.rongye": ["/admin/"],
}
PUBLIC_PAGES = ["/", "/login", "/register", "/no-such-page"]
ROLE_PAGES = {
    "seeker": ["/seeker/"],
    "employer": ["/employer/"],
    "social_worker": ["/worker/"],
    "analyst": ["/analyst/"],
    "admin": ["/admin/", "/admin/staff/new"],
}


def check(page: Page, axe_source: str) -> None:
    violations = axe_violations(page, axe_source)
    assert violations == [], f"{page.url}: {violations}"
    # Usable at 320 CSS px: nothing wider than the viewport.
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1024, "height": 800})
    assert width <= 320, f"{page.url} scrolls sideways at 320 px ({width} px wide)"
    # Every visible form control has a real <label> (axe also accepts placeholders and titles).
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
               .filter(el => !['hidden', 'submit', 'button'].includes(el.type))
               .filter(el => !el.labels || el.labels.length === 0).map(el => el.outerHTML)"""
    )
    assert unlabelled == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages(page: Page, live_server: str, axe_source: str, language: str) -> None:
    set_language(page, live_server, language)
    for path in PUBLIC_PAGES:
        page.goto(path)
        assert page.get_attribute("html", "lang") == ("en" if language == "en" else "zh-CN")
        check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_states(page: Page, live_server: str, axe_source: str, language: str) -> None:
    set_language(page, live_server, language)
    page.goto("/register")
    page.fill("#email", "not-an-email")
    page.fill("#password", "short")
    page.click("#submit")
    assert page.locator(".error-summary").is_visible()
    check(page, axe_source)
    page.goto("/login")
    page.click("#submit")
    assert page.locator(".error-summary").is_visible()
    check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", sorted(ROLE_PAGES))
def test_role_pages(
    page: Page, live_server: str, axe_source: str, people: People, role: str, language: str
) -> None:
    create_position(people.employer_org, title="在线客服")
    db.session.commit()
    set_language(page, live_server, language)
    log_in(page, people.by_role(role).email or "", PASSWORD)
    for path in ROLE_PAGES[role]:
        page.goto(path)
        assert page.url.endswith(path)
        check(page, axe_source)
    if role == "admin":
        page.goto("/admin/staff/new")
        page.click("#submit")
        assert page.locator(".error-summary").is_visible()
        check(page, axe_source)
        page.goto(f"/admin/settings/{people.agency.id}")
        check(page, axe_source)
        page.fill("#follow_up_days", "30, soon")
        page.fill("#min_score", "")
        page.click("#submit")
        assert page.locator(".error-summary").is_visible()
        check(page, axe_source)
    page.goto("/admin/" if role != "admin" else "/seeker/")  # the 403 page
    check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboards_full_of_demo_data(
    page: Page, live_server: str, axe_source: str, app_ctx: Any, language: str
) -> None:
    assert app_ctx.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    set_language(page, live_server, language)
    for email, paths in DEMO_PAGES.items():
        log_in(page, email, "rongye-demo")
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            check(page, axe_source)
        page.context.clear_cookies()
        set_language(page, live_server, language)
