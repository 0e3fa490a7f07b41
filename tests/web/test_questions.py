"""Organisation-defined questions: added by an admin, asked in the profile, kept in exports."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from rongye.extensions import db
from rongye.models import ExtraQuestion
from tests.conftest import csrf_token, login
from tests.factories import People, create_account


def add_question(client: FlaskClient, organisation: int, **changes: str) -> Any:
    data = {"organisation_id": str(organisation), "applies_to": "seeker",
            "label_zh": "是否参加过职业培训？", "label_en": "Have you had vocational training?",
            "kind": "choice", "choices": "是 / Yes\n否 / No", **changes}
    return client.post("/admin/questions", headers={"Accept-Language": "en"},
                       data={**data, "csrf_token": csrf_token(client, "/admin/questions")})


def test_questions_appear_in_the_profile_and_the_export(
    client: FlaskClient, people: People
) -> None:
    login(client, "admin@example.org")
    assert add_question(client, people.agency.id).status_code == 302
    assert add_question(client, people.agency.id, kind="number", choices="",
                        label_zh="家到车站几分钟？",
                        label_en="Minutes from home to the station?").status_code == 302
    choice, number = db.session.scalars(select(ExtraQuestion).order_by(ExtraQuestion.id)).all()
    assert choice.choices == [{"value": "1", "zh": "是", "en": "Yes"},
                              {"value": "2", "zh": "否", "en": "No"}]
    client.post("/logout", data={"csrf_token": csrf_token(client)})

    login(client, "seeker@example.org")  # the seeker is in people.agency's caseload
    page = client.get("/profile/step/extra", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Have you had vocational training?" in page.get_data(
        as_text=True)
    bad = client.post("/profile/step/extra", data={f"q{number.id}": "many",
                                                   "csrf_token": csrf_token(client)})
    assert bad.status_code == 400 and f'id="q{number.id}-error"' in bad.get_data(as_text=True)
    ok = client.post("/profile/step/extra", data={f"q{choice.id}": "1", f"q{number.id}": "15",
                                                  "csrf_token": csrf_token(client)})
    assert ok.status_code == 302
    db.session.refresh(people.seeker_profile)
    assert people.seeker_profile.extra == {str(choice.id): "1", str(number.id): 15}
    export = json.loads(client.get("/profile/data.json").get_data(as_text=True))
    assert export["profile"]["extra"]["家到车站几分钟？ / Minutes from home to the station?"] == 15


def test_hidden_questions_leave_the_profile(client: FlaskClient, people: People) -> None:
    login(client, "admin@example.org")
    add_question(client, people.agency.id)
    question = db.session.scalar(select(ExtraQuestion))
    assert question is not None
    client.post(f"/admin/questions/{question.id}/active",
                data={"active": "0", "csrf_token": csrf_token(client)})
    db.session.refresh(question)
    assert not question.active
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "seeker@example.org")
    assert client.get("/profile/step/extra").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [({"label_zh": ""}, "label_zh", "in Chinese"),
     ({"label_en": "x" * 201}, "label_en", "200"),
     ({"choices": "只有一个 / Only one"}, "choices", "at least two"),
     ({"choices": "没有英文\n也没有"}, "choices", "Chinese / English"),
     ({"kind": "essay"}, "kind", "kind of answer"),
     ({"applies_to": "everywhere"}, "applies_to", "where the question"),
     ({"organisation_id": "99999"}, "organisation_id", "from the list")],
)
def test_bad_questions_are_refused(
    client: FlaskClient, people: People, changes: dict[str, str], field: str, message: str
) -> None:
    login(client, "admin@example.org")
    response = add_question(client, people.agency.id, **changes)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalar(select(func.count()).select_from(ExtraQuestion)) == 0


def test_an_organisation_admin_manages_only_its_own_questions(
    client: FlaskClient, people: People
) -> None:
    create_account("admin", people.other_agency, email="other-admin@example.org")
    db.session.commit()
    login(client, "admin@example.org")
    add_question(client, people.agency.id)
    question = db.session.scalar(select(ExtraQuestion))
    assert question is not None
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "other-admin@example.org")
    assert "vocational training" not in client.get(
        "/admin/questions", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert client.post(f"/admin/questions/{question.id}/active",
                       data={"active": "0", "csrf_token": csrf_token(client)}).status_code == 404
    assert add_question(client, people.agency.id).status_code == 400
