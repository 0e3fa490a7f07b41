"""The outcome indicators as they were computed before the outcome facts: from the raw tables.

A slow, obviously-correct reference (SQL over placements, follow-ups, profiles and the
consent ledger on every call) that tests/web/test_outcome_facts.py checks the fast indicators
of rongye.services.indicators against. Kept verbatim from the first implementation, less what
never read placements (proposal overrides, export audit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    and_,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement, Subquery

from rongye.models import (
    FollowUp,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.services.indicators import (  # the pure parts: shared, not copied
    Benefits,
    ChangeRow,
    EarningsRow,
    Filters,
    GroupRow,
    Headline,
    MonthsEmployed,
    NetIncomeRow,
    Reemployment,
    Retention,
    Volatility,
    _today,
    days_between,
    group_key,
    kaplan_meier,
    research_consented,
    seeker_group_key,
    survival_at,
    weighted_median,
)

#: Days at which retention is reported (and the survival curve is drawn every 30 days).
RETENTION_DAYS = (30, 90, 180, 365)
CURVE_DAYS = tuple(range(0, 731, 30))
#: Breakdown dimensions for the group comparison.
DIMENSIONS = ("disability_category", "disability_grade", "gender", "age_band", "region",
              "work_type")
AGE_BANDS = ("under_25", "25_34", "35_44", "45_54", "55_plus")
UNKNOWN = "unknown"
#: Groups whose rate is below this share of the best group's are flagged (the four-fifths rule).
FLAG_RATIO = 0.8
#: WHO-5 percentage score below which well-being is poor (raw score under 13 of 25).
WHO5_POOR = 52
#: A change of at least this many points on the 0-100 WHO-5 scale is meaningful.
WHO5_MEANINGFUL = 10
WORKER_DECISIONS = ("confirm", "reject", "pin", "forbid", "swap")
OVERRIDES = ("reject", "pin", "forbid", "swap")
RE_EMPLOYMENT_DAYS = 90


def placements(f: Filters) -> Subquery:
    """Return the subquery of counted placements, one row each, with what indicators need.

    `duration` is the days observed: to the end for ended placements (`event` 1), to today for
    running ones (`event` 0: censored, too recent to know how long they will last).
    """
    today = _today(f)
    ended = and_(Placement.end_date.is_not(None), Placement.end_date <= today)
    query = (
        select(
            Placement.id,
            Placement.seeker_id,
            Placement.start_date,
            Placement.end_date,
            Placement.exit_cause,
            Placement.income_before,
            SeekerProfile.region,
            SeekerProfile.gender,
            SeekerProfile.disability_category,
            SeekerProfile.disability_grade,
            SeekerProfile.birth_year,
            SeekerProfile.dibao_monthly,
            SeekerProfile.disability_allowance_monthly,
            Position.work_type,
            case(
                (ended, days_between(Placement.end_date, Placement.start_date)),
                else_=days_between(today, Placement.start_date),
            ).label("duration"),
            case((ended, 1), else_=0).label("event"),
        )
        .join(SeekerProfile, Placement.seeker_id == SeekerProfile.id)
        .outerjoin(Position, Placement.position_id == Position.id)
        .where(Placement.start_date <= today, Placement.seeker_id.in_(research_consented()))
    )
    if f.start_from is not None:
        query = query.where(Placement.start_date >= f.start_from)
    if f.start_to is not None:
        query = query.where(Placement.start_date <= f.start_to)
    if f.agency_id is not None:
        query = query.where(Placement.agency_id == f.agency_id)
    if f.region is not None:
        query = query.where(SeekerProfile.region == f.region)
    if f.work_type is not None:
        query = query.where(Position.work_type == f.work_type)
    if f.disability_category is not None:
        query = query.where(SeekerProfile.disability_category == f.disability_category)
    if f.gender is not None:
        query = query.where(SeekerProfile.gender == f.gender)
    return query.subquery("counted")


# -- survival: Kaplan-Meier ------------------------------------------------------------------


def retention(session: Session, f: Filters, days: Sequence[int] = CURVE_DAYS) -> Retention:
    """Return retention in the placed job (Kaplan-Meier), read at `days`."""
    base = placements(f)
    rows = session.execute(
        select(base.c.duration, func.sum(base.c.event), func.count()).group_by(base.c.duration)
    ).all()
    steps = kaplan_meier(rows)
    total = sum(r[2] for r in rows)
    exits = sum(r[1] for r in rows)
    return Retention(total, int(exits or 0), {d: survival_at(steps, d) for d in days})


def retention_by_group(
    session: Session, f: Filters, dimension: str, day: int = 180
) -> dict[str, tuple[int, float, int]]:
    """Return group -> (placements, share retained at `day`, at risk on `day`)."""
    base = placements(f)
    key = group_key(base, dimension).label("grp")
    rows = session.execute(
        select(key, base.c.duration, func.sum(base.c.event), func.count()).group_by(
            key, base.c.duration
        )
    ).all()
    grouped: dict[str, list[tuple[int, int, int]]] = {}
    for group, duration, events, total in rows:
        grouped.setdefault(str(group), []).append((duration, events, total))
    out = {}
    for group, counts in grouped.items():
        survival, at_risk = survival_at(kaplan_meier(counts), day)
        out[group] = (sum(c[2] for c in counts), survival, at_risk)
    return out


# -- headline and follow-up completion ---------------------------------------------------


def headline(session: Session, f: Filters) -> Headline:
    """Return how many placements, people, still running and ended are counted."""
    base = placements(f)
    total, people, ended = session.execute(
        select(func.count(), func.count(base.c.seeker_id.distinct()), func.sum(base.c.event))
    ).one()
    ended = int(ended or 0)
    return Headline(total or 0, people or 0, (total or 0) - ended, ended)


def completion(session: Session, f: Filters) -> list[tuple[int, int, int]]:
    """Return (follow-up day, due so far, done) for the counted placements."""
    base = placements(f)
    rows = session.execute(
        select(FollowUp.day_offset, func.count(), func.count(FollowUp.done_at))
        .join(base, FollowUp.placement_id == base.c.id)
        .where(FollowUp.due_date <= _today(f))
        .group_by(FollowUp.day_offset)
        .order_by(FollowUp.day_offset)
    ).all()
    return [(int(d), int(due), int(done)) for d, due, done in rows]


# -- months employed ---------------------------------------------------------------------


def months_employed(session: Session, f: Filters) -> MonthsEmployed:
    """Return the mean months in work in the first year after the start, in Python.

    Not the first SQL, which summed the days of jobs held at the same time (up to 365) where
    "How we count" says they count once: here every day of that year in any of the person's
    jobs counts once, by building the set of days.
    """
    base = placements(f)
    counted = session.execute(
        select(base.c.id, base.c.seeker_id, base.c.start_date)
        .where(days_between(_today(f), base.c.start_date) >= 365)
    ).all()
    jobs: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for seeker_id, start, end in session.execute(
        select(Placement.seeker_id, Placement.start_date, Placement.end_date)
    ):
        jobs.setdefault(seeker_id, []).append((start, end))
    totals = []
    for _id, seeker_id, start in counted:
        days: set[int] = set()
        matched = False
        for other_start, other_end in jobs.get(seeker_id, []):
            since = (other_start - start).days
            until = ((other_end or f.today) - start).days
            if since < 365 and until > 0:
                matched = True
                days.update(range(max(since, 0), min(until, 365)))
        if matched:
            totals.append(len(days))
    mean = sum(totals) / len(totals) if totals else None
    return MonthsEmployed(len(totals), None if mean is None else mean * 12 / 365)


# -- earnings ------------------------------------------------------------------------------


def earnings(session: Session, f: Filters) -> list[EarningsRow]:
    """Return monthly earnings of people in work, by follow-up day: count, median and mean.

    The median comes from the distribution of earnings (value, count) aggregated in SQL.
    """
    base = placements(f)
    rows = session.execute(
        select(FollowUp.day_offset, FollowUp.monthly_earnings, func.count())
        .join(base, FollowUp.placement_id == base.c.id)
        .where(
            FollowUp.done_at.is_not(None),
            FollowUp.employed.is_(True),
            FollowUp.monthly_earnings.is_not(None),
        )
        .group_by(FollowUp.day_offset, FollowUp.monthly_earnings)
    ).all()
    by_day: dict[int, list[tuple[float, int]]] = {}
    for day, value, count in rows:
        by_day.setdefault(int(day), []).append((float(value), int(count)))
    out = []
    for day in sorted(by_day):
        values = by_day[day]
        people = sum(c for _, c in values)
        mean = sum(v * c for v, c in values) / people if people else None
        out.append(EarningsRow(day, people, weighted_median(values), mean))
    return out


def earnings_volatility(session: Session, f: Filters) -> Volatility:
    """Return how much earnings move between consecutive follow-ups of the same placement.

    Over pairs of consecutive answered follow-ups with earnings while in work: the mean of
    |this - previous| / previous, and how many pairs fell by more than 20 %.
    """
    base = placements(f)
    previous = func.lag(FollowUp.monthly_earnings).over(
        partition_by=FollowUp.placement_id, order_by=FollowUp.day_offset
    )
    series = (
        select(FollowUp.monthly_earnings.label("now"), previous.label("before"))
        .join(base, FollowUp.placement_id == base.c.id)
        .where(
            FollowUp.done_at.is_not(None),
            FollowUp.employed.is_(True),
            FollowUp.monthly_earnings.is_not(None),
        )
        .subquery()
    )
    change = func.abs(series.c.now - series.c.before) * 1.0 / series.c.before
    pairs, mean, drops = session.execute(
        select(
            func.count(),
            func.avg(change),
            func.sum(case((series.c.now < series.c.before * 0.8, 1), else_=0)),
        ).where(series.c.before > 0)
    ).one()
    return Volatility(pairs or 0, mean, int(drops or 0))


def net_income(session: Session, f: Filters) -> list[NetIncomeRow]:
    """Return net monthly income at each follow-up against before the job, by day.

    After = earnings + minimum living allowance if still or again received + disability
    allowances; before = the placement's recorded income before the job.
    """
    base = placements(f)
    dibao = case(
        (FollowUp.benefits_status.in_(("kept", "restored")),
         func.coalesce(base.c.dibao_monthly, 0)),
        else_=0,
    )
    after = (func.coalesce(FollowUp.monthly_earnings, 0) + dibao
             + func.coalesce(base.c.disability_allowance_monthly, 0))
    change = after - base.c.income_before
    rows = session.execute(
        select(
            FollowUp.day_offset,
            func.count(),
            func.avg(change * 1.0),
            func.sum(case((change > 0, 1), else_=0)),
            func.sum(case((change < 0, 1), else_=0)),
        )
        .join(base, FollowUp.placement_id == base.c.id)
        .where(
            FollowUp.done_at.is_not(None),
            FollowUp.employed.is_not(None),
            base.c.income_before.is_not(None),
        )
        .group_by(FollowUp.day_offset)
        .order_by(FollowUp.day_offset)
    ).all()
    return [NetIncomeRow(int(d), n, m, int(b or 0), int(w or 0)) for d, n, m, b, w in rows]


# -- well-being and participation ------------------------------------------------------------


def _who5_score(row: Any) -> ColumnElement[int]:
    return (row.who5_1 + row.who5_2 + row.who5_3 + row.who5_4 + row.who5_5) * 4


def _who5_complete(row: Any) -> ColumnElement[bool]:
    return and_(*(getattr(row, f"who5_{i}").is_not(None) for i in range(1, 6)))


def wellbeing(session: Session, f: Filters) -> list[ChangeRow]:
    """Return WHO-5 (0-100) by follow-up day, and its change against the first answer.

    The first follow-up with all five items answered is each placement's baseline; its row
    has no change. `improved`/`worsened`: changes of at least 10 points; `low`: under 52.
    """
    return _change_by_day(session, f, _who5_complete, _who5_score, WHO5_MEANINGFUL, WHO5_POOR)


def _social(row: Any) -> ColumnElement[int]:
    return row.participation["social_activities"].as_integer()


def participation(session: Session, f: Filters) -> list[ChangeRow]:
    """Return social activity (0 never .. 4 several times a week) by day, and its change.

    `improved`/`worsened`: a change of at least one step; `low`: never (0) in the past month.
    """
    return _change_by_day(
        session, f, lambda row: _social(row).is_not(None), _social, 1, 1
    )


def community_events(session: Session, f: Filters) -> list[tuple[int, int, int]]:
    """Return (day, people who answered, people who took part in a community event)."""
    base = placements(f)
    took_part = FollowUp.participation["community_events"].as_boolean()
    rows = session.execute(
        select(
            FollowUp.day_offset,
            func.count(),
            func.sum(case((took_part.is_(True), 1), else_=0)),
        )
        .join(base, FollowUp.placement_id == base.c.id)
        .where(FollowUp.done_at.is_not(None), took_part.is_not(None))
        .group_by(FollowUp.day_offset)
        .order_by(FollowUp.day_offset)
    ).all()
    return [(int(d), int(n), int(y or 0)) for d, n, y in rows]


def _change_by_day(
    session: Session, f: Filters, complete: Any, score: Any, meaningful: int, low_below: int
) -> list[ChangeRow]:
    base = placements(f)
    first = (
        select(FollowUp.placement_id, func.min(FollowUp.day_offset).label("day"))
        .join(base, FollowUp.placement_id == base.c.id)
        .where(FollowUp.done_at.is_not(None), complete(FollowUp))
        .group_by(FollowUp.placement_id)
        .subquery()
    )
    baseline = aliased(FollowUp)
    change = score(FollowUp) - score(baseline)
    is_later = FollowUp.day_offset > first.c.day
    rows = session.execute(
        select(
            FollowUp.day_offset,
            func.count(),
            func.avg(score(FollowUp) * 1.0),
            func.avg(case((is_later, change * 1.0))),
            func.sum(case((and_(is_later, change >= meaningful), 1), else_=0)),
            func.sum(case((and_(is_later, change <= -meaningful), 1), else_=0)),
            func.sum(case((score(FollowUp) < low_below, 1), else_=0)),
            func.sum(case((is_later, 1), else_=0)),
        )
        .join(first, FollowUp.placement_id == first.c.placement_id)
        .join(
            baseline,
            and_(baseline.placement_id == first.c.placement_id, baseline.day_offset == first.c.day),
        )
        .where(FollowUp.done_at.is_not(None), complete(FollowUp))
        .group_by(FollowUp.day_offset)
        .order_by(FollowUp.day_offset)
    ).all()
    return [
        ChangeRow(int(d), int(n), mean, change_mean if later else None, int(up or 0),
                  int(down or 0), int(low or 0))
        for d, n, mean, change_mean, up, down, low, later in rows
    ]


# -- benefits and exits --------------------------------------------------------------------


LOSS_STATUSES = ("lost", "reapplied", "restored")


def benefits(session: Session, f: Filters) -> Benefits:
    """Return minimum living allowance continuity for the counted placements.

    `with_allowance`: placements whose follow-ups report on the allowance (any status but
    "none"); `losses`: of them, placements with a loss reported (stopped, re-applied or
    restored). For losses whose job then ended: days without income from the end of the job to
    the first of allowance restored, next recorded job, or today (`still_waiting`: today);
    `long_gaps`: more than 180 days.
    """
    base = placements(f)
    answered = (
        select(
            FollowUp.placement_id,
            func.max(case((FollowUp.benefits_status.in_(LOSS_STATUSES), 1), else_=0)).label(
                "lost"
            ),
        )
        .join(base, FollowUp.placement_id == base.c.id)
        .where(FollowUp.benefits_status.is_not(None), FollowUp.benefits_status != "none")
        .group_by(FollowUp.placement_id)
        .subquery()
    )
    with_allowance, losses = session.execute(
        select(func.count(), func.sum(answered.c.lost))
    ).one()
    today = _today(f)
    restored_follow_up = aliased(FollowUp)
    restored = (
        select(func.min(restored_follow_up.benefits_date))
        .where(
            restored_follow_up.placement_id == base.c.id,
            restored_follow_up.benefits_status == "restored",
            restored_follow_up.benefits_date >= base.c.end_date,
        )
        .scalar_subquery()
    )
    later = aliased(Placement)
    next_job = (
        select(func.min(later.start_date))
        .where(
            later.seeker_id == base.c.seeker_id,
            later.id != base.c.id,
            later.start_date >= base.c.end_date,
        )
        .scalar_subquery()
    )
    gaps = (
        select(base.c.end_date, restored.label("restored"), next_job.label("next_job"))
        .join(answered, answered.c.placement_id == base.c.id)
        .where(answered.c.lost == 1, base.c.event == 1)
        .subquery()
    )
    first_back = case(
        (and_(gaps.c.restored.is_not(None),
              or_(gaps.c.next_job.is_(None), gaps.c.restored <= gaps.c.next_job)),
         gaps.c.restored),
        (gaps.c.next_job.is_not(None), gaps.c.next_job),
        else_=None,
    )
    days = days_between(func.coalesce(first_back, today), gaps.c.end_date)
    n, mean, long_gaps, waiting = session.execute(
        select(
            func.count(),
            func.avg(days * 1.0),
            func.sum(case((days > 180, 1), else_=0)),
            func.sum(case((first_back.is_(None), 1), else_=0)),
        )
    ).one()
    return Benefits(with_allowance or 0, int(losses or 0), n or 0, mean, int(long_gaps or 0),
                    int(waiting or 0))


def exits_by_cause(session: Session, f: Filters) -> dict[str, int]:
    """Return exit cause -> ended placements (unknown where no cause was recorded)."""
    base = placements(f)
    cause = func.coalesce(base.c.exit_cause, UNKNOWN)
    rows = session.execute(
        select(cause, func.count()).where(base.c.event == 1).group_by(cause)
    ).all()
    return {str(c): int(n) for c, n in rows}


def reemployment_after_automation(session: Session, f: Filters) -> Reemployment:
    """Return automation exits at least 90 days ago, and how many found a job within 90 days.

    A new job is another placement of the same person starting 0-90 days after the end.
    """
    base = placements(f)
    later = aliased(Placement)
    found = exists().where(
        later.seeker_id == base.c.seeker_id,
        later.id != base.c.id,
        days_between(later.start_date, base.c.end_date).between(0, RE_EMPLOYMENT_DAYS),
    )
    exits, reemployed = session.execute(
        select(func.count(), func.sum(case((found, 1), else_=0))).where(
            base.c.event == 1,
            base.c.exit_cause == "automation",
            days_between(_today(f), base.c.end_date) >= RE_EMPLOYMENT_DAYS,
        )
    ).one()
    return Reemployment(exits or 0, int(reemployed or 0))


# -- groups: selection and retention ratios ------------------------------------------------


def selection(session: Session, f: Filters, dimension: str) -> dict[str, tuple[int, int]]:
    """Return group -> (job-seekers, of them placed in the cohort period).

    Job-seekers: consenting, registered by the end of the period, in the agency/region/group
    filters. Placed: a counted placement started in the period.
    """
    end = f.start_to or f.today
    key = seeker_group_key(dimension, end)
    if key is None:
        return {}
    base = placements(f)
    placed = SeekerProfile.id.in_(select(base.c.seeker_id))
    query = select(
        key.label("grp"), func.count(), func.sum(case((placed, 1), else_=0))
    ).where(
        SeekerProfile.id.in_(research_consented()),
        SeekerProfile.created_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time(),
                                                        dt.UTC),
    )
    for column, value in (
        (SeekerProfile.agency_id, f.agency_id),
        (SeekerProfile.region, f.region),
        (SeekerProfile.disability_category, f.disability_category),
        (SeekerProfile.gender, f.gender),
    ):
        if value is not None:
            query = query.where(column == value)
    rows = session.execute(query.group_by(key)).all()
    return {str(g): (int(n), int(p or 0)) for g, n, p in rows}


def groups(session: Session, f: Filters, dimension: str) -> list[GroupRow]:
    """Return the selection and 180-day retention of each group of a dimension."""
    chosen = selection(session, f, dimension)
    kept = retention_by_group(session, f, dimension, 180)
    out = []
    for group in sorted(set(chosen) | set(kept), key=lambda g: (g == UNKNOWN, g)):
        seekers, placed = chosen.get(group, (None, None))
        n, survival, at_risk = kept.get(group, (0, None, 0))
        out.append(GroupRow(group, seekers, placed, n, survival if n else None, at_risk))
    return out
