"""The consent ledger: grants and withdrawals per purpose, the latest one in force."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rongye.models import CONSENT_PURPOSES, Account, ConsentEvent, SeekerProfile
from rongye.services import audit


def record_consent(
    session: Session,
    actor: Account | None,
    seeker: SeekerProfile,
    purpose: str,
    *,
    granted: bool,
    method: str = "self",
    employer_id: int | None = None,
) -> ConsentEvent:
    """Append a grant or withdrawal to the ledger and audit it (the caller commits)."""
    if purpose not in CONSENT_PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    event = ConsentEvent(
        seeker_id=seeker.id,
        purpose=purpose,
        employer_id=employer_id,
        granted=granted,
        method=method,
        recorded_by_id=actor.id if actor is not None else None,
    )
    session.add(event)
    audit.record(
        session,
        actor,
        "consent.grant" if granted else "consent.withdraw",
        seeker,
        purpose=purpose,
        method=method,
        employer_id=employer_id,
    )
    return event


def current_consents(session: Session, seeker_id: int) -> dict[str, bool | None]:
    """Return purpose -> whether consent is in force now (None: never asked).

    Sharing consent here is the general one, for every employer the seeker is proposed to.
    """
    events = session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.seeker_id == seeker_id, ConsentEvent.employer_id.is_(None))
        .order_by(ConsentEvent.created_at, ConsentEvent.id)
    )
    state: dict[str, bool | None] = dict.fromkeys(CONSENT_PURPOSES)
    for event in events:
        state[event.purpose] = event.granted
    return state


def sharing_consented(session: Session, seeker_ids: set[int], employer_id: int) -> set[int]:
    """Return the seekers whose latest share_employer decision (for all or this employer) is yes."""
    if not seeker_ids:
        return set()
    events = session.scalars(
        select(ConsentEvent)
        .where(
            ConsentEvent.seeker_id.in_(seeker_ids),
            ConsentEvent.purpose == "share_employer",
            or_(ConsentEvent.employer_id.is_(None), ConsentEvent.employer_id == employer_id),
        )
        .order_by(ConsentEvent.created_at, ConsentEvent.id)
    )
    state: dict[int, bool] = {}
    for event in events:
        state[event.seeker_id] = event.granted
    return {seeker_id for seeker_id, granted in state.items() if granted}
