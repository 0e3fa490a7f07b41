"""Organisation-defined questions: created by the organisation's administrator."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length

from rongye.forms.fields import OneOf, strip
from rongye.models.intake import QUESTION_KINDS, QUESTION_TARGETS

KIND_LABELS = {
    "text": _l("Text"),
    "number": _l("Whole number"),
    "choice": _l("One answer from a list"),
}
TARGET_LABELS = {
    "seeker": _l("Job-seeker profiles"),
    "follow_up": _l("Follow-ups after a placement"),
}


class QuestionForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), validate_choice=False)
    applies_to = RadioField(
        _l("Where the question appears"),
        choices=[SelectChoice(k, v) for k, v in TARGET_LABELS.items()],
        default="seeker",
        validate_choice=False,
        validators=[OneOf(QUESTION_TARGETS, _l("Choose where the question appears."))],
    )
    label_zh = StringField(
        _l("Question in Chinese"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write the question in Chinese.")),
            Length(max=200, message=_l("Enter at most 200 characters.")),
        ],
    )
    label_en = StringField(
        _l("Question in English"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write the question in English.")),
            Length(max=200, message=_l("Enter at most 200 characters.")),
        ],
    )
    kind = RadioField(
        _l("Kind of answer"),
        choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
        default="text",
        validate_choice=False,
        validators=[OneOf(QUESTION_KINDS, _l("Choose the kind of answer."))],
    )
    choices = TextAreaField(
        _l("Answers to choose from"),
        description=_l(
            "Only for “one answer from a list”: one answer per line, Chinese and English "
            "separated by a slash, for example: 是 / Yes"
        ),
        filters=[strip],
        validators=[Length(max=2000, message=_l("Enter at most 2,000 characters."))],
    )
    required = BooleanField(_l("An answer is required"))

    def validate_organisation_id(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices or []}:
            raise ValidationError(_l("Choose an organisation from the list."))

    def validate_choices(self, field: TextAreaField) -> None:
        if self.kind.data != "choice":
            return
        options = self.parsed_choices()
        if len(options) < 2:
            raise ValidationError(_l("Give at least two answers, one per line."))
        if any(
            not o["zh"] or not o["en"] or len(o["zh"]) > 80 or len(o["en"]) > 80 for o in options
        ):
            raise ValidationError(
                _l("Write each answer as Chinese / English, each at most 80 characters.")
            )

    def parsed_choices(self) -> list[dict[str, Any]]:
        """Return the answers as [{"value", "zh", "en"}], the value being the line number."""
        options = []
        for n, line in enumerate((self.choices.data or "").splitlines(), 1):
            if not line.strip():
                continue
            zh, _, en = line.partition("/")
            options.append({"value": str(n), "zh": zh.strip(), "en": en.strip()})
        return options
