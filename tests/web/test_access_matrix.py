"""The route × role matrix: every registered route, every role and anonymous, allowed or denied.

Adding a route without adding it here fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from app import create_app
from rongye.access import ANONYMOUS, EVERYONE, SIGNED_IN, allow
from rongye.extensions import db
from rongye.models import ExtraQuestion, FollowUp, Placement
from tests.conftest import TEST_CONFIG, csrf_token, login
from tests.factories import People, create_position, create_proposal, grant
from tests.web.test_imports import import_url_arguments
from tests.web.test_review import review_url_arguments

AUDIENCES = (ANONYMOUS, "seeker", "employer", "social_worker", "analyst", "admin")

#: endpoint -> audiences allowed. Everyone else is denied.
MATRIX: dict[str, frozenset[str]] = {
    "main.home": EVERYONE,
    "main.set_language": EVERYONE,
    "main.dashboard": SIGNED_IN,
    "auth.register": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "seeker.dashboard": frozenset({"seeker"}),
    "profile.start": frozenset({"seeker"}),
    "profile.step": frozenset({"seeker"}),
    "profile.review": frozenset({"seeker"}),
    "profile.data": frozenset({"seeker"}),
    "profile.download": frozenset({"seeker"}),
    "profile.erase": frozenset({"seeker"}),
    "proposals.mine": frozenset({"seeker"}),
    "proposals.show": frozenset({"seeker"}),
    "proposals.accept": frozenset({"seeker"}),
    "proposals.decline": frozenset({"seeker"}),
    "proposals.ask_review": frozenset({"seeker"}),
    "employer.dashboard": frozenset({"employer"}),
    "employer.organisation": frozenset({"employer"}),
    "employer.edit_organisation": frozenset({"employer"}),
    "employer.new_position": frozenset({"employer"}),
    "employer.position": frozenset({"employer"}),
    "employer.edit_position": frozenset({"employer"}),
    "employer.position_status": frozenset({"employer"}),
    "employer.candidate": frozenset({"employer"}),
    "employer.outcome": frozenset({"employer"}),
    "employer.record_interview": frozenset({"employer"}),
    "employer.record_outcome": frozenset({"employer"}),
    "worker.dashboard": frozenset({"social_worker"}),
    "caseload.new": frozenset({"social_worker"}),
    "caseload.review": frozenset({"social_worker"}),
    "caseload.step": frozenset({"social_worker"}),
    "review.index": frozenset({"social_worker"}),
    "review.new_run": frozenset({"social_worker"}),
    "review.run": frozenset({"social_worker"}),
    "review.run_status": frozenset({"social_worker"}),
    "review.retry": frozenset({"social_worker"}),
    "review.resolve": frozenset({"social_worker"}),
    "review.proposals": frozenset({"social_worker"}),
    "review.proposal": frozenset({"social_worker"}),
    "review.confirm": frozenset({"social_worker"}),
    "review.reject": frozenset({"social_worker"}),
    "review.forbid": frozenset({"social_worker"}),
    "review.swap": frozenset({"social_worker"}),
    "review.pin": frozenset({"social_worker"}),
    "feedback.weights": frozenset({"social_worker", "admin"}),
    "feedback.propose": frozenset({"social_worker", "admin"}),
    "feedback.decide": frozenset({"admin"}),
    "feedback.overrides": frozenset({"social_worker", "analyst"}),
    "analyst.dashboard": frozenset({"analyst"}),
    "analyst.outcomes": frozenset({"analyst"}),
    "analyst.benefits": frozenset({"analyst"}),
    "analyst.groups": frozenset({"analyst"}),
    "analyst.compare": frozenset({"analyst"}),
    "analyst.export": frozenset({"analyst"}),
    "analyst.method": EVERYONE,
    "followups.tasks": frozenset({"social_worker"}),
    "followups.schedule": frozenset({"social_worker"}),
    "followups.record": frozenset({"social_worker"}),
    "followups.mine": frozenset({"seeker"}),
    "followups.answer": frozenset({"seeker"}),
    "admin.dashboard": frozenset({"admin"}),
    "admin.new_staff": frozenset({"admin"}),
    "admin.settings": frozenset({"admin"}),
    "imports.upload_seekers": frozenset({"social_worker"}),
    "imports.upload_positions": frozenset({"employer"}),
    "imports.template": frozenset({"social_worker", "employer"}),
    "imports.batch": frozenset({"social_worker", "employer"}),
    "imports.confirm": frozenset({"social_worker", "employer"}),
    "imports.discard": frozenset({"social_worker", "employer"}),
    "admin.questions": frozenset({"admin"}),
    "admin.question_active": frozenset({"admin"}),
}

#: Form data that makes a POST-only endpoint do its real work.
POST_DATA: dict[str, dict[str, str]] = {
    "main.set_language": {"lang": "en", "next": "/"},
    "imports.confirm": {"mode": "valid"},
    "admin.question_active": {"active": "0"},
    "employer.position_status": {"action": "pause"},
}


def url_arguments(endpoint: str, people: People) -> dict[str, Any]:
    """Return values for the URL's variable parts (one entry per endpoint that has them)."""
    seeker_id = people.seeker_profile.id
    profile_arguments = {
        "profile.step": {"step": "about"},
        "profile.download": {"fmt": "json"},
        "caseload.review": {"seeker_id": seeker_id},
        "caseload.step": {"seeker_id": seeker_id, "step": "about"},
    }
    if endpoint in profile_arguments:
        return profile_arguments[endpoint]
    if endpoint == "admin.settings":
        return {"organisation_id": people.agency.id}
    if endpoint == "admin.question_active":
        question = ExtraQuestion(organisation_id=people.agency.id, kind="text",
                                 label_zh="问题", label_en="Question")
        db.session.add(question)
        db.session.flush()
        return {"question_id": question.id}
    if endpoint == "employer.candidate":
        position = create_position(people.employer_org)
        grant(people.seeker_profile, "share_employer")
        proposal = create_proposal(people.seeker_profile, position)
        return {"position_id": position.id, "proposal_id": proposal.id}
    if endpoint in ("employer.position", "employer.edit_position", "employer.position_status"):
        return {"position_id": create_position(people.employer_org).id}
    if endpoint.startswith("imports."):
        return import_url_arguments(endpoint, people)
    if endpoint == "analyst.export":
        return {"table": "exits", "fmt": "csv"}
    if endpoint in ("followups.record", "followups.answer"):
        return {"follow_up_id": outcome_follow_up(people).id}
    if endpoint.startswith(("review.", "proposals.", "employer.outcome", "employer.record_",
                            "feedback.decide")):
        return review_url_arguments(endpoint, people)
    return {}


