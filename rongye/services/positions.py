"""Positions and the organisation profile: an employer acts only on its own organisation.

Every change is audited and committed here. A position of another organisation is reported as
not found (404), never as forbidden, so that its existence is not revealed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from matching.catalogue import DOMAINS
from rongye.models import (
    Accommodation,
    Account,
    MatchProposal,
    Organisation,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.services import audit
from rongye.services.consent import sharing_consented
from rongye.services.profiles import catalogue

log = logging.getLogger(__name__)

#: Status action -> (statuses it may start from, the status it leads to).
TRANSITIONS: Mapping[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({"draft"}), "open"),
    "pause": (frozenset({"open"}), "paused"),
    "close": (frozenset({"draft", "open", "paused"}), "closed"),
    "reopen": (frozenset({"paused", "closed"}), "open"),
}
#: Proposal stages an employer is shown: only once the job-seeker has accepted (DESIGN 1.7:
#: the machine proposes, the worker confirms, the seeker decides; nothing reaches an employer
#: before that). Proposals, rejections, declines and review requests are the agency's business.
VISIBLE_PROPOSAL_STATUSES = ("accepted", "hired", "not_hired")
_POSITION_FIELDS = (
    "title", "work_type", "tasks", "skills", "work_mode", "region", "hours_per_week",
    "monthly_pay", "social_insurance", "contract_type", "openings", "training_offered",
    "automation_exposure",
)


class InvalidTransition(Exception):
    """The position's status does not allow this action (e.g. pausing a draft)."""

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action} a position that is {status}")
        self.action = action
        self.status = status


@dataclass(frozen=True, slots=True)
class PositionData:
    title: str
    work_type: str
    tasks: str | None
    skills: list[str]
    demands: dict[str, int]
    accommodation_codes: tuple[str, ...]
    work_mode: str
    region: str
    hours_per_week: int
    monthly_pay: int
    social_insurance: bool
    contract_type: str
    openings: int
    training_offered: bool
    automation_exposure: float


def _employer_id(actor: Account) -> int:
    if actor.role != "employer" or actor.organisation_id is None:
        raise NotFound()
    return actor.organisation_id


def own_organisation(session: Session, actor: Account) -> Organisation:
    """Return the actor's employer organisation, or raise 404."""
    organisation = session.get(Organisation, _employer_id(actor))
    if organisation is None or organisation.kind != "employer":
        raise NotFound()
    return organisation


def own_position(session: Session, actor: Account, position_id: int) -> Position:
    """Return the position if it belongs to the actor's organisation, else raise 404."""
    position = session.get(Position, position_id)
    if position is None or position.employer_id != _employer_id(actor):
        raise NotFound()
    return position


def _accommodations(session: Session, organisation_id: int, codes: tuple[str, ...]) -> list[Any]:
    if not codes:
        return []
    by_code = {a.code: a for a in catalogue(session, organisation_id)}
    unknown = set(codes) - by_code.keys()
    if unknown:
        raise ValueError(f"accommodations not in the catalogue: {sorted(unknown)}")
    return [by_code[code] for code in dict.fromkeys(codes)]


def _check(data: PositionData) -> None:
    # The form validates all of this; the service refuses anything that slips past it.
    if set(data.demands) != set(DOMAINS) or any(v not in (0, 1, 2, 3)
                                                for v in data.demands.values()):
        raise ValueError("a demand level 0..3 is needed for every domain")
    if not 0 <= data.automation_exposure <= 1:
        raise ValueError("automation exposure must be between 0 and 1")


def _apply(session: Session, position: Position, data: PositionData) -> None:
    _check(data)
    for name in _POSITION_FIELDS:
        setattr(position, name, getattr(data, name))
    for domain, level in data.demands.items():
        setattr(position, f"demand_{domain}", level)
    position.accommodations = _accommodations(
        session, position.employer_id, data.accommodation_codes
    )


def _snapshot(position: Position) -> dict[str, Any]:
    values = {name: getattr(position, name) for name in _POSITION_FIELDS}
    values.update({f"demand_{d}": level for d, level in position.demands.items()})
    values["accommodations"] = sorted(a.code for a in position.accommodations)
    return values


def create_position(
    session: Session, actor: Account, data: PositionData, *, publish: bool = False
) -> Position:
    """Create a position for the actor's organisation, as a draft or published (open)."""
    employer_id = own_organisation(session, actor).id
    position = Position(employer_id=employer_id, status="open" if publish else "draft")
    _apply(session, position, data)
    session.add(position)
    session.flush()
    audit.record(session, actor, "position.create", position, status=position.status)
    session.commit()
    log.info("%r created by %r", position, actor)
    return position


def update_position(
    session: Session, actor: Account, position_id: int, data: PositionData
) -> Position:
    """Change a position of the actor's organisation; the audit row names the changed fields."""
    position = own_position(session, actor, position_id)
    before = _snapshot(position)
    _apply(session, position, data)
    after = _snapshot(position)
    changed = sorted(name for name in after if after[name] != before[name])
    audit.record(session, actor, "position.update", position, changed=changed)
    session.commit()
    log.info("%r updated by %r", position, actor)
    return position


