"""Match review in a real browser: axe on every page of the feature, both languages, error
states included; then the whole journey by keyboard alone, from a social worker's run through
the confirmation and the job-seeker's acceptance to the employer's hire.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select

from rongye.extensions import db
from rongye.models import (
    MatchDecision,
    MatchProposal,
    MatchRun,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.services import matching_runs as runs
from rongye.services import review
from tests.browser.conftest import Keyboard, focused_id, log_in, set_language
from tests.browser.test_accessibility import LANGUAGES, check
from tests.factories import PASSWORD, People, create_account, create_position, create_seeker, grant

UNMATCHED_EMAIL = "unmatched@example.org"
TOP = {"skills": 35, "interests": 10, "comfort": 15, "stability": 15, "net_income": 15,
       "logistics": 10}


@pytest.fixture(autouse=True)
def inline_jobs(app: Flask) -> Iterator[None]:
    """The live server shares the session's app: its runs execute inside the request."""
    before = app.config.get("MATCH_JOBS")
    app.config["MATCH_JOBS"] = "inline"
    yield
    if before is None:
        app.config.pop("MATCH_JOBS", None)
    else:
        app.config["MATCH_JOBS"] = before


class Data:
    """What seed() made: the positions and the seekers to look for in the pages."""

    def __init__(self, positions: list[Position], poor: SeekerProfile,
                 unmatched: SeekerProfile) -> None:
        self.positions = positions
        self.poor = poor  # on dibao: the job lowers their income
        self.unmatched = unmatched  # onsite only: nothing reachable


def fitting_seeker(people: People, account: Any = None, **fields: Any) -> SeekerProfile:
    values: dict[str, Any] = {"agency_id": people.agency.id, "region": "北京",
                              "skills": ["数据标注"], "interests": ["数据标注"],
                              "work_modes": ["remote"], "hours_min": 20, "hours_max": 40}
    values.update(fields)
    seeker = create_seeker(account, **values)
    grant(seeker, "matching")
    return seeker


def seed(people: People, *, consent: bool = True) -> Data:
    """Seekers of the agency who consented to matching, and open positions that fit them."""
    profile = people.seeker_profile
    profile.skills, profile.interests = ["数据标注"], ["数据标注"]
    profile.work_modes, profile.hours_min, profile.hours_max = ["remote"], 20, 40
    if consent:
        grant(profile, "matching")
    fitting_seeker(people, display_name="张伟")
    poor = fitting_seeker(people, display_name="李强", dibao_monthly=3600)
    account = create_account("seeker", email=UNMATCHED_EMAIL, display_name="赵敏")
    unmatched = fitting_seeker(people, account, display_name="赵敏",
                               region="上海", work_modes=["onsite"])
    positions = [
        create_position(people.employer_org, title=f"数据标注员 {i}", skills=["数据标注"],
                        openings=1, automation_exposure=0.2 + i / 10)
        for i in range(4)
    ]
    db.session.commit()
    return Data(positions, poor, unmatched)


def seed_decisions(people: People, n: int = 12) -> None:
    """Workers keep preferring the more stable job: enough for the weights page to suggest."""
    position = create_position(people.employer_org, title="历史岗位", status="closed")
    run = MatchRun(agency_id=people.agency.id, status="done")
    db.session.add(run)
    db.session.flush()
    proposal = MatchProposal(run_id=run.id, seeker_id=people.seeker_profile.id,
                             position_id=position.id, score=70, explanation={},
                             status="rejected")
    db.session.add(proposal)
    db.session.flush()
    chosen = {**TOP, "skills": 20, "interests": 5, "comfort": 10, "net_income": 10,
              "logistics": 5}
    other = {**chosen, "skills": 30, "stability": 10}
    for _ in range(n):
        db.session.add(MatchDecision(
            proposal_id=proposal.id, actor_id=people.social_worker.id, kind="swap",
            reason_code="unstable_job",
            components={"chosen": chosen, "other": other, "max_points": TOP}))
    db.session.commit()


