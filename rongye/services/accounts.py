"""Accounts: registration, authentication, staff creation, preferences."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from rongye.models import Account, Organisation, SeekerProfile
from rongye.services import audit

log = logging.getLogger(__name__)

_PHONE_SEPARATORS = re.compile(r"[\s\-()]")


class DuplicateAccount(Exception):
    """Another account already uses this email or phone; `field` names which."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def password_hasher() -> PasswordHasher:
    """Return the argon2 hasher with the configured cost (lower only in tests)."""
    return PasswordHasher(**current_app.config.get("ARGON2_PARAMETERS", {}))


def normalise_email(email: str | None) -> str | None:
    """Return the email trimmed and lower-cased, or None when blank."""
    email = (email or "").strip().lower()
    return email or None


def normalise_phone(phone: str | None) -> str | None:
    """Return a mainland mobile number without separators or the +86 prefix, or None."""
    phone = _PHONE_SEPARATORS.sub("", phone or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    return phone or None


def looks_like_email(identifier: str) -> bool:
    return "@" in identifier


def find_by_identifier(session: Session, identifier: str) -> Account | None:
    """Return the account whose email or phone is `identifier`."""
    if looks_like_email(identifier):
        condition = func.lower(Account.email) == normalise_email(identifier)
    else:
        condition = Account.phone == normalise_phone(identifier)
    return session.scalar(select(Account).where(condition))


def _check_unique(session: Session, email: str | None, phone: str | None) -> None:
    if not email and not phone:
        raise ValueError("an account needs an email address or a phone number")
    conditions = []
    if email:
        conditions.append(func.lower(Account.email) == email)
    if phone:
        conditions.append(Account.phone == phone)
    for existing in session.scalars(select(Account).where(or_(*conditions))):
        if email and existing.email and existing.email.lower() == email:
            raise DuplicateAccount("email")
        raise DuplicateAccount("phone")


@dataclass(frozen=True, slots=True)
class Registration:
    role: str  # "seeker" or "employer"
    display_name: str
    email: str | None
    phone: str | None
    password: str
    organisation_name: str | None = None
    locale: str | None = None


def register(session: Session, data: Registration) -> Account:
    """Create a seeker (with an empty profile) or an employer (with its organisation)."""
    if data.role not in ("seeker", "employer"):
        raise ValueError(f"role {data.role!r} cannot self-register")
    email, phone = normalise_email(data.email), normalise_phone(data.phone)
    _check_unique(session, email, phone)
    organisation = None
    if data.role == "employer":
        name = data.organisation_name or data.display_name
        organisation = Organisation(name=name, kind="employer")
        session.add(organisation)
    account = Account(
        role=data.role,
        display_name=data.display_name.strip(),
        email=email,
        phone=phone,
        password_hash=password_hasher().hash(data.password),
        organisation=organisation,
        locale=data.locale,
    )
    session.add(account)
    session.flush()
    if data.role == "seeker":
        session.add(SeekerProfile(account_id=account.id, display_name=account.display_name))
    audit.record(session, account, "account.register", account, role=data.role)
    session.commit()
    log.info("%r registered", account)
    return account


def authenticate(session: Session, identifier: str, password: str) -> Account | None:
    """Return the active account matching identifier and password, or None."""
    account = find_by_identifier(session, identifier)
    hasher = password_hasher()
    if account is None or not account.active:
        # Spend the same effort as a real check so timing does not reveal which accounts exist.
        with contextlib.suppress(VerificationError):
            hasher.verify(_dummy_hash(hasher), password)
        return None
    try:
        hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        audit.record(session, account, "account.login_failed", account)
        session.commit()
        return None
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    account.last_login_at = dt.datetime.now(dt.UTC)
    audit.record(session, account, "account.login", account)
    session.commit()
    return account


_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash("not-a-real-password")
    return _DUMMY_HASHES[key]


@dataclass(frozen=True, slots=True)
class StaffAccount:
    role: str  # "social_worker" or "analyst"
    organisation_id: int
    display_name: str
    email: str | None
    phone: str | None
    password: str


def staff_organisations(session: Session, admin: Account) -> list[Organisation]:
    """Return the organisations `admin` may add staff to: its own, or every agency and NGO."""
    if admin.organisation_id is not None:
        organisation = session.get(Organisation, admin.organisation_id)
        return [organisation] if organisation is not None else []
    query = select(Organisation).where(Organisation.kind.in_(("agency", "ngo")))
    return list(session.scalars(query.order_by(Organisation.name)))


def create_staff(session: Session, admin: Account, data: StaffAccount) -> Account:
    """Create a social worker or analyst in an organisation the admin manages."""
    allowed = {o.id for o in staff_organisations(session, admin)}
    if data.organisation_id not in allowed:
        raise PermissionError("admin does not manage this organisation")
    email, phone = normalise_email(data.email), normalise_phone(data.phone)
    _check_unique(session, email, phone)
    account = Account(
        role=data.role,
        organisation_id=data.organisation_id,
        display_name=data.display_name.strip(),
        email=email,
        phone=phone,
        password_hash=password_hasher().hash(data.password),
    )
    session.add(account)
    session.flush()
    audit.record(session, admin, "account.create_staff", account, role=data.role)
    session.commit()
    log.info("%r created by %r", account, admin)
    return account


def set_locale(session: Session, account: Account, locale: str) -> None:
    """Remember the account's interface language."""
    account.locale = locale
    session.commit()
