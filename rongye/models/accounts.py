"""Organisations and the accounts that act in them."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rongye.models.base import Base, created_at, fk, intpk, one_of, str20, str200

ORGANISATION_KINDS = ("employer", "agency", "ngo")
ROLES = ("seeker", "employer", "social_worker", "analyst", "admin")
#: Roles an organisation admin creates; the others register themselves.
STAFF_ROLES = ("social_worker", "analyst")


class Organisation(Base):
    __tablename__ = "organisation"
    __table_args__ = (one_of("kind", ORGANISATION_KINDS),)

    id: Mapped[intpk]
    name: Mapped[str200]
    kind: Mapped[str20]
    region: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(String(2000))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    #: Days after a placement starts when it is followed up (then yearly after the last one);
    #: NULL means the default schedule, rongye.services.followups.DEFAULT_SCHEDULE.
    follow_up_days: Mapped[list[int] | None] = mapped_column(JSON)
    #: The local benefit rules the matching engine applies to this organisation's runs
    #: (matching.BenefitRules fields); NULL means the engine's documented defaults.
    benefit_rules: Mapped[dict[str, float | bool] | None] = mapped_column(JSON)
    created_at: Mapped[created_at]

    members: Mapped[list[Account]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind}>"


class Account(UserMixin, Base):
    __tablename__ = "account"
    __table_args__ = (
        one_of("role", ROLES),
        one_of("locale", ("zh_CN", "en"), nullable=True),
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="email_or_phone"),
    )

    id: Mapped[intpk]
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str20]
    display_name: Mapped[str] = mapped_column(String(80))
    organisation_id: Mapped[int | None] = fk("organisation.id")
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[created_at]
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot log in
        return self.active

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.role}>"
