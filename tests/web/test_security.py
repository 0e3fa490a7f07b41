"""Headers, cookies and the absence of anything loaded from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import login
from tests.factories import People

ROOT = Path(__file__).resolve().parents[2]


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    for path in ("/", "/login", "/register", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "http" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, people: People) -> None:
    response = login(client, "seeker@example.org")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_script_style_or_external_asset_anywhere() -> None:
    external = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/**/*")]:
        if path.is_dir():
            continue
        text = path.read_text(encoding="utf-8")
        assert not external.search(text), f"external asset in {path}"
        assert "<script>" not in text and " style=" not in text, f"inline code in {path}"
        assert "@import" not in text and "url(http" not in text, path


def test_pages_escape_user_input(client: FlaskClient, people: People) -> None:
    people.seeker_profile.display_name = "<script>alert(1)</script>"
    from rongye.extensions import db

    db.session.commit()
    login(client, "seeker@example.org")
    page = client.get("/seeker/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


HUGE = "99999999999999999999"  # beyond 64 bits: once an OverflowError (500) in the driver


def test_ids_and_pages_beyond_any_record_are_not_found(client: FlaskClient, people: People) -> None:
    rules = [r for r in client.application.url_map.iter_rules()
             if "GET" in (r.methods or ()) and "int" in r.rule]
    assert len(rules) > 10
    login(client, people.social_worker.email)
    for rule in rules:
        url = re.sub(r"<int:\w+>", HUGE, rule.rule)
        url = re.sub(r"<(?:string:)?(\w+)>", "x", url)
        assert client.get(url).status_code == 404, url
        assert client.get(url.replace(HUGE, str(2**31))).status_code == 404, url
    for path in ("/worker/", "/worker/runs/", "/followups/"):
        assert client.get(f"{path}?page={HUGE}").status_code in (200, 404), path
        assert client.get(f"{path}?page=-3").status_code == 200, path
