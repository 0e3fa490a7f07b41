"""Social workers run matching for their caseload and review the proposals.

Ownership: rongye.services.matching_runs.agency_run and review.agency_proposal make another
agency's runs and proposals a 404. Views validate, call a service, flash and redirect.
"""

from __future__ import annotations

import click
from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from rongye import labels
from rongye.access import allow
from rongye.extensions import db
from rongye.forms.review import ActionForm, ConfirmForm, ForbidForm, RejectForm, RunForm, SwapForm
from rongye.i18n import current_language
from rongye.models import MatchProposal, Position, SeekerProfile
from rongye.services import feedback, jobs
from rongye.services import matching_runs as runs
from rongye.services import review as service
from rongye.urls import page_number

bp = Blueprint("review", __name__, url_prefix="/worker/runs")

PER_PAGE = 50
ERRORS = {
    "benefits_check": _l("This job lowers the person's monthly income. Tick that you checked "
                         "their benefits with them and write down the advice you gave."),
    "position_full": _l("The position has no opening left: another proposal was confirmed "
                        "for it first."),
    "position_closed": _l("The position is no longer open."),
    "seeker_taken": _l("This person already has a confirmed proposal or a job."),
    "status": _l("This proposal cannot be changed that way at its stage."),
    "superseded": _l("This run was re-solved: act on the newer run."),
    "not_an_alternative": _l("Choose one of the alternatives listed."),
    "already_proposed": _l("That position is already proposed to this person in this run."),
}


def _regions() -> list[str]:
    return list(db.session.scalars(
        select(SeekerProfile.region).distinct()
        .where(SeekerProfile.agency_id == current_user.organisation_id,
               SeekerProfile.region.is_not(None))
        .order_by(SeekerProfile.region)
    ))


def _run_form() -> RunForm:
    form = RunForm()
    form.set_regions(_regions())
    return form


@bp.get("/")
@allow("social_worker")
def index() -> ResponseReturnValue:
    page = db.paginate(runs.runs_query(current_user.organisation_id),
                       page=page_number(), per_page=20)
    agency = current_user.organisation_id
    return render_template(
        "review/index.html", runs=page, form=_run_form(),
        total=feedback.overrides_total(db.session, agency),
        by_worker=feedback.overrides_by_worker(db.session, agency),
    )


@bp.post("/new")
@allow("social_worker")
def new_run() -> ResponseReturnValue:
    form = _run_form()
    if not form.validate_on_submit():
        page = db.paginate(runs.runs_query(current_user.organisation_id), page=1, per_page=20)
        agency = current_user.organisation_id
        return render_template(
            "review/index.html", runs=page, form=form,
            total=feedback.overrides_total(db.session, agency),
            by_worker=feedback.overrides_by_worker(db.session, agency),
        ), 400
    run = runs.create_run(db.session, current_user,
                          runs.PoolFilter(form.region.data or None, form.work_mode.data or None))
    jobs.enqueue(run.id)
    flash(_("Matching has started. This page shows how far it has got."), "success")
    return redirect(url_for("review.run", run_id=run.id), 303)


@bp.get("/<int:run_id>")
@allow("social_worker")
def run(run_id: int) -> ResponseReturnValue:
    found = runs.agency_run(db.session, current_user, run_id)
    return render_template(
        "review/run.html", run=found, counts=service.status_counts(db.session, found.id),
        child=runs.child_run(db.session, found), stale=runs.is_stale(found),
        action_form=ActionForm(),
    )


@bp.get("/<int:run_id>/status.json")
@allow("social_worker")
def run_status(run_id: int) -> ResponseReturnValue:
    found = runs.agency_run(db.session, current_user, run_id)
    stage = (found.stats or {}).get("stage", found.status)
    return jsonify(status=found.status, finished=found.status in ("done", "failed"),
                   text=str(labels.RUN_STAGES.get(stage, stage)))


