"""Agency settings: follow-up schedule, minimum score and local benefit rules, set by an admin."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from matching import parse_instance
from rongye.extensions import db
from rongye.models import AuditEvent, Organisation, WeightsVersion
from rongye.services.followups import DEFAULT_SCHEDULE, schedule_days
from rongye.services.matching_runs import PoolFilter, build_instance_data, current_weights
from rongye.services.organisations import benefit_rules
from tests.conftest import csrf_token, login
from tests.factories import People, create_account

VALID = {
    "follow_up_days": "14， 60 、180, 60",
    "min_score": "55",
    "dibao_lost_if_social_insurance": "",  # unticked: formal employment alone keeps dibao
    "earnings_disregard": "500",
    "benefit_taper": "50",
    "income_reference": "2500",
}


def settings_url(people: People) -> str:
    return f"/admin/settings/{people.agency.id}"


def post(client: FlaskClient, url: str, data: dict[str, str]) -> tuple[int, str]:
    fields = {k: v for k, v in data.items() if v != ""}
    response = client.post(url, data={**fields, "csrf_token": csrf_token(client)},
                           follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def test_admin_sets_schedule_min_score_and_rules(client: FlaskClient, people: People) -> None:
    login(client, people.admin.email)
    page = client.get("/admin/").get_data(as_text=True)
    assert settings_url(people) in page
    form = client.get(settings_url(people)).get_data(as_text=True)
    assert 'value="30, 90, 180, 365"' in form  # the defaults, shown as such
    status, page = post(client, settings_url(people), VALID)
    assert status == 200 and "设置已保存" in page

    agency = db.session.get(Organisation, people.agency.id)
    assert agency.follow_up_days == [14, 60, 180]
    rules = benefit_rules(agency)
    assert (rules.dibao_lost_if_social_insurance, rules.earnings_disregard, rules.benefit_taper,
            rules.income_reference) == (False, 500.0, 0.5, 2500.0)
    weights = current_weights(db.session, agency.id)
    assert weights.min_score == 55 and weights.version == 1
    version = db.session.scalar(select(WeightsVersion))
    assert version.status == "approved" and version.approved_by_id == people.admin.id
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"organisation.follow_up_days", "organisation.benefit_rules",
            "weights.min_score"} <= actions

    # The next run carries the rules in its inputs snapshot, and the engine applies them.
    data, used = build_instance_data(db.session, agency.id, PoolFilter())
    assert used.min_score == 55 and data["min_score"] == 55
    instance = parse_instance(data)
    assert instance.benefit_rules == rules
    # Follow-ups follow the new schedule, then yearly.
    assert schedule_days(agency.follow_up_days, 800) == [14, 60, 180, 365, 730]

    # Saving the same values again changes nothing and adds no weights version.
    status, page = post(client, settings_url(people), VALID)
    assert "没有更改" in page
    assert db.session.scalar(select(WeightsVersion.version).order_by(
        WeightsVersion.version.desc()).limit(1)) == 1


def test_back_to_defaults_stores_nothing(client: FlaskClient, people: People) -> None:
    login(client, people.admin.email)
    post(client, settings_url(people), VALID)
    defaults = {**VALID, "follow_up_days": ", ".join(map(str, DEFAULT_SCHEDULE)),
                "dibao_lost_if_social_insurance": "y", "earnings_disregard": "0",
                "benefit_taper": "100", "income_reference": "3000"}
    post(client, settings_url(people), defaults)
    agency = db.session.get(Organisation, people.agency.id)
    assert agency.follow_up_days is None and agency.benefit_rules is None
    data, _ = build_instance_data(db.session, agency.id, PoolFilter())
    assert "benefit_rules" not in data


def test_bad_values_get_field_messages_and_save_nothing(
    client: FlaskClient, people: People
) -> None:
    login(client, people.admin.email)
    bad = {"follow_up_days": "30, soon", "min_score": "101", "earnings_disregard": "-1",
           "benefit_taper": "half", "income_reference": ""}
    status, page = post(client, settings_url(people), {**VALID, **bad})
    assert status == 400
    for field in bad:
        assert f'id="{field}-error"' in page, field
    assert "请输入整数天数" in page  # in the reader's language
    status, page = post(client, settings_url(people), {**VALID, "follow_up_days": "0, 4000"})
    assert status == 400 and 'id="follow_up_days-error"' in page
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(client)})
    status, page = post(client, settings_url(people), {**VALID, "min_score": "abc"})
    assert status == 400 and "Enter a whole number" in page
    agency = db.session.get(Organisation, people.agency.id)
    assert agency.follow_up_days is None and agency.benefit_rules is None
    assert db.session.scalar(select(WeightsVersion)) is None


def test_an_agency_admin_changes_only_their_own_agency(
    client: FlaskClient, people: People
) -> None:
    own = create_account("admin", people.agency)
    db.session.commit()
    login(client, own.email)
    assert client.get(settings_url(people)).status_code == 200
    for other in (people.other_agency, people.employer_org, people.ngo):
        assert client.get(f"/admin/settings/{other.id}").status_code == 404
        status, _ = post(client, f"/admin/settings/{other.id}", VALID)
        assert status == 404
    assert db.session.get(Organisation, people.other_agency.id).benefit_rules is None
