"""The seeker profile in a real browser: axe on every step in both languages, and by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from matching.catalogue import DOMAINS
from rongye.extensions import db
from rongye.models import ExtraQuestion, SeekerProfile
from rongye.services.consent import current_consents
from tests.browser.conftest import Keyboard, focused_id, log_in, set_language
from tests.browser.test_accessibility import LANGUAGES, check
from tests.factories import PASSWORD, People, create_position, create_proposal, grant

STEPS = ["about", "functioning", "skills", "preferences", "accommodations", "benefits",
         "extra", "consent"]


def add_question(people: People) -> None:
    db.session.add(ExtraQuestion(organisation_id=people.agency.id, kind="choice",
                                 label_zh="是否参加过培训？", label_en="Any training?",
                                 choices=[{"value": "1", "zh": "是", "en": "Yes"},
                                          {"value": "2", "zh": "否", "en": "No"}]))
    db.session.commit()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_profile_page(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    add_question(people)
    set_language(page, live_server, language)
    log_in(page, people.seeker.email or "", PASSWORD)
    for step in STEPS:
        page.goto(f"/profile/step/{step}")
        check(page, axe_source)
    page.goto("/profile/step/preferences")
    page.fill("#hours_min", "50")
    page.fill("#hours_max", "10")
    page.click("button[value=next]")
    assert page.locator(".error-summary a").count() == 2  # no work mode; hours the wrong way
    check(page, axe_source)
    for path in ("/profile/review", "/seeker/", "/profile/data"):
        page.goto(path)
        check(page, axe_source)
    page.click("button.danger")  # erase without ticking the box: an error, nothing erased
    assert page.locator(".error-summary").is_visible()
    check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
def test_worker_and_admin_pages(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    add_question(people)
    set_language(page, live_server, language)
    log_in(page, people.social_worker.email or "", PASSWORD)
    page.goto("/worker/seekers/new")
    check(page, axe_source)
    page.click("form.form button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    check(page, axe_source)
    page.goto(f"/worker/seekers/{people.seeker_profile.id}/")
    check(page, axe_source)
    page.goto(f"/worker/seekers/{people.seeker_profile.id}/step/consent")
    check(page, axe_source)
    page.context.clear_cookies()
    set_language(page, live_server, language)
    log_in(page, people.admin.email or "", PASSWORD)
    page.goto("/admin/questions")
    check(page, axe_source)
    page.fill("#label_zh", "")
    page.click("form.form button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
def test_candidate_summary_page(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    position = create_position(people.employer_org)
    grant(people.seeker_profile, "share_employer")
    proposal = create_proposal(people.seeker_profile, position, status="accepted")
    db.session.commit()
    set_language(page, live_server, language)
    log_in(page, people.employer.email or "", PASSWORD)
    page.goto(f"/employer/positions/{position.id}/candidates/{proposal.id}")
    assert people.seeker_profile.display_name in page.inner_text("h1")
    check(page, axe_source)


def test_whole_profile_by_keyboard_alone(page: Page, live_server: str, people: People) -> None:
    """Tab, arrows, Space, Enter and typing only; the first Tab reaches the skip link."""
    set_language(page, live_server, "en")
    log_in(page, people.seeker.email or "", PASSWORD)
    keys = Keyboard(page)

    def start(step: str) -> None:
        page.goto(f"/profile/step/{step}")
        keys.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip-link"
        keys.press("Enter")  # jumps to <main>
        assert focused_id(page) == "main"

    def submit(last_field: str) -> None:
        assert focused_id(page) == last_field
        keys.press("Tab")
        assert page.evaluate("() => document.activeElement.value") == "next"
        with page.expect_navigation():
            keys.press("Enter")
        assert page.locator(".error-summary").count() == 0, page.inner_text("main")

    start("about")
    keys.tab_to("display_name")  # already filled in at registration
    keys.tab_to("gender-3")  # the group's checked answer, "prefer not to say"
    keys.press("ArrowDown")  # wraps round to the first answer: female
    keys.tab_to("birth_year")
    keys.type("1990")
    keys.tab_to("phone")
    keys.tab_to("id_number")
    keys.tab_to("region")
    keys.type("北京")
    keys.tab_to("education")
    keys.type("V")  # a closed <select> picks the option its label starts with: Vocational
    keys.tab_to("work_history")
    keys.tab_to("disability_category")
    keys.type("V")  # Vision
    keys.tab_to("disability_grade")
    submit("disability_grade")

    assert "/profile/step/functioning" in page.url
    start("functioning")
    for domain in DOMAINS:  # every answer starts as "prefer not to say"; ArrowDown: none
        keys.tab_to(f"{domain}-4")
        if domain in ("seeing", "hearing"):
            keys.press("ArrowDown")  # no difficulty
            if domain == "seeing":
                for _ in range(3):
                    keys.press("ArrowDown")  # ... some, a lot, cannot do at all
    submit("psychosocial-4")

    start("skills")
    keys.tab_to("skills")
    keys.type("数据标注, typing")
    keys.tab_to("interests")
    keys.tab_to("add_skill")
    keys.type("Excel")
    keys.tab_to("assistive_technology")
    keys.type("NVDA")
    submit("assistive_technology")

    start("preferences")
    keys.tab_to("work_modes-0")
    keys.press("Space")  # remote
    keys.tab_to("work_modes-1")
    keys.tab_to("work_modes-2")
    keys.tab_to("hours_min")
    keys.type("20")
    keys.tab_to("hours_max")
    keys.type("40")
    submit("hours_max")

    start("accommodations")
    keys.tab_to("accommodations-0")
    keys.press("Space")  # screen reader support
    count = page.locator("input[name=accommodations]").count()
    for index in range(1, count):
        keys.tab_to(f"accommodations-{index}")
    submit(f"accommodations-{count - 1}")

    start("benefits")  # all optional: straight on
    for element in ("dibao_monthly", "disability_allowance_monthly", "social_insurance-3",
                    "household_size", "carer_duties-2"):
        keys.tab_to(element)
    submit("carer_duties-2")

    assert "/profile/step/consent" in page.url
    start("consent")
    for purpose in ("matching", "share_employer", "research"):
        keys.tab_to(f"{purpose}-0")
        keys.press("Space")  # yes
    submit("research-0")

    assert "/profile/review" in page.url
    profile = db.session.scalar(select(SeekerProfile).where(
        SeekerProfile.account_id == people.seeker.id))
    assert profile is not None and profile.profile_step == 7
    assert (profile.gender, profile.birth_year, profile.region) == ("female", 1990, "北京")
    assert (profile.education, profile.disability_category) == ("vocational", "vision")
    assert profile.seeing == 3 and profile.hearing == 0 and profile.walking is None
    assert profile.skills == ["数据标注", "typing", "Excel"]
    assert profile.work_modes == ["remote"] and (profile.hours_min, profile.hours_max) == (20, 40)
    assert [a.code for a in profile.accommodations] == ["screen_reader"]
    assert set(current_consents(db.session, profile.id).values()) == {True}
    print(f"\nseeker profile by keyboard alone: 7 steps, {keys.total} key presses {keys.counts}")

