"""The job-seeker's proposals: why this job, accept, decline, or ask for a human review."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from rongye.access import allow
from rongye.blueprints.seeker import own_profile
from rongye.extensions import db
from rongye.forms.review import AcceptForm, DeclineForm, ReviewRequestForm
from rongye.i18n import current_language
from rongye.models import Accommodation, MatchProposal, Position
from rongye.services import review as service
from rongye.services.consent import current_consents

bp = Blueprint("proposals", __name__, url_prefix="/proposals")


@bp.get("/")
@allow("seeker")
def mine() -> ResponseReturnValue:
    profile = own_profile()
    found = service.seeker_proposals(db.session, profile)
    positions = {p.id: p for p in (db.session.get(Position, x.position_id) for x in found) if p}
    waiting = [p for p in found if p.status == "confirmed"]
    return render_template(
        "proposals/mine.html", proposals=found, positions=positions,
        why=None if waiting else service.why_not_matched(db.session, profile),
    )


def _page(proposal: MatchProposal, *, status: int = 200, **forms: object) -> ResponseReturnValue:
    profile = own_profile()
    position = db.session.get(Position, proposal.position_id)
    language = current_language()
    codes = set((proposal.explanation or {}).get("accommodations", []))
    return render_template(
        "proposals/show.html", proposal=proposal, position=position, language=language,
        involved=[a for a in position.accommodations if a.code in codes] if position else [],
        needed={a.code for a in db.session.get(type(profile), profile.id).accommodations},
        shared_generally=current_consents(db.session, profile.id).get("share_employer") is True,
        accept_form=forms.get("accept_form") or AcceptForm(formdata=None),
        decline_form=forms.get("decline_form") or DeclineForm(formdata=None, prefix="decline"),
        review_form=forms.get("review_form") or ReviewRequestForm(formdata=None),
        catalogue=Accommodation,
    ), status


@bp.get("/<int:proposal_id>")
@allow("seeker")
def show(proposal_id: int) -> ResponseReturnValue:
    return _page(service.own_proposal(db.session, own_profile(), proposal_id))


def _answered(message: str, proposal_id: int) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(url_for("proposals.show", proposal_id=proposal_id), 303)


def _refused(proposal_id: int) -> ResponseReturnValue:
    db.session.rollback()
    flash(_("You have already answered this proposal."), "error")
    return redirect(url_for("proposals.show", proposal_id=proposal_id), 303)


@bp.post("/<int:proposal_id>/accept")
@allow("seeker")
def accept(proposal_id: int) -> ResponseReturnValue:
    profile = own_profile()
    found = service.own_proposal(db.session, profile, proposal_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        return _page(found, status=400, accept_form=form)
    try:
        service.accept(db.session, current_user, profile, found.id, share=bool(form.share.data))
    except service.ReviewError:
        return _refused(found.id)
    return _answered(_("Thank you. Your social worker and the employer will contact you about "
                       "the next step."), found.id)


@bp.post("/<int:proposal_id>/decline")
@allow("seeker")
def decline(proposal_id: int) -> ResponseReturnValue:
    profile = own_profile()
    found = service.own_proposal(db.session, profile, proposal_id)
    form = DeclineForm(prefix="decline")
    if not form.validate_on_submit():
        return _page(found, status=400, decline_form=form)
    try:
        service.decline(db.session, current_user, profile, found.id,
                        form.reason_code.data or None, form.note.data)
    except service.ReviewError:
        return _refused(found.id)
    return _answered(_("You declined this job. Nothing was shared with the employer."), found.id)


@bp.post("/<int:proposal_id>/review")
@allow("seeker")
def ask_review(proposal_id: int) -> ResponseReturnValue:
    profile = own_profile()
    found = service.own_proposal(db.session, profile, proposal_id)
    form = ReviewRequestForm()
    if not form.validate_on_submit():
        return _page(found, status=400, review_form=form)
    try:
        service.ask_review(db.session, current_user, profile, found.id, form.message.data)
    except service.ReviewError:
        return _refused(found.id)
    return _answered(_("Your message was sent. Your social worker will look at the proposal "
                       "again."), found.id)
