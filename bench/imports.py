"""Benchmark bulk import of job-seekers: reading, checking and importing a 10,000-row file.

    python bench/imports.py [--rows 10000] [--seed 7]

Generates a realistic seekers file (Chinese names, valid ID numbers, blanks where people did not
answer, about 2 % of rows with mistakes and 1 % repeating an earlier person) once as CSV and
once as XLSX, then times, per format:

- baseline:    the plain reader over the same bytes (csv.DictReader, or openpyxl's iter_rows),
               to show what the column mapping and the checks cost on top;
- read:        rongye.services.imports.read_rows (decode, map the header, clean cells);
- read+check:  read_rows + check_rows (every row bound to the profile's step forms, duplicates
               looked up in the database);
- store batch: create_batch (read + check + keep the pending batch as JSON);
- import:      confirm(only_valid=True): profiles, consent ledger and audit rows, one
               transaction.

The database is a temporary SQLite file, or DATABASE_URL when set (use a scratch database: the
schema is migrated there and 2 × N profiles are added).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
            "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红娥建文辉力斌宇浩凯鹏晨欣怡子涵梓轩"
REGIONS = ["北京", "兰州", "南京", "苏州", "天水", "徐州", "西宁", "银川", "酒泉", "无锡"]
SKILLS = ["数据标注", "打字", "customer service", "网店运营", "内容审核", "直播助理", "Excel",
          "剪纸", "手工编织", "按摩", "电话客服", "图片标注", "文字录入", "短视频剪辑"]
INTERESTS = ["音乐", "阅读", "手工", "电脑", "写作", "绘画", "运动", "烹饪"]
CODES = ["screen_reader", "screen_magnifier", "captioning", "sign_language", "text_communication",
         "step_free", "flexible_pace", "easy_read", "quiet_space", "job_coach"]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(rng: random.Random) -> str:
    """Return a well-formed mainland ID number with its check digit."""
    body = (f"{rng.choice(['110105', '620102', '320102', '320506', '630104'])}"
            f"{rng.randint(1960, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            f"{rng.randint(0, 999):03d}")
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def seeker_rows(count: int, seed: int, phone_base: int) -> list[dict[str, str]]:
    """Return `count` seeker rows as a social worker's spreadsheet would hold them."""
    from matching.catalogue import DOMAINS

    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for n in range(count):
        low = rng.choice([10, 15, 20, 20, 30])
        row = {
            "display_name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2]))),
            "phone": f"1{phone_base + n:010d}",
            "id_number": id_number(rng) if rng.random() < 0.8 else "",
            "gender": rng.choice(["female", "male", "女", "男", ""]),
            "birth_year": str(rng.randint(1965, 2004)),
            "region": rng.choice(REGIONS),
            "education": rng.choice(["junior", "senior", "vocational", "college", ""]),
            "skills": "；".join(rng.sample(SKILLS, rng.randint(1, 4))),
            "interests": "、".join(rng.sample(INTERESTS, rng.randint(0, 2))),
            "work_modes": ";".join(rng.sample(["remote", "onsite", "hybrid"], rng.randint(1, 2))),
            "hours_min": str(low),
            "hours_max": str(low + rng.choice([0, 10, 20])),
            "accommodations": ";".join(rng.sample(CODES, rng.randint(0, 2))),
            "dibao_monthly": rng.choice(["", "", "780", "900", "1100"]),
            "disability_allowance_monthly": rng.choice(["", "100", "200"]),
            "social_insurance": rng.choice(["none", "resident", "employee", ""]),
            "household_size": str(rng.randint(1, 6)),
            "consent_matching": "yes",
            "consent_share_employer": rng.choice(["yes", "no"]),
            "consent_research": rng.choice(["yes", "no"]),
            "consent_method": rng.choice(["paper", "in_person"]),
        }
        for domain in DOMAINS:
            row[domain] = rng.choice(["0", "0", "0", "1", "2", "3", ""])
        mistake = rng.random()
        if mistake < 0.02:  # a typo somewhere
            row[rng.choice(["phone", "birth_year", "seeing", "hours_max"])] = "x" + row["phone"]
        elif mistake < 0.03 and rows:  # the same person entered twice
            row["phone"] = rows[rng.randrange(len(rows))]["phone"]
        rows.append(row)
    return rows


