"""The import pages in a real browser: axe in both languages, a report with problems included."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import log_in, set_language
from tests.browser.test_accessibility import LANGUAGES, check
from tests.factories import PASSWORD, People
from tests.web.test_imports import MIXED_ROWS, csv_bytes, position, seeker


@pytest.mark.parametrize("language", LANGUAGES)
def test_seeker_import_pages(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    set_language(page, live_server, language)
    log_in(page, people.social_worker.email or "", PASSWORD)
    page.goto("/imports/seekers")
    check(page, axe_source)

    # Submitting without a file shows the error summary, linked to the field.
    page.click("button[type=submit].button")
    assert page.locator(".error-summary a[href='#file']").is_visible()
    check(page, axe_source)

    # A file with problems: the report lists them by row and column.
    rows = [*MIXED_ROWS, seeker(6, phone=MIXED_ROWS[0]["phone"])]
    page.set_input_files("#file", files=[{"name": "名单.csv", "mimeType": "text/csv",
                                          "buffer": csv_bytes(rows)}])
    with page.expect_navigation():
        page.click("button[type=submit].button")
    assert "/imports/batches/" in page.url
    assert page.locator("#problems-heading").is_visible()
    assert page.locator("#duplicates-heading").is_visible()
    check(page, axe_source)

    # Import the valid rows: the report then says what was done.
    with page.expect_navigation():
        page.click("button[name=mode][value=valid]")
    assert page.locator(".notice").is_visible()
    check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
def test_position_import_pages(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    set_language(page, live_server, language)
    log_in(page, people.employer.email or "", PASSWORD)
    page.goto("/imports/positions")
    check(page, axe_source)
    page.set_input_files("#file", files=[{"name": "jobs.csv", "mimeType": "text/csv",
                                          "buffer": csv_bytes([position(1), position(2)])}])
    with page.expect_navigation():
        page.click("button[type=submit].button")
    assert page.locator("button[name=mode][value=all]").is_visible()
    check(page, axe_source)
