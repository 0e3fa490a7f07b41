"""Every form, fuzzed: random and hostile values posted to every POST route never give a 500.

The per-form tests check the field-level messages and that nothing is half-saved; this one makes
sure no route was forgotten, using the access matrix to find who may post where.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import url_for
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_token, login
from tests.factories import People
from tests.web.test_access_matrix import ANONYMOUS, MATRIX, POST_DATA, url_arguments

FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
HOSTILE = st.one_of(
    st.text(max_size=120),
    st.lists(st.text(max_size=12), max_size=3),
    st.sampled_from(["", " ", "<script>alert(1)</script>", "=1+1", "+1", "-1", "@A1", "0",
                     "9" * 300, "１２３", "yes", "no", "unknown", "\x00", "x" * 5000,
                     "مرحبا 你好 Привет", "../../etc/passwd", "null", "[]", "{}"]),
)


def post_routes(app: Any) -> list[tuple[str, str]]:
    """Return (endpoint, audience) for every POST route and one audience allowed to use it."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()) and rule.endpoint != "static":
            allowed = sorted(MATRIX[rule.endpoint] - {ANONYMOUS}) or [ANONYMOUS]
            routes.append((rule.endpoint, allowed[0]))
    return sorted(routes)


def test_post_routes_are_found(app: Any) -> None:
    assert len(post_routes(app)) >= 20


@pytest.fixture
def route_client(client: FlaskClient, people: People, request: Any) -> tuple[FlaskClient, str,
                                                                                list[str]]:
    endpoint, audience = request.param
    if audience != ANONYMOUS:
        login(client, people.by_role(audience).email or "")
    with client.application.test_request_context():
        url = url_for(endpoint, **url_arguments(endpoint, people))
    page = client.get(url)
    names = sorted(set(FIELD_NAME.findall(page.get_data(as_text=True))) - {"csrf_token"})
    return client, url, names or sorted(POST_DATA.get(endpoint, {"value": ""}))


def pytest_generate_tests(metafunc: Any) -> None:
    if "route_client" in metafunc.fixturenames:
        from app import create_app
        from tests.conftest import TEST_CONFIG

        app = create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"})
        routes = post_routes(app)
        metafunc.parametrize("route_client", routes, indirect=True,
                             ids=[f"{e}-{a}" for e, a in routes])


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_posts_never_fail(
    route_client: tuple[FlaskClient, str, list[str]], data: st.DataObject
) -> None:
    client, url, names = route_client
    body = {name: data.draw(HOSTILE, label=name) for name in names}
    body["csrf_token"] = csrf_token(client)
    response = client.post(url, data=body)
    assert response.status_code < 500, (url, body)
