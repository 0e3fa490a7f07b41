"""Fusion feedback: tune the organisation's weights from decisions, and watch overrides."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from rongye.access import allow
from rongye.extensions import db
from rongye.forms.profile import CATEGORY_LABELS, GENDER_LABELS
from rongye.forms.review import ActionForm
from rongye.services import feedback as service

bp = Blueprint("feedback", __name__, url_prefix="/feedback")


def _organisation_id() -> int:
    if current_user.organisation_id is None:
        abort(404)  # a platform admin has no organisation's weights to tune
    return int(current_user.organisation_id)


@bp.get("/weights")
@allow("social_worker", "admin")
def weights() -> ResponseReturnValue:
    organisation_id = _organisation_id()
    return render_template(
        "review/weights.html",
        proposal=service.propose_weights(db.session, organisation_id),
        pending=service.pending_versions(db.session, organisation_id),
        history=service.history(db.session, organisation_id),
        form=ActionForm(), min_decisions=service.MIN_DECISIONS,
    )


@bp.post("/weights/propose")
@allow("social_worker", "admin")
def propose() -> ResponseReturnValue:
    organisation_id = _organisation_id()
    if ActionForm().validate_on_submit():
        try:
            service.save_proposal(db.session, current_user, organisation_id)
        except ValueError:
            db.session.rollback()
            flash(_("There is no better set of weights to propose yet."), "error")
        else:
            flash(_("The new weights are proposed. An administrator of the organisation must "
                    "approve them before they are used."), "success")
    return redirect(url_for("feedback.weights"), 303)


@bp.post("/weights/<int:version_id>/<decision>")
@allow("admin")
def decide(version_id: int, decision: str) -> ResponseReturnValue:
    if decision not in ("approve", "dismiss"):
        abort(404)
    _organisation_id()
    if ActionForm().validate_on_submit():
        try:
            service.decide_version(db.session, current_user, version_id, decision == "approve")
        except ValueError:
            db.session.rollback()
            flash(_("These weights were already decided."), "error")
        else:
            flash(_("The new weights are in force for the next runs.") if decision == "approve"
                  else _("The proposed weights were dismissed."), "success")
    return redirect(url_for("feedback.weights"), 303)


@bp.get("/overrides")
@allow("social_worker", "analyst")
def overrides() -> ResponseReturnValue:
    agency = current_user.organisation_id if current_user.role == "social_worker" else None
    return render_template(
        "review/overrides.html",
        total=service.overrides_total(db.session, agency),
        by_worker=service.overrides_by_worker(db.session, agency) if agency else [],
        by_gender=service.overrides_by_group(db.session, agency, "gender"),
        by_category=service.overrides_by_group(db.session, agency, "disability_category"),
        gender_names=GENDER_LABELS, category_names=CATEGORY_LABELS,
        thresholds=(service.RUBBER_STAMP_AT, service.HIGH_AT, service.MIN_DECISIONS,
                    service.SUPPRESS_BELOW),
    )
