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
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


#: Outcome statistics count only people whose latest research consent is a grant; this index
#: answers "latest event per seeker and purpose" without reading the whole ledger.
Index(
    "ix_consent_event_latest",
    ConsentEvent.purpose,
    ConsentEvent.seeker_id,
    ConsentEvent.created_at,
    ConsentEvent.id,
)
