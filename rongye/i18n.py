"""Language selection (account setting, else the remembered switcher choice, else the browser)
and the local formats of amounts and times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """Return the locale for this request."""
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return str(chosen)
    # Match on the primary tag in the browser's order of preference: en-GB means English,
    # zh-TW means Chinese (simplified is the only Chinese we offer).
    for tag, _quality in request.accept_languages:
        primary = tag.replace("_", "-").split("-")[0].lower()
        for language in languages:
            if language.split("_")[0].lower() == primary:
                return language
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language() -> str:
    """Return the interface language of this request as one of LANGUAGES ("zh_CN" or "en")."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"


def html_lang() -> str:
    """Return the BCP 47 tag for `<html lang>`."""
    return "en" if current_language() == "en" else "zh-CN"


def yuan(amount: float | None) -> str:
    """Return a whole amount of yuan with thousands separators ("—" when unknown)."""
    return "—" if amount is None else f"{round(amount):,}"


def local_time(moment: dt.datetime | None) -> str:
    """Return a stored moment (UTC) as the reader's wall-clock time, "YYYY-MM-DD HH:MM".

    The zone is the DISPLAY_TIMEZONE setting (default Asia/Shanghai, which all of mainland
    China uses).
    """
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    zone = ZoneInfo(current_app.config.get("DISPLAY_TIMEZONE", "Asia/Shanghai"))
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
