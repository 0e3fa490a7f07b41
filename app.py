"""Composition root: `create_app` builds the Rongye application and nothing else runs here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from rongye import labels
from rongye.access import check_all_views_declared, enforce_access
from rongye.config import LANGUAGES, build_config
from rongye.extensions import babel, csrf, db, limiter, login_manager, migrate
from rongye.i18n import html_lang, local_time, select_locale, yuan
from rongye.models import Account
from rongye.security import add_security_headers
from rongye.urls import RecordId

ROOT = Path(__file__).resolve().parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.config.from_mapping(build_config(Path(app.instance_path), config))
    app.url_map.converters["int"] = RecordId  # before any route: ids beyond ours are a 404
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_cli(app)
    check_all_views_declared(app)
    proxies = int(os.environ.get("RONGYE_PROXY_COUNT", "0"))
    if proxies:
        # Behind a reverse proxy the client address (for rate limits, audit) is in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app


def register_extensions(app: Flask) -> None:
    from rongye.services import outcome_facts

    db.init_app(app)
    # The outcome facts follow every ORM write in its own transaction (no stale dashboard).
    outcome_facts.keep_current()
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_account(account_id: str) -> Account | None:
        if not account_id.isdigit():
            return None
        return db.session.get(Account, int(account_id))


def register_blueprints(app: Flask) -> None:
    from rongye.blueprints import (
        admin,
        analyst,
        auth,
        caseload,
        employer,
        feedback,
        followups,
        imports,
        main,
        profile,
        proposals,
        review,
        seeker,
        worker,
    )

    for module in (
        main, auth, seeker, profile, employer, worker, caseload, imports, followups, analyst,
        admin, review, proposals, feedback,
    ):
        app.register_blueprint(module.bp)


def register_errorhandlers(app: Flask) -> None:
    from rongye.blueprints.errors import register_errorhandlers as register

    register(app)


def register_request_hooks(app: Flask) -> None:
    app.before_request(enforce_access)
    app.after_request(add_security_headers)

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"html_lang": html_lang, "languages": LANGUAGES, "labels": labels.ALL, "yuan": yuan,
                "local_time": local_time}


def register_cli(app: Flask) -> None:
    from rongye.cli import register

    register(app)
