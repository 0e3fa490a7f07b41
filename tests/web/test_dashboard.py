"""The analyst's outcome dashboard: aggregates only, suppressed, exported safely."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from openpyxl import load_workbook

from rongye.extensions import db
from rongye.models import Placement
from tests.conftest import csrf_token, login
from tests.factories import People, create_organisation, create_seeker, grant

TODAY = dt.date.today()
PAGES = ["/analyst/", "/analyst/outcomes", "/analyst/benefits", "/analyst/groups",
         "/analyst/groups?breakdown=age_band", "/analyst/compare?compare_from=2020-01-01",
         "/analyst/how-we-count"]


def population(people: People, n: int = 24, region: str = "=SUM(A1)") -> list[int]:
    """Consenting seekers with placements: 20 in one region, a few elsewhere (small cells)."""
    ids = []
    for i in range(n):
        seeker = create_seeker(agency_id=people.agency.id, display_name=f"秘密名字{i}",
                               region=region if i < 20 else "天水", gender="female",
                               created_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
        grant(seeker, "research")
        start = TODAY - dt.timedelta(days=60 + 10 * i)
        end = start + dt.timedelta(days=40) if i % 3 == 0 else None
        db.session.add(Placement(seeker_id=seeker.id, agency_id=people.agency.id,
                                 start_date=start, end_date=end,
                                 exit_cause="automation" if end else None))
        ids.append(seeker.id)
    db.session.commit()
    return ids


@pytest.mark.parametrize("path", PAGES)
def test_analyst_pages_show_aggregates_without_people(
    client: FlaskClient, people: People, path: str
) -> None:
    population(people)
    login(client, "analyst@example.org")
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "秘密名字" not in page and "王芳" not in page
    assert "/worker/seekers/" not in page and "/followups/" not in page


def test_small_cells_are_hidden_in_page_and_export(client: FlaskClient, people: People) -> None:
    population(people)
    login(client, "analyst@example.org")
    page = client.get("/analyst/groups?breakdown=region").get_data(as_text=True)
    assert "天水" in page and ("hidden" in page or "已隐藏" in page)
    rows = list(csv.reader(io.StringIO(
        client.get("/analyst/export/groups.csv?breakdown=region").get_data(as_text=True)
        .lstrip("\ufeff"))))
    tianshui = next(row for row in rows if row and row[0] == "天水")
    assert tianshui[1] != "4" and tianshui[2] != "4"  # 4 people: hidden, not printed
    assert all(cell != "4" for cell in tianshui)


def test_still_observed_counts_under_the_threshold_are_hidden(
    client: FlaskClient, people: People
) -> None:
    population(people)  # at 180 days, 8 placements are still observed
    login(client, "analyst@example.org")
    rows = list(csv.reader(io.StringIO(
        client.get("/analyst/export/retention.csv").get_data(as_text=True).lstrip("\ufeff"))))
    observed = [row[1] for row in rows[1:] if len(row) >= 3]
    assert any(not cell.isdigit() for cell in observed)  # the small ones are hidden...
    assert all(int(cell) in (0, *range(10, 10**6)) for cell in observed if cell.isdigit())


def test_exports_escape_formulas_in_csv_and_xlsx(client: FlaskClient, people: People) -> None:
    population(people)
    login(client, "analyst@example.org")
    text = client.get("/analyst/export/groups.csv?breakdown=region").get_data(as_text=True)
    assert "'=SUM(A1)" in text and "\n=SUM" not in text and ",=SUM" not in text
    response = client.get("/analyst/export/groups.xlsx?breakdown=region")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "'=SUM(A1)" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_retention_table_and_chart_are_published_together(
    client: FlaskClient, people: People
) -> None:
    population(people)
    people.analyst.locale = "en"
    db.session.commit()
    login(client, "analyst@example.org")
    page = client.get("/analyst/").get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0) and "<title" in svg.group(0) and "<desc" in svg.group(0)
    assert "style=" not in svg.group(0)  # the CSP forbids inline styles
    assert "Share still in the job after" in page and "<caption" in page


def test_filters_are_validated(client: FlaskClient, people: People) -> None:
    login(client, "analyst@example.org")
    people.analyst.locale = "en"
    db.session.commit()
    response = client.get("/analyst/?start_from=2025-06-01&start_to=2025-01-01")
    assert response.status_code == 400
    assert "The end of the period must be on or after its start." in response.get_data(
        as_text=True)
    assert client.get("/analyst/?start_from=yesterday").status_code == 400
    assert client.get("/analyst/?work_type=<script>").status_code == 400
    assert client.get("/analyst/groups?breakdown=name").status_code == 400
    assert client.get("/analyst/export/seekers.csv").status_code == 404
    assert client.get("/analyst/export/exits.pdf").status_code == 404


def test_filters_narrow_the_cohort(client: FlaskClient, people: People) -> None:
    population(people)
    other = create_organisation("agency")
    db.session.commit()
    login(client, "analyst@example.org")
    everyone = client.get("/analyst/export/placements.csv").get_data(as_text=True)
    nobody = client.get(f"/analyst/export/placements.csv?agency={other.id}").get_data(
        as_text=True)
    assert ",24," in everyone
    assert ",0,0,0,0" in nobody


def test_exports_are_audited(client: FlaskClient, people: People) -> None:
    from rongye.models import AuditEvent

    login(client, "analyst@example.org")
    client.get("/analyst/export/exits.csv")
    event = db.session.query(AuditEvent).filter_by(action="outcomes.export").one()
    assert event.actor_id == people.analyst.id and event.detail["table"] == "exits"


def example(rule: Any, argument: str) -> Any:
    """Return a value the rule's converter accepts (the first choice of an `any(...)`)."""
    items = getattr(rule._converters.get(argument), "items", None)
    return sorted(items)[0] if items else 1


def test_an_analyst_reaches_no_individual_record(
    client: FlaskClient, people: People, app_ctx: Flask
) -> None:
    """Every route that names a record (an id in the URL) is closed to analysts."""
    ids = population(people)
    login(client, "analyst@example.org")
    placement = db.session.query(Placement).first()
    assert placement is not None
    values: dict[str, Any] = {"seeker_id": ids[0], "follow_up_id": 1, "placement_id":
                              placement.id, "position_id": 1, "proposal_id": 1,
                              "question_id": 1, "batch_id": 1, "run_id": 1, "step": "about",
                              "fmt": "json", "kind": "seekers", "table": "exits"}
    checked = 0
    for rule in client.application.url_map.iter_rules():
        if not any(arg.endswith("_id") for arg in rule.arguments):
            continue
        arguments = {arg: values.get(arg, example(rule, arg)) for arg in rule.arguments}
        with client.application.test_request_context():
            url = url_for(rule.endpoint, **arguments)
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        data = {"csrf_token": csrf_token(client)} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code in (403, 404), f"{rule.endpoint} answered an analyst"
        checked += 1
    assert checked >= 5
    # And the analyst's own pages never link to a person or carry one's id.
    for path in PAGES:
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r"/(seekers|followups|candidates?)/\d", page)


def test_bench_runs_at_a_tiny_size(capsys: pytest.CaptureFixture[str], app_ctx: Flask) -> None:
    from bench import dashboard

    dashboard.main(["--placements", "60", "--follow-ups", "300", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "/analyst/" in out and "/followups/" in out and "baseline" in out
    assert re.search(r"/analyst/groups\s+\d+\.\d+\s+\d+\.\d+\s+\d+", out)
