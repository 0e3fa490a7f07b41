"""axe-core, 320 px and real labels on the follow-up and outcome pages, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page

from rongye.extensions import db
from rongye.models import FollowUp, Placement
from tests.browser.conftest import log_in, set_language
from tests.browser.test_accessibility import check
from tests.factories import PASSWORD, People, create_position, create_seeker, grant

LANGUAGES = ["zh_CN", "en"]
TODAY = dt.date.today()
ANALYST_PAGES = [
    "/analyst/",
    "/analyst/outcomes",
    "/analyst/benefits",
    "/analyst/groups",
    "/analyst/groups?breakdown=age_band",
    "/analyst/compare?start_from=2020-01-01&compare_from=2024-01-01",
    "/analyst/how-we-count",
]


def outcomes_population(people: People) -> FollowUp:
    """A dozen consenting people with placements and answered follow-ups; one follow-up due."""
    position = create_position(people.employer_org, title="在线客服")
    due = None
    for i in range(14):
        seeker = create_seeker(agency_id=people.agency.id, region="北京",
                               gender="female" if i % 2 else "male",
                               created_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
        grant(seeker, "research")
        start = TODAY - dt.timedelta(days=100 + 20 * i)
        placement = Placement(seeker_id=seeker.id, agency_id=people.agency.id,
                              position_id=position.id, start_date=start,
                              end_date=start + dt.timedelta(days=60) if i % 4 == 0 else None,
                              exit_cause="contract_end" if i % 4 == 0 else None,
                              income_before=900)
        db.session.add(placement)
        db.session.flush()
        for day in (30, 90):
            db.session.add(FollowUp(
                placement_id=placement.id, day_offset=day,
                due_date=start + dt.timedelta(days=day),
                done_at=dt.datetime.now(dt.UTC), employed=True, monthly_earnings=3000 + 100 * i,
                **{f"who5_{k}": (i + day // 30) % 6 for k in range(1, 6)},
                participation={"social_activities": i % 5, "community_events": i % 2 == 0},
                benefits_status="kept",
            ))
    own = Placement(seeker_id=people.seeker_profile.id, agency_id=people.agency.id,
                    position_id=position.id, start_date=TODAY - dt.timedelta(days=35))
    db.session.add(own)
    db.session.flush()
    due = FollowUp(placement_id=own.id, day_offset=30, due_date=TODAY - dt.timedelta(days=5))
    db.session.add(due)
    db.session.commit()
    return due


@pytest.mark.parametrize("language", LANGUAGES)
def test_analyst_outcome_pages(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    outcomes_population(people)
    set_language(page, live_server, language)
    log_in(page, people.analyst.email or "", PASSWORD)
    for path in ANALYST_PAGES:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check(page, axe_source)
    # Error state: a period that ends before it starts.
    page.goto("/analyst/")
    page.fill("#start_from", "2025-06-01")
    page.fill("#start_to", "2025-01-01")
    page.click("#submit")
    assert page.locator(".error-summary").is_visible()
    check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
def test_worker_follow_up_pages(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    due = outcomes_population(people)
    set_language(page, live_server, language)
    log_in(page, people.social_worker.email or "", PASSWORD)
    for path in ("/followups/", "/followups/?show=overdue", f"/followups/{due.id}"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check(page, axe_source)
    page.check("#employed-2")  # not working now: the end date and cause are then needed
    page.fill("#monthly_earnings", "a lot")
    page.click("#submit")
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#monthly_earnings-error").is_visible()
    check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
def test_seeker_answers_own_follow_up(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    due = outcomes_population(people)
    set_language(page, live_server, language)
    log_in(page, people.seeker.email or "", PASSWORD)
    for path in ("/seeker/", "/followups/mine", f"/followups/mine/{due.id}"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check(page, axe_source)
    page.click("#submit")  # nothing chosen: "are you working" must be answered
    assert page.locator(".error-summary").is_visible()
    check(page, axe_source)
    page.check("#employed-0")
    page.check("#who5_1-0")
    page.click("#submit")
    assert page.url.endswith("/followups/mine")
    check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
def test_how_we_count_is_public(
    page: Page, live_server: str, axe_source: str, language: str, app_ctx: object
) -> None:
    set_language(page, live_server, language)
    response = page.goto("/analyst/how-we-count")
    assert response is not None and response.status == 200
    check(page, axe_source)
