"""Outcome indicators beyond headcount (DESIGN section 6), aggregated in SQL.

Every function takes the session and a `Filters` and returns aggregates only: counts, sums,
means, distributions of values. No function returns a row per person. The same queries run on
SQLite and PostgreSQL; the dialect differences are `days_between` and `median`.

They read the outcome facts (`outcome_fact`, one row per placement, and `follow_up_fact`, one
per follow-up; rongye.services.outcome_facts keeps them current in every write's transaction),
where what each indicator needs of a placement is already reduced. What depends on the day of
reading (censoring, "at least a year ago", days without income until today) is worked out here
from the dates. The tables by follow-up day share one pass over `follow_up_fact` per
`Cohort`.

Who is counted: placements whose job-seeker's latest "anonymous outcome research" consent is a
grant (withdrawing it takes them out of every figure), that started on or before `today`, and
that match the filters. The cohort is the period in which placements *started*; the region is
the job-seeker's. "How we count" (templates/analyst/method.html) explains each figure in words;
keep it in step with this module.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    event,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement, Select, Subquery
from sqlalchemy.sql.functions import FunctionElement

from rongye.models import (
    Account,
    ConsentEvent,
    FollowUpFact,
    MatchDecision,
    MatchProposal,
    MatchRun,
    OutcomeFact,
    Position,
    SeekerProfile,
)
from rongye.services import audit

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


class days_between(FunctionElement[int]):
    """Whole days from the second date to the first (`later - earlier`), in either database."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({later} - {earlier})"


class median(FunctionElement[float]):
    """The median of a column, an aggregate: (lower + upper middle value) / 2, NULLs ignored.

    PostgreSQL: percentile_cont(0.5). SQLite has no percentile function: `MedianAggregate`
    is added to each of its connections as median().
    """

    type = Float()
    inherit_cache = True
    name = "median"


@compiles(median)
def _median_sqlite(element: median, compiler: Any, **kw: Any) -> str:
    return f"median({compiler.process(element.clauses, **kw)})"


@compiles(median, "postgresql")
def _median_postgresql(element: median, compiler: Any, **kw: Any) -> str:
    return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {compiler.process(element.clauses, **kw)})"


