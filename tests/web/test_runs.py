"""Match runs through both job runners: the in-process thread and RQ on a real Redis."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from rongye.extensions import db
from rongye.models import MatchRun
from rongye.services import jobs
from tests.conftest import csrf_token, login
from tests.factories import People, create_position, grant


def start_run(client: FlaskClient, people: People) -> int:
    seeker = people.seeker_profile
    seeker.skills, seeker.work_modes = ["数据标注"], ["remote"]
    grant(seeker, "matching")
    create_position(people.employer_org, skills=["数据标注"])
    db.session.commit()
    login(client, people.social_worker.email)
    page = client.get("/worker/runs/")
    assert page.status_code == 200
    token = csrf_token(client, "/worker/runs/")
    response = client.post("/worker/runs/new",
                           data={"csrf_token": token, "region": "", "work_mode": "remote"})
    assert response.status_code == 303
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_thread_runner(client: FlaskClient, people: People, app: Flask) -> None:
    app.config["MATCH_JOBS"] = "thread"
    run_id = start_run(client, people)
    jobs.wait_for_thread_jobs(app)
    db.session.expire_all()
    run = db.session.get(MatchRun, run_id)
    assert run.status == "done" and len(run.proposals) == 1
    page = client.get(f"/worker/runs/{run_id}").get_data(as_text=True)
    assert 'role="status"' in page and f"/worker/runs/{run_id}/proposals" in page
    assert client.get(f"/worker/runs/{run_id}/status.json").get_json()["finished"] is True


def test_status_page_before_the_run_finishes(client: FlaskClient, people: People,
                                             app: Flask) -> None:
    app.config["MATCH_JOBS"] = "none"
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens: job never starts
    try:
        with pytest.raises(Exception):  # noqa: B017 - the queue is unreachable
            start_run(client, people)
    finally:
        app.config.pop("REDIS_URL")
    run = db.session.query(MatchRun).one()
    page = client.get(f"/worker/runs/{run.id}").get_data(as_text=True)
    assert 'id="check-again"' in page and "http-equiv" not in page
    assert "js/run-status.js" in page and "<script>" not in page


@pytest.fixture
def redis_queue(app: Flask) -> Any:
    import redis

    connection = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Redis must run on 127.0.0.1:6379 in CI (see .ci/run)", pytrace=False)
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    name = f"rongye-test-{uuid.uuid4().hex[:8]}"
    old_name, old_mode = jobs.QUEUE_NAME, app.config.get("MATCH_JOBS")
    jobs.QUEUE_NAME = name
    app.config["REDIS_URL"], app.config["MATCH_JOBS"] = "redis://127.0.0.1:6379/15", "rq"
    yield connection
    jobs.QUEUE_NAME = old_name
    app.config.pop("REDIS_URL")
    app.config["MATCH_JOBS"] = old_mode
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)


def test_rq_runner(client: FlaskClient, people: People, app: Flask, redis_queue: Any) -> None:
    from rq import SimpleWorker

    run_id = start_run(client, people)
    run = db.session.get(MatchRun, run_id)
    assert run.status == "queued"  # queued on Redis, nothing ran in the web process
    queue = jobs.queue(app)
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.expire_all()
    run = db.session.get(MatchRun, run_id)
    assert run.status == "done" and len(run.proposals) == 1


def test_the_review_bench_runs_once(tmp_path: Any) -> None:
    from bench import review as bench

    lines: list[str] = []
    timings, baselines = bench.run(repeat=1, database_url=f"sqlite:///{tmp_path / 'b.sqlite3'}",
                                   out=lines.append)
    (timing,) = timings
    assert timing.proposals > 0 and timing.seekers > 0 and timing.positions > 0
    assert timing.click_to_proposals > 0 and baselines[0] > 0
    assert any("click → reviewable proposals" in line for line in lines)
