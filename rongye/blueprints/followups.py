"""Follow-ups: the social worker's task list and form, and the job-seeker answering their own."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from rongye.access import allow
from rongye.extensions import db
from rongye.forms.followups import SECTIONS, FollowUpForm, ScheduleForm, follow_up_form_class
from rongye.i18n import current_language
from rongye.models import FollowUp, SeekerProfile
from rongye.services import followups, profiles
from rongye.urls import page_number

bp = Blueprint("followups", __name__, url_prefix="/followups")

PER_PAGE = 25


def today() -> dt.date:
    return dt.date.today()


@bp.get("/")
@allow("social_worker")
def tasks() -> ResponseReturnValue:
    agency_id = current_user.organisation_id
    if agency_id is None:
        abort(404)
    overdue_only = request.args.get("show") == "overdue"
    page = db.paginate(
        followups.agency_tasks_query(agency_id, today(), overdue_only=overdue_only),
        page=page_number(),
        per_page=PER_PAGE,
        error_out=False,
    )
    overdue, due = followups.count_tasks(db.session, agency_id, today())
    return render_template(
        "followups/tasks.html",
        page=page,
        rows=page.items,
        overdue=overdue,
        due=due,
        overdue_only=overdue_only,
        today=today(),
        due_soon_days=followups.DUE_SOON_DAYS,
        schedule_form=ScheduleForm(),
    )


@bp.post("/schedule")
@allow("social_worker")
def schedule() -> ResponseReturnValue:
    if not ScheduleForm().validate_on_submit() or current_user.organisation_id is None:
        abort(400)
    added = followups.schedule_for_agency(
        db.session, current_user, current_user.organisation_id, today()
    )
    flash(_("%(count)s new follow-ups added to the list.", count=added), "success")
    return redirect(url_for("followups.tasks"))


def build_form(follow_up: FollowUp) -> FollowUpForm:
    """Return the follow-up form with the agency's own questions, told about the placement."""
    placement = follow_up.placement
    questions = followups.extra_questions(db.session, placement.agency_id)
    form = follow_up_form_class(questions, current_language())()
    form.set_context(placement.start_date, placement.end_date is not None, today())
    form.questions = questions
    return form


def edit(follow_up: FollowUp, *, done_url: str, seeker_view: bool) -> ResponseReturnValue:
    """Show and save the follow-up form; nothing is stored unless every answer is valid."""
    form = build_form(follow_up)
    if request.method == "GET":
        if follow_up.done_at is not None:
            form.load(follow_up)
    elif form.validate_on_submit():
        followups.record_answer(db.session, current_user, follow_up, form.answers(), today())
        flash(_("The follow-up was saved. Thank you."), "success")
        return redirect(done_url)
    return render_template(
        "followups/form.html",
        form=form,
        follow_up=follow_up,
        placement=follow_up.placement,
        sections=SECTIONS,
        seeker_view=seeker_view,
        back_url=done_url,
    ), 400 if form.errors else 200


@bp.route("/<int:follow_up_id>", methods=["GET", "POST"])
@allow("social_worker")
def record(follow_up_id: int) -> ResponseReturnValue:
    follow_up = followups.agency_follow_up(db.session, current_user, follow_up_id)
    if follow_up is None:
        abort(404)  # not this agency's: do not even confirm it exists
    return edit(follow_up, done_url=url_for("followups.tasks"), seeker_view=False)


def own_profile() -> SeekerProfile:
    profile = profiles.own_profile(db.session, current_user)
    if profile is None or profile.erased_at is not None:
        abort(404)
    return profile


@bp.get("/mine")
@allow("seeker")
def mine() -> ResponseReturnValue:
    profile = own_profile()
    return render_template(
        "followups/mine.html", rows=followups.own_follow_ups(db.session, profile, today())
    )


@bp.route("/mine/<int:follow_up_id>", methods=["GET", "POST"])
@allow("seeker")
def answer(follow_up_id: int) -> ResponseReturnValue:
    follow_up = followups.own_follow_up(db.session, own_profile(), follow_up_id)
    if follow_up is None or follow_up.due_date > today() + dt.timedelta(
        days=followups.DUE_SOON_DAYS
    ):
        abort(404)
    if follow_up.done_at is not None:
        flash(_("This follow-up has already been answered."), "info")
        return redirect(url_for("followups.mine"))
    return edit(follow_up, done_url=url_for("followups.mine"), seeker_view=True)