class MedianAggregate:
    """SQLite's median(): keeps the values of a group, sorts them once at the end."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        values = sorted(self.values)
        if not values:
            return None
        n = len(values)
        return (values[(n - 1) // 2] + values[n // 2]) / 2


@event.listens_for(Engine, "connect")
def _add_median_to_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_aggregate("median", 1, MedianAggregate)


@dataclass(frozen=True, slots=True)
class Filters:
    """Which placements are counted. `start_from`/`start_to` bound the cohort (inclusive)."""

    today: dt.date
    start_from: dt.date | None = None
    start_to: dt.date | None = None
    agency_id: int | None = None
    region: str | None = None
    work_type: str | None = None
    disability_category: str | None = None
    gender: str | None = None

    def with_period(self, start: dt.date | None, end: dt.date | None) -> Filters:
        return replace(self, start_from=start, start_to=end)


def _today(f: Filters) -> ColumnElement[dt.date]:
    return literal(f.today, Date)


def research_consented() -> Select[tuple[int]]:
    """Return the select of seeker ids whose latest research consent is a grant."""
    later = aliased(ConsentEvent)
    newer = exists().where(
        later.seeker_id == ConsentEvent.seeker_id,
        later.purpose == "research",
        later.employer_id.is_(None),
        or_(
            later.created_at > ConsentEvent.created_at,
            and_(later.created_at == ConsentEvent.created_at, later.id > ConsentEvent.id),
        ),
    )
    return select(ConsentEvent.seeker_id).where(
        ConsentEvent.purpose == "research",
        ConsentEvent.employer_id.is_(None),
        ConsentEvent.granted.is_(True),
        ~newer,
    )


def placements(f: Filters) -> Subquery:
    """Return the subquery of counted placements' facts, one row each (`id`: the placement).

    `duration` is the days observed: to the end for ended placements (`event` 1), to today for
    running ones (`event` 0: censored, too recent to know how long they will last).
    """
    today = _today(f)
    fact = OutcomeFact
    ended = and_(fact.end_date.is_not(None), fact.end_date <= today)
    query = (
        select(
            fact.placement_id.label("id"),
            *(c for c in fact.__table__.c if c.key != "placement_id"),
            case(
                (ended, days_between(fact.end_date, fact.start_date)),
                else_=days_between(today, fact.start_date),
            ).label("duration"),
            case((ended, 1), else_=0).label("event"),
        )
        .where(fact.start_date <= today, fact.research.is_(True))
    )
    if f.start_from is not None:
        query = query.where(fact.start_date >= f.start_from)
    if f.start_to is not None:
        query = query.where(fact.start_date <= f.start_to)
    for column, value in (
        (fact.agency_id, f.agency_id),
        (fact.region, f.region),
        (fact.work_type, f.work_type),
        (fact.disability_category, f.disability_category),
        (fact.gender, f.gender),
    ):
        if value is not None:
            query = query.where(column == value)
    return query.subquery("counted")


def age_band(age: ColumnElement[int]) -> ColumnElement[str]:
    """Return the age band of an age expression (NULL age: unknown)."""
    return case(
        (age.is_(None), UNKNOWN),
        (age < 25, "under_25"),
        (age < 35, "25_34"),
        (age < 45, "35_44"),
        (age < 55, "45_54"),
        else_="55_plus",
    )


def group_key(base: Subquery, dimension: str) -> ColumnElement[str]:
    """Return the group of each counted placement for a breakdown dimension."""
    if dimension == "age_band":
        return age_band(cast(extract("year", base.c.start_date), Integer) - base.c.birth_year)
    if dimension == "disability_grade":
        return func.coalesce(cast(base.c.disability_grade, String), UNKNOWN)
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    return func.coalesce(base.c[dimension], UNKNOWN)


# -- survival: Kaplan-Meier ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """The survival curve at an event or censoring time."""

    day: int
    at_risk: int
    events: int
    censored: int
    survival: float


def kaplan_meier(rows: Iterable[tuple[int, int, int]]) -> list[Step]:
    """Return the Kaplan-Meier steps from (duration, events, total) counts per duration.

    At a time with both exits and censorings, the censored placements count as still at risk
    (exits happen first), the usual convention. S(t) = prod over event times u <= t of
    (1 - d_u / n_u).
    """
    by_day: dict[int, list[int]] = {}
    for day, events, total in rows:
        counts = by_day.setdefault(int(day), [0, 0])
        counts[0] += int(events)
        counts[1] += int(total) - int(events)
    at_risk = sum(events + censored for events, censored in by_day.values())
    survival, steps = 1.0, []
    for day in sorted(by_day):
        events, censored = by_day[day]
        if events:
            survival *= 1 - events / at_risk
        steps.append(Step(day, at_risk, events, censored, survival))
        at_risk -= events + censored
    return steps


def survival_at(steps: Sequence[Step], day: int) -> tuple[float, int]:
    """Return S(day) and the number still observed on that day (duration of at least `day`)."""
    survival = 1.0
    for step in steps:
        if step.day > day:
            break
        survival = step.survival
    at_risk = next((step.at_risk for step in steps if step.day >= day), 0)
    return survival, at_risk


@dataclass(frozen=True, slots=True)
class Retention:
    placements: int
    exits: int
    #: day -> (share retained, number at risk on that day)
    points: dict[int, tuple[float, int]]


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


# -- headline ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Headline:
    placements: int
    people: int
    running: int
    ended: int


def headline(session: Session, f: Filters) -> Headline:
    """Return how many placements, people, still running and ended are counted."""
    base = placements(f)
    total, people, ended = session.execute(
        select(func.count(), func.count(base.c.seeker_id.distinct()), func.sum(base.c.event))
    ).one()
    ended = int(ended or 0)
    return Headline(total or 0, people or 0, (total or 0) - ended, ended)


# -- figures by follow-up day: one pass shared by their tables -------------------------------


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """A measure at a follow-up day: its mean, and its change against the first answer."""

    day: int
    people: int
    mean: float | None
    mean_change: float | None
    improved: int
    worsened: int
    low: int


@dataclass(frozen=True, slots=True)
class EarningsRow:
    day: int
    people: int
    median: float | None
    mean: float | None


@dataclass(frozen=True, slots=True)
class NetIncomeRow:
    day: int
    people: int
    mean_change: float | None
    better_off: int
    worse_off: int


@dataclass(frozen=True, slots=True)
class DayFigures:
    """Everything the tables by follow-up day show of one day, from one GROUP BY."""

    day: int
    earnings: int
    earnings_sum: int
    earnings_median: float | None
    net: int
    net_mean_change: float | None
    better_off: int
    worse_off: int
    wellbeing: ChangeRow
    social: ChangeRow
    community: int
    community_yes: int


def _change_columns(value: Any, change: Any, meaningful: int, low_below: int
                    ) -> list[ColumnElement[Any]]:
    """Aggregates of a measure and of its change since each placement's first answer."""
    return [
        func.count(value),
        func.avg(value * 1.0),
        func.avg(change * 1.0),
        func.count().filter(change >= meaningful),
        func.count().filter(change <= -meaningful),
        func.count().filter(value < low_below),
        func.count(change),
    ]


