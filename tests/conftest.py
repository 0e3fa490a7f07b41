"""Fixtures shared by the web and browser tests: app → client → accounts.

The schema is built by running the Alembic migrations once per test session, on SQLite by
default or on the database named by TEST_DATABASE_URL (PostgreSQL in CI).
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.test import TestResponse

from app import create_app
from rongye.extensions import db, limiter
from tests import factories

KEEP_TABLES = {"alembic_version", "accommodation"}  # seeded by the migrations themselves
TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    # Fast hashing in tests only; production uses argon2-cffi's recommended defaults.
    "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
    "LOGIN_RATE_LIMIT": "1000 per minute",
}


def pytest_report_header() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return f"database: {url.split('@')[-1] if url else 'SQLite (temporary file)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def drop_everything() -> None:
    """Empty the test database completely, so that the migrations start from nothing."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        db.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as in production.

    Without this, a request made while the test holds an app context would share the test's
    `g` (the signed-in user, the cached locale) and database session with it.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        if has_app_context():
            db.session.commit()  # what the test set up is in the database before the request
        response: TestResponse = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # let the test see what the request committed
        return response


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    app.test_client_class = IsolatedClient
    with app.app_context():
        drop_everything()
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_tables() -> None:
    """Delete every row the tests wrote, children before parents, keeping the seeded catalogue.

    (DELETE rather than TRUNCATE ... CASCADE, which would also empty the catalogue.)
    """
    db.session.rollback()
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with db.engine.begin() as connection:
        for table in tables:
            if table.name == "organisation":  # organisations' own catalogue entries go first
                connection.execute(
                    text("DELETE FROM accommodation WHERE organisation_id IS NOT NULL")
                )
            connection.execute(table.delete())


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An app context over a clean database; rows written during the test are removed after."""
    with app.app_context():
        yield app
        empty_tables()
        limiter.reset()
        db.session.remove()


@pytest.fixture
def client(app_ctx: Flask) -> FlaskClient:
    return app_ctx.test_client()


@pytest.fixture
def people(app_ctx: Flask) -> factories.People:
    """One account of every role, with organisations, a seeker profile and known passwords."""
    return factories.create_people()


CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """Load a page and return the CSRF token of the client's session."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, identifier: str, password: str = factories.PASSWORD) -> Any:
    """Log in through the real form, CSRF token included."""
    token = csrf_token(client, "/")
    return client.post(
        "/login", data={"identifier": identifier, "password": password, "csrf_token": token}
    )

