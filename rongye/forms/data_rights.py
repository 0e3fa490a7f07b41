"""Confirming an erasure request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that my profile and account will be erased and cannot be restored."),
        validators=[DataRequired(message=_l("Tick the box to confirm the erasure."))],
    )
