"""The employer's pages in a real browser: axe in both languages, the position form by keyboard."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from matching.catalogue import DOMAINS
from rongye.extensions import db
from rongye.models import MatchProposal, MatchRun, Placement, Position, SeekerProfile
from rongye.services.consent import record_consent
from tests.browser.conftest import Keyboard, log_in, set_language
from tests.browser.test_accessibility import LANGUAGES, check
from tests.factories import PASSWORD, People, create_position


def seed_position(people: People) -> Position:
    """A position with one person put forward and one placed, so every table is drawn."""
    position = create_position(
        people.employer_org, title="在线客服", tasks="回答顾客的文字咨询。", skills=["打字"],
        demand_seeing=2, demand_communication=1,
    )
    run = MatchRun(agency_id=people.agency.id, status="done")
    db.session.add(run)
    db.session.flush()
    placed = SeekerProfile(display_name="周五", agency_id=people.agency.id)
    db.session.add(placed)
    db.session.flush()
    for seeker, status in ((people.seeker_profile, "confirmed"), (placed, "hired")):
        db.session.add(MatchProposal(run_id=run.id, seeker_id=seeker.id,
                                     position_id=position.id, score=75, status=status))
    record_consent(db.session, None, people.seeker_profile, "share_employer", granted=True)
    db.session.add(Placement(seeker_id=placed.id, position_id=position.id,
                             employer_id=people.employer_org.id, start_date=dt.date(2026, 1, 5)))
    db.session.commit()
    return position


@pytest.mark.parametrize("language", LANGUAGES)
def test_employer_pages(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    position = seed_position(people)
    set_language(page, live_server, language)
    log_in(page, people.employer.email or "", PASSWORD)
    for path in ("/employer/", "/employer/organisation", "/employer/organisation/edit",
                 "/employer/positions/new", f"/employer/positions/{position.id}",
                 f"/employer/positions/{position.id}/edit"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.get_attribute("html", "lang") == ("en" if language == "en" else "zh-CN")
        check(page, axe_source)
    # The applicants' and employees' tables are on the detail page.
    page.goto(f"/employer/positions/{position.id}")
    assert page.locator("table").count() == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_employer_forms_with_errors(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    position = seed_position(people)
    set_language(page, live_server, language)
    log_in(page, people.employer.email or "", PASSWORD)

    page.goto("/employer/positions/new")
    page.fill("#hours_per_week", "200")
    page.click("#publish")
    assert page.locator(".error-summary").is_visible()
    # Every question left unanswered is listed, each linking to its field.
    assert page.locator(".error-summary a").count() >= 15
    check(page, axe_source)

    page.goto(f"/employer/positions/{position.id}/edit")
    page.fill("#title", "")
    page.fill("#monthly_pay", "a lot")
    page.click("#save")
    assert page.locator(".error-summary a").count() == 2
    check(page, axe_source)

    page.goto("/employer/organisation/edit")
    page.fill("#name", "")
    page.fill("#contact_email", "not-an-email")
    page.click("#submit")
    assert page.locator(".error-summary a").count() == 2
    check(page, axe_source)


def test_position_form_by_keyboard_alone(
    page: Page, live_server: str, people: People
) -> None:
    set_language(page, live_server, "en")
    log_in(page, people.employer.email or "", PASSWORD)
    page.goto("/employer/positions/new")
    catalogue = page.eval_on_selector_all(
        "input[name=accommodations]", "inputs => inputs.map(i => [i.id, i.value])"
    )
    wanted = {"screen_reader", "step_free", "flexible_pace"}
    keys = Keyboard(page)

    page.focus("#title")  # the only non-keyboard step: the first field
    keys.type("Online customer service")
    keys.tab_to("work_type")
    keys.type("Online")  # a closed <select> picks the option its label starts with
    keys.tab_to("tasks")
    keys.type("Answer customers' written questions.")
    keys.tab_to("skills")
    keys.type("typing, customer service")
    for domain in DOMAINS:  # a radio group is one tab stop; Space picks its first answer
        keys.tab_to(f"demand_{domain}-0")
        keys.press("Space")
    for element_id, code in catalogue:
        keys.tab_to(element_id)
        if code in wanted:
            keys.press("Space")
    keys.tab_to("work_mode-0")
    keys.press("Space")
    keys.tab_to("region")
    keys.type("Lanzhou")
    keys.tab_to("hours_per_week")
    keys.type("30")
    keys.tab_to("monthly_pay")
    keys.type("4500")
    keys.tab_to("social_insurance-0")
    keys.press("Space")
    keys.tab_to("contract_type-0")
    keys.press("Space")
    keys.tab_to("openings")  # tabbing in selects the default "1", so typing replaces it
    keys.type("2")
    keys.tab_to("training_offered-0")
    keys.press("Space")
    keys.tab_to("automation_exposure-0")
    keys.press("Space")
    keys.tab_to("save_draft")
    keys.tab_to("publish")
    with page.expect_navigation():
        keys.press("Enter")

    assert "/employer/positions/" in page.url and page.locator(".error-summary").count() == 0
    position = db.session.scalar(select(Position))
    assert position is not None
    assert (position.title, position.work_type, position.status) == (
        "Online customer service", "customer_service", "open")
    assert (position.hours_per_week, position.monthly_pay, position.openings) == (30, 4500, 2)
    assert position.skills == ["typing", "customer service"]
    assert set(position.demands.values()) == {0}
    assert {a.code for a in position.accommodations} == wanted
    assert position.social_insurance and position.training_offered
    print(f"\nposition form by keyboard alone: {keys.total} key presses {keys.counts}")
