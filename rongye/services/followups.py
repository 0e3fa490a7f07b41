"""Follow-ups after a placement: the schedule, the task lists, and recording an answer.

Every placement is followed up at 30, 90, 180 and 365 days after it starts and yearly after
that, whether the person is still in that job or not (re-employment and benefits are what the
later follow-ups are for). An organisation can replace the list of days
(`Organisation.follow_up_days`); yearly follow-ups continue after its last day.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from rongye.models import (
    Account,
    ExtraQuestion,
    FollowUp,
    Organisation,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.models.outcomes import BENEFIT_STATUSES, EXIT_CAUSES
from rongye.services import audit, outcome_facts

log = logging.getLogger(__name__)

DEFAULT_SCHEDULE = (30, 90, 180, 365)
YEAR = 365
#: How far ahead a follow-up shows as "due soon" in the task lists, and is created ahead of time.
DUE_SOON_DAYS = 14
#: Follow-ups stop this many years after the start (a placement is followed "for years").
MAX_YEARS = 10
#: Items of the job-quality question, stored as {item: true/false} in FollowUp.job_quality.
JOB_QUALITY_ITEMS = ("contract", "on_time_pay", "social_insurance", "training")
#: Social participation items, stored in FollowUp.participation.
PARTICIPATION_ITEMS = ("social_activities", "community_events")


def schedule_days(custom: Sequence[int] | None, until_day: int) -> list[int]:
    """Return the follow-up days (after the start) up to `until_day`: the list, then yearly."""
    days = sorted({int(d) for d in (custom or DEFAULT_SCHEDULE) if int(d) > 0})
    if not days:
        days = list(DEFAULT_SCHEDULE)
    out = [d for d in days if d <= until_day]
    # Yearly after the last listed day, on the anniversaries (730, 1095, ...) of the start.
    year = (days[-1] // YEAR + 1) * YEAR
    while year <= min(until_day, MAX_YEARS * YEAR):
        out.append(year)
        year += YEAR
    return out


def validate_schedule(days: Iterable[int]) -> list[int]:
    """Return a clean schedule (sorted, unique, 1..3650 days), or raise ValueError."""
    clean = sorted({int(d) for d in days})
    if not clean or clean[0] < 1 or clean[-1] > MAX_YEARS * YEAR:
        raise ValueError("a schedule needs days between 1 and 3650")
    return clean


def _schedules(session: Session, agency_ids: set[int | None]) -> dict[int | None, list[int] | None]:
    ids = {i for i in agency_ids if i is not None}
    rows = session.execute(
        select(Organisation.id, Organisation.follow_up_days).where(Organisation.id.in_(ids))
    ) if ids else []
    return {row[0]: row[1] for row in rows}


def schedule(
    session: Session, placements: Iterable[Placement], today: dt.date
) -> int:
    """Create the follow-ups of `placements` due up to DUE_SOON_DAYS ahead; return how many.

    Idempotent: existing follow-ups (done or not) are kept; only missing days are added. The
    caller commits.
    """
    placements = list(placements)
    if not placements:
        return 0
    schedules = _schedules(session, {p.agency_id for p in placements})
    existing: dict[int, set[int]] = {}
    for placement_id, day in session.execute(
        select(FollowUp.placement_id, FollowUp.day_offset).where(
            FollowUp.placement_id.in_([p.id for p in placements])
        )
    ):
        existing.setdefault(placement_id, set()).add(day)
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    rows = []
    for placement in placements:
        until = (horizon - placement.start_date).days
        for day in schedule_days(schedules.get(placement.agency_id), until):
            if day not in existing.get(placement.id, set()):
                rows.append({
                    "placement_id": placement.id,
                    "day_offset": day,
                    "due_date": placement.start_date + dt.timedelta(days=day),
                    "participation": {},
                    "job_quality": {},
                    "extra": {},
                })
    if rows:
        session.execute(insert(FollowUp), rows)
        # A Core insert passes the ORM flush by: bring the outcome facts along ourselves.
        outcome_facts.refresh(session.connection(),
                              placement_ids={int(row["placement_id"]) for row in rows})
    return len(rows)


def schedule_for_agency(
    session: Session, actor: Account, agency_id: int, today: dt.date
) -> int:
    """Create every follow-up now due for the agency's placements; audit and commit."""
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    first = min(schedule_days(_schedules(session, {agency_id}).get(agency_id), 10**6))
    placements = session.scalars(
        select(Placement).where(
            Placement.agency_id == agency_id,
            Placement.start_date <= horizon - dt.timedelta(days=first),
        )
    )
    added = schedule(session, placements, today)
    audit.record(session, actor, "followup.schedule_due", None, agency_id=agency_id, added=added)
    session.commit()
    log.info("%d follow-ups scheduled for agency %s by %r", added, agency_id, actor)
    return added


