"""Language: account setting, then the remembered switcher, then Accept-Language, default zh_CN."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from rongye.catalogues import untranslated
from rongye.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import People

ROOT = Path(__file__).resolve().parents[2]


def lang_of(client: FlaskClient, path: str = "/", **headers: str) -> str:
    page = client.get(path, headers=headers).get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_default_is_simplified_chinese(client: FlaskClient) -> None:
    assert lang_of(client) == "zh-CN"
    assert "合适的工作" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("en-GB,en;q=0.9", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"), ("zh-TW", "zh-CN"),
     ("fr-FR,en;q=0.5", "en"), ("fr", "zh-CN"), ("en-US,zh-CN;q=0.5", "en")],
)
def test_accept_language(client: FlaskClient, header: str, expected: str) -> None:
    assert lang_of(client, **{"Accept-Language": header}) == expected


def test_switcher_is_remembered_and_beats_the_browser(client: FlaskClient) -> None:
    response = client.post(
        "/language", data={"lang": "en", "next": "/login", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    cookie = response.headers["Set-Cookie"]
    assert "lang=en" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert lang_of(client, **{"Accept-Language": "zh-CN"}) == "en"
    assert "Work that fits" in client.get("/").get_data(as_text=True)


def test_switcher_refuses_unknown_languages_and_foreign_redirects(client: FlaskClient) -> None:
    token = csrf_token(client)
    assert client.post("/language", data={"lang": "xx", "csrf_token": token}).status_code == 400
    response = client.post(
        "/language", data={"lang": "en", "next": "https://evil.example/", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_account_setting_wins_and_the_switcher_updates_it(
    client: FlaskClient, people: People
) -> None:
    people.seeker.locale = "en"
    db.session.commit()
    login(client, "seeker@example.org")
    assert lang_of(client, "/seeker/", **{"Accept-Language": "zh-CN"}) == "en"
    client.post("/language", data={"lang": "zh_CN", "csrf_token": csrf_token(client)})
    db.session.refresh(people.seeker)
    assert people.seeker.locale == "zh_CN"
    client.delete_cookie("lang")
    assert lang_of(client, "/seeker/", **{"Accept-Language": "en"}) == "zh-CN"


def test_times_show_in_china_time_and_amounts_in_whole_yuan(app_ctx: Any) -> None:
    from rongye.i18n import local_time, yuan

    assert local_time(dt.datetime(2026, 1, 1, 20, 5, tzinfo=dt.UTC)) == "2026-01-02 04:05"
    assert local_time(dt.datetime(2026, 1, 1, 20, 5)) == "2026-01-02 04:05"  # naive is UTC
    assert local_time(None) == ""
    assert (yuan(2900.0), yuan(12345.6), yuan(None)) == ("2,900", "12,346", "—")


def test_the_welcome_message_speaks_the_account_language(
    client: FlaskClient, people: People
) -> None:
    people.employer.locale = "en"
    db.session.commit()
    login(client, "employer@example.org")  # the browser asked for Chinese (the default)
    page = client.get("/employer/").get_data(as_text=True)
    assert "You are logged in." in page and "你已登录" not in page


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_catalogues_are_complete(language: str) -> None:
    assert untranslated(language) == []


def test_catalogues_cover_every_source_string(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as fh:
        source = {m.id for m in read_po(fh) if m.id}
    for folder in ("zh_Hans_CN", "en"):
        with (ROOT / "translations" / folder / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalogue = {m.id for m in read_po(fh) if m.id}
        missing = source - catalogue
        assert not missing, f"run `make translations` and translate: {sorted(map(str, missing))}"


@pytest.mark.parametrize("folder", ["zh_Hans_CN", "en"])
def test_translations_keep_the_placeholders(folder: str) -> None:
    # Templates always %-format their strings: a translation must keep the source's %(name)s
    # placeholders and add no bare "%" (a literal percent sign is written "%%").
    import re

    token = re.compile(r"%(?:\(\w+\)[sd]|%)")

    def bare_percents(text: str) -> int:
        return token.sub("", text).count("%")

    with (ROOT / "translations" / folder / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        for message in read_po(fh):
            if not message.id or not message.string:
                continue
            assert sorted(token.findall(message.string)) == sorted(token.findall(message.id)), (
                message.id
            )
            assert bare_percents(message.string) <= bare_percents(message.id), message.string
