"""Forms for organisation administrators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)

from rongye.forms.auth import display_name_rules, email_rules, password_rules, phone_rules
from rongye.forms.fields import EmailOrPhoneRequired, OneOf, email_filter, phone_filter, strip
from rongye.models import STAFF_ROLES


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