def outcome_follow_up(people: People) -> FollowUp:
    """A follow-up due today on a placement of the seeker, in the social worker's agency."""
    placement = Placement(seeker_id=people.seeker_profile.id, agency_id=people.agency.id,
                          start_date=dt.date.today() - dt.timedelta(days=30))
    db.session.add(placement)
    db.session.flush()
    follow_up = FollowUp(placement_id=placement.id, day_offset=30, due_date=dt.date.today())
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - MATRIX.keys() == set(), "routes missing from the access matrix"
    assert MATRIX.keys() - endpoints == set(), "matrix entries for routes that do not exist"


def test_matrix_agrees_with_declared_policies(app: Flask) -> None:
    for endpoint, allowed in MATRIX.items():
        assert app.view_functions[endpoint].access_policy == allowed, endpoint


def denied(response: Any, audience: str) -> bool:
    if audience == ANONYMOUS:
        return response.status_code == 302 and "/login" in response.headers["Location"]
    return response.status_code == 403


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_access(client: FlaskClient, people: People, endpoint: str, audience: str) -> None:
    if audience != ANONYMOUS:
        assert login(client, people.by_role(audience).email).status_code == 302
    rule = next(r for r in client.application.url_map.iter_rules() if r.endpoint == endpoint)
    with client.application.test_request_context():
        url = url_for(endpoint, **url_arguments(endpoint, people))
    if "GET" in rule.methods:
        response = client.get(url)
    else:
        data = {**POST_DATA.get(endpoint, {}), "csrf_token": csrf_token(client)}
        response = client.post(url, data=data)
    assert response.status_code < 500
    if audience in MATRIX[endpoint]:
        assert not denied(response, audience), f"{audience} should reach {endpoint}"
        assert response.status_code != 403
    else:
        assert denied(response, audience), f"{audience} must not reach {endpoint}"


def test_a_view_without_policy_stops_the_app(tmp_path: Any) -> None:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})

    @app.get("/unguarded")
    def unguarded() -> str:
        return "open"

    from rongye.access import check_all_views_declared

    with pytest.raises(RuntimeError, match="unguarded"):
        check_all_views_declared(app)

    @app.get("/guarded")
    @allow("admin")
    def guarded() -> str:
        return "closed"

    # Even if the start-up check were skipped, an undeclared view is refused, never served.
    response = app.test_client().get("/unguarded")
    assert response.status_code == 403
