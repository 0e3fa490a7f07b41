"""Audit rows for decisions, changes and sensitive reads."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy.orm import Session

from rongye.models import Account, AuditEvent


def record(
    session: Session,
    actor: Account | None,
    action: str,
    subject: Any = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit row (committed with the caller's transaction)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        detail=detail,
        ip=request.remote_addr if has_request_context() else None,
    )
    session.add(event)
    return event
