"""The step-by-step seeker profile, assisted entry, consent and data rights."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from rongye.extensions import db
from rongye.models import Account, AuditEvent, ConsentEvent, Placement, SeekerProfile
from rongye.services.consent import current_consents
from tests.conftest import csrf_token, login
from tests.factories import People, create_account, create_position, create_seeker

#: A complete, valid answer for each step.
ANSWERS: dict[str, dict[str, Any]] = {
    "about": {"display_name": "王芳", "gender": "female", "birth_year": "1990",
              "phone": "13912345678", "id_number": "11010519491231002X", "region": "北京",
              "education": "vocational", "work_history": "网店客服两年",
              "disability_category": "vision", "disability_grade": "2"},
    "functioning": {"seeing": "3", "hearing": "0", "walking": "0", "cognition": "unknown",
                    "self_care": "0", "communication": "0", "upper_body": "1"},
    "skills": {"skills": "数据标注\ncustomer service, 打字", "interests": "音乐",
               "add_skill": "Excel", "assistive_technology": "NVDA"},
    "preferences": {"work_modes": ["remote", "hybrid"], "hours_min": "20", "hours_max": "40"},
    "accommodations": {"accommodations": ["screen_reader", "flexible_pace"]},
    "benefits": {"dibao_monthly": "900", "disability_allowance_monthly": "",
                 "social_insurance": "resident", "household_size": "3", "carer_duties": "no"},
    "consent": {"matching": "yes", "share_employer": "no", "research": "yes"},
}
STEPS = list(ANSWERS)


def post_step(client: FlaskClient, url: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)}, headers=headers)


def test_seeker_completes_every_step_and_reviews(client: FlaskClient, people: People) -> None:
    login(client, "seeker@example.org")
    assert client.get("/profile/").headers["Location"] == "/profile/step/about"
    for number, step in enumerate(STEPS, 1):
        page = client.get(f"/profile/step/{step}", headers={"Accept-Language": "en"})
        assert f"Step {number} of {len(STEPS)}" in page.get_data(as_text=True)
        response = post_step(client, f"/profile/step/{step}", ANSWERS[step])
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:2000])
        expected = f"/profile/step/{STEPS[number]}" if number < len(STEPS) else "/profile/review"
        assert response.headers["Location"] == expected

    profile = people.seeker_profile
    db.session.refresh(profile)
    assert profile.profile_step == len(STEPS)
    assert profile.functioning == {
        "seeing": 3, "hearing": 0, "walking": 0, "cognition": None, "self_care": 0,
        "communication": 0, "upper_body": 1, "psychosocial": None,
    }
    assert profile.skills == ["数据标注", "customer service", "打字", "Excel"]
    assert profile.work_modes == ["remote", "hybrid"] and profile.hours_max == 40
    assert sorted(a.code for a in profile.accommodations) == ["flexible_pace", "screen_reader"]
    assert profile.dibao_monthly == 900 and profile.disability_allowance_monthly is None
    assert profile.carer_duties is False and profile.disability_category == "vision"
    assert profile.id_number_hash and "11010519491231002X" not in profile.id_number_hash
    assert current_consents(db.session, profile.id) == {
        "matching": True, "share_employer": False, "research": True
    }
    review = client.get("/profile/review", headers={"Accept-Language": "en"})
    text = review.get_data(as_text=True)
    assert "Cannot do at all" in text and "Prefer not to say" in text and "数据标注" in text
    assert 'href="/profile/step/benefits?from=review#dibao_monthly"' in text
    assert "11010519491231002X" not in text
    audited = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "profile.update")
    ).all()
    assert {d["step"] for d in audited} == set(STEPS) - {"consent"}


def test_change_from_review_returns_to_review(client: FlaskClient, people: People) -> None:
    login(client, "seeker@example.org")
    response = post_step(client, "/profile/step/skills?from=review", ANSWERS["skills"])
    assert response.headers["Location"] == "/profile/review"


def test_save_and_resume(client: FlaskClient, people: People) -> None:
    login(client, "seeker@example.org")
    post_step(client, "/profile/step/about", ANSWERS["about"])
    later = post_step(client, "/profile/step/functioning", {**ANSWERS["functioning"],
                                                           "action": "later"})
    assert later.headers["Location"] == "/seeker/"
    assert client.get("/profile/").headers["Location"] == "/profile/step/skills"


def test_unanswered_functioning_is_unknown_not_zero(client: FlaskClient, people: People) -> None:
    login(client, "seeker@example.org")
    post_step(client, "/profile/step/functioning", {})
    db.session.refresh(people.seeker_profile)
    assert set(people.seeker_profile.functioning.values()) == {None}


BAD_ANSWERS = [
    ("about", {"display_name": ""}, "display_name", "请输入姓名", "Enter the name"),
    ("about", {"region": "x" * 81}, "region", "80", "80"),
    ("about", {"birth_year": "nineteen"}, "birth_year", "整数", "whole number"),
    ("about", {"birth_year": "1850"}, "birth_year", "1900", "1900"),
    ("about", {"phone": "123"}, "phone", "11 位", "11-digit"),
    ("about", {"id_number": "110105194912310021"}, "id_number", "18 位", "18-character"),
    ("about", {"gender": "robot"}, "gender", "请选择一个答案", "Choose one of the answers"),
    ("functioning", {"seeing": "4"}, "seeing", "请选择一个答案", "Choose one of the answers"),
    ("skills", {"skills": "x" * 61}, "skills", "60", "60"),
    ("skills", {"skills": ",".join(str(i) for i in range(31))}, "skills", "30", "30"),
    ("preferences", {"work_modes": []}, "work_modes", "至少选择", "at least one"),
    ("preferences", {"work_modes": ["space"]}, "work_modes", "从列表", "from the list"),
    ("preferences", {"hours_min": "30", "hours_max": "10"}, "hours_max", "不能少于", "at least"),
    ("preferences", {"hours_min": "0"}, "hours_min", "1 到 80", "1 to 80"),
    ("accommodations", {"accommodations": ["jetpack"]}, "accommodations", "从列表", "from the"),
    ("benefits", {"dibao_monthly": "-5"}, "dibao_monthly", "0 到", "0 to"),
    ("benefits", {"household_size": "9" * 5000}, "household_size", "整数", "whole number"),
    ("consent", {"matching": ""}, "matching", "是或否", "yes or no"),
]


@pytest.mark.parametrize(("step", "changes", "field", "zh", "en"), BAD_ANSWERS)
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_bad_answers_name_the_field_and_save_nothing(
    client: FlaskClient, people: People, step: str, changes: dict[str, Any], field: str,
    zh: str, en: str, language: str,
) -> None:
    login(client, "seeker@example.org")
    before = snapshot(people.seeker_profile)
    response = post_step(client, f"/profile/step/{step}", {**ANSWERS[step], **changes},
                         **{"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and (zh if language == "zh-CN" else en) in page
    assert 'class="error-summary"' in page
    assert snapshot(people.seeker_profile) == before


def snapshot(profile: SeekerProfile) -> dict[str, Any]:
    db.session.refresh(profile)
    values = {c.key: getattr(profile, c.key) for c in SeekerProfile.__table__.columns}
    values.pop("updated_at")
    consents = db.session.scalar(select(func.count()).select_from(ConsentEvent))
    return {**values, "accommodations": [a.code for a in profile.accommodations],
            "consents": consents}


hostile = st.one_of(
    st.text(max_size=200),
    st.lists(st.text(max_size=20), max_size=4),
    st.sampled_from(["<script>alert(1)</script>", "=1+1", "@SUM(A1)", "-2", "9" * 400,
                     "１２", "unknown", "", "\x00", "مرحبا 你好 Привет"]),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(STEPS).flatmap(
        lambda step: st.tuples(
            st.just(step),
            st.fixed_dictionaries(
                dict.fromkeys([*ANSWERS[step], "psychosocial", "action"], hostile)
            ),
        )
    )
)
def test_hostile_answers_never_fail_or_half_save(
    client: FlaskClient, people: People, case: tuple[str, dict[str, Any]]
) -> None:
    step, body = case
    login(client, "seeker@example.org")
    before = snapshot(people.seeker_profile)
    response = post_step(client, f"/profile/step/{step}", body)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert snapshot(people.seeker_profile) == before
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


# -- Assisted entry -------------------------------------------------------------------------


def new_assisted(client: FlaskClient, **changes: str) -> Any:
    data = {"display_name": "赵强", "region": "兰州", "phone": "13611112222",
            "id_number": "", "consent_method": "paper", **changes}
    return post_step(client, "/worker/seekers/new", data, **{"Accept-Language": "en"})


def test_worker_creates_and_completes_an_assisted_profile(
    client: FlaskClient, people: People
) -> None:
    login(client, "worker@example.org")
    response = new_assisted(client)
    assert response.status_code == 302
    profile = db.session.scalar(select(SeekerProfile).where(SeekerProfile.phone == "13611112222"))
    assert profile is not None and profile.assisted and profile.account_id is None
    assert profile.agency_id == people.agency.id and profile.consent_method == "paper"
    assert response.headers["Location"] == f"/worker/seekers/{profile.id}/step/functioning"
    base = f"/worker/seekers/{profile.id}/step"
    assert post_step(client, f"{base}/functioning", ANSWERS["functioning"]).status_code == 302
    # A worker must say how the consent was given.
    missing = post_step(client, f"{base}/consent", ANSWERS["consent"])
    assert missing.status_code == 400 and 'id="method-error"' in missing.get_data(as_text=True)
    done = post_step(client, f"{base}/consent", {**ANSWERS["consent"], "method": "in_person"})
    assert done.status_code == 302
    event = db.session.scalar(select(ConsentEvent).where(ConsentEvent.seeker_id == profile.id))
    assert event is not None and event.method == "in_person"
    assert event.recorded_by_id == people.social_worker.id
    review = client.get(f"/worker/seekers/{profile.id}/")
    assert review.status_code == 200
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "profile.read"))


@pytest.mark.parametrize(("field", "value"), [("phone", "13912345678"),
                                              ("id_number", "11010519491231002X")])
def test_duplicates_are_detected_not_doubled(
    client: FlaskClient, people: People, field: str, value: str
) -> None:
    login(client, "seeker@example.org")
    post_step(client, "/profile/step/about", ANSWERS["about"])
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "worker@example.org")
    before = db.session.scalar(select(func.count()).select_from(SeekerProfile))
    response = new_assisted(client, **{"phone": "", field: value})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SeekerProfile)) == before


def test_worker_cannot_reach_another_agencys_profile(client: FlaskClient, people: People) -> None:
    other = create_seeker(display_name="别家", agency_id=people.other_agency.id)
    login(client, "worker@example.org")
    assert client.get(f"/worker/seekers/{other.id}/").status_code == 404
    assert post_step(client, f"/worker/seekers/{other.id}/step/about",
                     ANSWERS["about"]).status_code == 404
    db.session.refresh(other)
    assert other.display_name == "别家"


# -- Data rights ----------------------------------------------------------------------------


def test_download_my_data(client: FlaskClient, people: People) -> None:
    people.seeker_profile.work_history = "=HYPERLINK(\"http://x\")"
    login(client, "seeker@example.org")
    post_step(client, "/profile/step/consent", ANSWERS["consent"])
    as_json = client.get("/profile/data.json")
    assert as_json.status_code == 200 and "attachment" in as_json.headers["Content-Disposition"]
    data = json.loads(as_json.get_data(as_text=True))
    assert data["profile"]["display_name"] == people.seeker_profile.display_name
    assert len(data["consents"]) == 3 and "password_hash" not in data["account"]
    as_csv = client.get("/profile/data.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in as_csv and ",=HYPERLINK" not in as_csv
    exports = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "data.export")
    assert db.session.scalar(exports) == 2


def test_erasure_keeps_anonymous_outcomes_only(client: FlaskClient, people: People) -> None:
    profile = people.seeker_profile
    profile.phone, profile.work_history, profile.birth_year = "13900000000", "秘密", 1993
    position = create_position(people.employer_org)
    db.session.add(Placement(seeker_id=profile.id, position_id=position.id,
                             start_date=__import__("datetime").date(2025, 1, 1)))
    login(client, "seeker@example.org")
    refused = client.post("/profile/erase", data={"csrf_token": csrf_token(client)})
    assert refused.status_code == 400
    response = client.post("/profile/erase", data={"confirm": "y",
                                                   "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    db.session.refresh(profile)
    assert profile.erased_at is not None and profile.display_name == "—"
    assert profile.phone is None and profile.work_history is None and profile.birth_year == 1990
    account = db.session.get(Account, people.seeker.id)
    assert account is not None and not account.active and account.email != "seeker@example.org"
    assert db.session.scalar(select(func.count()).select_from(Placement)) == 1
    assert login(client, "seeker@example.org").status_code == 400
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "profile.erase"))


def test_erased_profiles_leave_the_caseload(client: FlaskClient, people: People) -> None:
    erased = create_account("seeker", email="gone@example.org")
    profile = create_seeker(erased, display_name="离开的人", agency_id=people.agency.id)
    db.session.commit()
    login(client, "gone@example.org")
    client.post("/profile/erase", data={"confirm": "y", "csrf_token": csrf_token(client)})
    login(client, "worker@example.org")
    assert "离开的人" not in client.get("/worker/").get_data(as_text=True)
    assert client.get(f"/worker/seekers/{profile.id}/").status_code == 404