@bp.post("/<int:run_id>/retry")
@allow("social_worker")
def retry(run_id: int) -> ResponseReturnValue:
    found = runs.agency_run(db.session, current_user, run_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("review.run", run_id=found.id), 303)
    try:
        runs.retry_run(db.session, current_user, found)
    except ValueError:
        db.session.rollback()
        flash(_("This run cannot be retried now."), "error")
    else:
        jobs.enqueue(found.id)
        flash(_("The run was started again."), "success")
    return redirect(url_for("review.run", run_id=found.id), 303)


@bp.post("/<int:run_id>/resolve")
@allow("social_worker")
def resolve(run_id: int) -> ResponseReturnValue:
    found = runs.agency_run(db.session, current_user, run_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("review.run", run_id=found.id), 303)
    try:
        child = service.resolve(db.session, current_user, found)
    except service.ReviewError as error:
        db.session.rollback()
        flash(str(ERRORS[error.code]), "error")
        return redirect(url_for("review.run", run_id=found.id), 303)
    jobs.enqueue(child.id)
    flash(_("Matching runs again, keeping your confirmations, pins and rejections."), "success")
    return redirect(url_for("review.run", run_id=child.id), 303)


@bp.get("/<int:run_id>/proposals")
@allow("social_worker")
def proposals(run_id: int) -> ResponseReturnValue:
    found = runs.agency_run(db.session, current_user, run_id)
    q = request.args.get("q", "").strip()[:80]
    status = request.args.get("status", "")
    status = status if status in labels.REVIEW_STATUSES else ""
    sort = request.args.get("sort", "score")
    sort = sort if sort in service.SORTS else "score"
    direction = "asc" if request.args.get("dir") == "asc" else "desc"
    to_check = request.args.get("to_check") == "1"
    page = db.paginate(
        service.proposals_query(found.id, q=q, status=status, to_check=to_check, sort=sort,
                                descending=direction == "desc"),
        page=page_number(), per_page=PER_PAGE, count=True,
    )
    return render_template(
        "review/proposals.html", run=found, page=page, q=q,
        details=service.list_details(db.session, list(page.items)), status=status, sort=sort,
        direction=direction, to_check=to_check,
        counts=service.status_counts(db.session, found.id),
    )


def _proposal_page(proposal: MatchProposal, *, status: int = 200,
                   **forms: object) -> ResponseReturnValue:
    found_run = runs.agency_run(db.session, current_user, proposal.run_id)
    seeker = db.session.get(SeekerProfile, proposal.seeker_id)
    position = db.session.get(Position, proposal.position_id)
    options = service.alternatives(db.session, proposal)
    swap_form = forms.get("swap_form") or SwapForm(formdata=None)
    swap_form.set_alternatives([(str(p.id), f"{p.title} ({s})") for p, s in options])
    return render_template(
        "review/proposal.html", proposal=proposal, run=found_run, seeker=seeker,
        position=position, alternatives=options,
        decisions=service.decisions_of(db.session, proposal),
        superseded=service.superseded(db.session, proposal, found_run),
        catalogue=_catalogue(), language=current_language(),
        confirm_form=forms.get("confirm_form") or ConfirmForm(formdata=None),
        reject_form=forms.get("reject_form") or RejectForm(formdata=None, prefix="reject"),
        forbid_form=forms.get("forbid_form") or ForbidForm(formdata=None, prefix="forbid"),
        swap_form=swap_form, action_form=ActionForm(),
        net_gain=service.net_gain_of(proposal),
    ), status


def _catalogue() -> dict[str, str]:
    from rongye.models import Accommodation

    language = current_language()
    return {a.code: a.name(language) for a in db.session.scalars(select(Accommodation))}


@bp.get("/proposals/<int:proposal_id>")
@allow("social_worker")
def proposal(proposal_id: int) -> ResponseReturnValue:
    return _proposal_page(service.agency_proposal(db.session, current_user, proposal_id))


