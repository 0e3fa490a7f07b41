"""Organisation-defined questions: administrators add them without a developer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rongye.models import Account, ExtraQuestion
from rongye.services import audit
from rongye.services.accounts import staff_organisations

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NewQuestion:
    organisation_id: int
    applies_to: str
    kind: str
    label_zh: str
    label_en: str
    choices: list[dict[str, Any]]
    required: bool


def managed_questions(session: Session, admin: Account) -> list[ExtraQuestion]:
    """Return the questions of the organisations `admin` manages."""
    ids = [o.id for o in staff_organisations(session, admin)]
    query = select(ExtraQuestion).where(ExtraQuestion.organisation_id.in_(ids))
    return list(
        session.scalars(
            query.order_by(
                ExtraQuestion.organisation_id, ExtraQuestion.sort_order, ExtraQuestion.id
            )
        )
    )


def add_question(session: Session, admin: Account, data: NewQuestion) -> ExtraQuestion:
    """Add a question to an organisation the admin manages, after its existing ones."""
    if data.organisation_id not in {o.id for o in staff_organisations(session, admin)}:
        raise PermissionError("admin does not manage this organisation")
    last = session.scalar(
        select(func.max(ExtraQuestion.sort_order)).where(
            ExtraQuestion.organisation_id == data.organisation_id
        )
    )
    question = ExtraQuestion(
        organisation_id=data.organisation_id,
        applies_to=data.applies_to,
        kind=data.kind,
        label_zh=data.label_zh,
        label_en=data.label_en,
        choices=data.choices if data.kind == "choice" else [],
        required=data.required,
        sort_order=(last or 0) + 1,
    )
    session.add(question)
    session.flush()
    audit.record(session, admin, "question.add", question, organisation_id=data.organisation_id)
    session.commit()
    log.info("%r added by %r", question, admin)
    return question


def set_active(session: Session, admin: Account, question_id: int, active: bool) -> bool:
    """Switch a question on or off (answers already given are kept); False if not managed."""
    question = session.get(ExtraQuestion, question_id)
    managed = {o.id for o in staff_organisations(session, admin)}
    if question is None or question.organisation_id not in managed:
        return False
    question.active = active
    audit.record(session, admin, "question.activate" if active else "question.deactivate", question)
    session.commit()
    return True
