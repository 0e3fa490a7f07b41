"""Factory helpers: build test data with sensible defaults, overridable per test."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from rongye.extensions import db
from rongye.models import (
    Account,
    ConsentEvent,
    MatchProposal,
    MatchRun,
    Organisation,
    Position,
    SeekerProfile,
)
from rongye.services.accounts import password_hasher

PASSWORD = "correct-horse-42"
_sequence = itertools.count(1)


def create_organisation(kind: str = "agency", **fields: Any) -> Organisation:
    organisation = Organisation(kind=kind, name=fields.pop("name", f"{kind} {next(_sequence)}"))
    for name, value in fields.items():
        setattr(organisation, name, value)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def create_account(
    role: str,
    organisation: Organisation | None = None,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    **fields: Any,
) -> Account:
    n = next(_sequence)
    account = Account(
        role=role,
        email=email if email is not None else f"{role}{n}@example.org",
        display_name=fields.pop("display_name", f"{role} {n}"),
        password_hash=password_hasher().hash(password),
        organisation_id=organisation.id if organisation else None,
        **fields,
    )
    db.session.add(account)
    db.session.flush()
    return account


def create_seeker(account: Account | None = None, **fields: Any) -> SeekerProfile:
    profile = SeekerProfile(
        account_id=account.id if account else None,
        display_name=fields.pop("display_name", account.display_name if account else "求职者"),
        **fields,
    )
    db.session.add(profile)
    db.session.flush()
    return profile


def create_position(employer: Organisation, **fields: Any) -> Position:
    values: dict[str, Any] = {
        "title": "数据标注员",
        "work_type": "data_annotation",
        "work_mode": "remote",
        "region": "北京",
        "hours_per_week": 30,
        "monthly_pay": 3500,
        "social_insurance": True,
        "contract_type": "fixed_term",
        "automation_exposure": 0.8,
        "status": "open",
    }
    values.update(fields)
    position = Position(employer_id=employer.id, **values)
    db.session.add(position)
    db.session.flush()
    return position


@dataclass
class People:
    agency: Organisation
    other_agency: Organisation
    employer_org: Organisation
    ngo: Organisation
    seeker: Account
    seeker_profile: SeekerProfile
    employer: Account
    social_worker: Account
    analyst: Account
    admin: Account

    def by_role(self, role: str) -> Account:
        return getattr(self, role)  # type: ignore[no-any-return]


def create_people() -> People:
    """Create one account per role (commit included) and return them."""
    agency = create_organisation("agency", name="北京融业服务中心")
    other_agency = create_organisation("agency", name="南京助残社工站")
    employer_org = create_organisation("employer", name="星光数据科技")
    ngo = create_organisation("ngo", name="融合就业研究会")
    seeker = create_account("seeker", email="seeker@example.org", display_name="王芳")
    people = People(
        agency=agency,
        other_agency=other_agency,
        employer_org=employer_org,
        ngo=ngo,
        seeker=seeker,
        seeker_profile=create_seeker(seeker, agency_id=agency.id, region="北京"),
        employer=create_account("employer", employer_org, email="employer@example.org"),
        social_worker=create_account("social_worker", agency, email="worker@example.org"),
        analyst=create_account("analyst", ngo, email="analyst@example.org"),
        admin=create_account("admin", None, email="admin@example.org"),
    )
    db.session.commit()
    return people


def create_proposal(
    seeker: SeekerProfile, position: Position, *, status: str = "confirmed", score: int = 80
) -> MatchProposal:
    """A proposal in a finished run of the seeker's agency."""
    run = MatchRun(agency_id=seeker.agency_id, status="done")
    db.session.add(run)
    db.session.flush()
    proposal = MatchProposal(
        run_id=run.id, seeker_id=seeker.id, position_id=position.id, score=score, status=status
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


def grant(seeker: SeekerProfile, purpose: str, *, granted: bool = True,
          employer_id: int | None = None) -> ConsentEvent:
    """Record a consent decision for the seeker."""
    event = ConsentEvent(seeker_id=seeker.id, purpose=purpose, granted=granted, method="self",
                         employer_id=employer_id)
    db.session.add(event)
    db.session.flush()
    return event
