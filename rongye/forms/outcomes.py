"""The analyst's filters: cohort (placement period), agency, region, work type and group."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectChoice, SelectField, ValidationError

from rongye import labels
from rongye.forms.followups import DateInputField
from rongye.forms.profile import CATEGORY_LABELS, GENDER_LABELS
from rongye.services.indicators import DIMENSIONS

DIMENSION_LABELS = {
    "disability_category": _l("Disability category"),
    "disability_grade": _l("Disability grade"),
    "gender": _l("Gender"),
    "age_band": _l("Age band"),
    "region": _l("Region"),
    "work_type": _l("Work type"),
}
ALL = _l("All")


def _all(pairs: dict[str, Any]) -> list[SelectChoice]:
    return [SelectChoice("", ALL), *(SelectChoice(k, v) for k, v in pairs.items())]


class OutcomeFilterForm(FlaskForm):
    """Read from the query string (GET): no CSRF token, nothing is changed."""

    class Meta:
        csrf = False

    start_from = DateInputField(
        _l("Placements started from"), description=_l("For example 2025-01-01.")
    )
    start_to = DateInputField(_l("Placements started up to"), description=_l("Inclusive."))
    agency = SelectField(_l("Programme or agency"), validate_choice=False)
    region = SelectField(_l("Region"), validate_choice=False)
    work_type = SelectField(_l("Work type"), choices=_all(labels.WORK_TYPES), validate_choice=False)
    disability_category = SelectField(
        _l("Disability category"), choices=_all(CATEGORY_LABELS), validate_choice=False
    )
    gender = SelectField(_l("Gender"), choices=_all(GENDER_LABELS), validate_choice=False)

    def set_choices(self, agencies: list[tuple[int, str]], regions: list[str]) -> None:
        self.agency.choices = [SelectChoice("", ALL),
                               *(SelectChoice(str(i), name) for i, name in agencies)]
        self.region.choices = [SelectChoice("", ALL), *(SelectChoice(r, r) for r in regions)]

    def validate_start_to(self, field: Field) -> None:
        if field.data and self.start_from.data and field.data < self.start_from.data:
            raise ValidationError(_l("The end of the period must be on or after its start."))

    def _check_choice(self, field: Field) -> None:
        allowed = {str(choice.value) for choice in field.choices or []}
        if (field.data or "") not in allowed:
            raise ValidationError(_l("Choose from the list."))

    validate_agency = _check_choice
    validate_region = _check_choice
    validate_work_type = _check_choice
    validate_disability_category = _check_choice
    validate_gender = _check_choice


class GroupFilterForm(OutcomeFilterForm):
    breakdown = SelectField(
        _l("Compare groups by"),
        choices=[SelectChoice(k, v) for k, v in DIMENSION_LABELS.items()],
        default="disability_category",
        validate_choice=False,
    )

    def validate_breakdown(self, field: Field) -> None:
        if field.data not in DIMENSIONS:
            raise ValidationError(_l("Choose from the list."))


class CompareForm(OutcomeFilterForm):
    compare_from = DateInputField(
        _l("Second cohort: placements started from"), description=_l("For example 2024-01-01.")
    )
    compare_to = DateInputField(_l("Second cohort: placements started up to"))

    def validate_compare_to(self, field: Field) -> None:
        if field.data and self.compare_from.data and field.data < self.compare_from.data:
            raise ValidationError(_l("The end of the period must be on or after its start."))