def _done(message: str, proposal_id: int) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(url_for("review.proposal", proposal_id=proposal_id), 303)


def _failed(error: service.ReviewError, proposal_id: int) -> ResponseReturnValue:
    db.session.rollback()
    flash(str(ERRORS[error.code]), "error")
    return redirect(url_for("review.proposal", proposal_id=proposal_id), 303)


@bp.post("/proposals/<int:proposal_id>/confirm")
@allow("social_worker")
def confirm(proposal_id: int) -> ResponseReturnValue:
    found = service.agency_proposal(db.session, current_user, proposal_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _proposal_page(found, status=400, confirm_form=form)
    try:
        service.confirm(db.session, current_user, found.id,
                        benefits_acknowledged=bool(form.benefits_acknowledged.data),
                        advice=form.advice.data)
    except service.ReviewError as error:
        if error.code == "benefits_check":
            db.session.rollback()
            form.advice.errors = [*form.advice.errors, ERRORS["benefits_check"]]
            return _proposal_page(found, status=400, confirm_form=form)
        return _failed(error, found.id)
    return _done(_("The proposal is confirmed. The job-seeker can now see it and answer."),
                 found.id)


@bp.post("/proposals/<int:proposal_id>/reject")
@allow("social_worker")
def reject(proposal_id: int) -> ResponseReturnValue:
    found = service.agency_proposal(db.session, current_user, proposal_id)
    form = RejectForm(prefix="reject")
    if not form.validate_on_submit():
        return _proposal_page(found, status=400, reject_form=form)
    try:
        service.reject(db.session, current_user, found.id, form.reason_code.data, form.note.data)
    except service.ReviewError as error:
        return _failed(error, found.id)
    return _done(_("The proposal is rejected."), found.id)


@bp.post("/proposals/<int:proposal_id>/forbid")
@allow("social_worker")
def forbid(proposal_id: int) -> ResponseReturnValue:
    found = service.agency_proposal(db.session, current_user, proposal_id)
    form = ForbidForm(prefix="forbid")
    if not form.validate_on_submit():
        return _proposal_page(found, status=400, forbid_form=form)
    try:
        service.forbid(db.session, current_user, found.id, form.reason_code.data, form.note.data)
    except service.ReviewError as error:
        return _failed(error, found.id)
    return _done(_("This pairing is forbidden: re-solve the run to find another position."),
                 found.id)


@bp.post("/proposals/<int:proposal_id>/swap")
@allow("social_worker")
def swap(proposal_id: int) -> ResponseReturnValue:
    found = service.agency_proposal(db.session, current_user, proposal_id)
    form = SwapForm()
    options = service.alternatives(db.session, found)
    form.set_alternatives([(str(p.id), f"{p.title} ({s})") for p, s in options])
    if not form.validate_on_submit():
        return _proposal_page(found, status=400, swap_form=form)
    try:
        new = service.swap(db.session, current_user, found.id, int(form.position_id.data),
                           form.reason_code.data, form.note.data)
    except service.ReviewError as error:
        return _failed(error, found.id)
    return _done(_("The alternative is now proposed. Review it and confirm it."), new.id)


@bp.post("/proposals/<int:proposal_id>/pin")
@allow("social_worker")
def pin(proposal_id: int) -> ResponseReturnValue:
    found = service.agency_proposal(db.session, current_user, proposal_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("review.proposal", proposal_id=found.id), 303)
    pinned = request.form.get("pinned") != "0"
    try:
        service.pin(db.session, current_user, found.id, pinned)
    except service.ReviewError as error:
        return _failed(error, found.id)
    return _done(_("Pinned: a re-solve keeps this proposal.") if pinned else _("Unpinned."),
                 found.id)


@bp.cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run the RQ worker that executes match runs (needs REDIS_URL)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not jobs.redis_url(app):
        raise click.ClickException("REDIS_URL is not set: runs use the in-process thread.")
    jobs.work(app, burst=burst)
