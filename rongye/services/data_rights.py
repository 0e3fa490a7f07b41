"""A seeker's right to a copy of their data (PIPL art. 45) and to erasure (art. 47)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from rongye.models import (
    Account,
    AuditEvent,
    ConsentEvent,
    MatchProposal,
    Placement,
    SeekerProfile,
)
from rongye.services import audit
from rongye.services.exports import to_csv
from rongye.services.profiles import extra_questions

PROFILE_PRIVATE = {"id_number_hash"}  # a fingerprint says nothing to its owner


def _row(obj: Any, skip: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        column.key: getattr(obj, column.key)
        for column in inspect(obj).mapper.column_attrs
        if column.key not in skip
    }


def collect(session: Session, profile: SeekerProfile) -> dict[str, Any]:
    """Return everything held about a seeker, grouped by kind of record."""
    questions = {str(q.id): q for q in extra_questions(session, profile.agency_id)}
    profile_data = _row(profile, PROFILE_PRIVATE)
    profile_data["id_number_recorded"] = profile.id_number_hash is not None
    profile_data["accommodations"] = [a.code for a in profile.accommodations]
    profile_data["extra"] = {
        (questions[key].label_zh + " / " + questions[key].label_en)
        if key in questions
        else key: value
        for key, value in (profile.extra or {}).items()
    }
    placements = session.scalars(
        select(Placement).where(Placement.seeker_id == profile.id).order_by(Placement.start_date)
    ).all()
    data: dict[str, Any] = {
        "profile": profile_data,
        "consents": [
            _row(event)
            for event in session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.seeker_id == profile.id)
                .order_by(ConsentEvent.created_at, ConsentEvent.id)
            )
        ],
        "proposals": [
            _row(proposal)
            for proposal in session.scalars(
                select(MatchProposal).where(MatchProposal.seeker_id == profile.id)
            )
        ],
        "placements": [
            {**_row(p), "follow_ups": [_row(f) for f in p.follow_ups]} for p in placements
        ],
        "access_log": [
            _row(event, {"ip"})
            for event in session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.subject_type == "SeekerProfile",
                    AuditEvent.subject_id == profile.id,
                )
                .order_by(AuditEvent.created_at, AuditEvent.id)
            )
        ],
    }
    if profile.account_id is not None:
        account = session.get(Account, profile.account_id)
        if account is not None:
            data["account"] = _row(account, {"password_hash"})
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def as_json(data: dict[str, Any]) -> str:
    """Return the export as indented JSON."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain, sort_keys=True)


def as_csv(data: dict[str, Any]) -> str:
    """Return the export as one CSV table of (section, record, field, value)."""
    rows: list[tuple[str, int, str, Any]] = []

    def add(section: str, record: int, values: dict[str, Any]) -> None:
        for field, value in values.items():
            if field == "follow_ups":
                for n, follow_up in enumerate(value, 1):
                    add(f"{section}.follow_ups", record * 1000 + n, follow_up)
                continue
            if isinstance(value, dict | list):
                value = json.dumps(value, ensure_ascii=False, default=_plain)
            rows.append((section, record, field, _plain(value)))

    for section in ("account", "profile"):
        if section in data:
            add(section, 1, data[section])
    for section in ("consents", "proposals", "placements", "access_log"):
        for n, record in enumerate(data[section], 1):
            add(section, n, record)
    return to_csv(("section", "record", "field", "value"), rows)


def export(session: Session, actor: Account, profile: SeekerProfile, fmt: str) -> str:
    """Return the seeker's data in `fmt` ("json" or "csv") and audit the export."""
    data = collect(session, profile)
    audit.record(session, actor, "data.export", profile, format=fmt)
    session.commit()
    return as_json(data) if fmt == "json" else as_csv(data)
