"""The administrator's area: staff accounts and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from rongye.access import allow
from rongye.extensions import db
from rongye.forms.admin import StaffForm
from rongye.forms.fields import duplicate_account_message
from rongye.services import accounts
from rongye.services.dashboards import audit_query, managed_staff, organisation_counts

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@allow("admin")
def dashboard() -> ResponseReturnValue:
    events = db.paginate(
        audit_query(current_user), page=request.args.get("page", 1, type=int), per_page=25
    )
    return render_template(
        "admin/dashboard.html",
        organisation_counts=organisation_counts(db.session),
        staff=managed_staff(db.session, current_user),
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
