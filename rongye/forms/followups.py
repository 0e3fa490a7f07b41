"""The follow-up form: how work, money, well-being and benefits are going after a placement.

Questions speak to the job-seeker ("you"): they answer it themselves, or a social worker asks
them and records the answers. Every answer but "are you working" is optional.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, StringField, TextAreaField, ValidationError
from wtforms.validators import Length, Optional

from rongye.forms.fields import (
    MultiCheckboxField,
    OneOf,
    WholeNumberField,
    choices,
    strip,
    within,
)
from rongye.forms.profile import extra_form_class
from rongye.services.followups import JOB_QUALITY_ITEMS, Answers

EMPLOYED_LABELS = {
    "same": _l("Yes, in the same job"),
    "other": _l("Yes, in another job"),
    "no": _l("No, not working now"),
}
EXIT_CAUSE_LABELS = {
    "automation": _l("The work was automated or done by AI"),
    "contract_end": _l("The contract ended"),
    "health": _l("Health"),
    "accommodation_failure": _l("The support I needed at work was not provided"),
    "discrimination": _l("Discrimination"),
    "own_choice": _l("My own choice"),
    "other": _l("Another reason"),
}
YES_NO_NA = {"yes": _l("Yes"), "no": _l("No"), "na": _l("I did not need any")}
YES_NO = {"yes": _l("Yes"), "no": _l("No")}
#: WHO-5 Well-Being Index (WHO 1998), items and answer scale in the official wording.
WHO5_ITEMS = (
    _l("I have felt cheerful and in good spirits"),
    _l("I have felt calm and relaxed"),
    _l("I have felt active and vigorous"),
    _l("I woke up feeling fresh and rested"),
    _l("My daily life has been filled with things that interest me"),
)
WHO5_SCALE = {
    "5": _l("All of the time"),
    "4": _l("Most of the time"),
    "3": _l("More than half of the time"),
    "2": _l("Less than half of the time"),
    "1": _l("Some of the time"),
    "0": _l("At no time"),
}
SOCIAL_ACTIVITY_SCALE = {
    "0": _l("Never"),
    "1": _l("Once"),
    "2": _l("A few times"),
    "3": _l("About once a week"),
    "4": _l("Several times a week"),
}
BENEFIT_LABELS = {
    "none": _l("I do not receive it"),
    "kept": _l("I still receive it"),
    "lost": _l("It stopped"),
    "reapplied": _l("It stopped and I have applied again"),
    "restored": _l("I receive it again"),
}
JOB_QUALITY_LABELS = {
    "contract": _l("I have a written contract"),
    "on_time_pay": _l("I am paid in full and on time"),
    "social_insurance": _l("The employer pays my social insurance"),
    "training": _l("I was offered training"),
}
#: Benefit statuses that are a change, so their date is asked.
DATED_BENEFIT_STATUSES = ("lost", "reapplied", "restored")


def optional_radio(label: Any, pairs: dict[str, Any], *, description: Any = None) -> RadioField:
    """Return an optional radio question whose answer must be one of `pairs`."""
    return RadioField(
        label,
        description=description,
        choices=choices(pairs),
        validate_choice=False,
        validators=[OneOf((*pairs, None, ""), _l("Choose one of the answers."))],  # type: ignore[arg-type]
    )


class DateInputField(StringField):
    """An optional date typed as YYYY-MM-DD (a native date picker where the browser has one)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = strip(valuelist[0]) if valuelist else ""
        self.data = None
        if not raw:
            return
        try:
            self.data = dt.date.fromisoformat(raw.replace("/", "-"))
        except ValueError as error:
            raise ValueError(_l("Enter a date such as 2025-03-31.")) from error

    def _value(self) -> str:
        if isinstance(self.data, dt.date):
            return self.data.isoformat()
        return str((self.raw_data or [""])[0])


def who5_field(number: int) -> RadioField:
    return optional_radio(WHO5_ITEMS[number - 1], WHO5_SCALE)


