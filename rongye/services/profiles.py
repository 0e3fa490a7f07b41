"""Seeker profiles: the step-by-step record, assisted entry by workers, duplicates, erasure."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matching.catalogue import DOMAINS
from rongye.models import Accommodation, Account, ExtraQuestion, FollowUp, Placement, SeekerProfile
from rongye.services import audit
from rongye.services.consent import current_consents, record_consent

log = logging.getLogger(__name__)

#: The profile's topics, in order; "extra" appears only when the agency has its own questions.
STEPS = (
    "about",
    "functioning",
    "skills",
    "preferences",
    "accommodations",
    "benefits",
    "extra",
    "consent",
)


def steps_for(session: Session, profile: SeekerProfile) -> list[str]:
    """Return the steps this profile's record has."""
    if extra_questions(session, profile.agency_id):
        return list(STEPS)
    return [step for step in STEPS if step != "extra"]


def extra_questions(session: Session, organisation_id: int | None) -> list[ExtraQuestion]:
    """Return an organisation's active questions for seeker profiles, in order."""
    if organisation_id is None:
        return []
    return list(
        session.scalars(
            select(ExtraQuestion)
            .where(
                ExtraQuestion.organisation_id == organisation_id,
                ExtraQuestion.applies_to == "seeker",
                ExtraQuestion.active.is_(True),
            )
            .order_by(ExtraQuestion.sort_order, ExtraQuestion.id)
        )
    )


def id_fingerprint(id_number: str) -> str:
    """Return a keyed hash of an ID number: equal numbers match, the number cannot be read back."""
    key = str(current_app.config.get("ID_HASH_KEY") or current_app.config["SECRET_KEY"])
    normalised = id_number.strip().upper().encode()
    return hmac.new(key.encode(), normalised, hashlib.sha256).hexdigest()


def catalogue(session: Session, organisation_id: int | None = None) -> list[Accommodation]:
    """Return the built-in accommodations plus the organisation's own, by code."""
    query = select(Accommodation).where(
        or_(
            Accommodation.organisation_id.is_(None),
            Accommodation.organisation_id == organisation_id,
        )
    )
    return list(session.scalars(query.order_by(Accommodation.id)))


def find_duplicates(
    session: Session,
    *,
    phone: str | None,
    id_hash: str | None,
    exclude_id: int | None = None,
) -> list[SeekerProfile]:
    """Return other profiles with the same phone number or ID number."""
    conditions = []
    if phone:
        conditions.append(SeekerProfile.phone == phone)
    if id_hash:
        conditions.append(SeekerProfile.id_number_hash == id_hash)
    if not conditions:
        return []
    query = select(SeekerProfile).where(or_(*conditions), SeekerProfile.erased_at.is_(None))
    if exclude_id is not None:
        query = query.where(SeekerProfile.id != exclude_id)
    return list(session.scalars(query))


class DuplicateProfile(Exception):
    """Another profile has the same phone or ID number."""

    def __init__(self, field: str, others: list[SeekerProfile]) -> None:
        super().__init__(field)
        self.field = field
        self.others = others


def refuse_duplicates(
    session: Session, *, phone: str | None, id_hash: str | None, exclude_id: int | None = None
) -> None:
    """Raise DuplicateProfile if another profile has this phone or ID number."""
    for field, others in (
        ("phone", find_duplicates(session, phone=phone, id_hash=None, exclude_id=exclude_id)),
        ("id_number", find_duplicates(session, phone=None, id_hash=id_hash, exclude_id=exclude_id)),
    ):
        if others:
            raise DuplicateProfile(field, others)


def _apply(session: Session, profile: SeekerProfile, values: dict[str, Any]) -> list[str]:
    """Set profile attributes from a step's values; return the names of what changed."""
    changed = []
    values = dict(values)
    if "id_number" in values:
        id_number = values.pop("id_number")
        fingerprint = id_fingerprint(id_number) if id_number else None
        if fingerprint != profile.id_number_hash:
            profile.id_number_hash = fingerprint
            changed.append("id_number")
    if "accommodations" in values:
        codes = set(values.pop("accommodations") or [])
        chosen = [a for a in catalogue(session, profile.agency_id) if a.code in codes]
        if {a.code for a in profile.accommodations} != codes:
            profile.accommodations = chosen
            changed.append("accommodations")
    if "extra" in values:
        answers = {k: v for k, v in values.pop("extra").items() if v not in (None, "")}
        if answers != (profile.extra or {}):
            profile.extra = answers
            changed.append("extra")
    for name, value in values.items():
        if getattr(profile, name) != value:
            setattr(profile, name, value)
            changed.append(name)
    return changed


