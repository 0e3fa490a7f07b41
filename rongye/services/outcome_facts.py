"""The outcome facts: what each indicator needs of a placement, reduced once, kept current.

The analyst dashboard aggregates over `outcome_fact` (one row per placement) and
`follow_up_fact` (one narrow row per follow-up) instead of re-deriving the same things from
500,000 follow-ups, their JSON answers and the consent ledger on every view.

How they stay current: a `before_flush`/`after_flush` pair on every ORM session
(`keep_current`) notes which placements, follow-ups, profiles, positions and research
consents a flush writes and, in the same flush and transaction, recomputes the facts of the
placements they touch with `refresh` (INSERT ... SELECT of the same SQL as `rebuild`). A
placement's facts also read the person's other placements (a later job ends a gap without
income), so a written placement refreshes every placement of that person. Writes that bypass
the ORM (Core INSERT of follow-ups in rongye.services.followups) call `refresh` themselves.
`flask outcomes rebuild` recomputes everything (after a bulk load, or to check).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    and_,
    case,
    delete,
    event,
    false,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement, Select

from rongye.models import (
    ConsentEvent,
    FollowUp,
    FollowUpFact,
    OutcomeFact,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.services.indicators import RE_EMPLOYMENT_DAYS, days_between

log = logging.getLogger(__name__)

#: Statuses meaning the minimum living allowance was lost at some point.
LOSS_STATUSES = ("lost", "reapplied", "restored")
#: Placement ids per statement when refreshing (well under every database's parameter limit).
CHUNK = 500
PENDING = "rongye.outcome_facts.pending"


def _who5_complete(row: Any) -> ColumnElement[bool]:
    return and_(*(getattr(row, f"who5_{i}").is_not(None) for i in range(1, 6)))


def _who5_score(row: Any) -> ColumnElement[int]:
    return (row.who5_1 + row.who5_2 + row.who5_3 + row.who5_4 + row.who5_5) * 4


def _social(row: Any) -> ColumnElement[int]:
    return row.participation["social_activities"].as_integer()


def _in_scope(column: Any, ids: list[int] | None) -> ColumnElement[bool]:
    return true() if ids is None else column.in_(ids)


def _volatility(ids: list[int] | None) -> Any:
    """Per placement: consecutive answered follow-ups in work with earnings, as in indicators."""
    previous = func.lag(FollowUp.monthly_earnings).over(
        partition_by=FollowUp.placement_id, order_by=FollowUp.day_offset
    )
    series = (
        select(FollowUp.placement_id, FollowUp.monthly_earnings.label("now"),
               previous.label("before"))
        .where(
            FollowUp.done_at.is_not(None),
            FollowUp.employed.is_(True),
            FollowUp.monthly_earnings.is_not(None),
            _in_scope(FollowUp.placement_id, ids),
        )
        .subquery()
    )
    change = func.abs(series.c.now - series.c.before) * 1.0 / series.c.before
    return (
        select(
            series.c.placement_id,
            func.count().label("pairs"),
            func.sum(change).label("total"),
            func.count().filter(series.c.now < series.c.before * 0.8).label("drops"),
        )
        .where(series.c.before > 0)
        .group_by(series.c.placement_id)
        .subquery("volatility")
    )


def _first_year(ids: list[int] | None) -> Any:
    """Per placement: days in work in [start, start + 365) in any of the person's jobs.

    Two jobs at the same time count once: each job's stretch of that year (sorted by start)
    adds only what reaches beyond the latest end of the stretches before it. An open job
    counts to the end of that year (the indicator reads this only once the year is over).
    No row when no job falls in that year.
    """
    base, other = aliased(Placement), aliased(Placement)
    since = days_between(other.start_date, base.start_date)
    until = days_between(other.end_date, base.start_date)
    stretches = (
        select(
            base.id.label("placement_id"),
            case((since > 0, since), else_=0).label("low"),
            case((or_(other.end_date.is_(None), until >= 365), 365), else_=until).label("high"),
        )
        .join(other, other.seeker_id == base.seeker_id)
        .where(since < 365, or_(other.end_date.is_(None), until > 0),
               _in_scope(base.id, ids))
        .subquery()
    )
    reached = func.max(stretches.c.high).over(
        partition_by=stretches.c.placement_id,
        order_by=(stretches.c.low, stretches.c.high),
        rows=(None, -1),
    )
    ordered = select(stretches, reached.label("reached")).subquery()
    begin = case((ordered.c.reached > ordered.c.low, ordered.c.reached), else_=ordered.c.low)
    return (
        select(ordered.c.placement_id,
               func.sum(case((ordered.c.high > begin, ordered.c.high - begin), else_=0))
               .label("days"))
        .group_by(ordered.c.placement_id)
        .subquery("first_year")
    )


def fact_select(ids: list[int] | None) -> Select[Any]:
    """Return the select of `outcome_fact` rows for placements `ids` (None: every placement)."""
    first_year = _first_year(ids)

    def answered(*conditions: Any) -> Any:
        return select(FollowUp.id).where(FollowUp.placement_id == Placement.id, *conditions)

    reported = answered(FollowUp.benefits_status.is_not(None), FollowUp.benefits_status != "none")
    lost = answered(FollowUp.benefits_status.in_(LOSS_STATUSES))
    restored = (
        select(func.min(FollowUp.benefits_date))
        .where(
            FollowUp.placement_id == Placement.id,
            FollowUp.benefits_status == "restored",
            FollowUp.benefits_date >= Placement.end_date,
        )
        .scalar_subquery()
    )
    later = aliased(Placement)
    next_job = (
        select(func.min(later.start_date))
        .where(
            later.seeker_id == Placement.seeker_id,
            later.id != Placement.id,
            later.start_date >= Placement.end_date,
        )
        .scalar_subquery()
    )
    income_back_on = case(
        (and_(restored.is_not(None), or_(next_job.is_(None), restored <= next_job)), restored),
        else_=next_job,
    )
    reemployed = (
        select(later.id)
        .where(
            later.seeker_id == Placement.seeker_id,
            later.id != Placement.id,
            days_between(later.start_date, Placement.end_date).between(0, RE_EMPLOYMENT_DAYS),
        )
        .exists()
    )

    def first(condition: Any, value: Any) -> Any:
        return (
            select(value)
            .where(FollowUp.placement_id == Placement.id, FollowUp.done_at.is_not(None),
                   condition)
            .order_by(FollowUp.day_offset)
            .limit(1)
            .scalar_subquery()
        )

    # The same rule as indicators.research_consented(), asked of one person (the ledger's
    # index answers it): their latest research decision, not for one employer, is a grant.
    latest_research = (
        select(ConsentEvent.granted)
        .where(ConsentEvent.seeker_id == Placement.seeker_id, ConsentEvent.purpose == "research",
               ConsentEvent.employer_id.is_(None))
        .order_by(ConsentEvent.created_at.desc(), ConsentEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    volatility = _volatility(ids)
    return (
        select(
            Placement.id,
            Placement.seeker_id,
            Placement.agency_id,
            Placement.start_date,
            Placement.end_date,
            Placement.exit_cause,
            Placement.income_before,
            func.coalesce(latest_research, false()),
            SeekerProfile.region,
            SeekerProfile.gender,
            SeekerProfile.disability_category,
            SeekerProfile.disability_grade,
            SeekerProfile.birth_year,
            SeekerProfile.dibao_monthly,
            SeekerProfile.disability_allowance_monthly,
            Position.work_type,
            first_year.c.days,
            func.coalesce(volatility.c.pairs, 0),
            func.coalesce(volatility.c.total, literal(0.0, Float)),
            func.coalesce(volatility.c.drops, 0),
            case((reported.exists(), true()), else_=false()),
            case((lost.exists(), true()), else_=false()),
            income_back_on,
            case((reemployed, true()), else_=false()),
            first(_who5_complete(FollowUp), FollowUp.day_offset),
            first(_who5_complete(FollowUp), _who5_score(FollowUp)),
            first(_social(FollowUp).is_not(None), FollowUp.day_offset),
            first(_social(FollowUp).is_not(None), _social(FollowUp)),
        )
        .join(SeekerProfile, Placement.seeker_id == SeekerProfile.id)
        .outerjoin(Position, Placement.position_id == Position.id)
        .outerjoin(volatility, volatility.c.placement_id == Placement.id)
        .outerjoin(first_year, first_year.c.placement_id == Placement.id)
        .where(_in_scope(Placement.id, ids))
    )


FACT_COLUMNS = (
    "placement_id", "seeker_id", "agency_id", "start_date", "end_date", "exit_cause",
    "income_before", "research", "region", "gender", "disability_category", "disability_grade",
    "birth_year", "dibao_monthly", "disability_allowance_monthly", "work_type",
    "first_year_days", "volatility_pairs", "volatility_sum", "volatility_drops",
    "allowance_reported", "allowance_lost", "income_back_on", "reemployed_90",
    "who5_first_day", "who5_first", "social_first_day", "social_first",
)


def follow_up_fact_select(ids: list[int] | None) -> Select[Any]:
    """Return the select of `follow_up_fact` rows for placements `ids` (None: every one).

    It reads the placement's `outcome_fact` row (income before, allowances, the first WHO-5
    and social answers), so that row is written first.
    """
    fact = OutcomeFact
    done = FollowUp.done_at.is_not(None)
    who5 = case((and_(done, _who5_complete(FollowUp)), _who5_score(FollowUp)))
    social = case((done, _social(FollowUp)))
    dibao = case(
        (FollowUp.benefits_status.in_(("kept", "restored")), func.coalesce(fact.dibao_monthly, 0)),
        else_=0,
    )
    net_change = case(
        (and_(done, FollowUp.employed.is_not(None), fact.income_before.is_not(None)),
         func.coalesce(FollowUp.monthly_earnings, 0) + dibao
         + func.coalesce(fact.disability_allowance_monthly, 0) - fact.income_before),
    )
    return (
        select(
            FollowUp.placement_id,
            FollowUp.day_offset,
            FollowUp.due_date,
            case((done, true()), else_=false()),
            case((and_(done, FollowUp.employed.is_(True)), FollowUp.monthly_earnings)),
            net_change,
            who5,
            case((FollowUp.day_offset > fact.who5_first_day, who5 - fact.who5_first)),
            social,
            case((FollowUp.day_offset > fact.social_first_day, social - fact.social_first)),
            case((done, FollowUp.participation["community_events"].as_boolean())),
        )
        .join(fact, fact.placement_id == FollowUp.placement_id)
        .where(_in_scope(FollowUp.placement_id, ids))
    )


FOLLOW_UP_FACT_COLUMNS = (
    "placement_id", "day_offset", "due_date", "done", "monthly_earnings", "net_change", "who5",
    "who5_change", "social", "social_change", "community",
)


def _fill(connection: Connection, ids: list[int] | None) -> None:
    connection.execute(
        insert(OutcomeFact).from_select(FACT_COLUMNS, fact_select(ids))
    )
    connection.execute(
        insert(FollowUpFact).from_select(FOLLOW_UP_FACT_COLUMNS, follow_up_fact_select(ids))
    )


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def refresh(
    connection: Connection,
    *,
    placement_ids: Iterable[int] = (),
    seeker_ids: Iterable[int] = (),
    position_ids: Iterable[int] = (),
) -> int:
    """Recompute the facts of these placements and of every placement of these people and
    positions, on `connection` (in the caller's transaction); return how many placements."""
    ids = {i for i in placement_ids if i is not None}
    seekers = sorted({i for i in seeker_ids if i is not None})
    positions = sorted({i for i in position_ids if i is not None})
    for part in _chunks(seekers):
        ids.update(connection.scalars(select(Placement.id).where(Placement.seeker_id.in_(part))))
        # Placements moved to another person or deleted leave no row behind either.
        ids.update(connection.scalars(
            select(OutcomeFact.placement_id).where(OutcomeFact.seeker_id.in_(part))
        ))
    for part in _chunks(positions):
        ids.update(connection.scalars(
            select(Placement.id).where(Placement.position_id.in_(part))
        ))
    ordered = sorted(ids)
    for part in _chunks(ordered):
        connection.execute(delete(FollowUpFact).where(FollowUpFact.placement_id.in_(part)))
        connection.execute(delete(OutcomeFact).where(OutcomeFact.placement_id.in_(part)))
        _fill(connection, part)
    return len(ordered)


def rebuild(connection: Connection) -> int:
    """Recompute every placement's facts from scratch; return how many placements."""
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        # Right after a bulk load PostgreSQL has no statistics yet and plans the correlated
        # subqueries below as scans: minutes instead of seconds at 100,000 placements.
        connection.execute(text("ANALYZE placement, follow_up, seeker_profile, position, "
                                "consent_event"))
    connection.execute(delete(FollowUpFact))
    connection.execute(delete(OutcomeFact))
    _fill(connection, None)
    # And the dashboard's own plans need the new tables' statistics.
    for table in ("outcome_fact", "follow_up_fact"):
        connection.execute(text(f"ANALYZE {table}"))
    count = connection.scalar(select(func.count()).select_from(OutcomeFact)) or 0
    log.info("outcome facts rebuilt for %d placements", count)
    return count


# -- keeping the facts current on every ORM flush ---------------------------------------------


@dataclass
class Pending:
    """What a flush writes that the facts depend on (resolved to ids once it has run)."""

    placements: list[Placement] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    seekers: list[SeekerProfile] = field(default_factory=list)
    consents: list[ConsentEvent] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    seeker_ids: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return any((self.placements, self.follow_ups, self.seekers, self.consents,
                    self.positions, self.seeker_ids))


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    pending: Pending = session.info.setdefault(PENDING, Pending())
    for obj in chain(session.new, session.dirty, session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Placement):
            pending.placements.append(obj)
            # A placement moved to someone else changes the facts of the old person's jobs.
            pending.seeker_ids.update(
                s for s in inspect(obj).attrs.seeker_id.history.deleted if s is not None
            )
        elif isinstance(obj, FollowUp):
            pending.follow_ups.append(obj)
        elif isinstance(obj, SeekerProfile) and obj not in session.new:
            pending.seekers.append(obj)
        elif isinstance(obj, ConsentEvent) and obj in session.new:
            pending.consents.append(obj)
        elif isinstance(obj, Position) and obj not in session.new:
            pending.positions.append(obj)


def _after_flush(session: Session, _context: Any) -> None:
    pending: Pending | None = session.info.pop(PENDING, None)
    if not pending:
        return
    follow_up_placements = {
        f.placement_id if f.placement_id is not None else f.placement.id
        for f in pending.follow_ups
    }
    refresh(
        session.connection(),
        placement_ids={p.id for p in pending.placements} | follow_up_placements,
        seeker_ids=pending.seeker_ids
        | {p.seeker_id for p in pending.placements}
        | {s.id for s in pending.seekers}
        | {c.seeker_id for c in pending.consents if c.purpose == "research"},
        position_ids={p.id for p in pending.positions},
    )


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(PENDING, None)


def keep_current() -> None:
    """Keep the facts current on every ORM session (idempotent)."""
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush),
                           ("after_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
