"""Worker review of match proposals: decisions, audit, ownership, over-filling, seeker, employer."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import func, select

from rongye.extensions import db
from rongye.models import (
    AuditEvent,
    FollowUp,
    MatchDecision,
    MatchProposal,
    MatchRun,
    Placement,
    Position,
    WeightsVersion,
)
from rongye.services import matching_runs as runs
from rongye.services import review
from tests.conftest import csrf_token, login
from tests.factories import People, create_account, create_position, create_seeker, grant


@pytest.fixture(autouse=True)
def inline_jobs(app: Any) -> Any:
    """Runs queued by these tests execute inside the request (test_runs covers the queues)."""
    before = app.config.get("MATCH_JOBS")
    app.config["MATCH_JOBS"] = "inline"
    yield
    app.config["MATCH_JOBS"] = before


def matched_seeker(people: People, **fields: Any) -> Any:
    """A seeker of the agency who consented to matching, with a profile that fits data work."""
    values: dict[str, Any] = {"agency_id": people.agency.id, "region": "北京",
                              "skills": ["数据标注"], "interests": ["数据标注"],
                              "work_modes": ["remote"], "hours_min": 20, "hours_max": 40}
    values.update(fields)
    seeker = create_seeker(**values)
    grant(seeker, "matching")
    return seeker


def finished_run(people: People, n_positions: int = 2, openings: int = 1) -> MatchRun:
    """Run matching for the agency (inline) and return the finished run."""
    seeker = people.seeker_profile
    seeker.skills, seeker.work_modes = ["数据标注"], ["remote"]
    seeker.hours_min, seeker.hours_max = 20, 40
    grant(seeker, "matching")
    for i in range(n_positions):
        create_position(people.employer_org, title=f"数据标注员 {i}", skills=["数据标注"],
                        openings=openings, automation_exposure=0.2 + i / 10)
    db.session.commit()
    run = runs.create_run(db.session, people.social_worker, runs.PoolFilter())
    assert runs.execute_run(db.session, run.id) == "done"
    return run


def review_url_arguments(endpoint: str, people: People) -> dict[str, Any]:
    """URL values for the access matrix (jobs run inline there)."""
    current_app.config["MATCH_JOBS"] = "inline"
    if endpoint.startswith("review."):
        run = finished_run(people)
        if endpoint in ("review.run", "review.run_status", "review.retry", "review.resolve",
                        "review.proposals"):
            return {"run_id": run.id}
        if endpoint in ("review.new_run", "review.index"):
            return {}
        proposal = db.session.scalars(select(MatchProposal).where(MatchProposal.run_id == run.id))
        return {"proposal_id": next(iter(proposal)).id}
    if endpoint.startswith("proposals."):
        if endpoint == "proposals.mine":
            return {}
        position = create_position(people.employer_org)
        from tests.factories import create_proposal

        return {"proposal_id": create_proposal(people.seeker_profile, position).id}
    if endpoint.startswith("employer."):
        from tests.factories import create_proposal

        position = create_position(people.employer_org)
        proposal = create_proposal(people.seeker_profile, position, status="accepted")
        return {"position_id": position.id, "proposal_id": proposal.id}
    version = WeightsVersion(organisation_id=people.agency.id, version=1, weights={},
                             min_score=50, evidence={})
    db.session.add(version)
    db.session.flush()
    return {"version_id": version.id, "decision": "approve"}


def post(client: FlaskClient, url: str, **data: str) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def test_run_stores_snapshot_versions_and_explained_proposals(people: People) -> None:
    outsider = create_seeker(agency_id=people.agency.id, region="北京", skills=["数据标注"])
    grant(outsider, "matching")
    grant(outsider, "matching", granted=False)  # withdrawn: the CURRENT consent counts
    run = finished_run(people)
    assert run.status == "done" and run.engine_version == runs.ENGINE_VERSION
    assert run.weights_version == 0
    ids = [s["id"] for s in run.inputs_snapshot["seekers"]]
    assert ids == [runs.seeker_key(people.seeker_profile.id)]
    assert "gender" not in run.inputs_snapshot["seekers"][0]
    (proposal,) = run.proposals
    assert sum(proposal.components.values()) == proposal.score
    expected = {"near_limits", "alternatives", "income", "accommodations"}
    assert expected <= proposal.explanation.keys()
    assert proposal.explanation["alternatives"]
    replayed = runs.replay(run)
    assert [(a.position, a.score) for a in replayed.assignments] == [
        (runs.position_key(proposal.position_id), proposal.score)]


def test_interrupted_run_leaves_nothing_and_can_be_retried(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        matched_seeker(people, display_name=f"s{i}")
    create_position(people.employer_org, skills=["数据标注"], openings=5)
    db.session.commit()
    monkeypatch.setattr(runs, "CHUNK", 1)

    def crash(run: MatchRun, written: int, total: int) -> None:
        if written >= 2:
            raise RuntimeError("worker killed")

    monkeypatch.setattr(runs, "saving_progress", crash)
    run = runs.create_run(db.session, people.social_worker, runs.PoolFilter())
    assert runs.execute_run(db.session, run.id) == "failed"
    assert db.session.scalar(select(func.count()).select_from(MatchProposal)) == 0
    assert "worker killed" in (run.error or "")
    monkeypatch.undo()
    runs.retry_run(db.session, people.social_worker, run)
    assert runs.execute_run(db.session, run.id) == "done"
    assert len(run.proposals) == 3


def test_worker_confirms_and_it_is_audited(client: FlaskClient, people: People) -> None:
    run = finished_run(people)
    (proposal,) = run.proposals
    login(client, people.social_worker.email)
    page = client.get(f"/worker/runs/{run.id}/proposals?q=王&sort=name&dir=asc")
    assert page.status_code == 200 and "王芳" in page.get_data(as_text=True)
    assert client.get(f"/worker/runs/proposals/{proposal.id}").status_code == 200
    response = post(client, f"/worker/runs/proposals/{proposal.id}/confirm")
    assert response.status_code == 303
    assert db.session.get(MatchProposal, proposal.id).status == "confirmed"
    decision = db.session.scalar(select(MatchDecision).where(MatchDecision.kind == "confirm"))
    assert decision.actor_id == people.social_worker.id
    assert decision.components["chosen"] == proposal.components
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "proposal.confirm"))


def test_negative_income_needs_the_benefits_check(client: FlaskClient, people: People) -> None:
    people.seeker_profile.dibao_monthly = 3600
    run = finished_run(people)
    (proposal,) = run.proposals
    assert review.net_gain_of(proposal) < 0
    login(client, people.social_worker.email)
    url = f"/worker/runs/proposals/{proposal.id}/confirm"
    assert post(client, url).status_code == 400
    assert db.session.get(MatchProposal, proposal.id).status == "proposed"
    response = post(client, url, benefits_acknowledged="y",
                    advice="低保会停发；建议先申请渐退期")
    assert response.status_code == 303
    decision = db.session.scalar(select(MatchDecision).where(MatchDecision.kind == "confirm"))
    assert decision.benefits_acknowledged and decision.advice.startswith("低保")


def test_reject_swap_pin_forbid_and_resolve(client: FlaskClient, people: People) -> None:
    run = finished_run(people, n_positions=3)
    (proposal,) = run.proposals
    alternative = proposal.explanation["alternatives"][0]["position_id"]
    login(client, people.social_worker.email)
    assert post(client, f"/worker/runs/proposals/{proposal.id}/swap").status_code == 400
    response = post(client, f"/worker/runs/proposals/{proposal.id}/swap",
                    position_id=str(alternative), reason_code="better_alternative", note="近")
    assert response.status_code == 303
    new = db.session.scalar(select(MatchProposal).where(MatchProposal.position_id == alternative))
    assert new.status == "proposed" and db.session.get(MatchProposal, proposal.id).status == \
        "rejected"
    swap = db.session.scalar(select(MatchDecision).where(MatchDecision.kind == "swap"))
    assert swap.other_position_id == alternative
    assert swap.components["chosen"] and swap.components["other"] == proposal.components
    assert post(client, f"/worker/runs/proposals/{new.id}/pin").status_code == 303
    assert db.session.get(MatchProposal, new.id).pinned
    assert post(client, f"/worker/runs/{run.id}/resolve").status_code == 303
    child = db.session.scalar(select(MatchRun).where(MatchRun.parent_id == run.id))
    assert child.status == "done"
    (kept,) = child.proposals
    assert (kept.position_id, kept.pinned) == (alternative, True)
    assert [runs.seeker_key(proposal.seeker_id), runs.position_key(proposal.position_id)] in \
        child.inputs_snapshot["forbids"]
    # The parent is superseded: no more decisions on it.
    response = post(client, f"/worker/runs/proposals/{new.id}/confirm")
    assert db.session.get(MatchProposal, new.id).status == "proposed"
    assert response.status_code == 303


def test_another_agencys_runs_are_not_found(client: FlaskClient, people: People) -> None:
    run = finished_run(people)
    (proposal,) = run.proposals
    stranger = create_account("social_worker", people.other_agency)
    db.session.commit()
    login(client, stranger.email)
    for url in (f"/worker/runs/{run.id}", f"/worker/runs/{run.id}/proposals",
                f"/worker/runs/{run.id}/status.json", f"/worker/runs/proposals/{proposal.id}"):
        assert client.get(url).status_code == 404, url
    for url in (f"/worker/runs/proposals/{proposal.id}/confirm", f"/worker/runs/{run.id}/resolve",
                f"/worker/runs/proposals/{proposal.id}/pin"):
        assert post(client, url).status_code == 404, url
    assert db.session.get(MatchProposal, proposal.id).status == "proposed"
    assert f"/worker/runs/{run.id}\"" not in client.get("/worker/runs/").get_data(as_text=True)


def test_seeker_accepts_then_employer_hires(client: FlaskClient, people: People) -> None:
    run = finished_run(people)
    (proposal,) = run.proposals
    review.confirm(db.session, people.social_worker, proposal.id)
    position = db.session.get(Position, proposal.position_id)
    login(client, people.employer.email)
    assert client.get(f"/employer/positions/{position.id}/candidates/{proposal.id}/outcome"
                      ).status_code == 404  # not before the seeker accepts
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, people.seeker.email)
    assert "数据标注员" in client.get("/proposals/").get_data(as_text=True)
    assert client.get(f"/proposals/{proposal.id}").status_code == 200
    assert post(client, f"/proposals/{proposal.id}/accept", share="y").status_code == 303
    assert db.session.get(MatchProposal, proposal.id).status == "accepted"
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, people.employer.email)
    base = f"/employer/positions/{position.id}/candidates/{proposal.id}"
    assert "王芳" in client.get(f"/employer/positions/{position.id}").get_data(as_text=True)
    for far in ("1900-01-01", "2099-01-01", "2026-13-45"):  # out of range, or no date at all
        response = post(client, f"{base}/interview", interview_date=far)
        assert response.status_code == 400 and 'id="interview_date-error"' in \
            response.get_data(as_text=True)
    assert "请输入日期" in post(client, f"{base}/interview", interview_date="2026-13-45"
                            ).get_data(as_text=True)
    recent = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    assert post(client, f"{base}/interview", interview_date=recent).status_code == 303
    assert post(client, f"{base}/outcome", outcome="hired",
                start_date="2020-01-01").status_code == 400  # years ago: a typing slip
    assert post(client, f"{base}/outcome", outcome="hired").status_code == 400  # no start date
    start = dt.date.today() - dt.timedelta(days=40)
    assert post(client, f"{base}/outcome", outcome="hired",
                start_date=start.isoformat()).status_code == 303
    placement = db.session.scalar(select(Placement).where(Placement.proposal_id == proposal.id))
    assert placement.agency_id == people.agency.id and placement.start_date == start
    assert db.session.scalar(select(func.count()).select_from(FollowUp).where(
        FollowUp.placement_id == placement.id)) >= 1
    assert db.session.get(MatchProposal, proposal.id).status == "hired"


def test_seeker_declines_or_asks_review_and_sees_why_unmatched(
    client: FlaskClient, people: People
) -> None:
    login(client, people.seeker.email)
    page = client.get("/proposals/").get_data(as_text=True)
    assert 'href="/profile/step/consent"' in page  # no matching consent yet
    run = finished_run(people)
    (proposal,) = run.proposals
    assert client.get(f"/proposals/{proposal.id}").status_code == 404  # not confirmed yet
    review.confirm(db.session, people.social_worker, proposal.id)
    assert post(client, f"/proposals/{proposal.id}/review").status_code == 400
    assert post(client, f"/proposals/{proposal.id}/review", message="太远了").status_code == 303
    assert db.session.get(MatchProposal, proposal.id).status == "review_requested"
    review.confirm(db.session, people.social_worker, proposal.id)
    assert post(client, f"/proposals/{proposal.id}/decline", **{"decline-reason_code": "hours"}
                ).status_code == 303
    assert db.session.get(MatchProposal, proposal.id).status == "declined"


def test_seekers_outside_any_run_are_told_why(client: FlaskClient, people: People) -> None:
    grant(people.seeker_profile, "matching")
    people.seeker_profile.agency_id = None
    db.session.commit()
    login(client, people.seeker.email)
    assert "No employment service has added you" in client.get(
        "/proposals/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    people.seeker_profile.agency_id = people.agency.id
    db.session.add(Placement(seeker_id=people.seeker_profile.id, agency_id=people.agency.id,
                             start_date=dt.date.today()))
    db.session.commit()
    assert "You are working now" in client.get(
        "/proposals/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_review_request_after_a_resolve_reaches_the_worker(
    client: FlaskClient, people: People
) -> None:
    run = finished_run(people)
    (proposal,) = run.proposals
    review.confirm(db.session, people.social_worker, proposal.id)
    login(client, people.social_worker.email)
    assert post(client, f"/worker/runs/{run.id}/resolve").status_code == 303
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, people.seeker.email)
    assert post(client, f"/proposals/{proposal.id}/review", message="太远了").status_code == 303
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, people.social_worker.email)
    # The dashboard lists the request; its proposal, kept out of the re-solve, can be acted on.
    dashboard = client.get("/worker/").get_data(as_text=True)
    assert f'href="/worker/runs/proposals/{proposal.id}"' in dashboard
    page = client.get(f"/worker/runs/proposals/{proposal.id}").get_data(as_text=True)
    assert f'action="/worker/runs/proposals/{proposal.id}/confirm"' in page
    assert post(client, f"/worker/runs/proposals/{proposal.id}/confirm").status_code == 303
    assert db.session.get(MatchProposal, proposal.id).status == "confirmed"
    assert f'href="/worker/runs/proposals/{proposal.id}"' not in \
        client.get("/worker/").get_data(as_text=True)


@pytest.mark.usefixtures("app_ctx")
def test_concurrent_confirmations_never_overfill(people: People) -> None:
    if db.engine.dialect.name == "sqlite":
        pytest.skip("row locking is a PostgreSQL test; SQLite serialises writers")
    position = create_position(people.employer_org, skills=["数据标注"], openings=1)
    run = MatchRun(agency_id=people.agency.id, status="done")
    db.session.add(run)
    db.session.flush()
    ids = []
    for i in range(6):
        seeker = matched_seeker(people, display_name=f"s{i}")
        proposal = MatchProposal(run_id=run.id, seeker_id=seeker.id, position_id=position.id,
                                 score=80, explanation={}, status="proposed")
        db.session.add(proposal)
        db.session.flush()
        ids.append(proposal.id)
    db.session.commit()
    app = current_app._get_current_object()
    worker_id = people.social_worker.id
    barrier = threading.Barrier(len(ids))
    outcomes: list[str] = []

    def attempt(proposal_id: int) -> None:
        with app.app_context():
            from rongye.models import Account

            actor = db.session.get(Account, worker_id)
            barrier.wait()
            try:
                review.confirm(db.session, actor, proposal_id)
                outcomes.append("confirmed")
            except review.ReviewError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    assert outcomes.count("confirmed") == 1, outcomes
    assert set(outcomes) == {"confirmed", "position_full"}
    confirmed = db.session.scalar(select(func.count()).select_from(MatchProposal).where(
        MatchProposal.status == "confirmed"))
    assert confirmed == 1