def to_csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def baseline_csv(data: bytes) -> int:
    return sum(1 for _row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def baseline_xlsx(data: bytes) -> int:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True)) - 1
        workbook.close()
    return rows


@dataclass(frozen=True)
class Result:
    fmt: str
    phase: str
    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = action()
    return value, time.perf_counter() - start


def run(rows: int = 10_000, database_url: str | None = None, seed: int = 7,
        out: Callable[[str], Any] = print) -> list[Result]:
    """Run every phase for both formats and report through `out`; return the timings."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return _run(rows, url, seed, out)


def _run(rows: int, url: str, seed: int, out: Callable[[str], Any]) -> list[Result]:
    from flask_migrate import upgrade

    from app import create_app
    from rongye.extensions import db
    from rongye.models import Account, Organisation
    from rongye.services import imports

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    results: list[Result] = []
    with app.app_context():
        upgrade()
        agency = Organisation(kind="agency", name=f"bench agency {time.time_ns()}")
        db.session.add(agency)
        db.session.flush()
        agency_id = agency.id
        worker = Account(role="social_worker", email=f"bench{time.time_ns()}@bench.invalid",
                         display_name="bench", password_hash="!", organisation_id=agency_id)
        db.session.add(worker)
        db.session.commit()
        phone_base = 3_900_000_000 + (time.time_ns() // 1000) % 50_000_000
        files = {
            "csv": to_csv_bytes(seeker_rows(rows, seed, phone_base)),
            "xlsx": to_xlsx_bytes(seeker_rows(rows, seed + 1, phone_base + rows)),
        }
        baselines = {"csv": baseline_csv, "xlsx": baseline_xlsx}
        out(f"{rows:,} seeker rows; CSV {len(files['csv']) / 1e6:.1f} MB, XLSX "
            f"{len(files['xlsx']) / 1e6:.1f} MB; database {db.engine.dialect.name}")
        with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
            for fmt, data in files.items():
                name = f"bench.{fmt}"
                counted, seconds = timed(lambda fmt=fmt, data=data: baselines[fmt](data))
                results.append(Result(fmt, "baseline", counted, seconds))
                parsed, seconds = timed(lambda name=name, data=data: imports.read_rows(
                    "seekers", name, data))
                results.append(Result(fmt, "read", len(parsed.rows), seconds))

                def check(name: str = name, data: bytes = data) -> list[dict[str, Any]]:
                    parsed = imports.read_rows("seekers", name, data)
                    return imports.check_rows(db.session, agency_id, parsed)

                checked, seconds = timed(check)
                results.append(Result(fmt, "read+check", len(checked), seconds))
                upload, seconds = timed(lambda name=name, data=data: imports.create_batch(
                    db.session, worker, "seekers", name, data))
                results.append(Result(fmt, "store batch", len(upload.batch.rows), seconds))
                summary = imports.summarise(upload.batch)
                created, seconds = timed(lambda upload=upload: imports.confirm(
                    db.session, worker, upload.batch, only_valid=True))
                assert created == summary.valid
                results.append(Result(fmt, "import", created, seconds))
                out(f"{fmt}: {summary.valid:,} valid rows, {summary.invalid:,} with problems "
                    f"({summary.duplicates:,} duplicates)")
        db.session.remove()
        db.engine.dispose()
    report(results, out)
    return results


def report(results: list[Result], out: Callable[[str], Any]) -> None:
    out(f"{'format':<7}{'phase':<13}{'rows':>8}{'seconds':>10}{'rows/s':>11}{'× baseline':>12}")
    for fmt in ("csv", "xlsx"):
        base = next(r for r in results if r.fmt == fmt and r.phase == "baseline")
        for result in (r for r in results if r.fmt == fmt):
            slower = result.seconds / base.seconds if base.seconds else float("inf")
            out(f"{fmt:<7}{result.phase:<13}{result.rows:>8,}{result.seconds:>10.3f}"
                f"{result.rate:>11,.0f}{slower:>11.1f}×")
    out("baseline: csv.DictReader (CSV) or openpyxl read-only iter_rows (XLSX) over the same "
        "bytes; '× baseline' is how many times longer a phase takes. 'import' counts only the "
        "valid rows it created.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    run(args.rows, os.environ.get("DATABASE_URL"), args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
