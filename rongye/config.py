"""Configuration read from the environment, with safe defaults for development."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

LANGUAGES = ("zh_CN", "en")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which setting and why."""


def _instance_secret(instance_path: Path) -> str:
    """Return the development secret key kept in instance/, creating it once."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Owner-only: the key signs every session cookie.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


def _normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def build_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings dict from the environment and explicit overrides (overrides win)."""
    overrides = dict(overrides or {})
    env = os.environ
    production = overrides.get("ENV_NAME", env.get("RONGYE_ENV", "development")) == "production"

    database_url = overrides.pop("DATABASE_URL", None) or env.get("DATABASE_URL")
    if not database_url:
        instance_path.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance_path / 'rongye.sqlite3'}"

    secret_key = overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set in production (RONGYE_ENV=production).")
        secret_key = _instance_secret(instance_path)

    config: dict[str, Any] = {
        "ENV_NAME": "production" if production else env.get("RONGYE_ENV", "development"),
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": _normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Slow form-fillers must never lose their work to an expired token (WCAG 2.2.1).
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "LANGUAGES": LANGUAGES,
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        # Times are stored in UTC and shown in this zone (an IANA name).
        "DISPLAY_TIMEZONE": env.get("RONGYE_TIMEZONE", "Asia/Shanghai"),
        # Counts below this are hidden on the analyst dashboard (small-cell suppression).
        "OUTCOME_SUPPRESSION_THRESHOLD": int(env.get("OUTCOME_SUPPRESSION_THRESHOLD", "10")),
    }
    config.update(overrides)
    return config