class FollowUpForm(FlaskForm):
    """One follow-up. `set_context` tells it the placement (for dates and whether it ended)."""

    employed = RadioField(
        _l("Are you working now?"),
        choices=choices(EMPLOYED_LABELS),
        validate_choice=False,
        validators=[OneOf(tuple(EMPLOYED_LABELS), _l("Say whether you are working now."))],
    )
    ended_on = DateInputField(
        _l("When did the job found through this service end?"),
        description=_l("Only if it has ended. For example 2025-03-31."),
    )
    exit_cause = optional_radio(
        _l("Why did that job end?"),
        EXIT_CAUSE_LABELS,
        description=_l("Only if it has ended. Choose the main reason."),
    )
    hours_per_week = WholeNumberField(
        _l("Hours worked a week"), validators=[Optional(), within(0, 80)]
    )
    monthly_earnings = WholeNumberField(
        _l("Earnings last month, in yuan"),
        description=_l("What you were paid for work, after tax. Enter 0 if nothing."),
        validators=[Optional(), within(0, 1_000_000)],
    )
    accommodation_provided = optional_radio(
        _l("Is the support you need at work provided?"), YES_NO_NA
    )
    job_quality = MultiCheckboxField(
        _l("About the job"),
        description=_l("Choose all that are true."),
        choices=choices(JOB_QUALITY_LABELS),
        validate_choice=False,
    )
    who5_1 = who5_field(1)
    who5_2 = who5_field(2)
    who5_3 = who5_field(3)
    who5_4 = who5_field(4)
    who5_5 = who5_field(5)
    social_activities = optional_radio(
        _l("In the past month, how often did you meet friends or take part in social "
           "activities?"),
        SOCIAL_ACTIVITY_SCALE,
    )
    community_events = optional_radio(
        _l("In the past month, did you take part in a community or group event?"), YES_NO
    )
    family_change = TextAreaField(
        _l("Has anything changed in your family since the job began?"),
        description=_l("For example income, housing, caring duties. In your own words."),
        filters=[strip],
        validators=[Length(max=1000, message=_l("Enter at most 1,000 characters."))],
    )
    benefits_status = optional_radio(
        _l("Minimum living allowance (低保)"),
        BENEFIT_LABELS,
        description=_l("Whether you still receive it since you started working."),
    )
    benefits_date = DateInputField(
        _l("When did the minimum living allowance change?"),
        description=_l("The date it stopped, you applied again, or it started again."),
    )

    #: Organisation question fields (q<id>), added by `follow_up_form_class`.
    extra_ids: tuple[int, ...] = ()

    def set_context(self, start: dt.date, ended: bool, today: dt.date) -> None:
        self.start, self.ended, self.today = start, ended, today

    def validate_job_quality(self, field: Field) -> None:
        if set(field.data or []) - set(JOB_QUALITY_ITEMS):
            raise ValidationError(_l("Choose from the list."))

    def validate_ended_on(self, field: Field) -> None:
        leaving = self.employed.data in ("other", "no") and not self.ended
        if field.data is None:
            if leaving:
                raise ValidationError(_l("Enter the date the job ended, such as 2025-03-31."))
            return
        if field.data < self.start or field.data > self.today:
            raise ValidationError(
                _l("Enter a date from %(start)s to %(today)s.",
                   start=self.start.isoformat(), today=self.today.isoformat())
            )

    def validate_exit_cause(self, field: Field) -> None:
        if self.employed.data in ("other", "no") and not self.ended and not field.data:
            raise ValidationError(_l("Choose why the job ended."))

    def validate_benefits_date(self, field: Field) -> None:
        if self.benefits_status.data in DATED_BENEFIT_STATUSES and field.data is None:
            raise ValidationError(_l("Enter the date the allowance changed, such as 2025-03-31."))
        if field.data is not None and field.data > self.today:
            raise ValidationError(_l("The date cannot be in the future."))

    def load(self, follow_up: Any) -> None:
        """Fill the form from a follow-up already answered."""
        if follow_up.employed is not None:
            self.employed.data = (
                "no" if not follow_up.employed else ("same" if follow_up.same_employer else "other")
            )
        self.exit_cause.data = follow_up.exit_cause
        self.hours_per_week.data = follow_up.hours_per_week
        self.monthly_earnings.data = follow_up.monthly_earnings
        self.accommodation_provided.data = {True: "yes", False: "no"}.get(
            follow_up.accommodation_provided
        )
        self.job_quality.data = [k for k, v in (follow_up.job_quality or {}).items() if v]
        for number in range(1, 6):
            value = getattr(follow_up, f"who5_{number}")
            getattr(self, f"who5_{number}").data = None if value is None else str(value)
        participation = follow_up.participation or {}
        social = participation.get("social_activities")
        self.social_activities.data = None if social is None else str(social)
        events = participation.get("community_events")
        self.community_events.data = None if events is None else ("yes" if events else "no")
        self.family_change.data = follow_up.family_change
        self.benefits_status.data = follow_up.benefits_status
        self.benefits_date.data = follow_up.benefits_date
        for question_id in self.extra_ids:
            getattr(self, f"q{question_id}").data = (follow_up.extra or {}).get(str(question_id))

    def answers(self) -> Answers:
        """Return the validated answers for the service."""
        employed = self.employed.data

        def number(name: str) -> int | None:
            value = getattr(self, name).data
            return int(value) if value not in (None, "") else None

        participation: dict[str, Any] = {}
        if self.social_activities.data:
            participation["social_activities"] = int(self.social_activities.data)
        if self.community_events.data:
            participation["community_events"] = self.community_events.data == "yes"
        working = employed in ("same", "other")
        chosen = set(self.job_quality.data or [])
        leaving = employed in ("other", "no")
        return Answers(
            employed=working,
            same_employer=(employed == "same") if working else None,
            ended_on=self.ended_on.data if leaving else None,
            exit_cause=(self.exit_cause.data or None) if leaving else None,
            hours_per_week=self.hours_per_week.data,
            monthly_earnings=self.monthly_earnings.data,
            accommodation_provided={"yes": True, "no": False}.get(
                self.accommodation_provided.data or ""
            ),
            who5=(number("who5_1"), number("who5_2"), number("who5_3"), number("who5_4"),
                  number("who5_5")),
            participation=participation,
            family_change=self.family_change.data or None,
            benefits_status=self.benefits_status.data or None,
            benefits_date=self.benefits_date.data if self.benefits_status.data else None,
            job_quality={item: item in chosen for item in JOB_QUALITY_ITEMS} if working else {},
            extra={str(q): getattr(self, f"q{q}").data for q in self.extra_ids},
        )


class ScheduleForm(FlaskForm):
    """The "check for follow-ups now due" button: only its CSRF token."""


#: Field groups, for the template's fieldsets (and their headings).
SECTIONS = (
    ("work", _l("Work"), ("employed", "ended_on", "exit_cause", "hours_per_week",
                          "monthly_earnings", "accommodation_provided", "job_quality")),
    ("wellbeing", _l("Well-being over the last two weeks"),
     ("who5_1", "who5_2", "who5_3", "who5_4", "who5_5")),
    ("life", _l("Social life and family"),
     ("social_activities", "community_events", "family_change")),
    ("benefits", _l("Benefits"), ("benefits_status", "benefits_date")),
)


def follow_up_form_class(questions: list[Any], language: str) -> type[FollowUpForm]:
    """Return the follow-up form with the organisation's own questions (q<id>) added."""
    if not questions:
        return FollowUpForm
    extra = extra_form_class(questions, language)
    attributes: dict[str, Any] = {f"q{q.id}": getattr(extra, f"q{q.id}") for q in questions}
    attributes["extra_ids"] = tuple(q.id for q in questions)
    return type("FollowUpFormWithQuestions", (FollowUpForm,), attributes)

