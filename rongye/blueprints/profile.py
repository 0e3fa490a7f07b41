"""The seeker's own profile, consent and data rights."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from rongye.access import allow
from rongye.blueprints import profile_steps
from rongye.extensions import db
from rongye.forms.data_rights import EraseForm
from rongye.models import SeekerProfile
from rongye.services import data_rights, profiles

bp = Blueprint("profile", __name__, url_prefix="/profile")


def own_wizard() -> profile_steps.Wizard:
    profile = profiles.own_profile(db.session, current_user)
    if profile is None or profile.erased_at is not None:
        abort(404)
    return profile_steps.Wizard(
        profile=profile,
        assisted=False,
        step_url=lambda step: url_for("profile.step", step=step),
        review_url=url_for("profile.review"),
        done_url=url_for("seeker.dashboard"),
    )


@bp.get("/")
@allow("seeker")
def start() -> ResponseReturnValue:
    return profile_steps.resume(own_wizard())


@bp.route("/step/<step>", methods=["GET", "POST"])
@allow("seeker")
def step(step: str) -> ResponseReturnValue:
    return profile_steps.edit_step(own_wizard(), step)


@bp.get("/review")
@allow("seeker")
def review() -> ResponseReturnValue:
    return profile_steps.review(own_wizard())


@bp.get("/data")
@allow("seeker")
def data() -> ResponseReturnValue:
    own_wizard()
    return render_template("profile/data.html", form=EraseForm())


@bp.get("/data.<fmt>")
@allow("seeker")
def download(fmt: str) -> ResponseReturnValue:
    if fmt not in ("json", "csv"):
        abort(404)
    profile: SeekerProfile = own_wizard().profile
    body = data_rights.export(db.session, current_user, profile, fmt)
    mimetype = "application/json" if fmt == "json" else "text/csv"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="rongye-my-data.{fmt}"'},
    )


@bp.post("/erase")
@allow("seeker")
def erase() -> ResponseReturnValue:
    profile = own_wizard().profile
    form = EraseForm()
    if not form.validate_on_submit():
        return render_template("profile/data.html", form=form), 400
    profiles.erase(db.session, current_user, profile)
    logout_user()
    flash(_("Your profile and account have been erased."), "success")
    return redirect(url_for("main.home"))
