"""The step-by-step seeker profile: one form per topic, each mapping to profile attributes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from matching.catalogue import DOMAINS, WORK_MODES
from rongye.forms.fields import (
    MultiCheckboxField,
    OneOf,
    PhraseListField,
    WholeNumberField,
    choices,
    mobile_number,
    phone_filter,
    strip,
    within,
)
from rongye.models.profiles import (
    DISABILITY_CATEGORIES,
    EDUCATION_LEVELS,
    GENDERS,
    SOCIAL_INSURANCE_STATUSES,
)

UNKNOWN = "unknown"  # the "prefer not to say" answer, stored as NULL
ID_NUMBER_LENGTHS = (15, 18)


def with_unknown(pairs: dict[str, Any]) -> list[SelectChoice]:
    return [*choices(pairs), SelectChoice(UNKNOWN, _l("Prefer not to say"))]


def known(value: str | None) -> str | None:
    return None if value in (None, "", UNKNOWN) else value


def validate_against(allowed: tuple[str, ...], message: Any) -> OneOf:
    return OneOf((*allowed, UNKNOWN, "", None), message)  # type: ignore[arg-type]


class StepForm(FlaskForm):
    """A profile step: `load` fills it from a profile, `values` gives what to store."""

    #: Fields that are written to the profile but never shown back (or not stored as such).
    write_only: tuple[str, ...] = ()

    def load(self, profile: Any) -> None:
        for name in self.stored_fields():
            if name not in self.write_only:
                getattr(self, name).data = getattr(profile, name)

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in self.stored_fields()}

    def stored_fields(self) -> list[str]:
        return [f.name for f in self if f.name not in ("csrf_token",)]


# -- 1. About you ---------------------------------------------------------------------------

GENDER_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Another gender")}
EDUCATION_LABELS = {
    "none": _l("No formal schooling"),
    "primary": _l("Primary school"),
    "junior": _l("Junior secondary school"),
    "senior": _l("Senior secondary school"),
    "vocational": _l("Vocational school"),
    "college": _l("College (大专)"),
    "university": _l("University"),
}
CATEGORY_LABELS = {
    "vision": _l("Vision (视力)"),
    "hearing": _l("Hearing (听力)"),
    "speech": _l("Speech (言语)"),
    "physical": _l("Physical (肢体)"),
    "intellectual": _l("Intellectual (智力)"),
    "mental": _l("Mental (精神)"),
    "multiple": _l("Multiple (多重)"),
}


class AboutForm(StepForm):
    write_only = ("id_number",)  # a new value replaces the stored fingerprint
    display_name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the name to use.")),
            Length(max=80, message=_l("The name must be at most 80 characters.")),
        ],
    )
    gender = RadioField(
        _l("Gender"),
        choices=with_unknown(GENDER_LABELS),
        default=UNKNOWN,
        validate_choice=False,
        validators=[validate_against(GENDERS, _l("Choose one of the answers."))],
    )
    birth_year = WholeNumberField(
        _l("Year of birth"),
        description=_l("For example 1990. Used for statistics, never for matching."),
        validators=[Optional(), within(1900, dt.date.today().year)],
    )
    phone = StringField(
        _l("Mobile number"), filters=[phone_filter], validators=[Optional(), mobile_number]
    )
    id_number = StringField(
        _l("ID card number"),
        description=_l(
            "Only a fingerprint of it is kept, to avoid registering the same person twice."
        ),
        filters=[strip],
        validators=[Optional()],
    )
    region = StringField(
        _l("City or region where you live"),
        description=_l("For example 北京 or 兰州."),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the city or region.")),
            Length(max=80, message=_l("Enter at most 80 characters.")),
        ],
    )
    education = SelectField(
        _l("Highest education"),
        choices=[SelectChoice("", _l("Choose…")), *choices(EDUCATION_LABELS)],
        validate_choice=False,
        validators=[validate_against(EDUCATION_LEVELS, _l("Choose one of the answers."))],
    )
    work_history = TextAreaField(
        _l("Work so far"),
        description=_l("Jobs, training or volunteering, in your own words."),
        filters=[strip],
        validators=[Length(max=2000, message=_l("Enter at most 2,000 characters."))],
    )
    disability_category = SelectField(
        _l("Disability certificate category"),
        description=_l("Optional. Used for statistics only, never for matching."),
        choices=[
            SelectChoice("", _l("No certificate, or prefer not to say")),
            *choices(CATEGORY_LABELS),
        ],
        validate_choice=False,
        validators=[validate_against(DISABILITY_CATEGORIES, _l("Choose one of the answers."))],
    )
    disability_grade = SelectField(
        _l("Certificate grade"),
        choices=[
            SelectChoice("", _l("No certificate, or prefer not to say")),
            *[SelectChoice(str(g), _l("Grade %(grade)s", grade=g)) for g in (1, 2, 3, 4)],
        ],
        validate_choice=False,
        validators=[validate_against(("1", "2", "3", "4"), _l("Choose one of the answers."))],
    )

    def validate_id_number(self, field: Field) -> None:
        if field.data and not valid_id_number(field.data):
            raise ValidationError(
                _l("Enter the 18-character ID card number, such as 11010519491231002X.")
            )

    def load(self, profile: Any) -> None:
        super().load(profile)
        self.gender.data = profile.gender or UNKNOWN
        self.education.data = profile.education or ""
        self.disability_grade.data = str(profile.disability_grade or "")
        self.disability_category.data = profile.disability_category or ""

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["gender"] = known(self.gender.data)
        values["education"] = known(self.education.data)
        values["disability_category"] = known(self.disability_category.data)
        grade = known(self.disability_grade.data)
        values["disability_grade"] = int(grade) if grade else None
        if not values["id_number"]:
            del values["id_number"]  # keep the stored fingerprint
        return values


def valid_id_number(value: str) -> bool:
    """Return whether `value` looks like a mainland resident ID number (with its check digit)."""
    value = value.strip().upper()
    if len(value) == 15:
        return value.isdigit()
    if (
        len(value) != 18
        or not value[:17].isdigit()
        or not (value[17].isdigit() or value[17] == "X")
    ):
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17]


# -- 2. Functioning -------------------------------------------------------------------------

#: Washington Group wording (short set, plus the extended upper-body and affect questions).
FUNCTIONING_QUESTIONS = {
    "seeing": _l("Do you have difficulty seeing, even if wearing glasses?"),
    "hearing": _l("Do you have difficulty hearing, even if using a hearing aid?"),
    "walking": _l("Do you have difficulty walking or climbing steps?"),
    "cognition": _l("Do you have difficulty remembering or concentrating?"),
    "self_care": _l("Do you have difficulty with self-care, such as washing all over or dressing?"),
    "communication": _l(
        "Using your usual language, do you have difficulty communicating, for "
        "example understanding or being understood?"
    ),
    "upper_body": _l(
        "Do you have difficulty using your hands and fingers, such as picking up "
        "small objects or opening and closing containers?"
    ),
    "psychosocial": _l(
        "Do feelings of worry, nervousness, anxiety or sadness make daily "
        "activities difficult for you?"
    ),
}
LEVEL_ANSWERS = {
    "0": _l("No difficulty"),
    "1": _l("Some difficulty"),
    "2": _l("A lot of difficulty"),
    "3": _l("Cannot do at all"),
}


def functioning_field(domain: str) -> RadioField:
    return RadioField(
        FUNCTIONING_QUESTIONS[domain],
        choices=with_unknown(LEVEL_ANSWERS),
        default=UNKNOWN,
        validate_choice=False,
        validators=[validate_against(tuple(LEVEL_ANSWERS), _l("Choose one of the answers."))],
    )


class FunctioningForm(StepForm):
    seeing = functioning_field("seeing")
    hearing = functioning_field("hearing")
    walking = functioning_field("walking")
    cognition = functioning_field("cognition")
    self_care = functioning_field("self_care")
    communication = functioning_field("communication")
    upper_body = functioning_field("upper_body")
    psychosocial = functioning_field("psychosocial")

    def load(self, profile: Any) -> None:
        for domain in DOMAINS:
            level = getattr(profile, domain)
            getattr(self, domain).data = UNKNOWN if level is None else str(level)

    def values(self) -> dict[str, Any]:
        # A missing or "prefer not to say" answer is unknown (NULL), never "no difficulty".
        return {
            domain: None
            if known(getattr(self, domain).data) is None
            else int(getattr(self, domain).data)
            for domain in DOMAINS
        }


# -- 3. Skills and interests ----------------------------------------------------------------


class SkillsForm(StepForm):
    skills = PhraseListField(
        _l("What you can do"),
        description=_l(
            "Skills, one per line or separated by commas, in Chinese or English. "
            "For example: 数据标注, typing, customer service."
        ),
    )
    interests = PhraseListField(
        _l("What you would like to do"),
        description=_l("Interests, one per line or separated by commas."),
    )
    add_skill = StringField(
        _l("Add a skill from the suggestions"),
        description=_l("Start typing to see suggestions; or type your own."),
        filters=[strip],
        validators=[Length(max=60, message=_l("Each phrase must be at most 60 characters."))],
    )
    assistive_technology = TextAreaField(
        _l("Assistive technology you use"),
        description=_l("For example a screen reader, a hearing aid or a wheelchair."),
        filters=[strip],
        validators=[Length(max=1000, message=_l("Enter at most 1,000 characters."))],
    )

    write_only = ("add_skill",)

    def values(self) -> dict[str, Any]:
        values = super().values()
        added = values.pop("add_skill")
        if added and added.casefold() not in {s.casefold() for s in values["skills"]}:
            values["skills"] = [*values["skills"], added]
        return values

    def validate_skills(self, field: Field) -> None:
        if len(field.data) + bool(self.add_skill.data) > 30:
            raise ValidationError(_l("Enter at most 30 phrases."))


# -- 4. Work preferences --------------------------------------------------------------------

WORK_MODE_LABELS = {
    "remote": _l("Remote: from home"),
    "onsite": _l("On site: at the workplace"),
    "hybrid": _l("Hybrid: partly from home"),
}


class PreferencesForm(StepForm):
    work_modes = MultiCheckboxField(
        _l("Ways of working you accept"),
        description=_l("Choose all that suit you."),
        choices=choices(WORK_MODE_LABELS),
        validate_choice=False,
    )
    hours_min = WholeNumberField(_l("Fewest hours a week"), validators=[Optional(), within(1, 80)])
    hours_max = WholeNumberField(_l("Most hours a week"), validators=[Optional(), within(1, 80)])

    def validate_work_modes(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one way of working."))
        if set(field.data) - set(WORK_MODES):
            raise ValidationError(_l("Choose from the list."))

    def validate_hours_max(self, field: Field) -> None:
        low = self.hours_min.data
        if field.data is not None and isinstance(low, int) and low > field.data:
            raise ValidationError(_l("The most hours must be at least the fewest hours."))


# -- 5. Accommodations ----------------------------------------------------------------------


class AccommodationsForm(StepForm):
    accommodations = MultiCheckboxField(_l("What you need at work"), validate_choice=False)

    def set_catalogue(self, catalogue: list[Any], language: str) -> None:
        self.accommodations.choices = [
            SelectChoice(item.code, item.name(language)) for item in catalogue
        ]
        self.descriptions = {item.code: item.description(language) for item in catalogue}

    def validate_accommodations(self, field: Field) -> None:
        allowed = {choice.value for choice in field.choices or []}
        if set(field.data or []) - allowed:
            raise ValidationError(_l("Choose from the list."))

    def load(self, profile: Any) -> None:
        self.accommodations.data = [a.code for a in profile.accommodations]


# -- 6. Benefits and household --------------------------------------------------------------

INSURANCE_LABELS = {
    "none": _l("None"),
    "resident": _l("Urban and rural resident insurance (居民医保/养老)"),
    "employee": _l("Employee social insurance (职工社保)"),
}
YES_NO = {"yes": _l("Yes"), "no": _l("No")}


class BenefitsForm(StepForm):
    dibao_monthly = WholeNumberField(
        _l("Minimum living allowance (低保) a month, in yuan"),
        validators=[Optional(), within(0, 100_000)],
    )
    disability_allowance_monthly = WholeNumberField(
        _l("Disability allowances a month, in yuan"),
        description=_l("Living allowance and care allowance for people with disabilities."),
        validators=[Optional(), within(0, 100_000)],
    )
    social_insurance = RadioField(
        _l("Social insurance you have now"),
        choices=with_unknown(INSURANCE_LABELS),
        default=UNKNOWN,
        validate_choice=False,
        validators=[validate_against(SOCIAL_INSURANCE_STATUSES, _l("Choose one of the answers."))],
    )
    household_size = WholeNumberField(
        _l("People in your household, you included"), validators=[Optional(), within(1, 30)]
    )
    carer_duties = RadioField(
        _l("Do you care for a child, an older or a sick family member?"),
        choices=with_unknown(YES_NO),
        default=UNKNOWN,
        validate_choice=False,
        validators=[validate_against(tuple(YES_NO), _l("Choose one of the answers."))],
    )

    def load(self, profile: Any) -> None:
        super().load(profile)
        self.social_insurance.data = (
            profile.social_insurance
            if profile.social_insurance not in (None, "unknown")
            else UNKNOWN
        )
        self.carer_duties.data = {True: "yes", False: "no"}.get(profile.carer_duties, UNKNOWN)

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["social_insurance"] = known(self.social_insurance.data)
        values["carer_duties"] = {"yes": True, "no": False}.get(self.carer_duties.data or "")
        return values


# -- 7. Consent -----------------------------------------------------------------------------

CONSENT_METHOD_LABELS = {
    "in_person": _l("In person, explained and agreed aloud"),
    "paper": _l("On a signed paper form"),
}


def consent_field(label: Any) -> RadioField:
    return RadioField(
        label,
        choices=choices(YES_NO),
        validate_choice=False,
        validators=[OneOf(tuple(YES_NO), _l("Choose yes or no."))],
    )


class ConsentForm(StepForm):
    matching = consent_field(_l("May Rongye use your profile to propose jobs to you?"))
    share_employer = consent_field(
        _l("May Rongye show a short summary to employers you are proposed to?")
    )
    research = consent_field(
        _l("May your answers be used, without your name, in research on employment outcomes?")
    )
    method = RadioField(
        _l("How did the job-seeker give these answers?"),
        choices=choices(CONSENT_METHOD_LABELS),
        validate_choice=False,
    )

    def __init__(self, *args: Any, assisted: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assisted = assisted
        if not assisted:
            del self.method

    def validate_method(self, field: Field) -> None:
        if field.data not in CONSENT_METHOD_LABELS:
            raise ValidationError(_l("Say how the consent was given."))

    def load_consents(self, consents: dict[str, bool | None]) -> None:
        for purpose in ("matching", "share_employer", "research"):
            state = consents.get(purpose)
            getattr(self, purpose).data = None if state is None else ("yes" if state else "no")

    def consents(self) -> dict[str, bool]:
        return {
            p: getattr(self, p).data == "yes" for p in ("matching", "share_employer", "research")
        }


# -- Organisation-defined questions ---------------------------------------------------------


def extra_form_class(questions: list[Any], language: str) -> type[StepForm]:
    """Build a form with one field per organisation question (`q<id>`), in the language."""

    class ExtraForm(StepForm):
        def load(self, profile: Any) -> None:
            for question in questions:
                value = (profile.extra or {}).get(str(question.id))
                getattr(self, f"q{question.id}").data = value

        def values(self) -> dict[str, Any]:
            return {
                "extra": {
                    str(question.id): getattr(self, f"q{question.id}").data
                    for question in questions
                }
            }

    for question in questions:
        label = question.label(language)
        required = (
            [DataRequired(message=_l("Answer this question."))]
            if question.required
            else [Optional()]
        )
        field: Field
        if question.kind == "number":
            field = WholeNumberField(label, validators=[*required, within(-1_000_000, 1_000_000)])
        elif question.kind == "choice":
            options = [
                SelectChoice(c["value"], c["en"] if language == "en" else c["zh"])
                for c in question.choices
            ]
            field = RadioField(
                label,
                choices=options,
                validate_choice=False,
                validators=[
                    *required,
                    OneOf(
                        (*(c["value"] for c in question.choices), None, ""),  # type: ignore[arg-type]
                        _l("Choose one of the answers."),
                    ),
                ],
            )
        else:
            field = StringField(
                label,
                filters=[strip],
                validators=[
                    *required,
                    Length(max=500, message=_l("Enter at most 500 characters.")),
                ],
            )
        setattr(ExtraForm, f"q{question.id}", field)
    return ExtraForm


# -- Skills suggestions ---------------------------------------------------------------------


def phrase_suggestions(language: str) -> list[str]:
    """Return the bilingual vocabulary's phrases in the interface language, for suggestions."""
    from matching.vocabulary import SKILL_CONCEPTS

    def is_chinese(phrase: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in phrase)

    wanted = is_chinese if language != "en" else (lambda p: not is_chinese(p))
    return sorted({p for variants in SKILL_CONCEPTS.values() for p in variants if wanted(p)})


# -- Assisted profile -----------------------------------------------------------------------


class NewAssistedForm(FlaskForm):
    display_name = AboutForm.display_name
    region = AboutForm.region
    phone = AboutForm.phone
    id_number = AboutForm.id_number
    consent_method = RadioField(
        _l("How did the job-seeker agree to have a profile kept?"),
        choices=choices(CONSENT_METHOD_LABELS),
        validate_choice=False,
        validators=[OneOf(tuple(CONSENT_METHOD_LABELS), _l("Say how the consent was given."))],
    )
    validate_id_number = AboutForm.validate_id_number
