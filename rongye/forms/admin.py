"""Forms for organisation administrators."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import InputRequired, StopValidation

from rongye.forms.auth import display_name_rules, email_rules, password_rules, phone_rules
from rongye.forms.fields import (
    EmailOrPhoneRequired,
    OneOf,
    WholeNumberField,
    email_filter,
    phone_filter,
    strip,
    within,
)
from rongye.models import STAFF_ROLES
from rongye.services.followups import MAX_YEARS, YEAR

MAX_SCHEDULE_DAY = MAX_YEARS * YEAR


class StaffForm(EmailOrPhoneRequired, FlaskForm):
    role = RadioField(
        _l("Role"),
        choices=[
            SelectChoice("social_worker", _l("Social worker")),
            SelectChoice("analyst", _l("Analyst")),
        ],
        validators=[OneOf(STAFF_ROLES, _l("Choose social worker or analyst."))],
        validate_choice=False,
    )
    organisation_id = SelectField(
        _l("Organisation"), coerce=str, validate_choice=False
    )
    display_name = StringField(_l("Name"), filters=[strip], validators=display_name_rules())
    email = StringField(_l("Email address"), filters=[email_filter], validators=email_rules())
    phone = StringField(_l("Mobile number"), filters=[phone_filter], validators=phone_rules())
    password = PasswordField(
        _l("Initial password"),
        description=_l("Give it to the person privately; at least 8 characters."),
        validators=password_rules(),
    )
    submit = SubmitField(_l("Create account"))

    def validate_organisation_id(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices or []}:
            raise ValidationError(_l("Choose an organisation from the list."))


class ScheduleField(StringField):
    """Follow-up days after the start, separated by commas or spaces (Chinese commas too)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = strip(valuelist[0]) if valuelist else ""
        self.data = []
        if not raw:
            return
        try:
            self.data = sorted({int(part) for part in re.split(r"[\s,，、;；]+", raw) if part})
        except ValueError as error:
            raise ValueError(_l("Enter whole numbers of days, such as 30, 90, 180, 365.")) \
                from error

    def _value(self) -> str:
        return ", ".join(str(day) for day in self.data or [])

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()
        if not self.data:
            raise StopValidation(_l("Enter at least one day, such as 30."))
        if self.data[0] < 1 or self.data[-1] > MAX_SCHEDULE_DAY or len(self.data) > 20:
            raise StopValidation(
                _l("Enter up to 20 days, each from 1 to %(high)s.", high=MAX_SCHEDULE_DAY)
            )


class SettingsForm(FlaskForm):
    follow_up_days = ScheduleField(
        _l("Follow-up days after a placement starts"),
        description=_l("Separated by commas. After the last one, follow-ups continue once a "
                       "year. Our default: 30, 90, 180, 365."),
        validators=[InputRequired(_l("Enter at least one day, such as 30."))],
    )
    min_score = WholeNumberField(
        _l("Minimum score of a proposal"),
        description=_l("Matches scoring less (0 to 100) are never proposed."),
        validators=[InputRequired(_l("Enter a number from 0 to 100.")), within(0, 100)],
    )
    dibao_lost_if_social_insurance = BooleanField(
        _l("A job with social insurance ends dibao entirely"),
        description=_l("Tick if, where you work, registered formal employment ends minimum "
                       "living allowance (dibao) payments whatever the pay."),
    )
    earnings_disregard = WholeNumberField(
        _l("Earnings disregard (yuan a month)"),
        description=_l("Monthly earnings that never reduce benefits."),
        validators=[InputRequired(_l("Enter a number from 0 to 100000.")), within(0, 100_000)],
    )
    benefit_taper = WholeNumberField(
        _l("Benefits withdrawn for each 100 yuan earned above the disregard (yuan)"),
        description=_l("From 0 (benefits kept) to 100 (one yuan less for each yuan earned)."),
        validators=[InputRequired(_l("Enter a number from 0 to 100.")), within(0, 100)],
    )
    income_reference = WholeNumberField(
        _l("Monthly net gain that earns the full net-income points (yuan)"),
        validators=[InputRequired(_l("Enter a number from 1 to 100000.")), within(1, 100_000)],
    )
    submit = SubmitField(_l("Save settings"))
