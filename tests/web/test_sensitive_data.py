"""Minimum necessary: nothing sensitive about a seeker reaches an employer, on any page."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import deque

from flask.testing import FlaskClient

from rongye.extensions import db
from rongye.models import ExtraQuestion, FollowUp, Placement
from tests.conftest import login
from tests.factories import People, create_position, create_proposal, grant

MARKER = "SENSITIVE-7f3a9c"
#: Unique values planted in the seeker's sensitive fields, none of which an employer may see.
SECRETS = [MARKER, "987654", "876543", "13987654321"]
LINK = re.compile(r'href="(/[^"#]*)')


def readable(data: bytes) -> str:
    """Return the text of a response body, unpacking spreadsheet (zip) files."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace")
                           for name in archive.namelist())
    return data.decode("utf-8", "replace")


def crawl(client: FlaskClient, start: str, limit: int = 300) -> dict[str, str]:
    """Follow every same-site link from `start` (GET only); return URL -> body.

    Downloads (CSV, JSON, XLSX) are read too; links are followed from HTML pages only.
    """
    seen: dict[str, str] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen or url.startswith("/static/"):
            continue
        response = client.get(url)
        assert response.status_code < 500, url
        body = readable(response.get_data())
        seen[url] = body
        if response.mimetype == "text/html":
            queue.extend(link.replace("&amp;", "&") for link in LINK.findall(body))
    return seen


def test_employer_never_sees_sensitive_fields(client: FlaskClient, people: People) -> None:
    seeker = people.seeker_profile
    seeker.display_name = "公开的名字"
    seeker.skills = ["数据标注"]
    seeker.assistive_technology = f"读屏软件 {MARKER}"
    seeker.phone = "13987654321"
    seeker.dibao_monthly, seeker.disability_allowance_monthly = 987654, 876543
    seeker.seeing, seeker.psychosocial, seeker.disability_category = 3, 2, "vision"
    seeker.household_size, seeker.carer_duties = 4, True
    question = ExtraQuestion(organisation_id=people.agency.id, kind="text",
                             label_zh="健康情况", label_en="Health")
    db.session.add(question)
    db.session.flush()
    seeker.extra = {str(question.id): MARKER}
    position = create_position(people.employer_org, title="在线客服")
    grant(seeker, "share_employer")
    create_proposal(seeker, position, status="accepted")
    placement = Placement(seeker_id=seeker.id, position_id=position.id,
                          employer_id=people.employer_org.id, start_date=dt.date(2025, 3, 1))
    db.session.add(placement)
    db.session.flush()
    db.session.add(FollowUp(placement_id=placement.id, day_offset=30,
                            due_date=dt.date(2025, 3, 31), family_change=MARKER,
                            monthly_earnings=987654))
    db.session.commit()

    login(client, "employer@example.org")
    pages = crawl(client, "/employer/")
    candidate_pages = [url for url in pages if "/candidates/" in url]
    assert candidate_pages, "the crawl must reach the consented summary"
    assert "公开的名字" in pages[candidate_pages[0]]  # the summary itself is shown
    for url, body in pages.items():
        for secret in SECRETS:
            assert secret not in body, f"{secret} leaked on {url}"


def test_without_consent_the_employer_sees_no_name(client: FlaskClient, people: People) -> None:
    seeker = people.seeker_profile
    seeker.display_name = "不公开的名字"
    position = create_position(people.employer_org)
    grant(seeker, "share_employer")
    grant(seeker, "share_employer", granted=False)  # withdrawn: the latest decision counts
    proposal = create_proposal(seeker, position, status="accepted")
    db.session.commit()
    login(client, "employer@example.org")
    pages = crawl(client, "/employer/")
    assert all("不公开的名字" not in body for body in pages.values())
    url = f"/employer/positions/{position.id}/candidates/{proposal.id}"
    assert client.get(url).status_code == 404
