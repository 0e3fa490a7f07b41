"""Employer positions and the organisation profile: post, edit, status, ownership, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from matching.catalogue import DOMAINS
from rongye.extensions import db
from rongye.models import (
    AuditEvent,
    MatchProposal,
    MatchRun,
    Organisation,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.models.profiles import position_accommodation
from rongye.services.consent import record_consent
from tests.conftest import csrf_token, login
from tests.factories import People, create_account, create_organisation, create_position

NEW = "/employer/positions/new"
ANSWERS = {  # the plain-language answers, and the demand levels they stand for
    "demand_seeing": "3",
    "demand_hearing": "0",
    "demand_walking": "0",
    "demand_cognition": "1",
    "demand_self_care": "0",
    "demand_communication": "2",
    "demand_upper_body": "2",
    "demand_psychosocial": "1",
}
VALID: dict[str, Any] = {
    "title": "在线客服",
    "work_type": "customer_service",
    "tasks": "用文字回答顾客的咨询，记录问题。",
    "skills": "打字, 客服\nExcel",
    **ANSWERS,
    "accommodations": ["screen_reader", "step_free"],
    "work_mode": "remote",
    "region": "兰州",
    "hours_per_week": "30",
    "monthly_pay": "4,500",
    "social_insurance": "yes",
    "contract_type": "fixed_term",
    "openings": "2",
    "training_offered": "yes",
    "automation_exposure": "0.7",
}
FIELDS = [name for name in VALID if name != "accommodations"]


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def audit_actions(subject_id: int | None = None) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.action.like("position.%"))
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def post(client: FlaskClient, path: str, data: dict[str, Any], language: str = "en") -> Any:
    body = {k: v for k, v in data.items() if v is not None}
    body["csrf_token"] = csrf_token(client, "/employer/")
    return client.post(path, data=body, headers={"Accept-Language": language})


@pytest.fixture
def employer(client: FlaskClient, people: People) -> FlaskClient:
    assert login(client, people.employer.email or "").status_code == 302
    return client


def only_position() -> Position:
    positions = list(db.session.scalars(select(Position)))
    assert len(positions) == 1
    return positions[0]


# -- Posting and editing ----------------------------------------------------------------------


def test_the_form_asks_in_plain_language(employer: FlaskClient) -> None:
    page = employer.get(NEW, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Does the job involve phone calls or listening to spoken instructions?" in page
    assert "It is the core of the job" in page
    # "Is the workplace step-free?" is the catalogue's step-free entry, with its description.
    assert "Step-free access" in page and "ramps or lifts" in page
    assert "basic image labelling" in page.lower()
    assert 'name="save_draft"' in page and 'name="publish"' in page


def test_publish_a_new_position_maps_answers_to_demands(
    employer: FlaskClient, people: People
) -> None:
    response = post(employer, NEW, {**VALID, "publish": "Publish now"})
    assert response.status_code == 303
    position = only_position()
    assert response.headers["Location"] == f"/employer/positions/{position.id}"
    assert position.employer_id == people.employer_org.id
    assert position.status == "open"
    assert position.demands == {d: int(ANSWERS[f"demand_{d}"]) for d in DOMAINS}
    assert sorted(a.code for a in position.accommodations) == ["screen_reader", "step_free"]
    assert position.skills == ["打字", "客服", "Excel"]
    assert (position.monthly_pay, position.hours_per_week, position.openings) == (4500, 30, 2)
    assert position.social_insurance is True and position.training_offered is True
    assert position.automation_exposure == pytest.approx(0.7)
    assert audit_actions(position.id) == ["position.create"]
    page = employer.get(response.headers["Location"], headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "在线客服" in text and "Open" in text and "4,500" in text
    assert "Step-free access" in text and "It is the core of the job" in text


def test_save_as_draft_then_publish_pause_close_reopen(employer: FlaskClient) -> None:
    assert post(employer, NEW, {**VALID, "save_draft": "Save as a draft"}).status_code == 303
    position = only_position()
    assert position.status == "draft"
    status_url = f"/employer/positions/{position.id}/status"
    for action, expected in [("publish", "open"), ("pause", "paused"), ("reopen", "open"),
                             ("close", "closed"), ("reopen", "open")]:
        response = post(employer, status_url, {"action": action})
        assert response.status_code == 303, action
        db.session.refresh(position)
        assert position.status == expected, action
    assert audit_actions(position.id) == [
        "position.create", "position.publish", "position.pause", "position.reopen",
        "position.close", "position.reopen",
    ]


def test_a_status_change_that_does_not_apply_changes_nothing(
    employer: FlaskClient, people: People
) -> None:
    position = create_position(people.employer_org, status="draft")
    status_url = f"/employer/positions/{position.id}/status"
    response = post(employer, status_url, {"action": "pause"})
    assert response.status_code == 303
    db.session.refresh(position)
    assert position.status == "draft" and audit_actions() == []
    page = employer.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert "cannot be changed that way" in page.get_data(as_text=True)
    for bad in ({"action": "delete"}, {"action": ""}, {}):
        assert post(employer, status_url, bad).status_code == 400
    body = {"action": "publish"}  # without its CSRF token
    assert employer.post(status_url, data=body).status_code == 400
    db.session.refresh(position)
    assert position.status == "draft"


def test_the_detail_page_offers_only_the_actions_that_apply(
    employer: FlaskClient, people: People
) -> None:
    cases = {"draft": {"publish", "close"}, "open": {"pause", "close"},
             "paused": {"reopen", "close"}, "closed": {"reopen"}}
    for status, actions in cases.items():
        position = create_position(people.employer_org, status=status)
        page = employer.get(f"/employer/positions/{position.id}").get_data(as_text=True)
        offered = {a for a in ("publish", "pause", "close", "reopen")
                   if f'name="action" value="{a}"' in page}
        assert offered == actions, status


def test_edit_is_prefilled_and_saves_changes(employer: FlaskClient, people: People) -> None:
    position = create_position(
        people.employer_org, demand_hearing=3, demand_walking=2, automation_exposure=0.82,
        tasks="标注图片", skills=["标注"],
    )
    edit_url = f"/employer/positions/{position.id}/edit"
    page = employer.get(edit_url).get_data(as_text=True)
    assert "checked" in input_tag(page, "demand_hearing-3")
    assert "checked" in input_tag(page, "automation_exposure-0")  # 0.82 is very high
    assert "标注图片" in page and 'name="save"' in page and 'name="publish"' not in page
    # The exposure 0.82 is shown in its band (very high) and kept exactly while the band stays.
    data = {**VALID, "automation_exposure": "0.9", "title": "图片标注员", "accommodations": [],
            "demand_walking": "0", "save": "Save changes"}
    response = post(employer, edit_url, data)
    assert response.status_code == 303
    db.session.refresh(position)
    assert position.title == "图片标注员" and position.demand_walking == 0
    assert position.automation_exposure == pytest.approx(0.82)
    assert position.accommodations == [] and position.status == "open"
    changed = db.session.scalar(
        select(AuditEvent.detail).where(AuditEvent.action == "position.update")
    )
    assert changed is not None and "title" in changed["changed"]
    assert "demand_walking" in changed["changed"]
    # Choosing another band stores that band's figure.
    post(employer, edit_url, {**data, "automation_exposure": "0.3"})
    db.session.refresh(position)
    assert position.automation_exposure == pytest.approx(0.3)


def input_tag(page: str, element_id: str) -> str:
    """Return the <input ...> tag with the given id."""
    at = page.index(f'id="{element_id}"')
    return page[page.rindex("<input", 0, at):page.index(">", at)]


def test_edit_form_checks_the_stored_answers(employer: FlaskClient, people: People) -> None:
    position = create_position(people.employer_org, demand_hearing=2, social_insurance=False)
    page = employer.get(f"/employer/positions/{position.id}/edit").get_data(as_text=True)
    assert "checked" in input_tag(page, "demand_hearing-2")
    assert "checked" not in input_tag(page, "demand_hearing-0")
    assert "checked" in input_tag(page, "social_insurance-1")  # "No"
    assert "checked" in input_tag(page, "contract_type-1")  # fixed term


def test_organisations_own_accommodations_are_offered_but_not_others(
    employer: FlaskClient, people: People
) -> None:
    from rongye.models import Accommodation

    for org, code in ((people.employer_org, "own_ramp_bus"), (create_organisation("employer"),
                                                              "other_org_thing")):
        db.session.add(Accommodation(
            code=code, name_zh=code, name_en=code, description_zh="说明",
            description_en="Description", mitigates={"walking": 1}, organisation_id=org.id,
        ))
    db.session.commit()
    page = employer.get(NEW).get_data(as_text=True)
    assert "own_ramp_bus" in page and "other_org_thing" not in page
    response = post(employer, NEW, {**VALID, "accommodations": ["other_org_thing"]})
    assert response.status_code == 400 and count(Position) == 0
    assert post(employer, NEW, {**VALID, "accommodations": ["own_ramp_bus"]}).status_code == 303
    assert [a.code for a in only_position().accommodations] == ["own_ramp_bus"]


# -- Ownership ----------------------------------------------------------------------------


def test_another_employer_gets_404_and_changes_nothing(
    client: FlaskClient, people: People
) -> None:
    mine = create_position(people.employer_org, title="本单位岗位")
    other_org = create_organisation("employer", name="别家公司")
    theirs = create_position(other_org, title="别家的岗位", status="open")
    other = create_account("employer", other_org, email="other-employer@example.org")
    db.session.commit()
    login(client, other.email or "")
    for path in (f"/employer/positions/{mine.id}", f"/employer/positions/{mine.id}/edit",
                 "/employer/positions/999999"):
        assert client.get(path).status_code == 404, path
    assert post(client, f"/employer/positions/{mine.id}/edit", VALID).status_code == 404
    assert post(client, f"/employer/positions/{mine.id}/status",
                {"action": "close"}).status_code == 404
    db.session.refresh(mine)
    assert mine.status == "open" and mine.title == "本单位岗位" and audit_actions() == []
    listing = client.get("/employer/").get_data(as_text=True)
    assert "别家的岗位" in listing and "本单位岗位" not in listing
    assert client.get(f"/employer/positions/{theirs.id}").status_code == 200


def test_employer_without_an_organisation_gets_404(client: FlaskClient, people: People) -> None:
    lone = create_account("employer", None, email="lone@example.org")
    db.session.commit()
    login(client, lone.email or "")
    for path in (NEW, "/employer/organisation", "/employer/organisation/edit"):
        assert client.get(path).status_code == 404, path


# -- People put forward and placed --------------------------------------------------------


def test_applicants_show_name_only_with_consent_and_nothing_sensitive(
    employer: FlaskClient, people: People
) -> None:
    position = create_position(people.employer_org)
    run = MatchRun(agency_id=people.agency.id, status="done")
    db.session.add(run)
    db.session.flush()
    seekers = {}
    for name, status in [("赵一", "accepted"), ("钱二", "accepted"), ("孙三", "proposed"),
                         ("李四", "confirmed"), ("周五", "hired")]:
        seekers[name] = SeekerProfile(display_name=name, agency_id=people.agency.id, seeing=3,
                                      dibao_monthly=987_654, work_history="SECRET-MARKER")
        db.session.add(seekers[name])
        db.session.flush()
        db.session.add(MatchProposal(run_id=run.id, seeker_id=seekers[name].id,
                                     position_id=position.id, score=80, status=status))
    for name in ("赵一", "孙三", "李四"):
        record_consent(db.session, None, seekers[name], "share_employer", granted=True)
    record_consent(db.session, None, seekers["周五"], "share_employer", granted=True,
                   employer_id=people.employer_org.id)
    db.session.add(Placement(seeker_id=seekers["周五"].id, position_id=position.id,
                             employer_id=people.employer_org.id, start_date=dt.date(2026, 3, 1)))
    db.session.commit()
    page = employer.get(f"/employer/positions/{position.id}",
                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "赵一" in page and "周五" in page and "2026-03-01" in page
    assert "钱二" not in page and "Name not shared" in page  # no consent to share
    # Not yet accepted by the job-seeker: the employer does not even learn of them.
    assert "孙三" not in page and "李四" not in page
    assert "The job-seeker is interested" in page and "Hired" in page
    assert "SECRET-MARKER" not in page and "987" not in page
    # The dashboard says how many accepted people wait for the employer's answer.
    dashboard = employer.get("/employer/", headers={"Accept-Language": "en"})
    assert "People waiting for your answer" in dashboard.get_data(as_text=True)
    assert '#applicants-heading"><strong>2</strong>' in dashboard.get_data(as_text=True)


# -- Bad input ------------------------------------------------------------------------------


BAD_POSITION_INPUT = [
    ({"title": ""}, "title", "Enter the job title"),
    ({"title": "   "}, "title", "Enter the job title"),
    ({"title": "岗" * 201}, "title", "at most 200"),
    ({"work_type": ""}, "work_type", "kind of work"),
    ({"work_type": "astronaut"}, "work_type", "kind of work"),
    ({"tasks": ""}, "tasks", "Describe the main tasks"),
    ({"tasks": "x" * 5001}, "tasks", "at most 5,000"),
    ({"skills": "\n".join(f"skill {i}" for i in range(31))}, "skills", "at most 30"),
    ({"skills": "y" * 61}, "skills", "at most 60"),
    *[({f"demand_{d}": bad}, f"demand_{d}", "Say ") for d in DOMAINS for bad in ("", "4")],
    ({"accommodations": ["no_such_support"]}, "accommodations", "from the list"),
    ({"work_mode": "space"}, "work_mode", "remote, on site or hybrid"),
    ({"work_mode": None}, "work_mode", "remote, on site or hybrid"),
    ({"region": ""}, "region", "Enter the city or region"),
    ({"region": "区" * 81}, "region", "at most 80"),
    ({"hours_per_week": ""}, "hours_per_week", "Enter the hours a week"),
    ({"hours_per_week": "0"}, "hours_per_week", "from 1 to 80"),
    ({"hours_per_week": "81"}, "hours_per_week", "from 1 to 80"),
    ({"hours_per_week": "thirty"}, "hours_per_week", "whole number"),
    ({"hours_per_week": "7.5"}, "hours_per_week", "whole number"),
    ({"monthly_pay": ""}, "monthly_pay", "monthly pay in yuan"),
    ({"monthly_pay": "-1"}, "monthly_pay", "from 0 to 1000000"),
    ({"monthly_pay": "1000001"}, "monthly_pay", "from 0 to 1000000"),
    ({"monthly_pay": "9" * 5000}, "monthly_pay", "whole number"),
    ({"social_insurance": "maybe"}, "social_insurance", "social insurance"),
    ({"contract_type": "forever"}, "contract_type", "type of contract"),
    ({"openings": ""}, "openings", "how many people"),
    ({"openings": "0"}, "openings", "from 1 to 999"),
    ({"openings": "1000"}, "openings", "from 1 to 999"),
    ({"training_offered": ""}, "training_offered", "training"),
    ({"automation_exposure": "0.8"}, "automation_exposure", "AI or machines"),
    ({"automation_exposure": "1.5"}, "automation_exposure", "AI or machines"),
]


def error_anchor(field: str) -> str:
    radios = ("demand_", "accommodations", "work_mode", "social_insurance", "contract_type",
              "training_offered", "automation_exposure")
    return f"{field}-0" if field.startswith(radios) else field


@pytest.mark.parametrize(("changes", "field", "en"), BAD_POSITION_INPUT)
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_bad_position_input_names_the_field_and_saves_nothing(
    employer: FlaskClient, changes: dict[str, Any], field: str, en: str, language: str
) -> None:
    response = post(employer, NEW, {**VALID, **changes, "publish": "Publish now"}, language)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page
    assert 'class="error-summary"' in page and f'href="#{error_anchor(field)}"' in page
    assert f'id="{error_anchor(field)}"' in page  # the summary link has a target
    assert page.count('class="error-message"') == 1
    if language == "en":
        assert en in page
    else:
        assert '<html lang="zh-CN">' in page
    assert count(Position) == 0 and count(position_accommodation) == 0 and audit_actions() == []


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_bad_edit_changes_nothing(employer: FlaskClient, people: People, language: str) -> None:
    position = create_position(people.employer_org, title="原来的岗位")
    response = post(employer, f"/employer/positions/{position.id}/edit",
                    {**VALID, "title": "新标题", "hours_per_week": "999"}, language)
    assert response.status_code == 400 and 'id="hours_per_week-error"' in response.text
    db.session.refresh(position)
    assert position.title == "原来的岗位" and audit_actions() == []


def test_an_empty_post_lists_every_required_answer(employer: FlaskClient) -> None:
    response = post(employer, NEW, {}, "en")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    required = [f for f in FIELDS if f != "skills"]
    assert all(f'id="{f}-error"' in page for f in required), [
        f for f in required if f'id="{f}-error"' not in page
    ]
    assert count(Position) == 0


hostile_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from([
        "", " ", "<script>alert(1)</script>", "=1+1", "=HYPERLINK(\"http://x\")", "+1+1",
        "-2", "@SUM(A1)", "王" * 5000, "مرحبا Привет 你好 Ω", "\u202etxt.exe", "\x00",
        "1e9", "NaN", "0.9", "3", "yes", "remote", "step_free", "9" * 400, "x" * 10_000,
    ]),
)
hostile_value = st.one_of(hostile_text, st.lists(hostile_text, max_size=3))


def assert_stored_whole(position: Position) -> None:
    """A saved position has every part: valid codes, levels and the audit row."""
    assert position.title and position.region and position.tasks
    assert all(level in (0, 1, 2, 3) for level in position.demands.values())
    assert 1 <= position.hours_per_week <= 80 and 1 <= position.openings <= 999
    assert 0 <= position.automation_exposure <= 1
    assert audit_actions(position.id)[:1] == ["position.create"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.fixed_dictionaries({}, optional=dict.fromkeys(VALID, hostile_value)),
    keep_valid=st.sets(st.sampled_from(sorted(VALID))),
)
def test_hostile_position_input_never_fails_and_never_half_saves(
    employer: FlaskClient, data: dict[str, Any], keep_valid: set[str]
) -> None:
    body = {**{k: v for k, v in VALID.items() if k in keep_valid}, **data}
    before = (count(Position), count(position_accommodation), len(audit_actions()))
    response = post(employer, NEW, {**body, "publish": "Publish now"})
    assert response.status_code in (303, 400)
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    if response.status_code == 400:
        assert 'class="error-summary"' in page
        assert (count(Position), count(position_accommodation), len(audit_actions())) == before
    else:
        newest = db.session.scalar(select(Position).order_by(Position.id.desc()))
        assert newest is not None
        assert_stored_whole(newest)


# -- Organisation profile -------------------------------------------------------------------


def test_organisation_profile_view_and_edit(employer: FlaskClient, people: People) -> None:
    page = employer.get("/employer/organisation", headers={"Accept-Language": "en"}).text
    assert "星光数据科技" in page and "Change the organisation profile" in page
    form = employer.get("/employer/organisation/edit").text
    assert 'value="星光数据科技"' in form
    response = post(employer, "/employer/organisation/edit", {
        "name": "星光数据科技有限公司", "region": "兰州", "description": "残疾人远程数据标注。",
        "contact_email": " HR@Example.org ",
    })
    assert response.status_code == 303
    organisation = db.session.get(Organisation, people.employer_org.id)
    assert organisation is not None
    db.session.refresh(organisation)
    assert (organisation.name, organisation.region, organisation.contact_email) == (
        "星光数据科技有限公司", "兰州", "hr@example.org")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.update"))
    assert event is not None and event.actor_id == people.employer.id
    assert event.subject_id == organisation.id and "name" in event.detail["changed"]
    assert "星光数据科技有限公司" in employer.get("/employer/organisation").text


BAD_ORGANISATION_INPUT = [
    ({"name": ""}, "name", "name of your organisation"),
    ({"name": "名" * 201}, "name", "at most 200"),
    ({"region": "区" * 81}, "region", "at most 80"),
    ({"description": "d" * 2001}, "description", "at most 2,000"),
    ({"contact_email": "not-an-email"}, "contact_email", "email address like"),
    ({"contact_email": "a" * 250 + "@x.org"}, "contact_email", "254"),
]


@pytest.mark.parametrize(("changes", "field", "en"), BAD_ORGANISATION_INPUT)
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_bad_organisation_input_names_the_field_and_saves_nothing(
    employer: FlaskClient, people: People, changes: dict[str, Any], field: str, en: str,
    language: str,
) -> None:
    valid = {"name": "新名字", "region": "北京", "description": "", "contact_email": ""}
    response = post(employer, "/employer/organisation/edit", {**valid, **changes}, language)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and f'href="#{field}"' in page
    assert (en in page) if language == "en" else ('<html lang="zh-CN">' in page)
    organisation = db.session.get(Organisation, people.employer_org.id)
    assert organisation is not None
    db.session.refresh(organisation)
    assert organisation.name == "星光数据科技" and organisation.region is None
    assert count_updates() == 0


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.fixed_dictionaries(
    {}, optional=dict.fromkeys(("name", "region", "description", "contact_email"),
                               hostile_value)))
def test_hostile_organisation_input_never_fails_and_never_half_saves(
    employer: FlaskClient, people: People, data: dict[str, Any]
) -> None:
    organisation = db.session.get(Organisation, people.employer_org.id)
    assert organisation is not None
    db.session.refresh(organisation)
    before = (organisation.name, organisation.region, organisation.description,
              organisation.contact_email)
    updates = count_updates()
    response = post(employer, "/employer/organisation/edit", data)
    assert response.status_code in (303, 400)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    db.session.refresh(organisation)
    after = (organisation.name, organisation.region, organisation.description,
             organisation.contact_email)
    if response.status_code == 400:
        assert after == before and count_updates() == updates
    else:
        assert organisation.name and "\x00" not in "".join(v or "" for v in after)
        assert count_updates() == updates + 1


def count_updates() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent)
        .where(AuditEvent.action == "organisation.update")
    ) or 0


def test_formulas_and_markup_are_kept_as_text(employer: FlaskClient) -> None:
    hostile = {"title": "=1+1 <script>alert(1)</script>", "tasks": "@SUM(A1) مرحبا Привет",
               "skills": "=HYPERLINK(\"http://x\"), <b>bold</b>", "region": "+北京"}
    response = post(employer, NEW, {**VALID, **hostile, "publish": "Publish now"})
    assert response.status_code == 303
    position = only_position()
    assert position.title == hostile["title"] and position.region == "+北京"
    assert position.skills == ["=HYPERLINK(\"http://x\")", "<b>bold</b>"]
    page = employer.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<b>bold</b>" not in page
    assert "=1+1 &lt;script&gt;" in page