#: Placements per batch of the daily run (bounded memory, however many placements there are).
SCHEDULE_BATCH = 2000


def schedule_all(session: Session, today: dt.date) -> dict[int | None, int]:
    """Create every follow-up now due, for the placements of every organisation; commit.

    The daily run (`flask followups schedule`, from cron). Idempotent: run twice the same day,
    the second run adds nothing. Returns agency id -> follow-ups added (None: placements with
    no agency, on the default schedule); audits one row per agency that got any.
    """
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    agency_ids = set(session.scalars(select(Placement.agency_id).distinct()))
    schedules = _schedules(session, agency_ids)
    added: dict[int | None, int] = {}
    for agency_id in sorted(agency_ids, key=lambda a: (a is None, a or 0)):
        first = min(schedule_days(schedules.get(agency_id), 10**6))
        ready = Placement.start_date <= horizon - dt.timedelta(days=first)
        owner = (Placement.agency_id.is_(None) if agency_id is None
                 else Placement.agency_id == agency_id)
        after = 0
        count = 0
        while True:  # keyset batches: each commits, so a long run holds no long transaction
            batch = list(session.scalars(
                select(Placement).where(owner, ready, Placement.id > after)
                .order_by(Placement.id).limit(SCHEDULE_BATCH)
            ))
            if not batch:
                break
            count += schedule(session, batch, today)
            after = batch[-1].id
            session.commit()
        if count:
            audit.record(session, None, "followup.schedule_due", None, agency_id=agency_id,
                         added=count, automatic=True)
            session.commit()
            log.info("%d follow-ups scheduled for agency %s by the daily run", count, agency_id)
        added[agency_id] = count
    return added


# -- task lists --------------------------------------------------------------------------


def agency_tasks_query(
    agency_id: int, today: dt.date, *, overdue_only: bool = False
) -> Select[tuple[FollowUp]]:
    """Return the select of the agency's open follow-ups due up to DUE_SOON_DAYS ahead.

    Oldest due first; the placement, seeker and position come in the same query (no N+1).
    """
    horizon = today - dt.timedelta(days=1) if overdue_only else (
        today + dt.timedelta(days=DUE_SOON_DAYS)
    )
    return (
        select(FollowUp)
        .join(Placement, FollowUp.placement_id == Placement.id)
        .join(SeekerProfile, Placement.seeker_id == SeekerProfile.id)
        .outerjoin(Position, Placement.position_id == Position.id)
        .options(
            contains_eager(FollowUp.placement).contains_eager(Placement.seeker),
            contains_eager(FollowUp.placement).contains_eager(Placement.position),
        )
        .where(
            Placement.agency_id == agency_id,
            FollowUp.done_at.is_(None),
            FollowUp.due_date <= horizon,
            SeekerProfile.erased_at.is_(None),
        )
        .order_by(FollowUp.due_date, FollowUp.id)
    )


def count_tasks(session: Session, agency_id: int, today: dt.date) -> tuple[int, int]:
    """Return (overdue, due soon) open follow-ups of the agency, in one query."""
    overdue, due = session.execute(
        select(
            func.count().filter(FollowUp.due_date < today),
            func.count().filter(FollowUp.due_date >= today),
        )
        .select_from(FollowUp)
        .join(Placement, FollowUp.placement_id == Placement.id)
        .join(SeekerProfile, Placement.seeker_id == SeekerProfile.id)
        .where(
            Placement.agency_id == agency_id,
            FollowUp.done_at.is_(None),
            FollowUp.due_date <= today + dt.timedelta(days=DUE_SOON_DAYS),
            SeekerProfile.erased_at.is_(None),
        )
    ).one()
    return overdue or 0, due or 0


def agency_follow_up(session: Session, worker: Account, follow_up_id: int) -> FollowUp | None:
    """Return the follow-up if its placement is in the worker's agency, else None."""
    follow_up = session.scalar(
        select(FollowUp)
        .options(joinedload(FollowUp.placement).joinedload(Placement.seeker))
        .options(joinedload(FollowUp.placement).joinedload(Placement.position))
        .where(FollowUp.id == follow_up_id)
    )
    if follow_up is None or worker.organisation_id is None:
        return None
    placement = follow_up.placement
    if placement.agency_id != worker.organisation_id or placement.seeker.erased_at is not None:
        return None
    return follow_up


