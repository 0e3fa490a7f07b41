"""Register, log in, log out: the happy paths and every kind of bad input."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from rongye.extensions import db
from rongye.models import Account, AuditEvent, Organisation, SeekerProfile
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, People

VALID = {
    "role": "seeker",
    "display_name": "李明",
    "email": "li.ming@example.org",
    "phone": "",
    "password": "a-long-password",
    "confirm": "a-long-password",
}


def register(client: FlaskClient, language: str = "zh_CN", **changes: Any) -> Any:
    data = {**VALID, **changes, "csrf_token": csrf_token(client, "/register")}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/register", data=data, headers={"Accept-Language": language})


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_seeker_registers_and_gets_a_profile(client: FlaskClient) -> None:
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/seeker/"
    account = db.session.scalar(select(Account).where(Account.email == "li.ming@example.org"))
    assert account is not None and account.role == "seeker"
    assert account.password_hash.startswith("$argon2id$")
    profile = db.session.scalar(select(SeekerProfile).where(SeekerProfile.account_id == account.id))
    assert profile is not None and profile.display_name == "李明"
    # Nothing about functioning is assumed: every level is unknown.
    assert set(profile.functioning.values()) == {None}
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.actor_id == account.id))
    assert client.get("/seeker/").status_code == 200


def test_names_lose_invisible_and_direction_override_characters(client: FlaskClient) -> None:
    # U+202E would display "李明" reversed (and can disguise text around it); NUL breaks
    # PostgreSQL: both are dropped, the visible name is kept
    assert register(client, display_name="\u202e李\x00明\u2066").status_code == 302
    profile = db.session.scalar(select(SeekerProfile))
    assert profile is not None and profile.display_name == "李明"


def test_employer_registers_with_an_organisation(client: FlaskClient) -> None:
    response = register(
        client, role="employer", email="", phone="138 0013 8000", organisation_name="星光科技"
    )
    assert response.status_code == 302
    account = db.session.scalar(select(Account).where(Account.phone == "13800138000"))
    assert account is not None and account.organisation is not None
    assert account.organisation.name == "星光科技" and account.organisation.kind == "employer"


@pytest.mark.parametrize(
    ("changes", "field", "zh", "en"),
    [
        ({"display_name": ""}, "display_name", "请输入姓名", "Enter your name"),
        ({"display_name": "x" * 81}, "display_name", "不能超过 80", "at most 80"),
        ({"email": "", "phone": ""}, "email", "请填写电子邮箱或手机号", "or a mobile"),
        ({"email": "not-an-email"}, "email", "有效的电子邮箱", "email address like"),
        ({"email": "a" * 250 + "@x.org"}, "email", "254", "254"),
        ({"phone": "12345"}, "phone", "11 位手机号", "11-digit"),
        ({"password": "short", "confirm": "short"}, "password", "8 到 128", "8 to 128"),
        ({"password": "p" * 129, "confirm": "p" * 129}, "password", "8 到 128", "8 to 128"),
        ({"confirm": "different-password"}, "confirm", "不一致", "not the same"),
        ({"role": "admin"}, "role", "求职者还是用人单位", "looking for work or an employer"),
        ({"role": None}, "role", "求职者还是用人单位", "looking for work or an employer"),
        ({"role": "employer"}, "organisation_name", "单位名称", "name of your organisation"),
    ],
)
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_bad_registration_names_the_field_in_the_language(
    client: FlaskClient, changes: dict[str, Any], field: str, zh: str, en: str, language: str
) -> None:
    response = register(client, language, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page
    assert (zh if language == "zh_CN" else en) in page
    assert 'class="error-summary"' in page and f'href="#{field}' in page
    assert count(Account) == 0 and count(SeekerProfile) == 0 and count(Organisation) == 0


@pytest.mark.parametrize(("language", "message"), [("zh_CN", "已经注册"), ("en", "already exists")])
def test_duplicate_email_is_refused_in_the_language(
    client: FlaskClient, people: People, language: str, message: str
) -> None:
    before = count(Account)
    response = register(client, language, email="SEEKER@example.org")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert count(Account) == before


def test_duplicate_phone_is_refused(client: FlaskClient, people: People) -> None:
    people.seeker.phone = "13900001111"
    db.session.commit()
    response = register(client, "en", email="", phone="+86 139 0000 1111")
    assert response.status_code == 400
    assert 'id="phone-error"' in response.get_data(as_text=True)


def test_registration_without_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/register", data=VALID, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "out of date" in response.get_data(as_text=True)
    assert count(Account) == 0


hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "@SUM(A1)",
            "王" * 5000,
            "مرحبا Привет 你好",
            "\u202etxt.exe",
            "a@b",
            "x" * 10_000,
        ]
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.fixed_dictionaries(
        dict.fromkeys(
            ("role", "display_name", "email", "phone", "password", "confirm"), hostile_text
        )
    ),
    organisation_name=hostile_text,
)
def test_hostile_registration_never_fails_and_never_half_saves(
    client: FlaskClient, data: dict[str, str], organisation_name: str
) -> None:
    accounts_before, organisations_before = count(Account), count(Organisation)
    body = {**data, "organisation_name": organisation_name, "csrf_token": csrf_token(client)}
    response = client.post("/register", data=body)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert count(Account) == accounts_before
        assert count(Organisation) == organisations_before
        assert 'class="error-summary"' in response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    else:
        client.post("/logout", data={"csrf_token": csrf_token(client)})


def test_wrong_types_are_field_errors_not_crashes(client: FlaskClient) -> None:
    # A list where a string is expected, repeated keys, and binary junk.
    token = csrf_token(client, "/register")
    response = client.post(
        "/register",
        data={"role": ["seeker", "employer"], "display_name": ["a", "b"], "email": "\x00\xff",
              "csrf_token": token},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert count(Account) == 0


def test_login_with_email_or_phone_and_logout(client: FlaskClient, people: People) -> None:
    response = login(client, "Seeker@Example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/seeker/"
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert client.get("/seeker/").status_code == 302

    people.employer.phone = "13700001234"
    db.session.commit()
    assert login(client, "137-0000-1234").headers["Location"] == "/employer/"
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "account.login")
    ) == 2


def test_login_keeps_a_local_next_page_only(client: FlaskClient, people: People) -> None:
    token = csrf_token(client, "/login")
    for target, expected in [("/dashboard", "/dashboard"), ("https://evil.example/", "/seeker/"),
                             ("//evil.example", "/seeker/"), ("/\\evil.example", "/seeker/")]:
        response = client.post("/login", data={"identifier": "seeker@example.org",
                                                "password": PASSWORD, "next": target,
                                                "csrf_token": token})
        assert response.headers["Location"] == expected
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        token = csrf_token(client, "/login")


@pytest.mark.parametrize(
    ("identifier", "password", "language", "message"),
    [
        ("seeker@example.org", "wrong-password", "en", "is not right"),
        ("nobody@example.org", PASSWORD, "zh_CN", "不正确"),
        ("", "", "en", "Enter your email address or mobile number"),
        ("seeker@example.org", "", "zh_CN", "请输入密码"),
        ("x" * 300, "y" * 300, "en", "Enter your email address or mobile number"),
    ],
)
def test_bad_login_is_a_field_level_message(
    client: FlaskClient, people: People, identifier: str, password: str, language: str,
    message: str
) -> None:
    response = client.post(
        "/login",
        data={"identifier": identifier, "password": password, "csrf_token": csrf_token(client)},
        headers={"Accept-Language": language},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'class="error-summary"' in page
    assert client.get("/dashboard").status_code == 302  # still anonymous


def test_deactivated_account_cannot_log_in(client: FlaskClient, people: People) -> None:
    people.seeker.active = False
    db.session.commit()
    assert login(client, "seeker@example.org").status_code == 400


def test_login_is_rate_limited(client: FlaskClient, people: People) -> None:
    client.application.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        token = csrf_token(client, "/login")
        statuses = [
            client.post(
                "/login",
                data={"identifier": "seeker@example.org", "password": "nope", "csrf_token": token},
                headers={"Accept-Language": "en"},
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [400, 400, 400, 429]
        page = client.post("/login", data={"csrf_token": token}).get_data(as_text=True)
        assert "尝试次数太多" in page  # the 429 page, in the default language
    finally:
        client.application.config["LOGIN_RATE_LIMIT"] = "1000 per minute"


def test_successful_logins_do_not_use_up_the_limit(client: FlaskClient, people: People) -> None:
    client.application.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(5):  # colleagues behind one office address, one after another
            assert login(client, "seeker@example.org").status_code == 302
            client.post("/logout", data={"csrf_token": csrf_token(client)})
    finally:
        client.application.config["LOGIN_RATE_LIMIT"] = "1000 per minute"


def test_logout_needs_a_post_with_csrf(client: FlaskClient, people: People) -> None:
    login(client, "seeker@example.org")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/seeker/").status_code == 200
