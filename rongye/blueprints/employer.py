"""The employer's area: the organisation profile and its positions.

Ownership is enforced by rongye.services.positions: another organisation's position is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from rongye.access import allow
from rongye.extensions import db
from rongye.forms.positions import (
    DEMAND_ANSWERS,
    DEMAND_QUESTIONS,
    EXPOSURE_BANDS,
    POSITION_WORK_MODES,
    OrganisationForm,
    PositionForm,
    PositionStatusForm,
    exposure_band,
)
from rongye.i18n import current_language
from rongye.services import positions as service
from rongye.services.dashboards import employer_positions_query
from rongye.services.profiles import catalogue
from rongye.urls import page_number

bp = Blueprint("employer", __name__, url_prefix="/employer")


@bp.get("/")
@allow("employer")
def dashboard() -> ResponseReturnValue:
    positions = db.paginate(
        employer_positions_query(current_user.organisation_id),
        page=page_number(),
        per_page=20,
    )
    return render_template(
        "employer/dashboard.html", organisation=current_user.organisation, positions=positions,
        waiting=service.waiting_counts(db.session, [p.id for p in positions.items]),
    )


# -- Organisation profile -------------------------------------------------------------------


@bp.get("/organisation")
@allow("employer")
def organisation() -> ResponseReturnValue:
    return render_template(
        "employer/organisation.html",
        organisation=service.own_organisation(db.session, current_user),
    )


@bp.route("/organisation/edit", methods=["GET", "POST"])
@allow("employer")
def edit_organisation() -> ResponseReturnValue:
    organisation = service.own_organisation(db.session, current_user)
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    if form.validate_on_submit():
        service.update_organisation(db.session, current_user, form.values())
        flash(_("The organisation profile was saved."), "success")
        return redirect(url_for("employer.organisation"), 303)
    status = 400 if form.errors else 200
    return render_template("employer/organisation_form.html", form=form), status


# -- Positions ------------------------------------------------------------------------------


def _position_form(editing: bool) -> PositionForm:
    form = PositionForm(editing=editing)
    organisation = service.own_organisation(db.session, current_user)
    form.set_catalogue(
        catalogue(db.session, organisation.id), current_language()
    )
    return form


def _render_form(form: PositionForm, position: object | None = None) -> ResponseReturnValue:
    status = 400 if form.errors else 200
    return render_template("employer/position_form.html", form=form, position=position), status


@bp.route("/positions/new", methods=["GET", "POST"])
@allow("employer")
def new_position() -> ResponseReturnValue:
    form = _position_form(editing=False)
    if form.validate_on_submit():
        publish = bool(form.publish.data)
        position = service.create_position(
            db.session, current_user, service.PositionData(**form.values()), publish=publish
        )
        flash(_("The position was published.") if publish
              else _("The position was saved as a draft. Publish it when it is ready."),
              "success")
        return redirect(url_for("employer.position", position_id=position.id), 303)
    return _render_form(form)


@bp.get("/positions/<int:position_id>")
@allow("employer")
def position(position_id: int) -> ResponseReturnValue:
    found = service.own_position(db.session, current_user, position_id)
    return render_template(
        "employer/position.html",
        position=found,
        status_form=PositionStatusForm(),
        actions=[a for a, (sources, _t) in service.TRANSITIONS.items() if found.status in sources],
        applicants=service.applicants(db.session, found),
        employees=service.employees(db.session, found),
        language=current_language(),
        questions=DEMAND_QUESTIONS,
        answers=DEMAND_ANSWERS,
        work_modes=POSITION_WORK_MODES,
        exposure=EXPOSURE_BANDS[exposure_band(found.automation_exposure)],
        status_buttons=STATUS_BUTTONS,
    )


@bp.route("/positions/<int:position_id>/edit", methods=["GET", "POST"])
@allow("employer")
def edit_position(position_id: int) -> ResponseReturnValue:
    found = service.own_position(db.session, current_user, position_id)
    form = _position_form(editing=True)
    if request.method == "GET":
        form.load(found)
    form.stored_exposure = found.automation_exposure
    if form.validate_on_submit():
        service.update_position(
            db.session, current_user, found.id, service.PositionData(**form.values())
        )
        flash(_("The changes were saved."), "success")
        return redirect(url_for("employer.position", position_id=found.id), 303)
    return _render_form(form, found)


@bp.post("/positions/<int:position_id>/status")
@allow("employer")
def position_status(position_id: int) -> ResponseReturnValue:
    found = service.own_position(db.session, current_user, position_id)
    form = PositionStatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.change_status(db.session, current_user, found.id, form.action.data)
    except service.InvalidTransition:
        db.session.rollback()
        flash(_("The position cannot be changed that way now."), "error")
    else:
        flash(str(STATUS_MESSAGES[form.action.data]), "success")
    return redirect(url_for("employer.position", position_id=found.id), 303)


STATUS_BUTTONS = {
    "publish": _l("Publish"),
    "pause": _l("Pause"),
    "close": _l("Close"),
    "reopen": _l("Reopen"),
}
STATUS_MESSAGES = {
    "publish": _l("The position is published: it is open for matching."),
    "pause": _l("The position is paused: no new people will be proposed for now."),
    "close": _l("The position is closed."),
    "reopen": _l("The position is open again."),
}


@bp.get("/positions/<int:position_id>/candidates/<int:proposal_id>")
@allow("employer")
def candidate(position_id: int, proposal_id: int) -> ResponseReturnValue:
    summary = service.candidate_summary(db.session, current_user, position_id, proposal_id)
    return render_template(
        "employer/candidate.html",
        position=service.own_position(db.session, current_user, position_id),
        summary=summary,
        language=current_language(),
    )


# -- Interview and hiring outcome (match review) ---------------------------------------------


def _outcome_page(position_id: int, proposal_id: int, *, status: int = 200,
                  **forms: object) -> ResponseReturnValue:
    from rongye.forms.review import InterviewForm, OutcomeForm
    from rongye.services import review
    from rongye.services.consent import sharing_consented

    found, proposal = review.employer_proposal(db.session, current_user, position_id,
                                               proposal_id)
    shared = bool(sharing_consented(db.session, {proposal.seeker_id}, found.employer_id))
    return render_template(
        "employer/outcome.html", position=found, proposal=proposal, shared=shared,
        name=_shared_name(proposal.seeker_id) if shared else None,
        interviews=review.interviews_of(db.session, proposal),
        interview_form=forms.get("interview_form") or InterviewForm(formdata=None),
        outcome_form=forms.get("outcome_form") or OutcomeForm(formdata=None),
    ), status


def _shared_name(seeker_id: int) -> str:
    from rongye.models import SeekerProfile

    seeker = db.session.get(SeekerProfile, seeker_id)
    return seeker.display_name if seeker is not None else ""


@bp.get("/positions/<int:position_id>/candidates/<int:proposal_id>/outcome")
@allow("employer")
def outcome(position_id: int, proposal_id: int) -> ResponseReturnValue:
    return _outcome_page(position_id, proposal_id)


@bp.post("/positions/<int:position_id>/candidates/<int:proposal_id>/interview")
@allow("employer")
def record_interview(position_id: int, proposal_id: int) -> ResponseReturnValue:
    from rongye.forms.review import InterviewForm
    from rongye.services import review

    form = InterviewForm()
    if not form.validate_on_submit():
        return _outcome_page(position_id, proposal_id, status=400, interview_form=form)
    try:
        review.record_interview(db.session, current_user, position_id, proposal_id,
                                form.interview_date.data, form.interview_note.data)
    except review.ReviewError:
        db.session.rollback()
        flash(_("The outcome of this application is already recorded."), "error")
    else:
        flash(_("The interview was recorded."), "success")
    return redirect(url_for("employer.outcome", position_id=position_id,
                            proposal_id=proposal_id), 303)


@bp.post("/positions/<int:position_id>/candidates/<int:proposal_id>/outcome")
@allow("employer")
def record_outcome(position_id: int, proposal_id: int) -> ResponseReturnValue:
    from rongye.forms.review import OutcomeForm
    from rongye.services import review

    form = OutcomeForm()
    if not form.validate_on_submit():
        return _outcome_page(position_id, proposal_id, status=400, outcome_form=form)
    hired = form.outcome.data == "hired"
    try:
        review.record_outcome(db.session, current_user, position_id, proposal_id, hired=hired,
                              start_date=form.start_date.data, monthly_pay=form.monthly_pay.data,
                              hours=form.hours.data, note=form.outcome_note.data)
    except review.ReviewError:
        db.session.rollback()
        flash(_("The outcome of this application is already recorded."), "error")
    else:
        flash(_("The hire was recorded. The social worker will follow up on how the work "
                "goes.") if hired else _("The outcome was recorded."), "success")
    return redirect(url_for("employer.position", position_id=position_id), 303)
