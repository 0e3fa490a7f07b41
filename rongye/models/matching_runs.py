"""Match runs, their proposals and the decisions people take on them (DESIGN section 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rongye.models.base import Base, created_at, fk, intpk, json_dict, one_of, str20

RUN_STATUSES = ("queued", "running", "done", "failed")
PROPOSAL_STATUSES = (
    "proposed",
    "confirmed",
    "rejected",
    "accepted",
    "declined",
    "review_requested",
    "hired",
    "not_hired",
)
DECISION_KINDS = (
    "confirm",
    "reject",
    "pin",
    "forbid",
    "swap",
    "seeker_accept",
    "seeker_decline",
    "seeker_review",
    "employer_hire",
    "employer_decline",
    "employer_interview",
    "unpin",
)
#: Coded reasons a social worker gives for rejecting or swapping a proposal, and the score
#: component each one says was overrated (None: a reason the score cannot see). Weight tuning
#: (rongye.services.feedback) reads the components; the codes are shown as labels.
REASON_CODES: dict[str, str | None] = {
    "skills_mismatch": "skills",
    "not_interested": "interests",
    "functioning_concern": "comfort",
    "unstable_job": "stability",
    "income_risk": "net_income",
    "logistics": "logistics",
    "better_alternative": None,
    "seeker_situation": None,
    "employer_concern": None,
    "other": None,
}
#: Reasons a job-seeker may give for declining (optional).
DECLINE_REASONS = ("not_interested", "pay", "hours", "travel", "health", "benefits", "other")
WEIGHTS_STATUSES = ("proposed", "approved", "dismissed")


class MatchRun(Base):
    """One solver run over a pool, with what it needs to be replayed."""

    __tablename__ = "match_run"
    __table_args__ = (one_of("status", RUN_STATUSES),)

    id: Mapped[intpk]
    agency_id: Mapped[int] = fk("organisation.id")
    created_by_id: Mapped[int | None] = fk("account.id")
    #: The run this one re-solves (with the worker's pins and forbids), if any.
    parent_id: Mapped[int | None] = fk("match_run.id")
    status: Mapped[str] = mapped_column(String(20), server_default="queued")
    pool: Mapped[json_dict]
    inputs_snapshot: Mapped[json_dict]
    weights_version: Mapped[int | None]
    engine_version: Mapped[str | None] = mapped_column(String(40))
    objective: Mapped[int | None]
    stats: Mapped[json_dict]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    proposals: Mapped[list[MatchProposal]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<MatchRun {self.id} {self.status}>"


class MatchProposal(Base):
    __tablename__ = "match_proposal"
    __table_args__ = (
        UniqueConstraint("run_id", "seeker_id", "position_id"),
        one_of("status", PROPOSAL_STATUSES),
    )

    id: Mapped[intpk]
    run_id: Mapped[int] = fk("match_run.id", ondelete="CASCADE")
    seeker_id: Mapped[int] = fk("seeker_profile.id")
    position_id: Mapped[int] = fk("position.id")
    score: Mapped[int]
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    unknowns: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Near-binding rules, alternatives and overridden rules, for the explanation page.
    explanation: Mapped[json_dict]
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), server_default="proposed", index=True)
    created_at: Mapped[created_at]

    run: Mapped[MatchRun] = relationship(back_populates="proposals")

    def __repr__(self) -> str:
        return f"<MatchProposal {self.id} {self.seeker_id}->{self.position_id}>"


class MatchDecision(Base):
    """A person's decision on a proposal, with a coded reason (feeds weight tuning)."""

    __tablename__ = "match_decision"
    __table_args__ = (one_of("kind", DECISION_KINDS),)

    id: Mapped[intpk]
    proposal_id: Mapped[int] = fk("match_proposal.id", ondelete="CASCADE")
    actor_id: Mapped[int | None] = fk("account.id")
    kind: Mapped[str20]
    reason_code: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    #: For a swap: the position chosen instead of the proposal's.
    other_position_id: Mapped[int | None] = fk("position.id")
    #: Score components of both options, {"chosen": {...}, "other": {...}, "max_points": {...}},
    #: the evidence weight tuning learns from.
    components: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )
    #: A confirmation of a proposal that lowers the seeker's net income needs both of these.
    benefits_acknowledged: Mapped[bool] = mapped_column(Boolean, server_default=false())
    advice: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]

    def __repr__(self) -> str:
        return f"<MatchDecision {self.kind} on {self.proposal_id}>"


class WeightsVersion(Base):
    """An organisation's score weights and minimum score; approved versions are in force.

    Version numbers count per organisation from 1; runs record the number they used (0 is the
    engine's defaults). A proposed version waits for an organisation admin's approval.
    """

    __tablename__ = "weights_version"
    __table_args__ = (
        UniqueConstraint("organisation_id", "version"),
        one_of("status", WEIGHTS_STATUSES),
        CheckConstraint("min_score BETWEEN 0 AND 100", name="min_score"),
    )

    id: Mapped[intpk]
    organisation_id: Mapped[int] = fk("organisation.id")
    version: Mapped[int]
    weights: Mapped[json_dict]
    min_score: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(20), server_default="proposed")
    #: How it was obtained and what it would have changed (agreement before and after).
    evidence: Mapped[json_dict]
    proposed_by_id: Mapped[int | None] = fk("account.id")
    approved_by_id: Mapped[int | None] = fk("account.id")
    created_at: Mapped[created_at]
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<WeightsVersion {self.organisation_id} v{self.version} {self.status}>"