def _change_row(day: int, values: Sequence[Any]) -> ChangeRow:
    people, mean, change_mean, up, down, low, later = values
    return ChangeRow(day, int(people), mean, change_mean if later else None, int(up or 0),
                     int(down or 0), int(low or 0))


class Cohort:
    """The counted placements of one `Filters`; what several tables read is computed once.

    The analyst views build one per request and hand it to every table of the page.
    """

    def __init__(self, session: Session, filters: Filters) -> None:
        self.session = session
        self.filters = filters
        self._by_day: dict[int, DayFigures] | None = None

    def by_day(self) -> dict[int, DayFigures]:
        """Return the figures of every follow-up day, in one pass over `follow_up_fact`."""
        if self._by_day is not None:
            return self._by_day
        f, day = self.filters, FollowUpFact
        base = placements(f)
        rows = self.session.execute(
            select(
                day.day_offset,
                func.count(day.monthly_earnings),
                func.sum(day.monthly_earnings),
                median(day.monthly_earnings),
                func.count(day.net_change),
                func.avg(day.net_change * 1.0),
                func.count().filter(day.net_change > 0),
                func.count().filter(day.net_change < 0),
                *_change_columns(day.who5, day.who5_change, WHO5_MEANINGFUL, WHO5_POOR),
                *_change_columns(day.social, day.social_change, 1, 1),
                func.count(day.community),
                func.count().filter(day.community.is_(True)),
            )
            .join(base, day.placement_id == base.c.id)
            .group_by(day.day_offset)
            .order_by(day.day_offset)
        ).all()
        figures = {}
        for row in rows:
            d = int(row[0])
            figures[d] = DayFigures(
                d, int(row[1]), int(row[2] or 0), row[3], int(row[4]), row[5], int(row[6]),
                int(row[7]), _change_row(d, row[8:15]), _change_row(d, row[15:22]),
                int(row[22]), int(row[23]),
            )
        self._by_day = figures
        return figures


def completion(session: Session, f: Filters) -> list[tuple[int, int, int]]:
    """Return (follow-up day, due so far, done) for the counted placements."""
    base, day = placements(f), FollowUpFact
    rows = session.execute(
        select(day.day_offset, func.count(), func.count().filter(day.done))
        .join(base, day.placement_id == base.c.id)
        .where(day.due_date <= _today(f))
        .group_by(day.day_offset)
        .order_by(day.day_offset)
    ).all()
    return [(int(d), int(due), int(done)) for d, due, done in rows]


# -- months employed ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthsEmployed:
    placements: int
    mean_months: float | None


def months_employed(session: Session, f: Filters) -> MonthsEmployed:
    """Return the mean months in work in the first year after the start.

    Only placements that started at least 365 days ago count. Every job of the same person
    recorded as a placement in that year counts (this one and any other); days in two jobs at
    once count once (`outcome_fact.first_year_days`).
    """
    base = placements(f)
    n, mean_days = session.execute(
        select(func.count(base.c.first_year_days), func.avg(base.c.first_year_days * 1.0))
        .where(days_between(_today(f), base.c.start_date) >= 365)
    ).one()
    return MonthsEmployed(n or 0, None if mean_days is None else mean_days * 12 / 365)


# -- earnings ------------------------------------------------------------------------------