def change_status(session: Session, actor: Account, position_id: int, action: str) -> Position:
    """Publish, pause, close or reopen a position of the actor's organisation."""
    position = own_position(session, actor, position_id)
    if action not in TRANSITIONS:
        raise ValueError(f"unknown status action {action!r}")
    sources, target = TRANSITIONS[action]
    if position.status not in sources:
        raise InvalidTransition(action, position.status)
    before = position.status
    position.status = target
    audit.record(session, actor, f"position.{action}", position, before=before, after=target)
    session.commit()
    log.info("%r %s by %r", position, action, actor)
    return position


def update_organisation(session: Session, actor: Account, values: dict[str, Any]) -> Organisation:
    """Change the actor's organisation profile: name, region, description, contact email."""
    organisation = own_organisation(session, actor)
    allowed = ("name", "region", "description", "contact_email")
    if set(values) - set(allowed) or not values.get("name"):
        raise ValueError("only name (required), region, description and contact_email change")
    changed = sorted(k for k in allowed if k in values and getattr(organisation, k) != values[k])
    for name in changed:
        setattr(organisation, name, values[name])
    audit.record(session, actor, "organisation.update", organisation, changed=changed)
    session.commit()
    log.info("%r updated by %r", organisation, actor)
    return organisation


# -- What an employer sees of the people matched to a position ------------------------------


@dataclass(frozen=True, slots=True)
class Applicant:
    """One person proposed to a position, as the employer may see them."""

    proposal_id: int
    name: str | None  # None unless the seeker consents to share a summary with this employer
    status: str


@dataclass(frozen=True, slots=True)
class Employee:
    name: str
    start_date: Any
    current: bool


def waiting_counts(session: Session, position_ids: list[int]) -> dict[int, int]:
    """Return position id -> people who accepted and await the employer's answer (if any)."""
    if not position_ids:
        return {}
    return dict(session.execute(
        select(MatchProposal.position_id, func.count(func.distinct(MatchProposal.seeker_id)))
        .where(MatchProposal.position_id.in_(position_ids), MatchProposal.status == "accepted")
        .group_by(MatchProposal.position_id)
    ).tuples().all())


def applicants(session: Session, position: Position) -> list[Applicant]:
    """Return the people put forward for the position: name (if consented) and stage only."""
    rows = session.execute(
        select(
            MatchProposal.seeker_id,
            MatchProposal.id,
            MatchProposal.status,
            SeekerProfile.display_name,
        )
        .join(SeekerProfile, SeekerProfile.id == MatchProposal.seeker_id)
        .where(
            MatchProposal.position_id == position.id,
            MatchProposal.status.in_(VISIBLE_PROPOSAL_STATUSES),
        )
        .order_by(MatchProposal.created_at.desc(), MatchProposal.id.desc())
    ).all()
    latest: dict[int, tuple[int, str, str]] = {}
    for seeker_id, proposal_id, status, name in rows:  # newest first: a later run's stage wins
        latest.setdefault(seeker_id, (proposal_id, status, name))
    shared = sharing_consented(session, set(latest), position.employer_id)
    return [
        Applicant(proposal_id, name if seeker_id in shared else None, status)
        for seeker_id, (proposal_id, status, name) in latest.items()
    ]


@dataclass(frozen=True, slots=True)
class CandidateSummary:
    """What an employer may see of a seeker proposed to them, with consent: the minimum needed.

    Never functioning levels, certificate, benefits, household, health or contact details.
    """

    name: str
    region: str | None
    skills: list[str]
    work_modes: list[str]
    hours_min: int | None
    hours_max: int | None
    accommodations: list[Accommodation]
    status: str


def candidate_summary(
    session: Session, actor: Account, position_id: int, proposal_id: int
) -> CandidateSummary:
    """Return the consented summary of a seeker put forward for the actor's position (or 404)."""
    position = own_position(session, actor, position_id)
    proposal = session.get(MatchProposal, proposal_id)
    if (
        proposal is None
        or proposal.position_id != position.id
        or proposal.status not in VISIBLE_PROPOSAL_STATUSES
        or not sharing_consented(session, {proposal.seeker_id}, position.employer_id)
    ):
        raise NotFound()
    seeker = session.get(SeekerProfile, proposal.seeker_id)
    if seeker is None or seeker.erased_at is not None:
        raise NotFound()
    audit.record(session, actor, "candidate.view", seeker, proposal_id=proposal.id)
    session.commit()
    return CandidateSummary(
        name=seeker.display_name,
        region=seeker.region,
        skills=list(seeker.skills or []),
        work_modes=list(seeker.work_modes or []),
        hours_min=seeker.hours_min,
        hours_max=seeker.hours_max,
        accommodations=list(seeker.accommodations),
        status=proposal.status,
    )


def employees(session: Session, position: Position) -> list[Employee]:
    """Return the people placed in the position: name, start date and whether still there."""
    rows = session.execute(
        select(SeekerProfile.display_name, Placement.start_date, Placement.end_date)
        .join(SeekerProfile, SeekerProfile.id == Placement.seeker_id)
        .where(Placement.position_id == position.id)
        .order_by(Placement.start_date.desc(), Placement.id.desc())
    ).all()
    return [Employee(name, start, end is None) for name, start, end in rows]
