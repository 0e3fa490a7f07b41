"""The social worker's area: their organisation's caseload."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from rongye.access import allow
from rongye.extensions import db
from rongye.services.dashboards import caseload_query, worker_summary

bp = Blueprint("worker", __name__, url_prefix="/worker")


@bp.get("/")
@allow("social_worker")
def dashboard() -> ResponseReturnValue:
    agency_id = current_user.organisation_id
    caseload = db.paginate(
        caseload_query(agency_id), page=request.args.get("page", 1, type=int), per_page=20
    )
    return render_template(
        "worker/dashboard.html",
        organisation=current_user.organisation,
        summary=worker_summary(db.session, agency_id, dt.date.today()),
        caseload=caseload,
    )
