"""Every page renders in both languages, with the accessible skeleton, for its own role."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from rongye.access import EVERYONE, allow
from tests.conftest import TEST_CONFIG, login
from tests.factories import People, create_position

ROLE_PAGES = {
    "seeker": "/seeker/",
    "employer": "/employer/",
    "social_worker": "/worker/",
    "analyst": "/analyst/",
    "admin": "/admin/",
}


def assert_accessible_skeleton(page: str, lang: str) -> None:
    assert f'<html lang="{lang}">' in page
    assert 'class="skip-link" href="#main"' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page
    assert 'role="status"' in page
    assert page.count("<h1") == 1


@pytest.mark.parametrize(("language", "lang"), [("zh-CN", "zh-CN"), ("en", "en")])
@pytest.mark.parametrize("role", sorted(ROLE_PAGES))
def test_dashboards(
    client: FlaskClient, people: People, role: str, language: str, lang: str
) -> None:
    create_position(people.employer_org, title="在线客服")
    login(client, people.by_role(role).email)
    response = client.get(ROLE_PAGES[role], headers={"Accept-Language": language})
    assert response.status_code == 200
    assert_accessible_skeleton(response.get_data(as_text=True), lang)
    assert client.get("/dashboard").headers["Location"] == ROLE_PAGES[role]


def test_employer_sees_only_own_positions(client: FlaskClient, people: People) -> None:
    from tests.factories import create_organisation

    create_position(people.employer_org, title="本单位岗位")
    create_position(create_organisation("employer"), title="别家的岗位")
    from rongye.extensions import db

    db.session.commit()
    login(client, "employer@example.org")
    page = client.get("/employer/").get_data(as_text=True)
    assert "本单位岗位" in page and "别家的岗位" not in page


def test_worker_sees_only_own_agency_caseload(client: FlaskClient, people: People) -> None:
    from rongye.extensions import db
    from tests.factories import create_seeker

    create_seeker(display_name="本机构对象", agency_id=people.agency.id)
    create_seeker(display_name="别的机构对象", agency_id=people.other_agency.id)
    db.session.commit()
    login(client, "worker@example.org")
    page = client.get("/worker/").get_data(as_text=True)
    assert "本机构对象" in page and "别的机构对象" not in page


@pytest.mark.parametrize(
    ("path", "status", "zh", "en"),
    [("/no-such-page", 404, "找不到页面", "Page not found"),
     ("/admin/", 403, "你无权访问", "You do not have access")],
)
def test_error_pages_in_both_languages(
    client: FlaskClient, people: People, path: str, status: int, zh: str, en: str
) -> None:
    login(client, "seeker@example.org")
    for language, text in (("zh-CN", zh), ("en", en)):
        response = client.get(path, headers={"Accept-Language": language})
        assert response.status_code == status
        page = response.get_data(as_text=True)
        assert text in page
        assert_accessible_skeleton(page, language)


def test_unexpected_error_is_a_500_page_in_the_language(tmp_path: Any) -> None:
    app: Flask = create_app(
        {**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'e.sqlite3'}",
         "PROPAGATE_EXCEPTIONS": False}
    )

    @app.get("/boom")
    @allow(EVERYONE)
    def boom() -> str:
        raise RuntimeError("boom")

    for language, text in (("zh-CN", "抱歉，出现了错误"), ("en", "Sorry, something went wrong")):
        response = app.test_client().get("/boom", headers={"Accept-Language": language})
        assert response.status_code == 500
        assert text in response.get_data(as_text=True)
        assert "RuntimeError" not in response.get_data(as_text=True)


def test_admin_creates_staff_for_an_organisation_it_manages(
    client: FlaskClient, people: People
) -> None:
    from sqlalchemy import select

    from rongye.extensions import db
    from rongye.models import Account
    from tests.conftest import csrf_token

    login(client, "admin@example.org")
    token = csrf_token(client, "/admin/staff/new")
    data = {"role": "social_worker", "organisation_id": str(people.other_agency.id),
            "display_name": "赵社工", "email": "zhao@example.org", "phone": "",
            "password": "initial-pass-1", "csrf_token": token}
    assert client.post("/admin/staff/new", data=data).status_code == 302
    created = db.session.scalar(select(Account).where(Account.email == "zhao@example.org"))
    assert created is not None and created.role == "social_worker"
    assert created.organisation_id == people.other_agency.id

    bad = client.post("/admin/staff/new", data={**data, "organisation_id": "999999",
                                                "email": "other@example.org"},
                      headers={"Accept-Language": "en"})
    assert bad.status_code == 400
    assert "Choose an organisation from the list" in bad.get_data(as_text=True)
    for role in ("seeker", "admin", "employer"):
        refused = client.post("/admin/staff/new", data={**data, "role": role,
                                                        "email": f"{role}-x@example.org"})
        assert refused.status_code == 400


def test_every_label_table_a_template_uses_exists() -> None:
    # Templates read labels.<table>; a missing table only fails when a page reaches that line.
    import re
    from pathlib import Path

    from rongye import labels

    root = Path(__file__).resolve().parents[2] / "templates"
    used = {
        name
        for path in root.glob("**/*.html")
        for name in re.findall(r"\blabels\.([a-z_]+)", path.read_text(encoding="utf-8"))
    }
    assert used - set(labels.ALL) == set()
