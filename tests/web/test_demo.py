"""`flask --app app demo`: a realistic population in an empty database, with working logins."""

from __future__ import annotations

from collections import Counter

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from matching.catalogue import DOMAINS
from rongye.extensions import db
from rongye.models import Account, FollowUp, Organisation, Placement, Position, SeekerProfile
from tests.conftest import login

DEMO_LOGINS = {
    "seeker@demo.rongye": "/seeker/",
    "employer@demo.rongye": "/employer/",
    "worker@demo.rongye": "/worker/",
    "analyst@demo.rongye": "/analyst/",
    "admin@demo.rongye": "/admin/",
}


@pytest.fixture
def demo(app_ctx: Flask) -> Flask:
    result = app_ctx.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app_ctx


def count(query: object) -> int:
    return db.session.scalar(query) or 0  # type: ignore[arg-type]


def test_population_is_large_and_varied(demo: Flask) -> None:
    seekers = db.session.scalars(select(SeekerProfile)).all()
    assert len(seekers) >= 300
    for domain in DOMAINS:
        levels = Counter(getattr(s, domain) for s in seekers)
        assert {0, 1, 2, 3, None} <= set(levels), f"{domain} lacks a level: {levels}"
    assert len({s.region for s in seekers}) >= 5
    assert {"female", "male"} <= {s.gender for s in seekers}
    assert max(s.birth_year or 0 for s in seekers) - min(s.birth_year or 9999 for s in seekers) > 30
    organisations = select(func.count()).select_from(Organisation)
    assert count(organisations.where(Organisation.kind == "employer")) >= 40
    positions = db.session.scalars(select(Position)).all()
    assert len(positions) >= 120
    assert {p.is_new_form for p in positions} == {True, False}
    assert count(organisations.where(Organisation.kind == "agency")) == 2
    workers = select(Account.organisation_id).where(Account.role == "social_worker").distinct()
    assert len(db.session.scalars(workers).all()) == 2
    starts = db.session.scalars(select(Placement.start_date)).all()
    assert len(starts) >= 100 and (max(starts) - min(starts)).days > 365
    assert count(select(func.count()).select_from(FollowUp).where(FollowUp.done_at.is_not(None)))


def test_demo_logins_work(demo: Flask) -> None:
    for email, home in DEMO_LOGINS.items():
        client: FlaskClient = demo.test_client()
        response = login(client, email, "rongye-demo")
        assert response.headers["Location"] == home, email
        assert client.get(home).status_code == 200


def test_demo_refuses_a_database_with_data(demo: Flask) -> None:
    again = demo.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code != 0 and "not empty" in again.output
    skipped = demo.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert count(select(func.count()).select_from(SeekerProfile)) < 400
