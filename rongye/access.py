"""The one access-policy mechanism: each view declares who may use it, checked on every request.

A view without a declaration makes `create_app` fail, so no route can be added unguarded.
Ownership (which records of a role's scope) is checked in services and views on top of this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user

from rongye.extensions import login_manager
from rongye.models.accounts import ROLES

ANONYMOUS = "anonymous"
AUDIENCES = frozenset({ANONYMOUS, *ROLES})
EVERYONE = AUDIENCES
SIGNED_IN = frozenset(ROLES)

F = TypeVar("F", bound=Callable[..., Any])


def allow(*audiences: str | Iterable[str]) -> Callable[[F], F]:
    """Declare which roles (and "anonymous") may use the decorated view."""
    allowed: set[str] = set()
    for audience in audiences:
        allowed.update([audience] if isinstance(audience, str) else audience)
    unknown = allowed - AUDIENCES
    if unknown or not allowed:
        raise ValueError(f"unknown or empty audience in access policy: {sorted(unknown)}")

    def decorate(view: F) -> F:
        view.access_policy = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return decorate


def policy_of(endpoint: str) -> frozenset[str] | None:
    """Return the audiences allowed for `endpoint`, or None where it has none."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)


def current_audience() -> str:
    """Return the current user's role, or "anonymous"."""
    return current_user.role if current_user.is_authenticated else ANONYMOUS


def enforce_access() -> Any:
    """Refuse the request unless the current audience is allowed by the endpoint's policy."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None  # unknown URLs become 404; static files are public
    allowed = policy_of(endpoint)
    if allowed is None:  # create_app refuses to start in this case; never fail open
        abort(403)
    audience = current_audience()
    if audience in allowed:
        return None
    if audience == ANONYMOUS:
        return login_manager.unauthorized()
    abort(403)


def check_all_views_declared(app: Flask) -> None:
    """Fail at start-up if any view lacks an access policy."""
    missing = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, "access_policy", None) is None
    )
    if missing:
        raise RuntimeError(f"views without an access policy: {', '.join(missing)}")
