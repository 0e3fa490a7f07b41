"""Weights tuning from decisions, approved by an organisation admin; override monitoring."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from rongye.extensions import db
from rongye.models import MatchDecision, MatchProposal, MatchRun, WeightsVersion
from rongye.services import feedback
from rongye.services.matching_runs import current_weights
from tests.conftest import csrf_token, login
from tests.factories import People, create_account, create_position

TOP = {"skills": 35, "interests": 10, "comfort": 15, "stability": 15, "net_income": 15,
       "logistics": 10}


def decisions_preferring_stability(people: People, n: int = 12) -> None:
    """Workers keep choosing the more stable job over the better skills fit."""
    position = create_position(people.employer_org)
    run = MatchRun(agency_id=people.agency.id, status="done")
    db.session.add(run)
    db.session.flush()
    proposal = MatchProposal(run_id=run.id, seeker_id=people.seeker_profile.id,
                             position_id=position.id, score=70, explanation={})
    db.session.add(proposal)
    db.session.flush()
    chosen = {"skills": 20, "interests": 5, "comfort": 10, "stability": 15, "net_income": 10,
              "logistics": 5}
    other = {"skills": 30, "interests": 5, "comfort": 10, "stability": 10, "net_income": 10,
             "logistics": 5}
    for _ in range(n):
        db.session.add(MatchDecision(
            proposal_id=proposal.id, actor_id=people.social_worker.id, kind="swap",
            reason_code="unstable_job",
            components={"chosen": chosen, "other": other, "max_points": TOP}))
    db.session.commit()


def test_proposed_weights_agree_better_and_need_admin_approval(
    client: FlaskClient, people: People
) -> None:
    decisions_preferring_stability(people)
    proposal = feedback.propose_weights(db.session, people.agency.id)
    assert proposal.agreement_before == 0 and proposal.agreement_after == 1
    assert proposal.weights["stability"] > 15 and proposal.weights["skills"] < 35
    assert sum(proposal.weights.values()) == 100
    login(client, people.social_worker.email)
    page = client.get("/feedback/weights").get_data(as_text=True)
    assert 'id="propose"' in page
    client.post("/feedback/weights/propose", data={"csrf_token": csrf_token(client)})
    version = db.session.scalar(select(WeightsVersion))
    assert version.status == "proposed"
    assert current_weights(db.session, people.agency.id).version == 0
    # The worker cannot approve; another organisation's admin does not see it.
    assert client.post(f"/feedback/weights/{version.id}/approve",
                       data={"csrf_token": csrf_token(client)}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    outsider = create_account("admin", people.other_agency)
    admin = create_account("admin", people.agency)
    db.session.commit()
    login(client, outsider.email)
    assert client.post(f"/feedback/weights/{version.id}/approve",
                       data={"csrf_token": csrf_token(client)}).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, admin.email)
    assert client.post(f"/feedback/weights/{version.id}/approve",
                       data={"csrf_token": csrf_token(client)}).status_code == 303
    weights = current_weights(db.session, people.agency.id)
    assert weights.version == 1 and weights.weights == version.weights


def test_override_monitoring_flags_rubber_stamping(client: FlaskClient, people: People) -> None:
    decisions_preferring_stability(people, n=12)
    (row,) = feedback.overrides_by_worker(db.session, people.agency.id)
    assert row.decided == 12 and row.changed == 12 and row.flag == "high"
    login(client, people.social_worker.email)
    assert client.get("/feedback/overrides").status_code == 200
    assert client.get("/worker/runs/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, people.analyst.email)
    page = client.get("/feedback/overrides").get_data(as_text=True)
    assert people.social_worker.display_name not in page  # analysts see groups, not workers
    confirm = feedback.OverrideRow("w", decided=50, changed=0, rejected=0)
    assert confirm.flag == "rubber_stamp"
