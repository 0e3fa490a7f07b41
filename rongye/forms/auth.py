"""Register, log-in and language forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from rongye.forms.fields import (
    EmailOrPhoneRequired,
    OneOf,
    email_filter,
    mobile_number,
    phone_filter,
    strip,
)

PASSWORD_MIN, PASSWORD_MAX = 8, 128
SELF_REGISTER_ROLES = ("seeker", "employer")


def password_rules() -> list[object]:
    return [
        DataRequired(message=_l("Enter a password.")),
        Length(
            min=PASSWORD_MIN,
            max=PASSWORD_MAX,
            message=_l("The password must be 8 to 128 characters long."),
        ),
    ]


def email_rules() -> list[object]:
    return [
        Optional(),
        Length(max=254, message=_l("The email address must be at most 254 characters.")),
        Email(message=_l("Enter an email address like name@example.com.")),
    ]


def phone_rules() -> list[object]:
    return [
        Optional(),
        Length(max=20, message=_l("Enter an 11-digit mobile number, such as 13800138000.")),
        mobile_number,
    ]


def display_name_rules() -> list[object]:
    return [
        DataRequired(message=_l("Enter your name.")),
        Length(max=80, message=_l("The name must be at most 80 characters.")),
    ]


class RegisterForm(EmailOrPhoneRequired, FlaskForm):
    role = RadioField(
        _l("I am"),
        choices=[
            SelectChoice("seeker", _l("Looking for work")),
            SelectChoice("employer", _l("An employer")),
        ],
        validators=[
            DataRequired(message=_l("Choose whether you are looking for work or an employer.")),
            OneOf(
                SELF_REGISTER_ROLES,
                _l("Choose whether you are looking for work or an employer."),
            ),
        ],
        validate_choice=False,
    )
    display_name = StringField(_l("Your name"), filters=[strip], validators=display_name_rules())
    organisation_name = StringField(
        _l("Organisation name"),
        description=_l("Employers only: the name job-seekers will see."),
        filters=[strip],
        validators=[
            Length(max=200, message=_l("The organisation name must be at most 200 characters."))
        ],
    )
    email = StringField(
        _l("Email address"),
        description=_l("An email address or a mobile number is needed to log in."),
        filters=[email_filter],
        validators=email_rules(),
    )
    phone = StringField(_l("Mobile number"), filters=[phone_filter], validators=phone_rules())
    password = PasswordField(
        _l("Password"),
        description=_l("At least 8 characters."),
        validators=password_rules(),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )
    submit = SubmitField(_l("Create account"))

    def validate_organisation_name(self, field: StringField) -> None:
        if self.role.data == "employer" and not field.data:
            raise ValidationError(_l("Enter the name of your organisation."))


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("Email address or mobile number"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter your email address or mobile number.")),
            Length(max=254, message=_l("Enter your email address or mobile number.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("The password must be 8 to 128 characters long.")),
        ],
    )
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class LanguageForm(FlaskForm):
    next = HiddenField()

