"""The social worker's area: their organisation's caseload."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from rongye.access import allow
from rongye.extensions import db
from rongye.services import review
from rongye.services.dashboards import caseload_query, worker_summary
from rongye.urls import page_number

bp = Blueprint("worker", __name__, url_prefix="/worker")


@bp.get("/")
@allow("social_worker")
def dashboard() -> ResponseReturnValue:
    agency_id = current_user.organisation_id
    caseload = db.paginate(
        caseload_query(agency_id), page=page_number(), per_page=20
    )
    return render_template(
        "worker/dashboard.html",
        organisation=current_user.organisation,
        summary=worker_summary(db.session, agency_id, dt.date.today()),
        caseload=caseload,
        review_requests=review.review_requests(db.session, agency_id),
    )
