"""Social workers keep profiles for the job-seekers in their agency's caseload."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from rongye.access import allow
from rongye.blueprints import profile_steps
from rongye.extensions import db
from rongye.forms.fields import duplicate_profile_message
from rongye.forms.profile import NewAssistedForm
from rongye.services import profiles

bp = Blueprint("caseload", __name__, url_prefix="/worker/seekers")


def caseload_wizard(seeker_id: int) -> profile_steps.Wizard:
    profile = profiles.caseload_profile(db.session, current_user, seeker_id)
    if profile is None:
        abort(404)  # not in this agency's caseload: do not even confirm it exists
    return profile_steps.Wizard(
        profile=profile,
        assisted=True,
        step_url=lambda step: url_for("caseload.step", seeker_id=seeker_id, step=step),
        review_url=url_for("caseload.review", seeker_id=seeker_id),
        done_url=url_for("worker.dashboard"),
    )


@bp.route("/new", methods=["GET", "POST"])
@allow("social_worker")
def new() -> ResponseReturnValue:
    form = NewAssistedForm()
    if form.validate_on_submit():
        data = profiles.NewAssistedProfile(
            display_name=form.display_name.data,
            region=form.region.data,
            phone=form.phone.data,
            id_number=form.id_number.data,
            consent_method=form.consent_method.data,
        )
        try:
            profile = profiles.create_assisted(db.session, current_user, data)
        except profiles.DuplicateProfile as duplicate:
            db.session.rollback()
            getattr(form, duplicate.field).errors = [duplicate_profile_message(duplicate.field)]
        else:
            flash(_("The profile was created. Continue with the next questions."), "success")
            return redirect(url_for("caseload.step", seeker_id=profile.id, step="functioning"))
    return render_template("caseload/new.html", form=form), 400 if form.errors else 200


@bp.get("/<int:seeker_id>/")
@allow("social_worker")
def review(seeker_id: int) -> ResponseReturnValue:
    wizard = caseload_wizard(seeker_id)
    profiles.record_sensitive_read(
        db.session, current_user, wizard.profile, ("functioning", "benefits", "household")
    )
    return profile_steps.review(wizard)


@bp.route("/<int:seeker_id>/step/<step>", methods=["GET", "POST"])
@allow("social_worker")
def step(seeker_id: int, step: str) -> ResponseReturnValue:
    return profile_steps.edit_step(caseload_wizard(seeker_id), step)
