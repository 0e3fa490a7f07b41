"""The consent ledger and the audit log: append-only records of who did what, when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from rongye.models.base import Base, created_at, fk, intpk, one_of, str20, str80
from rongye.models.profiles import CONSENT_METHODS

#: matching: the seeker may be matched; share_employer: a summary may be shown to a named
#: employer the seeker is proposed to; research: anonymous outcome research.
CONSENT_PURPOSES = ("matching", "share_employer", "research")


class ConsentEvent(Base):
    """One grant or withdrawal. The latest event per (seeker, purpose, employer) is in force."""

    __tablename__ = "consent_event"
    __table_args__ = (one_of("purpose", CONSENT_PURPOSES), one_of("method", CONSENT_METHODS))

    id: Mapped[intpk]
    seeker_id: Mapped[int] = fk("seeker_profile.id", ondelete="CASCADE")
    purpose: Mapped[str20]
    #: For share_employer consent given for one named employer; NULL = every proposed employer.
    employer_id: Mapped[int | None] = fk("organisation.id")
    granted: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str20]
    recorded_by_id: Mapped[int | None] = fk("account.id")
    created_at: Mapped[created_at]

    def __repr__(self) -> str:
        state = "granted" if self.granted else "withdrawn"
        return f"<ConsentEvent {self.seeker_id} {self.purpose} {state}>"


class AuditEvent(Base):
    """A decision, a change or a read of sensitive data, with the acting account."""

    __tablename__ = "audit_event"

    id: Mapped[intpk]
    actor_id: Mapped[int | None] = fk("account.id")
    action: Mapped[str80] = mapped_column(index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[created_at] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.subject_type}:{self.subject_id}>"
