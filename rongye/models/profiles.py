"""Seeker profiles, positions and the accommodation catalogue (DESIGN section 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matching.catalogue import DOMAINS, WORK_MODES
from rongye.models.accounts import Account, Organisation
from rongye.models.base import (
    Base,
    created_at,
    fk,
    intpk,
    json_list,
    level_check,
    one_of,
    range_check,
    str20,
    str80,
    str200,
)

GENDERS = ("female", "male", "other")
#: Certificate categories (残疾类别): vision 视力, hearing 听力, speech 言语, physical 肢体,
#: intellectual 智力, mental 精神, multiple 多重.
DISABILITY_CATEGORIES = (
    "vision", "hearing", "speech", "physical", "intellectual", "mental", "multiple"
)
EDUCATION_LEVELS = ("none", "primary", "junior", "senior", "vocational", "college", "university")
SOCIAL_INSURANCE_STATUSES = ("none", "resident", "employee", "unknown")
CONSENT_METHODS = ("self", "in_person", "paper")
CONTRACT_TYPES = ("permanent", "fixed_term", "part_time", "platform", "internship")
POSITION_STATUSES = ("draft", "open", "paused", "closed")
WORK_TYPES = (
    "data_annotation",
    "customer_service",
    "ecommerce",
    "content_review",
    "livestream",
    "office",
    "manufacturing",
    "services",
    "crafts",
)
#: Work types counted as "new-form" employment: remote, online or platform work.
NEW_FORM_WORK_TYPES = frozenset(
    {"data_annotation", "customer_service", "ecommerce", "content_review", "livestream"}
)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


seeker_accommodation = Table(
    "seeker_accommodation",
    Base.metadata,
    Column("seeker_id", ForeignKey("seeker_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("accommodation_id", ForeignKey("accommodation.id"), primary_key=True),
)

position_accommodation = Table(
    "position_accommodation",
    Base.metadata,
    Column("position_id", ForeignKey("position.id", ondelete="CASCADE"), primary_key=True),
    Column("accommodation_id", ForeignKey("accommodation.id"), primary_key=True),
)


class Accommodation(Base):
    """A catalogue entry: what it is, in both languages, and which demands it mitigates."""

    __tablename__ = "accommodation"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str80]
    name_en: Mapped[str80]
    description_zh: Mapped[str] = mapped_column(String(500))
    description_en: Mapped[str] = mapped_column(String(500))
    #: domain -> levels of demand mitigated, e.g. {"seeing": 2}
    mitigates: Mapped[dict[str, int]] = mapped_column(JSON)
    #: None for the built-in catalogue; set when an organisation extends it.
    organisation_id: Mapped[int | None] = fk("organisation.id")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh

    def description(self, locale: str) -> str:
        return self.description_en if locale == "en" else self.description_zh

    def __repr__(self) -> str:
        return f"<Accommodation {self.code}>"


class SeekerProfile(Base):
    """A job-seeker's functional profile. Functioning levels are NULL when unknown, never 0."""

    __tablename__ = "seeker_profile"
    __table_args__ = (
        *(level_check(domain, nullable=True) for domain in DOMAINS),
        one_of("gender", GENDERS, nullable=True),
        one_of("disability_category", DISABILITY_CATEGORIES, nullable=True),
        one_of("education", EDUCATION_LEVELS, nullable=True),
        one_of("social_insurance", SOCIAL_INSURANCE_STATUSES, nullable=True),
        one_of("consent_method", CONSENT_METHODS, nullable=True),
        CheckConstraint(
            "hours_min IS NULL OR hours_max IS NULL OR hours_min <= hours_max", name="hours_range"
        ),
        range_check("hours_min", 1, 80),
        range_check("hours_max", 1, 80),
        range_check("birth_year", 1900, 2100),
        range_check("disability_grade", 1, 4),
        range_check("household_size", 1, 30),
        range_check("dibao_monthly", 0),
        range_check("disability_allowance_monthly", 0),
    )

    id: Mapped[intpk]
    #: NULL for a profile a social worker keeps for someone without an account.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), unique=True)
    #: The agency whose caseload this profile is in.
    agency_id: Mapped[int | None] = fk("organisation.id")
    worker_id: Mapped[int | None] = fk("account.id")
    display_name: Mapped[str80]
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    gender: Mapped[str | None] = mapped_column(String(10))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    # Certificate category and grade (残疾类别/等级): recorded for reporting, never scored.
    disability_category: Mapped[str | None] = mapped_column(String(20))
    disability_grade: Mapped[int | None] = mapped_column(SmallInteger)

    seeing: Mapped[int | None] = mapped_column(SmallInteger)
    hearing: Mapped[int | None] = mapped_column(SmallInteger)
    walking: Mapped[int | None] = mapped_column(SmallInteger)
    cognition: Mapped[int | None] = mapped_column(SmallInteger)
    self_care: Mapped[int | None] = mapped_column(SmallInteger)
    communication: Mapped[int | None] = mapped_column(SmallInteger)
    upper_body: Mapped[int | None] = mapped_column(SmallInteger)
    psychosocial: Mapped[int | None] = mapped_column(SmallInteger)

    skills: Mapped[json_list]
    interests: Mapped[json_list]
    education: Mapped[str | None] = mapped_column(String(20))
    work_history: Mapped[str | None] = mapped_column(Text)
    assistive_technology: Mapped[str | None] = mapped_column(Text)
    work_modes: Mapped[json_list]
    region: Mapped[str | None] = mapped_column(String(80), index=True)
    hours_min: Mapped[int | None] = mapped_column(SmallInteger)
    hours_max: Mapped[int | None] = mapped_column(SmallInteger)

    household_size: Mapped[int | None] = mapped_column(SmallInteger)
    carer_duties: Mapped[bool | None] = mapped_column(Boolean)
    # Money is whole yuan per month.
    dibao_monthly: Mapped[int | None] = mapped_column(Integer)
    disability_allowance_monthly: Mapped[int | None] = mapped_column(Integer)
    social_insurance: Mapped[str | None] = mapped_column(String(20))

    #: Keyed hash of the national ID number: enough to find duplicates, useless to read.
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    #: Answers to the organisation's own questions, question id (as text) -> answer.
    extra: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )
    #: How far the step-by-step profile has been saved (0 = not started), for resuming.
    profile_step: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    assisted: Mapped[bool] = mapped_column(Boolean, server_default=false())
    consent_method: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    #: Set when the seeker's identity and free text were erased at their request.
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=_utcnow
    )

    accommodations: Mapped[list[Accommodation]] = relationship(secondary=seeker_accommodation)
    account: Mapped[Account | None] = relationship(foreign_keys=[account_id])
    agency: Mapped[Organisation | None] = relationship(foreign_keys=[agency_id])

    @property
    def functioning(self) -> dict[str, int | None]:
        """Return domain -> level, None where unknown."""
        return {domain: getattr(self, domain) for domain in DOMAINS}

    def __repr__(self) -> str:
        return f"<SeekerProfile {self.id}>"


