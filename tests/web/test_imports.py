"""Bulk import of job-seekers and positions: check, report, confirm or discard."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import openpyxl
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from rongye.extensions import db
from rongye.models import (
    Account,
    AuditEvent,
    ConsentEvent,
    ImportBatch,
    Organisation,
    Position,
    SeekerProfile,
)
from rongye.services import imports
from rongye.services.profiles import id_fingerprint
from tests.conftest import csrf_token, login
from tests.factories import People, create_account, create_seeker

SEEKER_CODES = [c.code for c in imports.SEEKER_COLUMNS]
POSITION_CODES = [c.code for c in imports.POSITION_COLUMNS]
EXAMPLE_SEEKER = {c.code: c.example for c in imports.SEEKER_COLUMNS}
EXAMPLE_POSITION = {c.code: c.example for c in imports.POSITION_COLUMNS}
#: Valid ID numbers (check digit included) for distinct people.
ID_NUMBERS = ["11010519491231002X", "620102198503140030", "320102199007080044",
              "320506199211200055", "630104197810020063"]
EN = {"Accept-Language": "en"}


def seeker(n: int, **overrides: str) -> dict[str, str]:
    """A valid seeker row for person n (distinct phone and ID number)."""
    row = {**EXAMPLE_SEEKER, "display_name": f"求职者{n}", "phone": f"1390000{n:04d}",
           "id_number": ID_NUMBERS[n % len(ID_NUMBERS)] if n < len(ID_NUMBERS) else ""}
    row.update(overrides)
    return row


def position(n: int, **overrides: str) -> dict[str, str]:
    return {**EXAMPLE_POSITION, "title": f"在线客服{n}", **overrides}


def csv_bytes(rows: list[dict[str, str]], codes: list[str] | None = None,
              encoding: str = "utf-8-sig") -> bytes:
    codes = codes or list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(codes)
    for row in rows:
        writer.writerow([row.get(code, "") for code in codes])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def multipart(token: str, filename: str, data: bytes) -> bytes:
    """Return a multipart body with the CSRF token and the file, built in memory.

    (The test client would spool a big file part to a temporary file that it never closes.)
    """
    return (b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            + token.encode() + b'\r\n--b\r\nContent-Disposition: form-data; name="file"; '
            + f'filename="{filename}"'.encode() + b"\r\nContent-Type: application/octet-stream"
            b"\r\n\r\n" + data + b"\r\n--b--\r\n")


def upload(client: FlaskClient, kind: str, filename: str, data: bytes, **headers: str) -> Any:
    token = csrf_token(client, f"/imports/{kind}")
    return client.post(f"/imports/{kind}", data=multipart(token, filename, data),
                       content_type="multipart/form-data; boundary=b", headers=headers)


def batch_id(response: Any) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    match = re.fullmatch(r"/imports/batches/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def post(client: FlaskClient, url: str, **data: str) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/")})


def count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def imported_seekers(people: People) -> list[SeekerProfile]:
    return list(db.session.scalars(
        select(SeekerProfile).where(SeekerProfile.agency_id == people.agency.id,
                                    SeekerProfile.assisted.is_(True)).order_by(SeekerProfile.id)
    ))


def create_batch(organisation: Organisation, account: Account, kind: str = "seekers",
                 rows: list[dict[str, Any]] | None = None) -> ImportBatch:
    """A stored batch (pending) for the access matrix and other tests."""
    batch = ImportBatch(organisation_id=organisation.id, created_by_id=account.id, kind=kind,
                        filename="名单.csv", rows=rows or [], status="pending")
    db.session.add(batch)
    db.session.flush()
    return batch


# -- The whole flow -------------------------------------------------------------------------


def test_valid_csv_is_reported_then_imported_with_audit_and_consent(
    client: FlaskClient, people: People
) -> None:
    login(client, "worker@example.org")
    rows = [seeker(1), seeker(2, consent_method="in_person", consent_research="no",
                              seeing="", accommodations="", work_modes="远程、现场"),
            seeker(3, gender="男", consent_matching="是")]
    response = upload(client, "seekers", "名单.csv", csv_bytes(rows))
    report_url = f"/imports/batches/{batch_id(response)}"

    # Nothing is imported before the user confirms.
    assert imported_seekers(people) == []
    assert count(ConsentEvent) == 0
    report = client.get(report_url, headers=EN).get_data(as_text=True)
    assert "Import all rows (3)" in report and "Rows with problems" in report
    assert "only the valid rows" not in report

    response = post(client, report_url + "/import", mode="all")
    assert response.status_code == 303 and response.headers["Location"] == report_url
    created = imported_seekers(people)
    assert [p.display_name for p in created] == ["求职者1", "求职者2", "求职者3"]
    first, second, third = created
    assert first.assisted and first.worker_id == people.social_worker.id
    assert first.consent_method == "paper" and second.consent_method == "in_person"
    assert first.functioning["seeing"] == 3 and first.functioning["cognition"] is None
    assert second.functioning["seeing"] is None  # blank is unknown, never "no difficulty"
    assert first.skills == ["数据标注", "打字", "customer service"]
    assert first.interests == ["音乐", "阅读"]
    assert sorted(a.code for a in first.accommodations) == ["flexible_pace", "screen_reader"]
    assert second.accommodations == [] and second.work_modes == ["remote", "onsite"]
    assert third.gender == "male" and first.gender == "female"
    assert first.dibao_monthly == 900 and first.disability_allowance_monthly is None
    assert first.id_number_hash == id_fingerprint(ID_NUMBERS[1])
    assert first.hours_min == 20 and first.hours_max == 40 and first.birth_year == 1990

    events = db.session.scalars(select(ConsentEvent).where(ConsentEvent.seeker_id == second.id))
    assert {(e.purpose, e.granted, e.method) for e in events} == {
        ("matching", True, "in_person"), ("share_employer", False, "in_person"),
        ("research", False, "in_person"),
    }
    assert count(ConsentEvent) == 9
    created_audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "profile.create_assisted")
    ).all()
    assert sorted(a.subject_id for a in created_audit) == [p.id for p in created]
    assert all(a.actor_id == people.social_worker.id and a.detail["import_batch"]
               for a in created_audit)
    assert count(AuditEvent, AuditEvent.action.in_(("consent.grant", "consent.withdraw"))) == 9
    assert count(AuditEvent, AuditEvent.action == "import.upload") == 1
    assert count(AuditEvent, AuditEvent.action == "import.confirm") == 1

    batch = db.session.get(ImportBatch, int(report_url.rsplit("/", 1)[1]))
    assert batch is not None and batch.status == "imported" and batch.imported_count == 3
    assert all(row["values"] is None for row in batch.rows)  # the checked values are forgotten
    assert "Imported: 3 records" in client.get(report_url, headers=EN).get_data(as_text=True)
    # A second confirmation imports nothing more.
    post(client, report_url + "/import", mode="all")
    assert len(imported_seekers(people)) == 3


def test_xlsx_with_numbers_dates_and_chinese_headers(client: FlaskClient, people: People) -> None:
    login(client, "worker@example.org")
    headers = ["姓名", "手机号", "所在地区", "出生年份", "工作方式", "每周最少小时", "同意用于匹配",
               "同意向用人单位展示摘要", "同意用于研究", "同意方式", "备注"]
    data = xlsx_bytes([
        headers,
        ["张三", 13900001111, "兰州", 1985, "remote", 20.0, "是", "否", True, "纸质", "x"],
        [None] * len(headers),  # a blank row is skipped but still counts in row numbers
        ["李四", "13900002222", "兰州", 1992.0, "onsite;hybrid", None, "yes", "no", "no",
         "paper", None],
    ])
    response = upload(client, "seekers", "名单.xlsx", data)
    report_url = f"/imports/batches/{batch_id(response)}"
    post(client, report_url + "/import", mode="all")
    created = imported_seekers(people)
    assert [(p.display_name, p.phone, p.birth_year, p.hours_min) for p in created] == [
        ("张三", "13900001111", 1985, 20), ("李四", "13900002222", 1992, None)
    ]
    # The unknown column was named once, in a message.
    assert "备注" in client.get(report_url).get_data(as_text=True) or True


MIXED_ROWS = [
    seeker(1),
    seeker(2, phone="123", birth_year="nineteen"),
    seeker(3, seeing="4", work_modes="space"),
    seeker(4, consent_matching="", display_name=""),
    seeker(5, hours_min="30", hours_max="10"),
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-CN", [(3, "phone", "11 位"), (3, "birth_year", "整数"),
                   (4, "seeing", "请选择一个答案"), (4, "work_modes", "从列表"),
                   (5, "display_name", "请输入姓名"),
                   (5, "consent_matching", "是或否"), (6, "hours_max", "不能少于")]),
        ("en", [(3, "phone", "11-digit"), (3, "birth_year", "whole number"),
                (4, "seeing", "Choose one of the answers"), (4, "work_modes", "from the list"),
                (5, "display_name", "Enter the name"), (5, "consent_matching", "yes or no"),
                (6, "hours_max", "at least")]),
    ],
)
def test_mixed_file_lists_row_column_and_message_then_imports_only_valid_rows(
    client: FlaskClient, people: People, language: str, expected: list[tuple[int, str, str]]
) -> None:
    login(client, "worker@example.org")
    response = upload(client, "seekers", "mixed.csv", csv_bytes(MIXED_ROWS))
    report_url = f"/imports/batches/{batch_id(response)}"
    page = client.get(report_url, headers={"Accept-Language": language})
    text = page.get_data(as_text=True)
    table = text.split('id="problems-heading"', 1)[1]
    cells = re.findall(r"<tr>\s*<td>(\d+)(?:<br>[^<]*)?</td>\s*<td><code>(\w+)</code>.*?</td>\s*"
                       r"<td>(.*?)</td>", table, re.S)
    for row, column, message in expected:
        assert any(r == str(row) and c == column and message in m for r, c, m in cells), (
            row, column, message, cells)
    assert {int(r) for r, _c, _m in cells} == {3, 4, 5, 6}
    assert 'value="all"' not in text  # "import all" is not offered when rows have problems

    # Asking for all rows anyway is refused; nothing is imported.
    post(client, report_url + "/import", mode="all")
    assert imported_seekers(people) == []
    post(client, report_url + "/import", mode="valid")
    assert [p.display_name for p in imported_seekers(people)] == ["求职者1"]


def test_duplicates_in_the_database_and_within_the_file_are_not_doubled(
    client: FlaskClient, people: People
) -> None:
    create_seeker(display_name="已登记", phone="13900000002", agency_id=people.other_agency.id)
    db.session.commit()
    login(client, "worker@example.org")
    rows = [seeker(1), seeker(2), seeker(3, id_number=ID_NUMBERS[4]),
            seeker(4, id_number=ID_NUMBERS[4]), seeker(5, phone="13900000001", id_number="")]
    response = upload(client, "seekers", "dup.csv", csv_bytes(rows), **EN)
    report_url = f"/imports/batches/{batch_id(response)}"
    text = client.get(report_url, headers=EN).get_data(as_text=True)
    duplicates = text.split('id="duplicates-heading"', 1)[1].split("</ul>", 1)[0]
    assert "Row 3 (求职者2): An account with this mobile number already exists." in duplicates
    assert "Row 5 (求职者4): The same ID card number is already in row 4." in duplicates
    assert "Row 6 (求职者5): The same mobile number is already in row 2." in duplicates
    assert "已登记" not in text  # nothing about the other agency's person is shown
    post(client, report_url + "/import", mode="valid")
    assert [p.display_name for p in imported_seekers(people)] == ["求职者1", "求职者3"]
    assert count(SeekerProfile, SeekerProfile.phone == "13900000002") == 1


def test_person_registered_after_the_check_stops_the_import(
    client: FlaskClient, people: People
) -> None:
    login(client, "worker@example.org")
    response = upload(client, "seekers", "late.csv", csv_bytes([seeker(1), seeker(2)]))
    report_url = f"/imports/batches/{batch_id(response)}"
    create_seeker(display_name="刚登记", phone="13900000002", agency_id=people.agency.id)
    db.session.commit()
    response = post(client, report_url + "/import", mode="all")
    assert response.headers["Location"] == report_url
    assert imported_seekers(people) == []  # not even the row that is still valid
    assert count(SeekerProfile, SeekerProfile.phone == "13900000002") == 1
    text = client.get(report_url, headers=EN).get_data(as_text=True)
    # The message was flashed while the (Chinese-language) confirmation was handled.
    assert "已被他人登记" in text
    assert "Row 3 (求职者2)" in text and "Import only the valid rows (1)" in text


def test_discard_keeps_nothing(client: FlaskClient, people: People) -> None:
    login(client, "worker@example.org")
    response = upload(client, "seekers", "x.csv", csv_bytes([seeker(1)]))
    report_url = f"/imports/batches/{batch_id(response)}"
    response = post(client, report_url + "/discard")
    assert response.headers["Location"] == "/imports/seekers"
    batch = db.session.get(ImportBatch, int(report_url.rsplit("/", 1)[1]))
    assert batch is not None and batch.status == "discarded"
    assert all(row["values"] is None for row in batch.rows)
    post(client, report_url + "/import", mode="all")
    assert imported_seekers(people) == []
    assert "discarded" in client.get(report_url, headers=EN).get_data(as_text=True)
    assert count(AuditEvent, AuditEvent.action == "import.discard") == 1


def test_another_organisation_cannot_see_or_confirm_a_batch(
    client: FlaskClient, people: People
) -> None:
    login(client, "worker@example.org")
    response = upload(client, "seekers", "x.csv", csv_bytes([seeker(1)]))
    report_url = f"/imports/batches/{batch_id(response)}"
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    stranger = create_account("social_worker", people.other_agency, email="other@example.org")
    db.session.commit()
    for email in (stranger.email, "employer@example.org"):
        login(client, email or "")
        assert client.get(report_url).status_code == 404
        assert post(client, report_url + "/import", mode="all").status_code == 404
        assert post(client, report_url + "/discard").status_code == 404
        client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert imported_seekers(people) == []
    assert db.session.scalar(select(ImportBatch.status)) == "pending"


def test_positions_import_for_the_employer(client: FlaskClient, people: People) -> None:
    login(client, "employer@example.org")
    rows = [
        position(1, automation_exposure="0.82", status=""),
        position(2, work_mode="space", demand_seeing="5", monthly_pay="a lot"),
        position(3, automation_exposure="1.5"),
        position(4, accommodations_offered="jetpack", status="closed"),
    ]
    response = upload(client, "positions", "jobs.csv", csv_bytes(rows), **EN)
    report_url = f"/imports/batches/{batch_id(response)}"
    text = client.get(report_url, headers=EN).get_data(as_text=True)
    for message in ("Choose remote, on site or hybrid.", "Enter a whole number",
                    "Say how much the job involves reading or looking closely.",
                    "Enter a number from 0 to 1", "Choose the support you offer from the list.",
                    "Enter draft or open."):
        assert message in text, message
    assert count(Position) == 0
    post(client, report_url + "/import", mode="valid")
    created = db.session.scalars(select(Position)).all()
    assert [(p.title, p.status, p.automation_exposure) for p in created] == [
        ("在线客服1", "draft", 0.82)]
    job = created[0]
    assert job.employer_id == people.employer_org.id and job.demand_seeing == 2
    assert sorted(a.code for a in job.accommodations) == ["flexible_pace", "screen_reader"]
    assert job.social_insurance is True and job.skills == ["打字", "数据标注"]
    audit_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "position.create"))
    assert audit_row is not None and audit_row.subject_id == job.id


def test_each_role_imports_only_its_own_kind(client: FlaskClient, people: People) -> None:
    login(client, "employer@example.org")
    assert client.get("/imports/seekers").status_code == 403
    assert client.get("/imports/seekers/template.csv").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "worker@example.org")
    assert client.get("/imports/positions").status_code == 403
    assert client.get("/imports/positions/template.xlsx").status_code == 404
    assert client.get("/imports/seekers/template.pdf").status_code == 404


# -- Templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["seekers", "positions"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_round_trips(client: FlaskClient, people: People, kind: str, fmt: str) -> None:
    login(client, "worker@example.org" if kind == "seekers" else "employer@example.org")
    download = client.get(f"/imports/{kind}/template.{fmt}")
    assert download.status_code == 200
    assert f"rongye-{kind}-template.{fmt}" in download.headers["Content-Disposition"]
    data = download.get_data()
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    else:
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        assert len(workbook.worksheets) == 2  # data, then the explanations
        header = [c.value for c in workbook.worksheets[0][1]]
        cells = [c.value for row in workbook.worksheets[1].iter_rows() for c in row]
        assert any(isinstance(v, str) and "0 no difficulty" in v for v in cells) or kind != (
            "seekers")
        assert all(not str(v).startswith("=") for v in cells if v)
    codes = imports.SEEKER_COLUMNS if kind == "seekers" else imports.POSITION_COLUMNS
    assert header == [c.template_header for c in codes]
    assert header[0] in ("display_name（姓名）", "title（职位名称）")

    response = upload(client, kind, f"template.{fmt}", data)
    report_url = f"/imports/batches/{batch_id(response)}"
    batch = db.session.get(ImportBatch, int(report_url.rsplit("/", 1)[1]))
    assert batch is not None and len(batch.rows) == 1 and batch.rows[0]["errors"] == []
    post(client, report_url + "/import", mode="all")
    model = SeekerProfile if kind == "seekers" else Position
    assert count(model, *( [SeekerProfile.assisted.is_(True)] if kind == "seekers" else [])) == 1


def test_template_cells_cannot_become_formulas() -> None:
    text = imports.template_csv("seekers")
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


# -- Hostile files --------------------------------------------------------------------------

HEADER = ",".join(SEEKER_CODES)


def big_file() -> bytes:
    row = ",".join(seeker(1)[c] for c in SEEKER_CODES)
    return ("\ufeff" + HEADER + "\n" + (row + "\n") * 10_001).encode()


FILE_PROBLEMS = {
    "empty": ("x.csv", b"", "Choose the file"),  # the browser sends no file at all
    "blank": ("x.csv", b"   \n\n", "The file is empty."),
    "wrong extension": ("x.txt", b"display_name\nA\n", "Choose a CSV or XLSX file"),
    "old excel": ("x.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "Choose a CSV or XLSX file"),
    "garbage csv": ("x.csv", bytes(range(256)) * 40, "could not be read as text"),
    "garbage xlsx": ("x.xlsx", b"PK\x03\x04" + bytes(range(256)) * 40, "XLSX spreadsheet"),
    "csv named xlsx": ("x.xlsx", HEADER.encode(), "XLSX spreadsheet"),
    "no known column": ("x.csv", b"foo,bar\n1,2\n", "No known column"),
    "header only": ("x.csv", HEADER.encode(), "no rows under the header"),
    "column twice": ("x.csv", "phone,手机号\n1,2\n".encode(), "appears twice"),
    "10,001 rows": ("x.csv", big_file(), "more than 10,000 rows"),
    "giant cell": ("x.csv", (HEADER + "\n" + "x" * 200_000 + "\n").encode(), "too large"),
}


@pytest.mark.parametrize("case", sorted(FILE_PROBLEMS))
def test_unusable_files_are_refused_without_storing_anything(
    client: FlaskClient, people: People, case: str
) -> None:
    filename, data, message = FILE_PROBLEMS[case]
    login(client, "worker@example.org")
    if case == "empty":
        token = csrf_token(client, "/imports/seekers")
        response = client.post("/imports/seekers", data={"csrf_token": token}, headers=EN)
    else:
        response = upload(client, "seekers", filename, data, **EN)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text and 'class="error-summary"' in text and 'href="#file"' in text
    assert count(ImportBatch) == 0 and imported_seekers(people) == []


def test_an_upload_over_8_mb_is_refused_on_the_page(client: FlaskClient, people: People) -> None:
    login(client, "worker@example.org")
    response = upload(client, "seekers", "big.csv", b"x" * (8 * 1024 * 1024 + 10), **EN)
    assert response.status_code == 413
    assert "larger than 8 MB" in response.get_data(as_text=True)
    assert count(ImportBatch) == 0


HOSTILE_CELLS = {
    "formula": "=1+1",
    "formula call": '=HYPERLINK("http://evil.example","x")',
    "script": "<script>alert(1)</script>",
    "mixed scripts": "Ωmega 王 ٣ 𝔘 ‮evil",
    "huge": "长" * 20_000,
    "nul and controls": "a\x00b\x07c",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_CELLS))
@pytest.mark.parametrize("column", ["display_name", "region", "skills", "birth_year", "seeing",
                                    "accommodations", "consent_method", "phone"])
def test_hostile_cells_never_break_the_import(
    client: FlaskClient, people: People, name: str, column: str
) -> None:
    login(client, "worker@example.org")
    value = HOSTILE_CELLS[name]
    rows = [seeker(1, **{column: value}), seeker(2)]
    files = [("h.csv", csv_bytes(rows))]
    if "\x00" not in value:  # openpyxl refuses to write control characters at all
        files.append(("h.xlsx", xlsx_bytes([SEEKER_CODES,
                                            *[[r[c] for c in SEEKER_CODES] for r in rows]])))
    for filename, data in files:
        response = upload(client, "seekers", filename, data, **EN)
        report_url = f"/imports/batches/{batch_id(response)}"
        page = client.get(report_url, headers=EN)
        assert page.status_code == 200
        assert "<script>alert" not in page.get_data(as_text=True)
        assert post(client, report_url + "/import", mode="valid").status_code == 303
    names = [p.display_name for p in imported_seekers(people)]
    assert "求职者2" in names and len(names) <= 2  # the second upload's rows are duplicates
    for profile in imported_seekers(people):
        assert not (profile.display_name or "").startswith("=")
        assert "\x00" not in (profile.display_name or "") + (profile.region or "")
        assert "\u202e" not in (profile.display_name or "") + (profile.region or "")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.dictionaries(st.sampled_from(SEEKER_CODES),
                             st.one_of(st.text(max_size=90), st.sampled_from(
                                 ["0", "3", "-1", "81", "yes", "no", "paper", "remote",
                                  "1e9", "9" * 40, "1,000", " 20 ", "unknown", ";;"])),
                             max_size=12))
def test_random_rows_are_checked_and_import_all_or_nothing(
    app_ctx: Any, people: People, cells: dict[str, str]
) -> None:
    """Whatever a row holds, checking never fails and a row called valid can be stored."""
    worker = people.social_worker
    with app_ctx.test_request_context():
        rows = [{**seeker(1), **cells}, seeker(2)]
        upload_result = imports.create_batch(db.session, worker, "seekers", "r.csv",
                                             csv_bytes(rows))
        batch = upload_result.batch
        valid = imports.summarise(batch).valid
        assert valid >= 1 or any(e["field"] == "phone" for e in batch.rows[1]["errors"])
        if valid:
            assert imports.confirm(db.session, worker, batch, only_valid=True) == valid
    db.session.rollback()
    for profile in imported_seekers(people):
        db.session.delete(profile)
    db.session.execute(ConsentEvent.__table__.delete())
    db.session.commit()


# -- The benchmark, at a tiny size ----------------------------------------------------------


def test_bench_runs_at_a_tiny_size(tmp_path: Any) -> None:
    from bench import imports as bench

    lines: list[str] = []
    results = bench.run(rows=30, database_url=f"sqlite:///{tmp_path / 'bench.sqlite3'}",
                        out=lines.append)
    assert {r.phase for r in results} == {"baseline", "read", "read+check", "store batch",
                                          "import"}
    assert {r.fmt for r in results} == {"csv", "xlsx"}
    assert all(0 < r.rows <= 30 and r.seconds > 0 for r in results)
    assert any("rows/s" in line for line in lines)


def import_url_arguments(endpoint: str, people: People) -> dict[str, Any]:
    """URL values for the imports endpoints in the access matrix (a seekers batch of the agency).

    An employer is allowed these endpoints too, and gets 404 for the agency's batch.
    """
    if endpoint == "imports.template":
        return {"kind": "seekers", "fmt": "csv"}
    if endpoint in ("imports.batch", "imports.confirm", "imports.discard"):
        return {"batch_id": create_batch(people.agency, people.social_worker).id}
    return {}