def start_run_in_ui(page: Page) -> int:
    """From the runs page (worker logged in): run matching over the whole caseload."""
    page.goto("/worker/runs/")
    with page.expect_navigation():
        page.click("#start-run")
    run_id = int(page.url.rstrip("/").split("/")[-1])
    assert page.locator("#review-proposals").is_visible()  # inline: done already
    return run_id


def proposal_of(seeker_id: int, run_id: int | None = None) -> MatchProposal:
    db.session.expire_all()
    query = select(MatchProposal).where(MatchProposal.seeker_id == seeker_id,
                                        MatchProposal.status != "rejected")
    if run_id is not None:
        query = query.where(MatchProposal.run_id == run_id)
    found = db.session.scalars(query.order_by(MatchProposal.id.desc())).first()
    assert found is not None, f"no proposal for seeker {seeker_id}"
    return found


def log_out(page: Page, live_server: str, language: str) -> None:
    page.context.clear_cookies()
    set_language(page, live_server, language)


def errors_shown(page: Page) -> int:
    """Assert the error summary is shown (and named in the title); return its links."""
    assert page.locator(".error-summary").is_visible()
    if page.get_attribute("html", "lang") == "en":  # the catalogue may lag: English only
        assert page.title().startswith("Error: "), page.title()
    return page.locator(".error-summary a").count()


# -- axe on every page, both languages -------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_worker_pages(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    data = seed(people)
    seed_decisions(people)
    set_language(page, live_server, language)
    log_in(page, people.social_worker.email or "", PASSWORD)

    page.goto("/worker/runs/")  # no run yet
    check(page, axe_source)
    # The pool form only offers valid choices; a forged one shows the error state.
    page.eval_on_selector(
        "#work_mode", "s => { s.add(new Option('moon', 'moon')); s.value = 'moon'; }")
    with page.expect_navigation():
        page.click("#start-run")
    assert errors_shown(page) >= 1
    assert page.get_attribute("#work_mode", "aria-invalid") == "true"
    check(page, axe_source)

    run_id = start_run_in_ui(page)
    check(page, axe_source)
    run = db.session.get(MatchRun, run_id)
    assert run is not None and run.status == "done" and len(run.proposals) >= 3

    page.goto("/worker/runs/")  # now with a run in the table
    check(page, axe_source)

    page.goto(f"/worker/runs/{run_id}")
    with page.expect_navigation():
        page.click("#review-proposals")
    check(page, axe_source)
    page.fill("#q", "王")
    with page.expect_navigation():
        page.click("#search")
    assert page.locator("tbody tr").count() == 1
    assert "王芳" in page.inner_text("tbody")
    check(page, axe_source)
    page.fill("#q", "nobody-of-that-name")
    with page.expect_navigation():
        page.click("#search")
    assert page.locator("table").count() == 0
    check(page, axe_source)
    # Sorted by name, ascending: the header says so.
    page.goto(f"/worker/runs/{run_id}/proposals?sort=name&dir=asc")
    assert page.locator("th[aria-sort=ascending]").count() == 1
    check(page, axe_source)

    own = proposal_of(people.seeker_profile.id, run_id)
    url = f"/worker/runs/proposals/{own.id}"
    page.goto(url)
    check(page, axe_source)
    for button in ("#reject", "#forbid", "#swap"):  # no reason / no alternative chosen
        page.goto(url)
        with page.expect_navigation():
            page.click(button)
        assert errors_shown(page) >= 1, button
        check(page, axe_source)
    # Rejected with a reason: the history lists the decision.
    page.goto(url)
    page.check("#reject-reason_code-0")
    page.fill("#reject-note", "太远")
    with page.expect_navigation():
        page.click("#reject")
    assert page.locator(".flash-success").is_visible()
    check(page, axe_source)

    poor = proposal_of(data.poor.id, run_id)
    assert review.net_gain_of(poor) is not None and (review.net_gain_of(poor) or 0) < 0
    page.goto(f"/worker/runs/proposals/{poor.id}")
    assert page.locator("#benefits_acknowledged").is_visible()
    with page.expect_navigation():
        page.click("#confirm")
    assert errors_shown(page) == 1
    assert page.get_attribute("#advice", "aria-invalid") == "true"
    check(page, axe_source)
    db.session.expire_all()
    assert db.session.get(MatchProposal, poor.id).status == "proposed"
    page.check("#benefits_acknowledged")
    page.fill("#advice", "低保会停发；建议先申请渐退期")
    with page.expect_navigation():
        page.click("#confirm")
    assert page.locator(".error-summary").count() == 0
    check(page, axe_source)  # a confirmed proposal, its history and advice

    page.goto("/feedback/weights")
    assert page.locator("#propose").is_visible()
    check(page, axe_source)
    with page.expect_navigation():
        page.click("#propose")
    check(page, axe_source)  # a version waiting for approval
    page.goto("/feedback/overrides")
    check(page, axe_source)

    admin = create_account("admin", people.agency)
    db.session.commit()
    log_out(page, live_server, language)
    log_in(page, admin.email or "", PASSWORD)
    page.goto("/feedback/weights")
    assert page.locator("button[id^=approve-]").count() == 1
    check(page, axe_source)

    log_out(page, live_server, language)
    log_in(page, people.analyst.email or "", PASSWORD)
    page.goto("/feedback/overrides")
    check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
