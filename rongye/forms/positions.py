"""The employer's forms: a position described in plain language, and the organisation profile."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    Form,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, StopValidation

from matching.catalogue import DOMAINS, WORK_MODES
from rongye import labels
from rongye.forms.auth import email_rules
from rongye.forms.fields import (
    MultiCheckboxField,
    OneOf,
    PhraseListField,
    WholeNumberField,
    choices,
    email_filter,
    strip,
    within,
)
from rongye.models.profiles import CONTRACT_TYPES, WORK_TYPES


class RequiredNumber:
    """Validator: a whole number must be given; stays quiet when it could not be read at all.

    (WholeNumberField already says "Enter a whole number" then, and one message is enough.)
    """

    def __init__(self, message: Any) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Form, field: Field) -> None:
        if field.process_errors:
            raise StopValidation()
        if field.data is None:
            raise StopValidation(self.message)


# -- Position -------------------------------------------------------------------------------

#: The plain-language question asked for each functional demand (domain -> question).
DEMAND_QUESTIONS = {
    "seeing": _l("Does the job involve reading text on paper or screen, or looking closely at "
                 "images?"),
    "hearing": _l("Does the job involve phone calls or listening to spoken instructions?"),
    "walking": _l("Does the job involve walking, standing for long periods or climbing stairs?"),
    "cognition": _l("Does the job involve remembering many steps or concentrating for long "
                    "periods?"),
    "self_care": _l("Must the worker manage personal care alone during long shifts or travel?"),
    "communication": _l("Does the job involve talking with customers or colleagues?"),
    "upper_body": _l("Does the job involve lifting, carrying, or fine hand work such as fast "
                     "typing?"),
    "psychosocial": _l("Is the job fast-paced, under time pressure, or dealing with upset "
                       "customers?"),
}
#: The answer to each question, as the demand level it stands for (0 not needed … 3 essential).
DEMAND_ANSWERS = {
    "0": _l("No"),
    "1": _l("A little"),
    "2": _l("Often"),
    "3": _l("It is the core of the job"),
}
DEMAND_MESSAGES = {
    "seeing": _l("Say how much the job involves reading or looking closely."),
    "hearing": _l("Say how much the job involves phone calls or listening."),
    "walking": _l("Say how much the job involves walking, standing or stairs."),
    "cognition": _l("Say how much the job involves remembering steps or concentrating."),
    "self_care": _l("Say whether the worker must manage personal care alone."),
    "communication": _l("Say how much the job involves talking with people."),
    "upper_body": _l("Say how much the job involves lifting, carrying or fine hand work."),
    "psychosocial": _l("Say how much the job involves pace, pressure or upset customers."),
}

POSITION_WORK_MODES = {
    "remote": _l("Remote: from home"),
    "onsite": _l("On site: at the workplace"),
    "hybrid": _l("Hybrid: partly from home"),
}
YES_NO = {"yes": _l("Yes"), "no": _l("No")}

#: Automation-exposure bands: the stored figure -> (label, the tasks that typically fall in it).
EXPOSURE_BANDS = {
    "0.9": (
        _l("Very high"),
        _l("Basic image labelling, simple data entry: tasks AI already does well."),
    ),
    "0.7": (_l("High"), _l("Scripted customer service, simple content moderation.")),
    "0.5": (_l("Medium"), _l("Complex content review, e-commerce operations.")),
    "0.3": (_l("Low"), _l("Live-stream hosting, skilled crafts, work that needs judgement.")),
    "0.1": (_l("Very low"), _l("Hands-on care and personal services.")),
}


def exposure_band(value: float) -> str:
    """Return the band (as its form value) nearest to a stored exposure figure."""
    return min(EXPOSURE_BANDS, key=lambda band: (abs(float(band) - value), band))


def demand_field(domain: str) -> RadioField:
    return RadioField(
        DEMAND_QUESTIONS[domain],
        choices=choices(DEMAND_ANSWERS),
        validate_choice=False,
        validators=[OneOf(tuple(DEMAND_ANSWERS), DEMAND_MESSAGES[domain])],
    )


def yes_no_field(label: Any, message: Any) -> RadioField:
    return RadioField(
        label, choices=choices(YES_NO), validate_choice=False,
        validators=[OneOf(tuple(YES_NO), message)],
    )


class PositionForm(FlaskForm):
    # About the job
    title = StringField(
        _l("Job title"),
        description=_l("For example 数据标注员 or online customer service."),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the job title.")),
            Length(max=200, message=_l("The job title must be at most 200 characters.")),
        ],
    )
    work_type = SelectField(
        _l("Kind of work"),
        choices=[SelectChoice("", _l("Choose…")), *choices(labels.WORK_TYPES)],
        validate_choice=False,
        validators=[OneOf(WORK_TYPES, _l("Choose the kind of work from the list."))],
    )
    tasks = TextAreaField(
        _l("Main tasks"),
        description=_l("What the worker does on a normal day, in plain words."),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Describe the main tasks of the job.")),
            Length(max=5000, message=_l("The tasks must be at most 5,000 characters.")),
        ],
    )
    skills = PhraseListField(
        _l("Skills needed"),
        description=_l("One per line or separated by commas, in Chinese or English. "
                       "For example: 打字, Excel, customer service."),
    )

    # What the work involves: one question per functional domain
    demand_seeing = demand_field("seeing")
    demand_hearing = demand_field("hearing")
    demand_walking = demand_field("walking")
    demand_cognition = demand_field("cognition")
    demand_self_care = demand_field("self_care")
    demand_communication = demand_field("communication")
    demand_upper_body = demand_field("upper_body")
    demand_psychosocial = demand_field("psychosocial")

    # Support the workplace offers
    accommodations = MultiCheckboxField(
        _l("Support and adjustments you offer"),
        description=_l("Tick everything this job offers. For example, if the workplace is "
                       "step-free, tick step-free access."),
        validate_choice=False,
    )

    # Conditions
    work_mode = RadioField(
        _l("Where is the work done?"),
        choices=choices(POSITION_WORK_MODES),
        validate_choice=False,
        validators=[OneOf(WORK_MODES, _l("Choose remote, on site or hybrid."))],
    )
    region = StringField(
        _l("City or region of the job"),
        description=_l("For remote work, where the employer is. For example 北京 or 兰州."),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the city or region of the job.")),
            Length(max=80, message=_l("The city or region must be at most 80 characters.")),
        ],
    )
    hours_per_week = WholeNumberField(
        _l("Hours a week"),
        validators=[RequiredNumber(_l("Enter the hours a week.")), within(1, 80)],
    )
    monthly_pay = WholeNumberField(
        _l("Monthly pay before tax, in yuan"),
        validators=[RequiredNumber(_l("Enter the monthly pay in yuan.")), within(0, 1_000_000)],
    )
    social_insurance = yes_no_field(
        _l("Does the job come with social insurance (社保)?"),
        _l("Say whether the job comes with social insurance."),
    )
    contract_type = RadioField(
        _l("Type of contract"),
        choices=choices(labels.CONTRACT_TYPES),
        validate_choice=False,
        validators=[OneOf(CONTRACT_TYPES, _l("Choose the type of contract."))],
    )
    openings = WholeNumberField(
        _l("How many people do you want to hire?"),
        default=1,
        validators=[RequiredNumber(_l("Enter how many people you want to hire.")),
                    within(1, 999)],
    )
    training_offered = yes_no_field(
        _l("Do you offer training for the job?"),
        _l("Say whether you offer training."),
    )

    # The future of the job
    automation_exposure = RadioField(
        _l("How much of this work could AI or machines do within a few years?"),
        description=_l("Think of the tasks rather than the job title. This helps plan training "
                       "and careers that last."),
        choices=[SelectChoice(value, label) for value, (label, _hint) in EXPOSURE_BANDS.items()],
        validate_choice=False,
        validators=[OneOf(tuple(EXPOSURE_BANDS),
                          _l("Choose how much of the work AI or machines could do."))],
    )

    save_draft = SubmitField(_l("Save as a draft"))
    publish = SubmitField(_l("Publish now"))
    save = SubmitField(_l("Save changes"))

    #: The exposure figure stored before editing, kept when its band is not changed.
    stored_exposure: float | None = None

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.descriptions: dict[str, str] = {}
        if editing:
            del self.save_draft
            del self.publish
        else:
            del self.save

    @property
    def exposure_descriptions(self) -> dict[str, str]:
        return {value: str(hint) for value, (_label, hint) in EXPOSURE_BANDS.items()}

    def set_catalogue(self, catalogue: list[Any], language: str) -> None:
        """Offer the accommodations of `catalogue`, named and described in `language`."""
        self.accommodations.choices = [
            SelectChoice(item.code, item.name(language)) for item in catalogue
        ]
        self.descriptions = {item.code: item.description(language) for item in catalogue}

    def validate_accommodations(self, field: Field) -> None:
        allowed = {choice.value for choice in field.choices or []}
        if not all(isinstance(code, str) for code in field.data or []) or (
            set(field.data or []) - allowed
        ):
            raise ValidationError(_l("Choose the support you offer from the list."))

    def load(self, position: Any) -> None:
        """Fill the form from a stored position."""
        for name in ("title", "work_type", "tasks", "skills", "work_mode", "region",
                     "hours_per_week", "monthly_pay", "contract_type", "openings"):
            getattr(self, name).data = getattr(position, name)
        for domain in DOMAINS:
            getattr(self, f"demand_{domain}").data = str(getattr(position, f"demand_{domain}"))
        self.accommodations.data = [a.code for a in position.accommodations]
        self.social_insurance.data = "yes" if position.social_insurance else "no"
        self.training_offered.data = "yes" if position.training_offered else "no"
        self.stored_exposure = position.automation_exposure
        self.automation_exposure.data = exposure_band(position.automation_exposure)

    def values(self) -> dict[str, Any]:
        """Return the position's attributes from the (validated) answers."""
        band = self.automation_exposure.data
        exposure = float(band)
        if self.stored_exposure is not None and exposure_band(self.stored_exposure) == band:
            exposure = self.stored_exposure  # an imported figure such as 0.82 is not rounded
        return {
            "title": self.title.data,
            "work_type": self.work_type.data,
            "tasks": self.tasks.data,
            "skills": list(self.skills.data or []),
            "demands": {d: int(getattr(self, f"demand_{d}").data) for d in DOMAINS},
            "accommodation_codes": tuple(self.accommodations.data or ()),
            "work_mode": self.work_mode.data,
            "region": self.region.data,
            "hours_per_week": self.hours_per_week.data,
            "monthly_pay": self.monthly_pay.data,
            "social_insurance": self.social_insurance.data == "yes",
            "contract_type": self.contract_type.data,
            "openings": self.openings.data,
            "training_offered": self.training_offered.data == "yes",
            "automation_exposure": exposure,
        }


