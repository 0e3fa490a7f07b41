"""The outcome facts: equal to a full rebuild after every kind of write, and the indicators read
from them equal to the reference computed from the raw tables (tests/web/outcome_reference.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from app import create_app
from rongye.extensions import db
from rongye.models import (
    FollowUp,
    FollowUpFact,
    OutcomeFact,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.models.outcomes import EXIT_CAUSES
from rongye.models.profiles import DISABILITY_CATEGORIES, WORK_TYPES
from rongye.services import followups, outcome_facts, profiles, review
from rongye.services import indicators as ind
from rongye.services.consent import record_consent
from tests.conftest import TEST_CONFIG
from tests.factories import (
    People,
    create_organisation,
    create_position,
    create_proposal,
    create_seeker,
    grant,
)
from tests.web import outcome_reference as ref

TODAY = dt.date(2025, 6, 30)


def rows_of(model: Any, *order: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.session.execute(select(model.__table__).order_by(*order))]


def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    db.session.flush()
    return (rows_of(OutcomeFact, OutcomeFact.placement_id),
            rows_of(FollowUpFact, FollowUpFact.placement_id, FollowUpFact.day_offset))


def same(a: Any, b: Any) -> bool:
    """Equal, floats to rounding (a sum of ratios may add up in another order)."""
    if isinstance(a, float | Decimal) or isinstance(b, float | Decimal):
        return a == pytest.approx(b, rel=1e-9, abs=1e-12)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return same(dataclasses.astuple(a), dataclasses.astuple(b))  # type: ignore[arg-type]
    return bool(a == b)


def assert_current() -> None:
    """The facts as the writes left them are what a full rebuild computes."""
    kept = snapshot()
    outcome_facts.rebuild(db.session.connection())
    rebuilt = snapshot()
    assert kept[0], "no facts at all"
    assert same(kept, rebuilt)
    assert db.session.scalar(select(func.count()).select_from(FollowUpFact)) == \
        db.session.scalar(select(func.count()).select_from(FollowUp))


def fact(placement: Placement) -> OutcomeFact:
    row = db.session.get(OutcomeFact, placement.id, populate_existing=True)
    assert row is not None
    return row


# -- every kind of write -------------------------------------------------------------------


def test_facts_equal_a_rebuild_after_every_kind_of_write(people: People) -> None:
    employer = people.employer_org
    position = create_position(employer, work_type="ecommerce")
    seeker = create_seeker(agency_id=people.agency.id, region="北京", gender="female",
                           dibao_monthly=900, disability_allowance_monthly=100, birth_year=1987)
    grant(seeker, "research")
    db.session.commit()

    # A hire through match review creates the placement and schedules its due follow-ups.
    proposal = create_proposal(seeker, position, status="accepted")
    db.session.commit()
    start = TODAY - dt.timedelta(days=200)
    first = review.record_outcome(db.session, people.employer, position.id, proposal.id,
                                  hired=True, start_date=start, today=TODAY)
    assert first is not None
    assert_current()
    assert fact(first).work_type == "ecommerce" and fact(first).research is True
    assert len(first.follow_ups) == 3  # days 30, 90, 180

    # Recording a follow-up, then another that reports the job ended.
    day30, day90, day180 = first.follow_ups
    followups.record_answer(db.session, people.social_worker, day30, followups.Answers(
        employed=True, same_employer=True, monthly_earnings=3000, who5=(2, 2, 2, 2, 2),
        participation={"social_activities": 1, "community_events": True},
        benefits_status="lost", benefits_date=start + dt.timedelta(days=20)), TODAY)
    assert_current()
    followups.record_answer(db.session, people.social_worker, day90, followups.Answers(
        employed=True, same_employer=True, monthly_earnings=2000, who5=(3, 3, 3, 3, 3),
        participation={"social_activities": 3}, benefits_status="lost"), TODAY)
    assert_current()
    assert (fact(first).volatility_pairs, fact(first).volatility_drops) == (1, 1)
    followups.record_answer(db.session, people.social_worker, day180, followups.Answers(
        employed=False, same_employer=None, ended_on=start + dt.timedelta(days=150),
        exit_cause="automation", monthly_earnings=0, benefits_status="restored",
        benefits_date=start + dt.timedelta(days=170)), TODAY)
    assert_current()
    assert fact(first).end_date == start + dt.timedelta(days=150)
    assert fact(first).income_back_on == start + dt.timedelta(days=170)

    # Correcting a follow-up already done.
    followups.record_answer(db.session, people.social_worker, day90, followups.Answers(
        employed=True, same_employer=True, monthly_earnings=3100, who5=(4, 4, 4, 4, 4)), TODAY)
    assert_current()
    assert fact(first).volatility_drops == 0

    # A refused answer leaves nothing half-saved, the facts included.
    with pytest.raises(ValueError):
        followups.record_answer(db.session, people.social_worker, day90, followups.Answers(
            employed=True, same_employer=True, who5=(9, 0, 0, 0, 0)), TODAY)
    assert_current()

    # A later job of the same person changes the earlier one's facts (re-employment, gap).
    second = Placement(seeker_id=seeker.id, agency_id=people.agency.id, position_id=position.id,
                       start_date=start + dt.timedelta(days=160))
    db.session.add(second)
    db.session.commit()
    assert_current()
    assert fact(first).reemployed_90 is True
    assert fact(first).income_back_on == start + dt.timedelta(days=160)

    # Follow-ups created by a Core insert (the daily run and the worker's button).
    assert followups.schedule_for_agency(db.session, people.social_worker, people.agency.id,
                                         TODAY) == 1
    assert_current()

    # The profile and the position change: the groups follow.
    seeker.region = "南京"
    position.work_type = "customer_service"
    db.session.commit()
    assert_current()
    assert (fact(first).region, fact(second).work_type) == ("南京", "customer_service")

    # Research consent withdrawn: out of every figure.
    record_consent(db.session, None, seeker, "research", granted=False)
    db.session.commit()
    assert_current()
    assert fact(first).research is False
    assert ind.headline(db.session, ind.Filters(today=TODAY)).placements == 0
    record_consent(db.session, None, seeker, "research", granted=True)
    db.session.commit()
    assert_current()

    # Erasure keeps de-identified outcome rows: the facts follow the rounded birth year and
    # the cleared allowances.
    profiles.erase(db.session, people.admin, seeker)
    assert_current()
    assert fact(first).birth_year == 1985 and fact(first).dibao_monthly is None

    # A deleted placement takes its facts along.
    db.session.delete(db.session.get(Placement, second.id))
    db.session.commit()
    assert_current()
    assert db.session.get(OutcomeFact, second.id) is None
    assert fact(first).reemployed_90 is False


def test_rebuild_command_and_daily_schedule_command(app_ctx: Flask, people: People) -> None:
    seeker = create_seeker(agency_id=people.agency.id)
    grant(seeker, "research")
    today = dt.date.today()
    for days_ago in (40, 400):
        db.session.add(Placement(seeker_id=seeker.id, agency_id=people.agency.id,
                                 start_date=today - dt.timedelta(days=days_ago)))
    db.session.add(Placement(seeker_id=seeker.id, agency_id=people.other_agency.id,
                             start_date=today - dt.timedelta(days=100)))
    db.session.commit()
    runner = app_ctx.test_cli_runner()

    result = runner.invoke(args=["followups", "schedule"])
    assert result.exit_code == 0, result.output
    assert "7 follow-ups created (2 organisations)" in result.output  # 1 + 4 + 2 (30, 90)
    again = runner.invoke(args=["followups", "schedule"])
    assert "0 follow-ups created" in again.output  # idempotent
    later = runner.invoke(args=["followups", "schedule", "--today",
                                (today + dt.timedelta(days=60)).isoformat()])
    assert "1 follow-ups created" in later.output  # the 40-day-old placement's day 90
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 8
    assert_current()

    db.session.execute(FollowUpFact.__table__.delete())
    db.session.execute(OutcomeFact.__table__.delete())
    db.session.commit()
    result = runner.invoke(args=["outcomes", "rebuild"])
    assert result.exit_code == 0 and "rebuilt for 3 placements" in result.output
    db.session.expire_all()
    assert_current()


# -- the indicators equal the reference computed from the raw tables -------------------------


def populate(rng: random.Random) -> None:
    """A random population: several jobs per person, gaps, consents, every kind of answer."""
    agencies = [create_organisation("agency") for _ in range(2)]
    employer = create_organisation("employer")
    positions = [create_position(employer, work_type=rng.choice(WORK_TYPES)) for _ in range(4)]
    for _ in range(40):
        seeker = create_seeker(
            agency_id=rng.choice(agencies).id, region=rng.choice(("北京", "南京", None)),
            gender=rng.choice(("female", "male", None)),
            disability_category=rng.choice((*DISABILITY_CATEGORIES[:3], None)),
            disability_grade=rng.choice((1, 2, None)), birth_year=rng.choice((1970, 1990, None)),
            dibao_monthly=rng.choice((0, 900, None)),
            disability_allowance_monthly=rng.choice((0, 100, None)),
            created_at=dt.datetime(2022, 1, 1, tzinfo=dt.UTC))
        consent = rng.random()
        if consent < 0.85:
            grant(seeker, "research")
        if consent < 0.1:
            grant(seeker, "research", granted=False)
        start = TODAY - dt.timedelta(days=rng.randint(-10, 900))
        for _job in range(rng.choice((1, 1, 2, 3))):
            end = cause = None
            if rng.random() < 0.6:
                end = start + dt.timedelta(days=rng.choice((0, 5, 80, 200, 400)))
                cause = rng.choice((*EXIT_CAUSES, None))
            placement = Placement(
                seeker_id=seeker.id, agency_id=seeker.agency_id,
                position_id=rng.choice([p.id for p in positions] + [None]), start_date=start,
                end_date=end, exit_cause=cause, income_before=rng.choice((0, 900, 1200, None)))
            db.session.add(placement)
            db.session.flush()
            for day in (30, 90, 180, 365, 730):
                if rng.random() < 0.2:
                    continue
                answer(placement, day, rng)
            start = (end or start) + dt.timedelta(days=rng.choice((0, 30, 60, 120, 300)))
    db.session.commit()


def answer(placement: Placement, day: int, rng: random.Random) -> None:
    due = placement.start_date + dt.timedelta(days=day)
    row = FollowUp(placement_id=placement.id, day_offset=day, due_date=due,
                   participation={}, job_quality={}, extra={})
    if rng.random() < 0.8:
        row.done_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        row.employed = rng.choice((True, True, False, None))
        row.monthly_earnings = rng.choice((0, 1500, 3000, 3000, 4200, None))
        level = rng.randint(0, 5)
        for i in range(1, 6):
            setattr(row, f"who5_{i}", level if rng.random() < 0.9 else None)
        participation: dict[str, Any] = {}
        if rng.random() < 0.8:
            participation["social_activities"] = rng.randint(0, 4)
        if rng.random() < 0.7:
            participation["community_events"] = rng.random() < 0.5
        row.participation = participation
    if rng.random() < 0.6:
        row.benefits_status = rng.choice(("none", "kept", "lost", "reapplied", "restored"))
        row.benefits_date = due + dt.timedelta(days=rng.choice((-40, 0, 30, 200)))
    db.session.add(row)


INDICATORS = ("headline", "completion", "months_employed", "earnings", "earnings_volatility",
              "net_income", "wellbeing", "participation", "community_events", "benefits",
              "exits_by_cause", "reemployment_after_automation")


def filter_sets() -> list[ind.Filters]:
    agency = db.session.scalar(select(func.min(SeekerProfile.agency_id)))
    work_type = db.session.scalar(select(func.min(Position.work_type)))
    base = ind.Filters(today=TODAY)
    return [
        base,
        base.with_period(TODAY - dt.timedelta(days=500), TODAY - dt.timedelta(days=100)),
        dataclasses.replace(base, agency_id=agency),
        dataclasses.replace(base, region="北京"),
        dataclasses.replace(base, work_type=work_type),
        dataclasses.replace(base, gender="female", disability_category=DISABILITY_CATEGORIES[0]),
        dataclasses.replace(base, today=TODAY + dt.timedelta(days=400)),
    ]


def assert_indicators_match_the_reference() -> None:
    for f in filter_sets():
        for name in INDICATORS:
            fast, slow = getattr(ind, name)(db.session, f), getattr(ref, name)(db.session, f)
            assert same(fast, slow), (name, f, fast, slow)
        fast_retention = ind.retention(db.session, f)
        assert same(fast_retention, ref.retention(db.session, f)), f
        for dimension in ind.DIMENSIONS:
            assert same(ind.groups(db.session, f, dimension),
                        ref.groups(db.session, f, dimension)), (dimension, f)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_indicators_equal_the_reference_on_random_populations(app_ctx: Flask, seed: int
                                                               ) -> None:
    populate(random.Random(seed))
    assert_current()
    assert_indicators_match_the_reference()
    # And after erasures and a withdrawal, which change what is counted and how.
    for seeker in db.session.scalars(select(SeekerProfile).limit(5)):
        profiles.erase(db.session, None, seeker)  # type: ignore[arg-type]
    seeker = db.session.scalars(select(SeekerProfile).offset(5).limit(1)).one()
    record_consent(db.session, None, seeker, "research", granted=False)
    db.session.commit()
    assert_current()
    assert_indicators_match_the_reference()


def test_a_page_of_tables_by_day_is_one_pass(app_ctx: Flask) -> None:
    populate(random.Random(4))
    cohort = ind.Cohort(db.session, ind.Filters(today=TODAY))
    assert cohort.by_day() is cohort.by_day()
    assert ind.earnings(db.session, cohort.filters, cohort) == ind.earnings(db.session,
                                                                            cohort.filters)


def test_months_employed_counts_two_jobs_at_once_once(app_ctx: Flask) -> None:
    # Fixed bug: the first SQL summed both jobs' days (100 + 150 = 250); "How we count" says
    # days in two jobs at the same time count once. By hand, from the start of the first job:
    # job A days 0-100, job B (part-time, overlapping) days 50-200, job C days 300-400 (ends
    # after the year): days in work 0-200 and 300-365 = 200 + 65 = 265.
    agency = create_organisation("agency")
    seeker = create_seeker(agency_id=agency.id)
    grant(seeker, "research")
    start = TODAY - dt.timedelta(days=500)
    for first, last in ((0, 100), (50, 200), (300, 400)):
        db.session.add(Placement(seeker_id=seeker.id, agency_id=agency.id,
                                 start_date=start + dt.timedelta(days=first),
                                 end_date=start + dt.timedelta(days=last), exit_cause="other"))
    db.session.commit()
    first_job = db.session.scalar(select(Placement).order_by(Placement.start_date))
    assert first_job is not None and fact(first_job).first_year_days == 265
    months = ind.months_employed(db.session, ind.Filters(today=TODAY))
    # B's year (days 50-415 on A's clock): A 50-100, B 50-200, C 300-400 = 150 + 100 = 250.
    # C started 200 days ago: not counted yet.
    assert months.placements == 2
    assert months.mean_months == pytest.approx((265 + 250) / 2 * 12 / 365)
    assert same(months, ref.months_employed(db.session, ind.Filters(today=TODAY)))


def test_the_migration_fills_the_facts_of_existing_placements(tmp_path: Any) -> None:
    from bench import dashboard

    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}"})
    with app.app_context():
        upgrade()
        dashboard.seed(300, 1500, TODAY, random.Random(5))  # bulk load, then a rebuild
        rebuilt = snapshot()
        db.session.commit()
        downgrade(revision="f6a7b8c9d0e1")  # the database as it was before the facts
        upgrade()
        filled = snapshot()
        assert len(filled[0]) == 300 and len(filled[1]) == 1500
        assert same(filled, rebuilt)
        db.session.remove()
        db.engine.dispose()
