"""Error pages in the visitor's language."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from rongye.extensions import db

log = logging.getLogger(__name__)

#: Status codes with a page of their own; any other HTTP error uses the generic page.
ERROR_PAGES = (400, 403, 404, 405, 413, 429, 500)


def render_error(error: HTTPException) -> ResponseReturnValue:
    """Render the page for an HTTP error with its status code."""
    code = error.code or 500
    template = f"errors/{code}.html" if code in ERROR_PAGES else "errors/generic.html"
    return render_template(template, error=error, code=code), code


def handle_csrf(error: CSRFError) -> ResponseReturnValue:
    return render_template("errors/csrf.html", error=error, code=400), 400


def handle_unexpected(error: Exception) -> ResponseReturnValue:
    # Roll back so the failed transaction does not leak into the error page or the next request.
    db.session.rollback()
    if isinstance(error, HTTPException):
        return render_error(error)
    log.exception("unhandled error")
    return render_error(InternalServerError())


def register_errorhandlers(app: Flask) -> None:
    """Attach the error pages to the app."""
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, handle_unexpected)
