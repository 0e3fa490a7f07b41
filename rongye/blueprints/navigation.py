"""Where to send people: safe redirect targets and each role's home."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

ROLE_HOME = {
    "seeker": "seeker.dashboard",
    "employer": "employer.dashboard",
    "social_worker": "worker.dashboard",
    "analyst": "analyst.dashboard",
    "admin": "admin.dashboard",
}


def role_home(role: str) -> str:
    """Return the URL of a role's dashboard."""
    return url_for(ROLE_HOME[role])


def safe_next(target: str | None, fallback: str) -> str:
    """Return `target` if it is a local path on this site, else `fallback` (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target:
        return fallback
    return target
