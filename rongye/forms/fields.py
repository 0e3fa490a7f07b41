"""Validators and filters shared by the forms."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, ValidationError

from rongye.services.accounts import normalise_email, normalise_phone

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def strip(value: Any) -> Any:
    """Filter: trim surrounding white space from text input."""
    return value.strip() if isinstance(value, str) else value


def email_filter(value: Any) -> Any:
    return normalise_email(value) if isinstance(value, str) else value


def phone_filter(value: Any) -> Any:
    return normalise_phone(value) if isinstance(value, str) else value


def mobile_number(form: Form, field: Field) -> None:
    """Validator: an optional mainland mobile number (11 digits starting with 1)."""
    if field.data and not MAINLAND_MOBILE.match(field.data):
        raise ValidationError(_l("Enter an 11-digit mobile number, such as 13800138000."))


class OneOf:
    """Validator: the value is one of `choices`, with a translatable message."""

    def __init__(self, choices: tuple[str, ...], message: Any) -> None:
        self.choices = choices
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data not in self.choices:
            raise ValidationError(self.message)


class EmailOrPhoneRequired:
    """Form mixin: at least one of the `email` and `phone` fields must be filled in.

    A form-level check, because each field alone is optional and WTForms stops a field's
    validation at Optional() before any inline validator runs.
    """

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)  # type: ignore[misc]
        email, phone = self.email, self.phone  # type: ignore[attr-defined]
        if not email.data and not phone.data and not email.errors and not phone.errors:
            email.errors = [*email.errors, _l("Enter an email address or a mobile number.")]
            valid = False
        return valid


def duplicate_account_message(field_name: str) -> str:
    """Return the message for an email or phone another account already uses."""
    if field_name == "email":
        return str(_l("An account with this email address already exists."))
    return str(_l("An account with this mobile number already exists."))