class Position(Base):
    """A position an employer offers; demands use the functioning domains, 0 = not needed."""

    __tablename__ = "position"
    __table_args__ = (
        *(level_check(f"demand_{domain}", nullable=False) for domain in DOMAINS),
        one_of("work_mode", WORK_MODES),
        one_of("contract_type", CONTRACT_TYPES),
        one_of("status", POSITION_STATUSES),
        one_of("work_type", WORK_TYPES),
        CheckConstraint("openings >= 1", name="openings"),
        CheckConstraint("automation_exposure BETWEEN 0 AND 1", name="automation_exposure"),
        CheckConstraint("hours_per_week BETWEEN 1 AND 80", name="hours_per_week"),
        CheckConstraint("monthly_pay >= 0", name="monthly_pay"),
    )

    id: Mapped[intpk]
    employer_id: Mapped[int] = fk("organisation.id")
    title: Mapped[str200]
    tasks: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[json_list]
    work_type: Mapped[str20]

    demand_seeing: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    demand_hearing: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    demand_walking: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    demand_cognition: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    demand_self_care: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    demand_communication: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    demand_upper_body: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    demand_psychosocial: Mapped[int] = mapped_column(SmallInteger, server_default="0")

    work_mode: Mapped[str20]
    region: Mapped[str80] = mapped_column(index=True)
    hours_per_week: Mapped[int] = mapped_column(SmallInteger)
    monthly_pay: Mapped[int] = mapped_column(Integer)
    social_insurance: Mapped[bool] = mapped_column(Boolean)
    contract_type: Mapped[str20]
    openings: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    automation_exposure: Mapped[float] = mapped_column(Float)
    training_offered: Mapped[bool] = mapped_column(Boolean, server_default=false())
    status: Mapped[str] = mapped_column(String(20), server_default="draft", index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=_utcnow
    )

    accommodations: Mapped[list[Accommodation]] = relationship(secondary=position_accommodation)
    employer: Mapped[Organisation] = relationship()

    @property
    def demands(self) -> dict[str, int]:
        """Return domain -> demand level."""
        return {domain: getattr(self, f"demand_{domain}") for domain in DOMAINS}

    @property
    def is_new_form(self) -> bool:
        return self.work_type in NEW_FORM_WORK_TYPES

    def __repr__(self) -> str:
        return f"<Position {self.id}>"