def test_run_page_while_waiting_and_after_a_failure(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    seed(people)
    waiting = runs.create_run(db.session, people.social_worker, runs.PoolFilter("北京", "remote"))
    failed = runs.create_run(db.session, people.social_worker, runs.PoolFilter())
    failed.status, failed.error = "failed", "worker killed"
    db.session.commit()
    set_language(page, live_server, language)
    log_in(page, people.social_worker.email or "", PASSWORD)
    page.goto(f"/worker/runs/{waiting.id}")  # queued: nothing runs it in this test
    assert page.get_attribute("#check-again", "href") == f"/worker/runs/{waiting.id}"
    check(page, axe_source)
    with page.expect_navigation():
        page.click("#check-again")
    check(page, axe_source)
    page.goto(f"/worker/runs/{failed.id}")
    assert page.locator("#retry").is_visible() and page.locator("#check-again").count() == 0
    check(page, axe_source)
    with page.expect_navigation():
        page.click("#retry")  # inline: the run is done when the page comes back
    assert page.locator("#review-proposals").is_visible()
    check(page, axe_source)
    page.goto("/worker/runs/")  # a queued and a finished run in the table
    check(page, axe_source)


@pytest.mark.parametrize("language", LANGUAGES)
def test_seeker_pages(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    data = seed(people, consent=False)
    set_language(page, live_server, language)

    log_in(page, people.seeker.email or "", PASSWORD)
    page.goto("/proposals/")  # not matched: no consent to matching
    assert page.locator('#why-heading + p + p a[href="/profile/step/consent"]').count() == 1
    check(page, axe_source)

    grant(people.seeker_profile, "matching")
    db.session.commit()
    log_out(page, live_server, language)
    log_in(page, people.social_worker.email or "", PASSWORD)
    run_id = start_run_in_ui(page)

    log_out(page, live_server, language)
    log_in(page, people.seeker.email or "", PASSWORD)
    page.goto("/proposals/")  # in the run, but the worker has not confirmed anything yet
    assert page.locator("#why-heading").is_visible()
    assert page.locator("main .card-list").count() == 0
    check(page, axe_source)

    log_out(page, live_server, language)
    log_in(page, UNMATCHED_EMAIL, PASSWORD)
    page.goto("/proposals/")  # in the run without a proposal: why, and what could change it
    assert page.locator('#why-heading ~ p a[href="/profile/"]').count() == 1
    check(page, axe_source)
    assert db.session.scalar(select(MatchProposal).where(
        MatchProposal.seeker_id == data.unmatched.id)) is None

    proposal = proposal_of(people.seeker_profile.id, run_id)
    review.confirm(db.session, people.social_worker, proposal.id)
    log_out(page, live_server, language)
    log_in(page, people.seeker.email or "", PASSWORD)
    page.goto("/proposals/")  # matched
    assert page.locator(f'a[href="/proposals/{proposal.id}"]').count() == 1
    check(page, axe_source)
    url = f"/proposals/{proposal.id}"
    page.goto(url)
    assert page.locator("#accept").is_visible() and page.locator("#share").is_visible()
    check(page, axe_source)
    with page.expect_navigation():
        page.click("#ask-review")  # no message
    assert errors_shown(page) == 1
    check(page, axe_source)
    page.goto(url)
    # The reason is optional and the note's maxlength stops overlong text: only a forged
    # answer shows the decline form's error state.
    assert page.get_attribute("#decline-note", "maxlength") == "2000"
    page.eval_on_selector("#decline-reason_code-0", "r => { r.value = 'moon'; r.checked = true; }")
    with page.expect_navigation():
        page.click("#decline")
    assert errors_shown(page) == 1
    check(page, axe_source)
    db.session.expire_all()
    assert db.session.get(MatchProposal, proposal.id).status == "confirmed"
    page.goto(url)
    page.fill("#message", "太远了")
    with page.expect_navigation():
        page.click("#ask-review")
    assert page.locator(".flash-success").is_visible() and page.locator("#accept").count() == 0
    check(page, axe_source)  # answered: no forms left


@pytest.mark.parametrize("language", LANGUAGES)
def test_employer_outcome_page(
    page: Page, live_server: str, axe_source: str, people: People, language: str
) -> None:
    seed(people)
    set_language(page, live_server, language)
    log_in(page, people.social_worker.email or "", PASSWORD)
    run_id = start_run_in_ui(page)
    proposal = proposal_of(people.seeker_profile.id, run_id)
    review.confirm(db.session, people.social_worker, proposal.id)
    review.accept(db.session, people.seeker, people.seeker_profile, proposal.id, share=True)
    db.session.commit()

    log_out(page, live_server, language)
    log_in(page, people.employer.email or "", PASSWORD)
    page.goto(f"/employer/positions/{proposal.position_id}")
    check(page, axe_source)
    url = f"/employer/positions/{proposal.position_id}/candidates/{proposal.id}/outcome"
    with page.expect_navigation():
        page.click(f'a[href="{url}"]')
    assert "王芳" in page.inner_text(".lead")
    check(page, axe_source)
    with page.expect_navigation():
        page.click("#save-interview")  # no date
    assert errors_shown(page) == 1
    check(page, axe_source)
    page.goto(url)
    with page.expect_navigation():
        page.click("#save-outcome")  # no outcome chosen
    assert errors_shown(page) == 1
    check(page, axe_source)
    page.check("#outcome-0")  # hired, but no start date
    page.fill("#hours", "many")
    with page.expect_navigation():
        page.click("#save-outcome")
    assert errors_shown(page) >= 2
    for field in ("start_date", "hours"):
        assert page.get_attribute(f"#{field}", "aria-invalid") == "true", field
    check(page, axe_source)
    page.fill("#interview_date", dt.date.today().isoformat())
    page.fill("#interview_note", "面试顺利")
    with page.expect_navigation():
        page.click("#save-interview")
    assert page.locator(".flash-success").is_visible()
    check(page, axe_source)  # an interview listed
    db.session.expire_all()
    assert db.session.get(MatchProposal, proposal.id).status == "accepted"


# -- The journey by keyboard alone ------------------------------------------------------------


class Keys(Keyboard):
    """Keyboard that also counts other keys (Shift+Tab, arrows) and tabs until a target."""

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.counts[key] = self.counts.get(key, 0) + 1

    def skip_to_main(self) -> None:
        self.press("Tab")
        assert self.page.evaluate("() => document.activeElement.className") == "skip-link"
        self.press("Enter")
        assert focused_id(self.page) == "main"

    def tab_until(self, selector: str, limit: int = 40) -> None:
        """Press Tab until the focused element matches the CSS selector."""
        for _ in range(limit):
            self.press("Tab")
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} not reached in {limit} Tabs on {self.page.url}")

    def follow(self) -> None:
        """Enter on the focused link or button, waiting for the next page."""
        with self.page.expect_navigation():
            self.press("Enter")


def type_date(keys: Keys, day: dt.date) -> None:
    """Type a date into the focused <input type=date>, in the browser's field order."""
    order = keys.page.evaluate(
        "() => new Intl.DateTimeFormat().formatToParts(new Date(2001, 1, 3))"
        ".filter(p => p.type !== 'literal').map(p => p.type)")
    parts = {"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"}
    for part in order:
        keys.type(parts[part])  # each field moves on by itself once full


def test_match_review_journey_by_keyboard_alone(
    page: Page, live_server: str, people: People
) -> None:
    seed(people)
    set_language(page, live_server, "en")
    totals: dict[str, Keys] = {}

    # The social worker runs matching, opens the proposal and confirms it.
    log_in(page, people.social_worker.email or "", PASSWORD)
    page.goto("/worker/")
    keys = totals["social worker"] = Keys(page)
    keys.skip_to_main()
    keys.tab_until("#matching-link")
    keys.follow()
    assert page.url.endswith("/worker/runs/")
    keys.skip_to_main()
    keys.tab_to("region")  # all regions, any work mode: the defaults
    keys.tab_to("work_mode")
    keys.tab_to("start-run")
    keys.follow()
    keys.skip_to_main()
    keys.tab_until("#review-proposals")
    keys.follow()
    run_id = int(page.url.split("/")[-2])
    proposal = proposal_of(people.seeker_profile.id, run_id)
    keys.skip_to_main()
    keys.tab_until(f'a[href="/worker/runs/proposals/{proposal.id}"]', limit=80)
    keys.follow()
    keys.skip_to_main()
    keys.tab_until("#confirm")
    keys.follow()
    assert "confirmed" in page.inner_text(".flash-region")
    db.session.expire_all()
    assert db.session.get(MatchProposal, proposal.id).status == "confirmed"

    # The job-seeker finds the proposal, agrees to share a summary and accepts.
    page.context.clear_cookies()
    set_language(page, live_server, "en")
    log_in(page, people.seeker.email or "", PASSWORD)
    page.goto("/seeker/")
    keys = totals["job-seeker"] = Keys(page)
    keys.skip_to_main()
    keys.tab_until("#proposals-link")
    keys.follow()
    keys.skip_to_main()
    keys.tab_until(f'a[href="/proposals/{proposal.id}"]')
    keys.follow()
    keys.skip_to_main()
    keys.tab_until("#share")
    keys.press("Space")
    assert page.is_checked("#share")
    keys.tab_to("accept")
    keys.follow()
    assert page.locator(".flash-success").is_visible()
    db.session.expire_all()
    assert db.session.get(MatchProposal, proposal.id).status == "accepted"

    # The employer opens the candidate's outcome page and records the hire.
    page.context.clear_cookies()
    set_language(page, live_server, "en")
    log_in(page, people.employer.email or "", PASSWORD)
    page.goto("/employer/")
    keys = totals["employer"] = Keys(page)
    keys.skip_to_main()
    keys.tab_until(f'a[href="/employer/positions/{proposal.position_id}"]')
    keys.follow()
    keys.skip_to_main()
    outcome_url = (f"/employer/positions/{proposal.position_id}/candidates/{proposal.id}"
                   "/outcome")
    keys.tab_until(f'a[href="{outcome_url}"]', limit=80)
    keys.follow()
    assert "王芳" in page.inner_text(".lead")
    keys.skip_to_main()
    keys.tab_until("#outcome-0")  # a radio group is one tab stop; Space picks "Hired"
    keys.press("Space")
    assert page.is_checked("#outcome-0")
    keys.tab_to("start_date")
    start = dt.date.today()
    type_date(keys, start)
    assert page.input_value("#start_date") == start.isoformat()
    keys.tab_until("#save-outcome")
    keys.follow()
    assert page.locator(".flash-success").is_visible()

    db.session.expire_all()
    placement = db.session.scalar(select(Placement).where(Placement.proposal_id == proposal.id))
    assert placement is not None and placement.start_date == start
    assert placement.position_id == proposal.position_id
    assert placement.agency_id == people.agency.id
    assert db.session.get(MatchProposal, proposal.id).status == "hired"
    print()
    for actor, counted in totals.items():
        used = {key: n for key, n in counted.counts.items() if n}
        print(f"match review by keyboard alone, {actor}: {counted.total} key presses {used}")
    print(f"match review by keyboard alone, in all: {sum(k.total for k in totals.values())}")
