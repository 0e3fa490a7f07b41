"""Placements and the follow-ups that measure what happens after the match (DESIGN section 6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import expression

from rongye.models.base import Base, created_at, fk, intpk, one_of, range_check
from rongye.models.profiles import Position, SeekerProfile
from rongye.models.records import ConsentEvent

EXIT_CAUSES = (
    "automation",
    "contract_end",
    "health",
    "accommodation_failure",
    "discrimination",
    "own_choice",
    "other",
)
BENEFIT_STATUSES = ("none", "kept", "lost", "reapplied", "restored")


class Placement(Base):
    """A seeker working in a position, from a confirmed proposal or recorded directly."""

    __tablename__ = "placement"
    __table_args__ = (
        one_of("exit_cause", EXIT_CAUSES, nullable=True),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        range_check("monthly_pay_start", 0),
        range_check("hours_start", 0, 80),
        range_check("income_before", 0),
    )

    id: Mapped[intpk]
    seeker_id: Mapped[int] = fk("seeker_profile.id")
    position_id: Mapped[int | None] = fk("position.id")
    employer_id: Mapped[int | None] = fk("organisation.id")
    proposal_id: Mapped[int | None] = fk("match_proposal.id")
    agency_id: Mapped[int | None] = fk("organisation.id")
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    exit_cause: Mapped[str | None] = mapped_column(String(30))
    monthly_pay_start: Mapped[int | None]
    hours_start: Mapped[int | None] = mapped_column(SmallInteger)
    #: Net monthly income before the job (earnings + benefits), for "net income vs. before".
    income_before: Mapped[int | None]
    created_by_id: Mapped[int | None] = fk("account.id")
    created_at: Mapped[created_at]

    seeker: Mapped[SeekerProfile] = relationship()
    position: Mapped[Position | None] = relationship()
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="placement", cascade="all, delete-orphan", order_by="FollowUp.due_date"
    )

    def __repr__(self) -> str:
        return f"<Placement {self.id}>"


class FollowUp(Base):
    """A scheduled check on a placement; the answer fields stay NULL until it is done."""

    __tablename__ = "follow_up"
    __table_args__ = (
        one_of("benefits_status", BENEFIT_STATUSES, nullable=True),
        one_of("exit_cause", EXIT_CAUSES, nullable=True),
        UniqueConstraint("placement_id", "day_offset"),
        range_check("hours_per_week", 0, 80),
        range_check("monthly_earnings", 0),
        *(
            CheckConstraint(f"who5_{i} IS NULL OR who5_{i} BETWEEN 0 AND 5", name=f"who5_{i}")
            for i in range(1, 6)
        ),
    )

    id: Mapped[intpk]
    placement_id: Mapped[int] = fk("placement.id", ondelete="CASCADE")
    due_date: Mapped[dt.date] = mapped_column(Date, index=True)
    #: Days after the placement start this follow-up belongs to (30, 90, 180, 365, 730, ...).
    day_offset: Mapped[int]
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_by_id: Mapped[int | None] = fk("account.id")

    employed: Mapped[bool | None] = mapped_column(Boolean)
    same_employer: Mapped[bool | None] = mapped_column(Boolean)
    hours_per_week: Mapped[int | None] = mapped_column(SmallInteger)
    monthly_earnings: Mapped[int | None]
    accommodation_provided: Mapped[bool | None] = mapped_column(Boolean)
    who5_1: Mapped[int | None] = mapped_column(SmallInteger)
    who5_2: Mapped[int | None] = mapped_column(SmallInteger)
    who5_3: Mapped[int | None] = mapped_column(SmallInteger)
    who5_4: Mapped[int | None] = mapped_column(SmallInteger)
    who5_5: Mapped[int | None] = mapped_column(SmallInteger)
    #: Social participation items, item code -> answer.
    participation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    family_change: Mapped[str | None] = mapped_column(Text)
    benefits_status: Mapped[str | None] = mapped_column(String(20))
    benefits_date: Mapped[dt.date | None] = mapped_column(Date)
    job_quality: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    exit_cause: Mapped[str | None] = mapped_column(String(30))
    #: Answers to organisation-defined extra questions, question id -> answer.
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    placement: Mapped[Placement] = relationship(back_populates="follow_ups")

    @property
    def who5_total(self) -> int | None:
        """Return the WHO-5 raw score 0..25, or None unless all five items are answered."""
        items = [self.who5_1, self.who5_2, self.who5_3, self.who5_4, self.who5_5]
        if any(item is None for item in items):
            return None
        return sum(item for item in items if item is not None)

    def __repr__(self) -> str:
        return f"<FollowUp {self.id} day {self.day_offset}>"


class OutcomeFact(Base):
    """What the outcome indicators need of one placement, already reduced (a derived copy).

    Kept current in the same transaction as every write to placements, follow-ups, profiles,
    positions and research consent (rongye.services.outcome_facts); `flask outcomes rebuild`
    recomputes it all. Nothing here depends on the day it is read: whatever does (censoring,
    "at least a year ago") is worked out from the dates when the dashboard asks.
    """

    __tablename__ = "outcome_fact"

    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), primary_key=True
    )
    #: Indexed: a write to a person refreshes the facts of all their placements.
    seeker_id: Mapped[int] = mapped_column(Integer, index=True)
    agency_id: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    exit_cause: Mapped[str | None] = mapped_column(String(30))
    income_before: Mapped[int | None]
    #: The job-seeker's latest research consent is a grant (only those are counted).
    research: Mapped[bool] = mapped_column(Boolean, server_default=expression.false())
    # The job-seeker's and the position's groups, as the profile and position say now.
    region: Mapped[str | None] = mapped_column(String(80))
    gender: Mapped[str | None] = mapped_column(String(10))
    disability_category: Mapped[str | None] = mapped_column(String(20))
    disability_grade: Mapped[int | None] = mapped_column(SmallInteger)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    dibao_monthly: Mapped[int | None] = mapped_column(Integer)
    disability_allowance_monthly: Mapped[int | None] = mapped_column(Integer)
    work_type: Mapped[str | None] = mapped_column(String(20))
    #: Days in work (this job and the person's other jobs, a day in two jobs counting once)
    #: in the year after the start; NULL when no job falls in that year. Read once the year
    #: is over.
    first_year_days: Mapped[int | None] = mapped_column(SmallInteger)
    #: Consecutive answered follow-ups in work with earnings (earlier earnings above 0).
    volatility_pairs: Mapped[int] = mapped_column(Integer, server_default="0")
    #: Sum over those pairs of |later - earlier| / earlier.
    volatility_sum: Mapped[float] = mapped_column(Float, server_default="0")
    #: Pairs whose earnings fell by more than 20 %.
    volatility_drops: Mapped[int] = mapped_column(Integer, server_default="0")
    #: A follow-up reported on the minimum living allowance (any status but "none").
    allowance_reported: Mapped[bool] = mapped_column(Boolean, server_default=expression.false())
    #: A follow-up reported the allowance lost, re-applied for or restored.
    allowance_lost: Mapped[bool] = mapped_column(Boolean, server_default=expression.false())
    #: After the end: the first of allowance restored and the next job (NULL: neither yet).
    income_back_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Another job of the same person started 0 to 90 days after this one ended.
    reemployed_90: Mapped[bool] = mapped_column(Boolean, server_default=expression.false())
    #: The first answered follow-up with all of WHO-5 (its day and 0-100 score).
    who5_first_day: Mapped[int | None] = mapped_column(Integer)
    who5_first: Mapped[int | None] = mapped_column(SmallInteger)
    #: The first answered follow-up with the social activities item (its day and level).
    social_first_day: Mapped[int | None] = mapped_column(Integer)
    social_first: Mapped[int | None] = mapped_column(SmallInteger)

    def __repr__(self) -> str:
        return f"<OutcomeFact {self.placement_id}>"


class FollowUpFact(Base):
    """One follow-up as the indicators read it: a narrow derived copy, no JSON to parse.

    Every measure is NULL unless the follow-up is done and the measure applies, so that the
    dashboard's one pass per page aggregates plain columns. Kept current with OutcomeFact.
    """

    __tablename__ = "follow_up_fact"
    # Clustered by day (SQLite: WITHOUT ROWID, primary key first): the dashboard's GROUP BY
    # day then streams through the table instead of sorting half a million rows.
    __table_args__ = ({"sqlite_with_rowid": False},)

    day_offset: Mapped[int] = mapped_column(Integer, primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placement.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    due_date: Mapped[dt.date] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, server_default=expression.false())
    #: Monthly earnings of a person in work.
    monthly_earnings: Mapped[int | None]
    #: Net monthly income against before the job: earnings, plus the minimum living allowance
    #: if kept or restored, plus disability allowances, minus the income before.
    net_change: Mapped[int | None]
    #: WHO-5 on the 0-100 scale (all five items answered), and its change since the first.
    who5: Mapped[int | None] = mapped_column(SmallInteger)
    who5_change: Mapped[int | None] = mapped_column(SmallInteger)
    #: Social activities (0 never to 4 several times a week), and the change since the first.
    social: Mapped[int | None] = mapped_column(SmallInteger)
    social_change: Mapped[int | None] = mapped_column(SmallInteger)
    #: Took part in a community or group event in the past month.
    community: Mapped[bool | None] = mapped_column(Boolean)

    def __repr__(self) -> str:
        return f"<FollowUpFact {self.placement_id} day {self.day_offset}>"


#: Outcome statistics count only people whose latest research consent is a grant; this index
#: answers "latest event per seeker and purpose" without reading the whole ledger.
Index(
    "ix_consent_event_latest",
    ConsentEvent.purpose,
    ConsentEvent.seeker_id,
    ConsentEvent.created_at,
    ConsentEvent.id,
)
