"""The analyst's area: aggregates only, never an individual record."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from rongye.access import allow
from rongye.extensions import db
from rongye.services.dashboards import platform_summary

bp = Blueprint("analyst", __name__, url_prefix="/analyst")


@bp.get("/")
@allow("analyst")
def dashboard() -> ResponseReturnValue:
    return render_template("analyst/dashboard.html", summary=platform_summary(db.session))
