"""Forms of match review: running matching, worker decisions, seekers' and employers' answers."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from matching.catalogue import WORK_MODES
from rongye import labels
from rongye.forms.fields import (
    DateWithin,
    NeededWhen,
    OneOf,
    WholeNumberField,
    choices,
    strip,
    within,
)
from rongye.forms.followups import DateInputField
from rongye.models.matching_runs import DECLINE_REASONS, REASON_CODES

NOTE_LENGTH = Length(max=2000, message=_l("Write at most 2000 characters."))


class RunForm(FlaskForm):
    """Choose the pool of a new run."""

    region = SelectField(_l("Region of the job-seekers"), choices=[], validate_choice=False,
                         description=_l("Remote positions are included whatever the region."))
    work_mode = SelectField(
        _l("Work mode"),
        choices=[SelectChoice("", _l("Any work mode")), *choices(labels.WORK_MODES)],
        validate_choice=False,  # OneOf below says it in the user's language
        validators=[OneOf(("", *WORK_MODES), _l("Choose a work mode from the list."))],
    )

    def set_regions(self, regions: list[str]) -> None:
        self.region.choices = [SelectChoice("", _l("All regions")),
                               *(SelectChoice(r, r) for r in regions)]
        self._regions = ("", *regions)

    def validate_region(self, field: Any) -> None:
        if field.data not in getattr(self, "_regions", ("",)):
            raise ValidationError(_l("Choose a region from the list."))


class ActionForm(FlaskForm):
    """A button with nothing to fill in (pin, unpin, re-solve, retry): CSRF only."""


class ConfirmForm(FlaskForm):
    benefits_acknowledged = BooleanField(
        _l("I have checked the effect on this person's benefits with them"),
    )
    advice = TextAreaField(
        _l("Advice given about benefits"),
        description=_l("Needed when the job lowers the person's monthly income: what you "
                       "told them about their dibao and allowances."),
        filters=[strip], validators=[NeededWhen(), Optional(), NOTE_LENGTH],
    )


def reason_field() -> RadioField:
    return RadioField(
        _l("Reason"),
        choices=choices(labels.REASON_CODES),
        validators=[DataRequired(message=_l("Choose a reason.")),
                    OneOf(tuple(REASON_CODES), _l("Choose a reason."))],
        validate_choice=False,
    )


def note_field() -> TextAreaField:
    return TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), NOTE_LENGTH])


class RejectForm(FlaskForm):
    reason_code = reason_field()
    note = note_field()


class ForbidForm(FlaskForm):
    reason_code = reason_field()
    note = note_field()


class SwapForm(FlaskForm):
    position_id = RadioField(
        _l("Alternative position"), choices=[], validate_choice=False, coerce=str,
        validators=[DataRequired(message=_l("Choose an alternative position."))],
    )
    reason_code = reason_field()
    note = note_field()

    def set_alternatives(self, options: list[tuple[str, str]]) -> None:
        self.position_id.choices = [SelectChoice(value, label) for value, label in options]
        self._allowed = tuple(value for value, _ in options)

    def validate_position_id(self, field: Any) -> None:
        if field.data not in getattr(self, "_allowed", ()):
            raise ValidationError(_l("Choose an alternative position."))


class AcceptForm(FlaskForm):
    share = BooleanField(_l("The employer may see my name, region, skills, work modes, "
                            "hours and the support I need"))


class DeclineForm(FlaskForm):
    reason_code = RadioField(
        _l("Why not? (optional)"),
        choices=choices(labels.DECLINE_REASONS),
        validators=[Optional(), OneOf((*DECLINE_REASONS, "", None),  # type: ignore[arg-type]
                                      _l("Choose one of the answers."))],
        validate_choice=False,
    )
    note = TextAreaField(_l("Anything else you want to say"), filters=[strip],
                         validators=[Optional(), NOTE_LENGTH])


class ReviewRequestForm(FlaskForm):
    message = TextAreaField(
        _l("Your message to your social worker"),
        description=_l("For example what worries you about this job."),
        filters=[strip],
        validators=[DataRequired(message=_l("Write a message to your social worker.")),
                    NOTE_LENGTH],
    )


class InterviewForm(FlaskForm):
    interview_date = DateInputField(
        _l("Interview date"), description=_l("For example 2025-03-31."),
        validators=[InputRequired(message=_l("Enter the interview date.")),
                    DateWithin(past=365, future=365)],
    )
    interview_note = TextAreaField(_l("Note about the interview"), filters=[strip],
                                   validators=[Optional(), NOTE_LENGTH])


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice("hired", _l("Hired")), SelectChoice("not_hired", _l("Not hired"))],
        validators=[DataRequired(message=_l("Choose the outcome.")),
                    OneOf(("hired", "not_hired"), _l("Choose the outcome."))],
        validate_choice=False,
    )
    start_date = DateInputField(_l("Start date"), description=_l("Needed for a hire. For "
                                                                 "example 2025-03-31."),
                                validators=[NeededWhen(), DateWithin(past=365, future=365)])
    monthly_pay = WholeNumberField(_l("Monthly pay before tax, in yuan"),
                                   description=_l("Leave empty to use the position's pay."),
                                   validators=[Optional(), within(0, 1_000_000)])
    hours = WholeNumberField(_l("Hours a week"),
                             description=_l("Leave empty to use the position's hours."),
                             validators=[Optional(), within(1, 80)])
    outcome_note = TextAreaField(_l("Note"), filters=[strip],
                                 validators=[Optional(), NOTE_LENGTH])

    def validate_start_date(self, field: Any) -> None:
        if self.outcome.data == "hired" and field.data is None and not field.errors:
            raise ValidationError(_l("Enter the start date of the hire."))
