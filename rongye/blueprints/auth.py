"""Register, log in, log out."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user, logout_user

from rongye.access import EVERYONE, SIGNED_IN, allow
from rongye.blueprints.navigation import role_home, safe_next
from rongye.extensions import db, limiter
from rongye.forms.auth import LoginForm, RegisterForm
from rongye.forms.fields import duplicate_account_message
from rongye.i18n import current_language
from rongye.services import accounts

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _login_identifier() -> str:
    # A second limit per account name slows down guessing one account's password from many IPs.
    return "login:" + (request.form.get("identifier") or "").strip().lower()[:254]


@bp.route("/register", methods=["GET", "POST"])
@allow(EVERYONE)
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(role_home(current_user.role))
    form = RegisterForm()
    if form.validate_on_submit():
        registration = accounts.Registration(
            role=form.role.data,
            display_name=form.display_name.data,
            email=form.email.data,
            phone=form.phone.data,
            password=form.password.data,
            organisation_name=form.organisation_name.data,
            locale=current_language(),
        )
        try:
            account = accounts.register(db.session, registration)
        except accounts.DuplicateAccount as duplicate:
            db.session.rollback()
            field = getattr(form, duplicate.field)
            field.errors = [duplicate_account_message(duplicate.field)]
        else:
            login_user(account)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(role_home(account.role))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


def _failed(response: Response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@allow(EVERYONE)
# Only failed attempts count (a successful log-in redirects): staff sharing an office address
# sign in freely, password guessing is still slowed down.
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_identifier, deduct_when=_failed)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(role_home(current_user.role))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        account = accounts.authenticate(db.session, form.identifier.data, form.password.data)
        if account is not None:
            login_user(account)
            refresh()  # the account's own language from now on, this message included
            flash(_("You are logged in."), "success")
            return redirect(safe_next(form.next.data, role_home(account.role)))
        form.identifier.errors = [
            _(
                "The email address, mobile number or password is not right. "
                "Check them and try again."
            )
        ]
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@allow(SIGNED_IN)
def logout() -> ResponseReturnValue:
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("main.home"))
