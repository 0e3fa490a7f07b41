"""How data comes in besides forms: organisation-defined questions and bulk imports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, SmallInteger, String, true
from sqlalchemy.orm import Mapped, mapped_column

from rongye.models.base import Base, created_at, fk, intpk, one_of, str20

QUESTION_KINDS = ("text", "number", "choice")
QUESTION_TARGETS = ("seeker", "follow_up")
IMPORT_KINDS = ("seekers", "positions")
IMPORT_STATUSES = ("pending", "imported", "discarded")


class ExtraQuestion(Base):
    """A question an organisation adds to its profiles or follow-ups, in both languages."""

    __tablename__ = "extra_question"
    __table_args__ = (
        one_of("kind", QUESTION_KINDS),
        one_of("applies_to", QUESTION_TARGETS),
    )

    id: Mapped[intpk]
    organisation_id: Mapped[int] = fk("organisation.id")
    applies_to: Mapped[str] = mapped_column(String(20), server_default="seeker")
    kind: Mapped[str20]
    label_zh: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    #: For kind "choice": [{"value": ..., "zh": ..., "en": ...}, ...]
    choices: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    created_at: Mapped[created_at]

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_zh

    def choice_label(self, value: str, language: str) -> str:
        for choice in self.choices:
            if choice["value"] == value:
                return choice["en"] if language == "en" else choice["zh"]
        return value

    def __repr__(self) -> str:
        return f"<ExtraQuestion {self.id} {self.kind}>"


class ImportBatch(Base):
    """An uploaded file, validated and held until the user imports all or only the valid rows."""

    __tablename__ = "import_batch"
    __table_args__ = (one_of("kind", IMPORT_KINDS), one_of("status", IMPORT_STATUSES))

    id: Mapped[intpk]
    organisation_id: Mapped[int] = fk("organisation.id")
    created_by_id: Mapped[int | None] = fk("account.id")
    kind: Mapped[str20]
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), server_default="pending")
    #: The parsed rows, each {"row": n, "values": {...}, "errors": [{"field", "message"}]}.
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    imported_count: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[created_at]

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.kind} {self.status}>"