def weighted_median(values: Iterable[tuple[float, int]]) -> float | None:
    """Return the median of a distribution given as (value, count) pairs."""
    pairs = sorted((v, c) for v, c in values if c > 0)
    total = sum(c for _, c in pairs)
    if not total:
        return None
    lower_rank, upper_rank = (total - 1) // 2, total // 2
    seen, lower = 0, None
    for value, count in pairs:
        if lower is None and seen + count > lower_rank:
            lower = value
        if seen + count > upper_rank:
            return (lower + value) / 2 if lower is not None else float(value)
        seen += count
    return None  # pragma: no cover - the loop always returns


def earnings(session: Session, f: Filters, cohort: Cohort | None = None) -> list[EarningsRow]:
    """Return monthly earnings of people in work, by follow-up day: count, median and mean."""
    days = (cohort or Cohort(session, f)).by_day().values()
    return [EarningsRow(d.day, d.earnings, d.earnings_median, d.earnings_sum / d.earnings)
            for d in days if d.earnings]


@dataclass(frozen=True, slots=True)
class Volatility:
    pairs: int
    mean_change: float | None
    drops: int


def earnings_volatility(session: Session, f: Filters) -> Volatility:
    """Return how much earnings move between consecutive follow-ups of the same placement.

    Over pairs of consecutive answered follow-ups with earnings while in work: the mean of
    |this - previous| / previous, and how many pairs fell by more than 20 %.
    """
    base = placements(f)
    pairs, total, drops = session.execute(
        select(func.sum(base.c.volatility_pairs), func.sum(base.c.volatility_sum),
               func.sum(base.c.volatility_drops))
    ).one()
    pairs = int(pairs or 0)
    return Volatility(pairs, total / pairs if pairs else None, int(drops or 0))


def net_income(session: Session, f: Filters, cohort: Cohort | None = None
               ) -> list[NetIncomeRow]:
    """Return net monthly income at each follow-up against before the job, by day.

    After = earnings + minimum living allowance if still or again received + disability
    allowances; before = the placement's recorded income before the job.
    """
    days = (cohort or Cohort(session, f)).by_day().values()
    return [NetIncomeRow(d.day, d.net, d.net_mean_change, d.better_off, d.worse_off)
            for d in days if d.net]


# -- well-being and participation ------------------------------------------------------------


def wellbeing(session: Session, f: Filters, cohort: Cohort | None = None) -> list[ChangeRow]:
    """Return WHO-5 (0-100) by follow-up day, and its change against the first answer.

    The first follow-up with all five items answered is each placement's baseline; its row
    has no change. `improved`/`worsened`: changes of at least 10 points; `low`: under 52.
    """
    days = (cohort or Cohort(session, f)).by_day().values()
    return [d.wellbeing for d in days if d.wellbeing.people]


def participation(session: Session, f: Filters, cohort: Cohort | None = None
                  ) -> list[ChangeRow]:
    """Return social activity (0 never .. 4 several times a week) by day, and its change.

    `improved`/`worsened`: a change of at least one step; `low`: never (0) in the past month.
    """
    days = (cohort or Cohort(session, f)).by_day().values()
    return [d.social for d in days if d.social.people]


def community_events(session: Session, f: Filters, cohort: Cohort | None = None
                     ) -> list[tuple[int, int, int]]:
    """Return (day, people who answered, people who took part in a community event)."""
    days = (cohort or Cohort(session, f)).by_day().values()
    return [(d.day, d.community, d.community_yes) for d in days if d.community]


# -- benefits and exits --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Benefits:
    with_allowance: int
    losses: int
    gaps: int
    mean_gap_days: float | None
    long_gaps: int
    still_waiting: int


