"""The employer's area."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from rongye.access import allow
from rongye.extensions import db
from rongye.services.dashboards import employer_positions_query

bp = Blueprint("employer", __name__, url_prefix="/employer")


@bp.get("/")
@allow("employer")
def dashboard() -> ResponseReturnValue:
    positions = db.paginate(
        employer_positions_query(current_user.organisation_id),
        page=request.args.get("page", 1, type=int),
        per_page=20,
    )
    return render_template(
        "employer/dashboard.html", organisation=current_user.organisation, positions=positions
    )