def own_follow_ups(session: Session, seeker: SeekerProfile, today: dt.date) -> list[FollowUp]:
    """Return the seeker's open follow-ups due up to DUE_SOON_DAYS ahead, oldest first."""
    return list(
        session.scalars(
            select(FollowUp)
            .join(Placement, FollowUp.placement_id == Placement.id)
            .options(joinedload(FollowUp.placement).joinedload(Placement.position))
            .where(
                Placement.seeker_id == seeker.id,
                FollowUp.done_at.is_(None),
                FollowUp.due_date <= today + dt.timedelta(days=DUE_SOON_DAYS),
            )
            .order_by(FollowUp.due_date, FollowUp.id)
        )
    )


def own_follow_up(session: Session, seeker: SeekerProfile, follow_up_id: int) -> FollowUp | None:
    """Return the follow-up if it belongs to one of the seeker's own placements, else None."""
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.placement.seeker_id != seeker.id:
        return None
    return follow_up


def extra_questions(session: Session, organisation_id: int | None) -> list[ExtraQuestion]:
    """Return an organisation's active questions for follow-ups, in order."""
    if organisation_id is None:
        return []
    return list(
        session.scalars(
            select(ExtraQuestion)
            .where(
                ExtraQuestion.organisation_id == organisation_id,
                ExtraQuestion.applies_to == "follow_up",
                ExtraQuestion.active.is_(True),
            )
            .order_by(ExtraQuestion.sort_order, ExtraQuestion.id)
        )
    )


# -- recording an answer -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answers:
    """A follow-up's answers, already validated by the form."""

    employed: bool | None
    same_employer: bool | None
    ended_on: dt.date | None = None
    exit_cause: str | None = None
    hours_per_week: int | None = None
    monthly_earnings: int | None = None
    accommodation_provided: bool | None = None
    who5: tuple[int | None, int | None, int | None, int | None, int | None] = (
        None, None, None, None, None,
    )
    participation: dict[str, Any] = field(default_factory=dict)
    family_change: str | None = None
    benefits_status: str | None = None
    benefits_date: dt.date | None = None
    job_quality: dict[str, bool] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def check(answers: Answers, placement: Placement, today: dt.date) -> None:
    """Raise ValueError when the answers contradict the schema or the placement."""
    if answers.exit_cause is not None and answers.exit_cause not in EXIT_CAUSES:
        raise ValueError("unknown exit cause")
    if answers.benefits_status is not None and answers.benefits_status not in BENEFIT_STATUSES:
        raise ValueError("unknown benefits status")
    if answers.ended_on is not None and not placement.start_date <= answers.ended_on <= today:
        raise ValueError("end date outside the placement")
    if any(item is not None and not 0 <= item <= 5 for item in answers.who5):
        raise ValueError("WHO-5 items are 0..5")


def record_answer(
    session: Session, actor: Account, follow_up: FollowUp, answers: Answers, today: dt.date
) -> FollowUp:
    """Store a follow-up's answers (and the placement's end, if reported); audit; commit.

    All or nothing: on any error the session is rolled back and nothing is kept.
    """
    placement = follow_up.placement
    check(answers, placement, today)
    corrected = follow_up.done_at is not None
    try:
        follow_up.employed = answers.employed
        follow_up.same_employer = answers.same_employer
        follow_up.hours_per_week = answers.hours_per_week
        follow_up.monthly_earnings = answers.monthly_earnings
        follow_up.accommodation_provided = answers.accommodation_provided
        for number, item in enumerate(answers.who5, 1):
            setattr(follow_up, f"who5_{number}", item)
        follow_up.participation = dict(answers.participation)
        follow_up.family_change = answers.family_change or None
        follow_up.benefits_status = answers.benefits_status
        follow_up.benefits_date = answers.benefits_date
        follow_up.job_quality = dict(answers.job_quality)
        follow_up.exit_cause = answers.exit_cause
        follow_up.extra = dict(answers.extra)
        follow_up.done_at = dt.datetime.now(dt.UTC)
        follow_up.recorded_by_id = actor.id
        ended = placement.end_date is None and answers.ended_on is not None
        if ended:
            placement.end_date = answers.ended_on
            placement.exit_cause = answers.exit_cause
        audit.record(
            session,
            actor,
            "followup.correct" if corrected else "followup.record",
            follow_up,
            placement_id=placement.id,
            day_offset=follow_up.day_offset,
            placement_ended=ended,
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    log.info("%r recorded by %r", follow_up, actor)
    return follow_up

