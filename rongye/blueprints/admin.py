"""The administrator's area: staff accounts, agency settings and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from matching import BenefitRules
from rongye.access import allow
from rongye.extensions import db
from rongye.forms.admin import SettingsForm, StaffForm
from rongye.forms.fields import duplicate_account_message
from rongye.forms.questions import KIND_LABELS, TARGET_LABELS, QuestionForm
from rongye.i18n import current_language
from rongye.services import accounts
from rongye.services import organisations as organisation_service
from rongye.services import questions as question_service
from rongye.services.dashboards import audit_query, managed_staff, organisation_counts
from rongye.urls import page_number

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@allow("admin")
def dashboard() -> ResponseReturnValue:
    events = db.paginate(
        audit_query(current_user), page=page_number(), per_page=25
    )
    return render_template(
        "admin/dashboard.html",
        organisation_counts=organisation_counts(db.session),
        staff=managed_staff(db.session, current_user),
        agencies=organisation_service.managed_agencies(db.session, current_user),
        events=events,
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@allow("admin")
def new_staff() -> ResponseReturnValue:
    organisations = accounts.staff_organisations(db.session, current_user)
    if not organisations:
        abort(403)
    form = StaffForm()
    form.organisation_id.choices = [SelectChoice(str(o.id), o.name) for o in organisations]
    if form.validate_on_submit():
        data = accounts.StaffAccount(
            role=form.role.data,
            organisation_id=int(form.organisation_id.data),
            display_name=form.display_name.data,
            email=form.email.data,
            phone=form.phone.data,
            password=form.password.data,
        )
        try:
            accounts.create_staff(db.session, current_user, data)
        except accounts.DuplicateAccount as duplicate:
            db.session.rollback()
            getattr(form, duplicate.field).errors = [duplicate_account_message(duplicate.field)]
        else:
            flash(_("The account was created."), "success")
            return redirect(url_for("admin.dashboard"))
    return render_template("admin/new_staff.html", form=form), 400 if form.errors else 200


@bp.route("/questions", methods=["GET", "POST"])
@allow("admin")
def questions() -> ResponseReturnValue:
    organisations = accounts.staff_organisations(db.session, current_user)
    form = QuestionForm()
    form.organisation_id.choices = [SelectChoice(str(o.id), o.name) for o in organisations]
    if form.validate_on_submit():
        question_service.add_question(
            db.session,
            current_user,
            question_service.NewQuestion(
                organisation_id=int(form.organisation_id.data),
                applies_to=form.applies_to.data,
                kind=form.kind.data,
                label_zh=form.label_zh.data,
                label_en=form.label_en.data,
                choices=form.parsed_choices(),
                required=form.required.data,
            ),
        )
        flash(_("The question was added."), "success")
        return redirect(url_for("admin.questions"))
    return render_template(
        "admin/questions.html",
        form=form,
        questions=question_service.managed_questions(db.session, current_user),
        language=current_language(),
        kind_labels=KIND_LABELS,
        target_labels=TARGET_LABELS,
    ), 400 if form.errors else 200


@bp.post("/questions/<int:question_id>/active")
@allow("admin")
def question_active(question_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    if not question_service.set_active(db.session, current_user, question_id, active):
        abort(404)
    flash(_("The question is shown again.") if active else _("The question is hidden."),
          "success")
    return redirect(url_for("admin.questions"))


@bp.route("/settings/<int:organisation_id>", methods=["GET", "POST"])
@allow("admin")
def settings(organisation_id: int) -> ResponseReturnValue:
    """An agency's follow-up schedule, minimum score and local benefit rules."""
    organisation = organisation_service.managed_agency(db.session, current_user, organisation_id)
    current = organisation_service.current_settings(db.session, organisation)
    form = SettingsForm(data={
        "follow_up_days": current.follow_up_days,
        "min_score": current.min_score,
        "dibao_lost_if_social_insurance": current.rules.dibao_lost_if_social_insurance,
        "earnings_disregard": round(current.rules.earnings_disregard),
        "benefit_taper": round(current.rules.benefit_taper * 100),
        "income_reference": round(current.rules.income_reference),
    })
    if form.validate_on_submit():
        changed = organisation_service.update_settings(
            db.session, current_user, organisation,
            organisation_service.Settings(
                follow_up_days=form.follow_up_days.data,
                min_score=form.min_score.data,
                rules=BenefitRules(
                    dibao_lost_if_social_insurance=form.dibao_lost_if_social_insurance.data,
                    earnings_disregard=float(form.earnings_disregard.data),
                    benefit_taper=form.benefit_taper.data / 100,
                    income_reference=float(form.income_reference.data),
                ),
            ),
        )
        flash(_("The settings were saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("admin.settings", organisation_id=organisation.id))
    return render_template(
        "admin/settings.html", form=form, organisation=organisation,
    ), 400 if form.errors else 200