def save_step(
    session: Session,
    actor: Account,
    profile: SeekerProfile,
    step: str,
    values: dict[str, Any],
) -> list[str]:
    """Store one step of the profile (all or nothing), audit it and return the changed fields.

    Raises DuplicateProfile, before writing anything, when a new phone or ID number is already
    on another profile.
    """
    if step not in STEPS:
        raise ValueError(f"unknown profile step {step!r}")
    id_number = values.get("id_number")
    refuse_duplicates(
        session,
        phone=values.get("phone"),
        id_hash=id_fingerprint(id_number) if id_number else None,
        exclude_id=profile.id,
    )
    changed = _apply(session, profile, values)
    steps = steps_for(session, profile)
    if step in steps:
        profile.profile_step = max(profile.profile_step or 0, steps.index(step) + 1)
    if changed:
        audit.record(session, actor, "profile.update", profile, step=step, fields=sorted(changed))
    session.commit()
    log.info("%r step %s saved by %r", profile, step, actor)
    return changed


def save_consents(
    session: Session,
    actor: Account,
    profile: SeekerProfile,
    wanted: dict[str, bool],
    method: str,
) -> list[str]:
    """Record each purpose whose consent changed; return the purposes that changed."""
    now = current_consents(session, profile.id)
    changed = [p for p, granted in wanted.items() if now.get(p) is not granted]
    for purpose in changed:
        record_consent(session, actor, profile, purpose, granted=wanted[purpose], method=method)
    if method != "self":
        profile.consent_method = method
    position = len(steps_for(session, profile))
    profile.profile_step = max(profile.profile_step or 0, position)
    session.commit()
    return changed


@dataclass(frozen=True, slots=True)
class NewAssistedProfile:
    display_name: str
    region: str
    phone: str | None
    id_number: str | None
    consent_method: str


def create_assisted(session: Session, worker: Account, data: NewAssistedProfile) -> SeekerProfile:
    """Open a profile, kept by the worker's agency, for someone who may have no account."""
    id_hash = id_fingerprint(data.id_number) if data.id_number else None
    refuse_duplicates(session, phone=data.phone, id_hash=id_hash)
    profile = SeekerProfile(
        display_name=data.display_name,
        region=data.region,
        phone=data.phone,
        id_number_hash=id_hash,
        agency_id=worker.organisation_id,
        worker_id=worker.id,
        created_by_id=worker.id,
        assisted=True,
        consent_method=data.consent_method,
        profile_step=1,
    )
    session.add(profile)
    session.flush()
    audit.record(session, worker, "profile.create_assisted", profile, method=data.consent_method)
    session.commit()
    log.info("%r created by %r", profile, worker)
    return profile


def caseload_profile(session: Session, worker: Account, seeker_id: int) -> SeekerProfile | None:
    """Return the profile if it is in the worker's agency caseload (and not erased), else None."""
    profile = session.get(SeekerProfile, seeker_id)
    if profile is None or profile.erased_at is not None:
        return None
    if worker.organisation_id is None or profile.agency_id != worker.organisation_id:
        return None
    return profile


def own_profile(session: Session, account: Account) -> SeekerProfile | None:
    """Return the signed-in seeker's own profile."""
    return session.scalar(select(SeekerProfile).where(SeekerProfile.account_id == account.id))


def missing_steps(session: Session, profile: SeekerProfile) -> list[str]:
    """Return the steps not yet saved, in order."""
    steps = steps_for(session, profile)
    return steps[(profile.profile_step or 0) :]


def record_sensitive_read(
    session: Session, actor: Account, profile: SeekerProfile, what: Iterable[str]
) -> None:
    """Audit that `actor` was shown sensitive parts of a profile."""
    audit.record(session, actor, "profile.read", profile, sections=sorted(what))
    session.commit()


ERASED_NAME = "—"


def erase(session: Session, actor: Account, profile: SeekerProfile) -> None:
    """Erase identity and free text; keep de-identified outcome rows for statistics.

    What stays: region, gender, birth year rounded down to five years, certificate category
    and grade (the groups outcome statistics are broken down by), placements and follow-up
    answers without their free text. The seeker's account is closed and its log-ins removed.
    """
    now = dt.datetime.now(dt.UTC)
    for name in (
        "phone",
        "id_number_hash",
        "work_history",
        "assistive_technology",
        "household_size",
        "carer_duties",
        "dibao_monthly",
        "disability_allowance_monthly",
        "social_insurance",
        "hours_min",
        "hours_max",
        "education",
        *DOMAINS,
    ):
        setattr(profile, name, None)
    profile.display_name = ERASED_NAME
    profile.skills, profile.interests, profile.work_modes, profile.extra = [], [], [], {}
    profile.accommodations = []
    if profile.birth_year:
        profile.birth_year -= profile.birth_year % 5
    profile.erased_at = now
    follow_ups = session.scalars(
        select(FollowUp).join(Placement).where(Placement.seeker_id == profile.id)
    )
    for follow_up in follow_ups:
        follow_up.family_change = None
        follow_up.extra = {}
    if profile.account_id is not None:
        account = session.get(Account, profile.account_id)
        if account is not None:
            account.email = f"erased-{account.id}@erased.invalid"
            account.phone = None
            account.display_name = ERASED_NAME
            account.active = False
            account.password_hash = "!"  # matches no password
    audit.record(session, actor, "profile.erase", profile)
    session.commit()
    log.info("%r erased at the request of %r", profile, actor)
