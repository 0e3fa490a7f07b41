"""Validators and filters shared by the forms."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import (
    Field,
    Form,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import NumberRange, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from rongye.services.accounts import normalise_email, normalise_phone
from rongye.text import CONTROL_CHARACTERS

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def strip(value: Any) -> Any:
    """Filter: drop control characters and trim surrounding white space from text input."""
    return CONTROL_CHARACTERS.sub("", value).strip() if isinstance(value, str) else value


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


def duplicate_profile_message(field_name: str) -> str:
    """Return the message for a phone or ID card number another profile already has."""
    if field_name == "phone":
        return duplicate_account_message("phone")
    return str(_l("Another profile already has this ID card number."))


def duplicate_account_message(field_name: str) -> str:
    """Return the message for an email or phone another account already uses."""
    if field_name == "email":
        return str(_l("An account with this email address already exists."))
    return str(_l("An account with this mobile number already exists."))


class WholeNumberField(IntegerField):
    """An optional whole number with a translatable message (WTForms' own is not ours)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]).strip() if valuelist else ""
        if raw == "":
            self.data = None
            return
        try:
            self.data = int(raw.replace(",", ""))
        except ValueError as error:  # also raised for absurdly long digit strings
            self.data = None
            raise ValueError(_l("Enter a whole number, such as 20.")) from error
        if abs(self.data) > 10**12:  # beyond any real answer; floats (NumberRange) overflow
            self.data = None
            raise ValueError(_l("The number is too large."))

    def pre_validate(self, form: Form) -> None:
        # What could not be read as a number needs one message, not a range check on nothing.
        if self.process_errors:
            raise StopValidation()


class NeededWhen:
    """Validator flag: a field needed only in some cases, which its hint names (the form checks
    it). Its label then carries no "(optional)" marker, which would mislead."""

    field_flags: ClassVar[dict[str, bool]] = {"conditional": True}

    def __call__(self, form: Form, field: Field) -> None:
        return None


class DateWithin:
    """Validator: a date from `past` days before today to `future` days after it."""

    def __init__(self, past: int, future: int) -> None:
        self.past, self.future = past, future

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is None:
            return
        today = dt.date.today()
        low, high = today - dt.timedelta(days=self.past), today + dt.timedelta(days=self.future)
        if not low <= field.data <= high:
            raise ValidationError(_l("Enter a date from %(low)s to %(high)s.",
                                     low=low.isoformat(), high=high.isoformat()))


def within(low: int, high: int) -> Any:
    """Validator: a whole number between low and high, inclusive."""
    return NumberRange(
        min=low,
        max=high,
        message=_l("Enter a number from %(low)s to %(high)s.", low=low, high=high),
    )


PHRASE_SEPARATORS = re.compile(r"[\n\r,，、;；]+")
MAX_PHRASES, MAX_PHRASE_LENGTH = 30, 60


class PhraseListField(TextAreaField):
    """Free phrases, one per line or separated by commas; kept in order, without duplicates."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = CONTROL_CHARACTERS.sub("", " \n".join(str(v) for v in valuelist if v is not None))
        phrases: list[str] = []
        seen: set[str] = set()
        for part in PHRASE_SEPARATORS.split(raw):
            phrase = " ".join(part.split())
            if phrase and phrase.casefold() not in seen:
                seen.add(phrase.casefold())
                phrases.append(phrase)
        self.data = phrases

    def _value(self) -> str:
        return "\n".join(self.data or [])

    def pre_validate(self, form: Form) -> None:
        if len(self.data or []) > MAX_PHRASES:
            raise ValidationError(_l("Enter at most 30 phrases."))
        if any(len(phrase) > MAX_PHRASE_LENGTH for phrase in self.data or []):
            raise ValidationError(_l("Each phrase must be at most 60 characters."))



class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes, each with its own label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs: dict[str, Any]) -> list[SelectChoice]:
    """Return WTForms choices from a value -> label mapping."""
    return [SelectChoice(value, label) for value, label in pairs.items()]