STATUS_ACTIONS = ("publish", "pause", "close", "reopen")


class PositionStatusForm(FlaskForm):
    """The buttons that publish, pause, close or reopen a position."""

    action = StringField(
        validators=[OneOf(STATUS_ACTIONS, _l("Choose publish, pause, close or reopen."))]
    )


# -- Organisation ---------------------------------------------------------------------------


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Organisation name"),
        description=_l("The name job-seekers and social workers will see."),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the name of your organisation.")),
            Length(max=200, message=_l("The organisation name must be at most 200 characters.")),
        ],
    )
    region = StringField(
        _l("City or region"),
        filters=[strip],
        validators=[
            Length(max=80, message=_l("The city or region must be at most 80 characters.")),
        ],
    )
    description = TextAreaField(
        _l("About the organisation"),
        description=_l("What you do, and how you include disabled workers."),
        filters=[strip],
        validators=[
            Length(max=2000, message=_l("The description must be at most 2,000 characters.")),
        ],
    )
    contact_email = StringField(
        _l("Contact email address"),
        description=_l("Where social workers can reach you about positions."),
        filters=[email_filter, strip],
        validators=email_rules(),
    )
    submit = SubmitField(_l("Save changes"))

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "region": self.region.data or None,
            "description": self.description.data or None,
            "contact_email": self.contact_email.data or None,
        }
