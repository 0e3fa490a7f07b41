"""The step-by-step profile, shared by the seeker (their own) and social workers (assisted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from rongye.extensions import db
from rongye.forms.fields import duplicate_profile_message
from rongye.forms.profile import (
    AboutForm,
    AccommodationsForm,
    BenefitsForm,
    ConsentForm,
    FunctioningForm,
    PreferencesForm,
    SkillsForm,
    StepForm,
    extra_form_class,
    phrase_suggestions,
)
from rongye.i18n import current_language
from rongye.models import SeekerProfile
from rongye.services import profiles
from rongye.services.consent import current_consents

STEP_TITLES = {
    "about": _l("About you"),
    "functioning": _l("What you can do"),
    "skills": _l("Skills and interests"),
    "preferences": _l("Work you want"),
    "accommodations": _l("Support at work"),
    "benefits": _l("Benefits and household"),
    "extra": _l("More questions"),
    "consent": _l("Your consent"),
}
STEP_INTROS = {
    "about": _l("Tell us who you are and where you live. Only the name and region are needed."),
    "functioning": _l(
        "These questions are about everyday activities, not about a diagnosis. They help find "
        "work that fits. If you prefer not to say, that is fine: we will check with you before "
        "anything is decided."
    ),
    "skills": _l("Write in your own words, in Chinese or English."),
    "preferences": _l("How and how much you want to work."),
    "accommodations": _l(
        "Choose what you need to work well. Employers are told only what they are asked to "
        "provide, never why."
    ),
    "benefits": _l(
        "These questions are optional. They are asked so that, before a job is confirmed, we "
        "can check whether working would reduce your minimum living allowance (低保) or other "
        "benefits, and what you would earn in the end. Employers never see these answers."
    ),
    "extra": _l("Questions your service organisation asks everyone."),
    "consent": _l(
        "You decide what your information is used for. You can change each answer at any "
        "time; every change is recorded."
    ),
}
CONSENT_NOTICES = {
    "matching": _l(
        "Your profile is compared with open positions to propose jobs to you. A social worker "
        "checks every proposal, and you can always say no. Without this, no jobs are proposed."
    ),
    "share_employer": _l(
        "When you are proposed for a job, that employer sees your name, skills, work "
        "preferences and the support you need at work. They never see your health, functioning, "
        "benefits or household."
    ),
    "research": _l(
        "How your work goes over the years is counted in statistics without your name, so that "
        "services can improve. Small groups are never shown."
    ),
}


@dataclass(frozen=True)
class Wizard:
    """Whose profile is edited, and how to build this context's URLs."""

    profile: SeekerProfile
    assisted: bool
    step_url: Callable[[str], str]
    review_url: str
    done_url: str


def build_form(wizard: Wizard, step: str) -> StepForm:
    """Return the form for a step, with its choices for this profile."""
    forms: dict[str, type[StepForm]] = {
        "about": AboutForm,
        "functioning": FunctioningForm,
        "skills": SkillsForm,
        "preferences": PreferencesForm,
        "accommodations": AccommodationsForm,
        "benefits": BenefitsForm,
    }
    language = current_language()
    if step == "consent":
        form: StepForm = ConsentForm(assisted=wizard.assisted)
    elif step == "extra":
        questions = profiles.extra_questions(db.session, wizard.profile.agency_id)
        form = extra_form_class(questions, language)()
    else:
        form = forms[step]()
    if isinstance(form, AccommodationsForm):
        form.set_catalogue(profiles.catalogue(db.session, wizard.profile.agency_id), language)
    return form


def load_answers(wizard: Wizard, form: StepForm) -> None:
    """Fill a step's form with what the profile holds now."""
    if isinstance(form, ConsentForm):
        form.load_consents(current_consents(db.session, wizard.profile.id))
        if wizard.assisted:
            form.method.data = wizard.profile.consent_method
    else:
        form.load(wizard.profile)


def edit_step(wizard: Wizard, step: str) -> ResponseReturnValue:
    """Show and save one step; then go on, back to the review, or stop for now."""
    steps = profiles.steps_for(db.session, wizard.profile)
    if step not in steps:
        abort(404)
    form = build_form(wizard, step)
    if request.method == "GET":
        load_answers(wizard, form)
    elif form.validate_on_submit():
        try:
            if isinstance(form, ConsentForm):
                method = form.method.data if wizard.assisted else "self"
                profiles.save_consents(
                    db.session, current_user, wizard.profile, form.consents(), method
                )
            else:
                profiles.save_step(db.session, current_user, wizard.profile, step, form.values())
        except profiles.DuplicateProfile as duplicate:
            db.session.rollback()
            field = getattr(form, duplicate.field)
            field.errors = [duplicate_profile_message(duplicate.field)]
        else:
            flash(_("Saved."), "success")
            return redirect(next_url(wizard, step, steps))
    index = steps.index(step)
    return render_template(
        "profile/step.html",
        form=form,
        wizard=wizard,
        step=step,
        number=index + 1,
        total=len(steps),
        title=STEP_TITLES[step],
        intro=STEP_INTROS[step],
        notices=CONSENT_NOTICES,
        descriptions=getattr(form, "descriptions", None),
        suggestions=phrase_suggestions(current_language()) if step == "skills" else [],
        from_review=request.args.get("from") == "review",
    ), 400 if form.errors else 200


def next_url(wizard: Wizard, step: str, steps: list[str]) -> str:
    if request.form.get("action") == "later":
        return wizard.done_url
    if request.args.get("from") == "review" or step == steps[-1]:
        return wizard.review_url
    return wizard.step_url(steps[steps.index(step) + 1])


def resume(wizard: Wizard) -> ResponseReturnValue:
    """Go to the first step not yet saved, or to the review when all are."""
    missing = profiles.missing_steps(db.session, wizard.profile)
    return redirect(wizard.step_url(missing[0]) if missing else wizard.review_url)


def review(wizard: Wizard, **context: Any) -> ResponseReturnValue:
    """Show every answer with a link to change it."""
    profile = wizard.profile
    steps = profiles.steps_for(db.session, profile)
    forms = {step: build_form(wizard, step) for step in steps}
    for form in forms.values():
        load_answers(wizard, form)
    return render_template(
        "profile/review.html",
        wizard=wizard,
        profile=profile,
        steps=steps,
        titles=STEP_TITLES,
        missing=profiles.missing_steps(db.session, profile),
        forms=forms,
        **context,
    )
