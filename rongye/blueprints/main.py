"""Home page, language switcher and the dashboard redirect."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from rongye.access import EVERYONE, SIGNED_IN, allow
from rongye.blueprints.navigation import role_home, safe_next
from rongye.extensions import db
from rongye.forms.auth import LanguageForm
from rongye.i18n import LANGUAGE_COOKIE
from rongye.services import accounts

bp = Blueprint("main", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
@allow(EVERYONE)
def home() -> ResponseReturnValue:
    return render_template("main/home.html")


@bp.post("/language")
@allow(EVERYONE)
def set_language() -> ResponseReturnValue:
    form = LanguageForm()
    language = request.form.get("lang", "")
    if not form.validate_on_submit() or language not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated:
        accounts.set_locale(db.session, current_user, language)
    response = redirect(safe_next(form.next.data, url_for("main.home")))
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.get("/dashboard")
@allow(SIGNED_IN)
def dashboard() -> ResponseReturnValue:
    return redirect(role_home(current_user.role))
