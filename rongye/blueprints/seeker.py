"""The job-seeker's own area."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from rongye.access import allow
from rongye.extensions import db
from rongye.models import Placement, SeekerProfile
from rongye.services import profiles
from rongye.services.consent import current_consents

bp = Blueprint("seeker", __name__, url_prefix="/seeker")


def own_profile() -> SeekerProfile:
    """Return the signed-in seeker's profile (a seeker only ever sees their own)."""
    profile = profiles.own_profile(db.session, current_user)
    if profile is None or profile.erased_at is not None:
        abort(404)
    return profile


@bp.get("/")
@allow("seeker")
def dashboard() -> ResponseReturnValue:
    profile = own_profile()
    placements = db.session.scalars(
        select(Placement)
        .where(Placement.seeker_id == profile.id)
        .order_by(Placement.start_date.desc())
    ).all()
    known = sum(level is not None for level in profile.functioning.values())
    return render_template(
        "seeker/dashboard.html",
        profile=profile,
        consents=current_consents(db.session, profile.id),
        placements=placements,
        known_domains=known,
        steps_total=len(profiles.steps_for(db.session, profile)),
    )