def benefits(session: Session, f: Filters) -> Benefits:
    """Return minimum living allowance continuity for the counted placements.

    `with_allowance`: placements whose follow-ups report on the allowance (any status but
    "none"); `losses`: of them, placements with a loss reported (stopped, re-applied or
    restored). For losses whose job then ended: days without income from the end of the job to
    the first of allowance restored, next recorded job, or today (`still_waiting`: today);
    `long_gaps`: more than 180 days.
    """
    base = placements(f)
    gap = and_(base.c.allowance_lost.is_(True), base.c.event == 1)
    days = days_between(func.coalesce(base.c.income_back_on, _today(f)), base.c.end_date)
    with_allowance, losses, n, mean, long_gaps, waiting = session.execute(
        select(
            func.count().filter(base.c.allowance_reported.is_(True)),
            func.count().filter(base.c.allowance_lost.is_(True)),
            func.count().filter(gap),
            func.avg(days * 1.0).filter(gap),
            func.count().filter(gap, days > 180),
            func.count().filter(gap, base.c.income_back_on.is_(None)),
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


@dataclass(frozen=True, slots=True)
class Reemployment:
    exits: int
    reemployed: int


def reemployment_after_automation(session: Session, f: Filters) -> Reemployment:
    """Return automation exits at least 90 days ago, and how many found a job within 90 days.

    A new job is another placement of the same person starting 0-90 days after the end.
    """
    base = placements(f)
    exited = and_(
        base.c.event == 1,
        base.c.exit_cause == "automation",
        days_between(_today(f), base.c.end_date) >= RE_EMPLOYMENT_DAYS,
    )
    exits, reemployed = session.execute(
        select(func.count().filter(exited),
               func.count().filter(exited, base.c.reemployed_90.is_(True)))
    ).one()
    return Reemployment(exits or 0, int(reemployed or 0))


# -- proposals overridden ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overrides:
    reviewed: int
    overridden: int
    reasons: dict[str, int]


def overrides(session: Session, f: Filters) -> Overrides:
    """Return proposals a social worker decided on, and how many they overrode, with reasons.

    Overriding is rejecting, forbidding, swapping or pinning a proposal; the cohort is the
    month of the match run; region, group and agency filters apply, work type is the position's.
    """
    worker = (
        select(
            MatchDecision.proposal_id,
            func.max(case((MatchDecision.kind.in_(OVERRIDES), 1), else_=0)).label("overridden"),
        )
        .where(MatchDecision.kind.in_(WORKER_DECISIONS))
        .group_by(MatchDecision.proposal_id)
        .subquery()
    )
    query = (
        select(MatchProposal.id.label("id"), worker.c.overridden)
        .join(worker, worker.c.proposal_id == MatchProposal.id)
        .join(MatchRun, MatchProposal.run_id == MatchRun.id)
        .join(SeekerProfile, MatchProposal.seeker_id == SeekerProfile.id)
        .join(Position, MatchProposal.position_id == Position.id)
        .where(MatchProposal.seeker_id.in_(research_consented()))
    )
    if f.start_from is not None:
        query = query.where(
            MatchRun.created_at >= dt.datetime.combine(f.start_from, dt.time(), dt.UTC)
        )
    if f.start_to is not None:
        end = dt.datetime.combine(f.start_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(MatchRun.created_at < end)
    for column, value in (
        (MatchRun.agency_id, f.agency_id),
        (SeekerProfile.region, f.region),
        (Position.work_type, f.work_type),
        (SeekerProfile.disability_category, f.disability_category),
        (SeekerProfile.gender, f.gender),
    ):
        if value is not None:
            query = query.where(column == value)
    decided = query.subquery()
    reviewed, overridden = session.execute(
        select(func.count(), func.sum(decided.c.overridden))
    ).one()
    reason = func.coalesce(MatchDecision.reason_code, UNKNOWN)
    reasons = session.execute(
        select(reason, func.count(MatchDecision.proposal_id.distinct()))
        .join(decided, decided.c.id == MatchDecision.proposal_id)
        .where(MatchDecision.kind.in_(OVERRIDES))
        .group_by(reason)
    ).all()
    return Overrides(reviewed or 0, int(overridden or 0), {str(r): int(n) for r, n in reasons})


# -- groups: selection and retention ratios ------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupRow:
    group: str
    seekers: int | None
    placed: int | None
    placements: int
    retained_180: float | None
    at_risk_180: int


def seeker_group_key(dimension: str, on: dt.date) -> ColumnElement[str] | None:
    """Return a job-seeker's group for a dimension (None for work type: not a person's)."""
    if dimension == "work_type":
        return None
    if dimension == "age_band":
        return age_band(literal(on.year) - SeekerProfile.birth_year)
    if dimension == "disability_grade":
        return func.coalesce(cast(SeekerProfile.disability_grade, String), UNKNOWN)
    return func.coalesce(getattr(SeekerProfile, dimension), UNKNOWN)


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


def record_export(
    session: Session, actor: Account, table: str, fmt: str, filters: dict[str, str]
) -> None:
    """Audit that an analyst exported a (suppressed, aggregated) table."""
    audit.record(session, actor, "outcomes.export", None, table=table, format=fmt,
                 filters=filters)
    session.commit()
