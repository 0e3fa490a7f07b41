"""Read-only figures for each role's dashboard, scoped to what that role may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from rongye.models import (
    Account,
    AuditEvent,
    FollowUp,
    FollowUpFact,
    Organisation,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.services.accounts import staff_organisations


def caseload_query(agency_id: int) -> Select[tuple[SeekerProfile]]:
    """Return the select of seekers in an agency's caseload, most recently updated first."""
    return (
        select(SeekerProfile)
        .where(SeekerProfile.agency_id == agency_id, SeekerProfile.erased_at.is_(None))
        .order_by(SeekerProfile.updated_at.desc(), SeekerProfile.id.desc())
    )


def employer_positions_query(employer_id: int) -> Select[tuple[Position]]:
    """Return the select of an employer's positions, newest first."""
    return (
        select(Position)
        .where(Position.employer_id == employer_id)
        .order_by(Position.created_at.desc(), Position.id.desc())
    )


@dataclass(frozen=True, slots=True)
class WorkerSummary:
    caseload: int
    placed_now: int
    follow_ups_overdue: int
    follow_ups_due_soon: int


def worker_summary(session: Session, agency_id: int, today: dt.date) -> WorkerSummary:
    """Count the caseload, current placements and follow-ups that need doing."""
    caseload = session.scalar(
        select(func.count()).select_from(SeekerProfile).where(SeekerProfile.agency_id == agency_id)
    )
    placed = session.scalar(
        select(func.count())
        .select_from(Placement)
        .where(Placement.agency_id == agency_id, Placement.end_date.is_(None))
    )
    open_follow_ups = (
        select(func.count())
        .select_from(FollowUp)
        .join(Placement)
        .where(Placement.agency_id == agency_id, FollowUp.done_at.is_(None))
    )
    overdue = session.scalar(open_follow_ups.where(FollowUp.due_date < today))
    due_soon = session.scalar(
        open_follow_ups.where(FollowUp.due_date.between(today, today + dt.timedelta(days=30)))
    )
    return WorkerSummary(caseload or 0, placed or 0, overdue or 0, due_soon or 0)


@dataclass(frozen=True, slots=True)
class PlatformSummary:
    seekers: int
    open_positions: int
    placements: int
    placements_active: int
    follow_ups_done: int


def platform_summary(session: Session) -> PlatformSummary:
    """Count the aggregate figures an analyst may see; no individual record is returned."""

    def count(query: Select[tuple[int]]) -> int:
        return session.scalar(query) or 0

    return PlatformSummary(
        seekers=count(select(func.count()).select_from(SeekerProfile)),
        open_positions=count(
            select(func.count()).select_from(Position).where(Position.status == "open")
        ),
        placements=count(select(func.count()).select_from(Placement)),
        placements_active=count(
            select(func.count()).select_from(Placement).where(Placement.end_date.is_(None))
        ),
        # The narrow facts copy of the follow-ups: the same count, a fraction of the reading.
        follow_ups_done=count(
            select(func.count()).select_from(FollowUpFact).where(FollowUpFact.done.is_(True))
        ),
    )


def managed_staff(session: Session, admin: Account) -> list[Account]:
    """Return the staff accounts in the organisations `admin` manages."""
    organisation_ids = [o.id for o in staff_organisations(session, admin)]
    return list(
        session.scalars(
            select(Account)
            .where(Account.organisation_id.in_(organisation_ids))
            .where(Account.role.in_(("social_worker", "analyst", "admin")))
            .order_by(Account.organisation_id, Account.display_name)
        )
    )


def organisation_counts(session: Session) -> dict[str, int]:
    """Return the number of organisations of each kind."""
    rows = session.execute(select(Organisation.kind, func.count()).group_by(Organisation.kind))
    return dict(rows.tuples().all())


def audit_query(admin: Account) -> Select[tuple[AuditEvent]]:
    """Return the select of audit events `admin` may read, newest first.

    A platform admin (no organisation) reads every event; an organisation's admin reads the
    events of that organisation's accounts.
    """
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if admin.organisation_id is not None:
        members = select(Account.id).where(Account.organisation_id == admin.organisation_id)
        query = query.where(AuditEvent.actor_id.in_(members))
    return query
