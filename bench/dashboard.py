"""Benchmark the outcome dashboard and the follow-up task list at programme scale.

    python bench/dashboard.py [--database URL] [--placements 100000] [--follow-ups 500000]

Seeds an EMPTY database (SQLite file by default; PostgreSQL with --database
postgresql+psycopg://user@host/db — use a database of its own, it is filled) by running the
migrations, then bulk-inserting synthetic organisations, job-seekers, consents, positions,
placements, follow-ups and match decisions with SQLAlchemy Core executemany (no ORM objects),
and rebuilding the outcome facts (as `flask outcomes rebuild` does after a bulk load).
Then it requests every dashboard view through the Flask test client (real HTTP handling: routing,
access checks, templates) and prints, per view, the best and median seconds of --repeat runs and
the number of SQL statements (counted by a `before_cursor_execute` listener). Baselines in the
same run: each view with the cohort filter off, and a naive Python-side computation of the
retention curve (load every counted placement as ORM objects, compute in Python).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import event, insert, select, text

from app import create_app
from rongye.extensions import db
from rongye.models import (
    Account,
    ConsentEvent,
    FollowUp,
    MatchDecision,
    MatchProposal,
    MatchRun,
    Organisation,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.models.outcomes import EXIT_CAUSES
from rongye.models.profiles import DISABILITY_CATEGORIES, WORK_TYPES
from rongye.services import indicators, outcome_facts
from rongye.services.accounts import password_hasher

PASSWORD = "bench-password-1"
REGIONS = ("北京", "南京", "苏州", "兰州", "天水", "上海", "成都", "杭州", "西安", "昆明")
OFFSETS = (30, 90, 180, 365, 730)
CHUNK = 10_000


def chunks(rows: list[dict[str, Any]]) -> Any:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def bulk(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows with a Core executemany on the table (no ORM objects), in chunks."""
    table = model.__table__
    connection = db.session.connection()
    for part in chunks(rows):
        # Every row names every column the chunk uses (executemany needs one shape).
        keys = set().union(*part)
        connection.execute(insert(table), [{k: row.get(k) for k in keys} for row in part])


def seed(
    n_placements: int, n_follow_ups: int, today: dt.date, rng: random.Random
) -> dict[str, int]:
    """Fill the database; return the ids the views need."""
    n_agencies, n_employers, n_positions = 10, 200, 5_000
    n_seekers = max(1, int(n_placements * 0.8))
    bulk(Organisation, [{"id": i, "name": f"机构 {i}", "kind": "agency",
                         "region": REGIONS[i % len(REGIONS)]} for i in range(1, n_agencies + 1)])
    employer_ids = list(range(n_agencies + 1, n_agencies + n_employers + 1))
    bulk(Organisation, [{"id": i, "name": f"用人单位 {i}", "kind": "employer"}
                        for i in employer_ids])
    ngo_id = n_agencies + n_employers + 1
    bulk(Organisation, [{"id": ngo_id, "name": "研究会", "kind": "ngo"}])
    hashed = password_hasher().hash(PASSWORD)
    bulk(Account, [
        {"id": 1, "email": "analyst@bench", "role": "analyst", "display_name": "analyst",
         "password_hash": hashed, "organisation_id": ngo_id, "locale": "zh_CN"},
        {"id": 2, "email": "worker@bench", "role": "social_worker", "display_name": "worker",
         "password_hash": hashed, "organisation_id": 1, "locale": "zh_CN"},
    ])
    bulk(Position, [
        {"id": i, "employer_id": rng.choice(employer_ids), "title": f"岗位 {i}",
         "work_type": rng.choice(WORK_TYPES), "work_mode": "remote", "region": rng.choice(REGIONS),
         "hours_per_week": 30, "monthly_pay": rng.randint(18, 80) * 100, "social_insurance": True,
         "contract_type": "fixed_term", "automation_exposure": round(rng.random(), 2),
         "status": "open", "skills": [], "openings": 3}
        for i in range(1, n_positions + 1)
    ])
    enrolled = today - dt.timedelta(days=5 * 365)
    seekers = []
    for i in range(1, n_seekers + 1):
        seekers.append({
            "id": i, "agency_id": rng.randint(1, n_agencies), "display_name": f"求职者 {i}",
            "gender": rng.choice(("female", "male", "female", "male", "other", None)),
            "birth_year": rng.randint(1965, 2006), "region": rng.choice(REGIONS),
            "disability_category": rng.choice((*DISABILITY_CATEGORIES, None)),
            "disability_grade": rng.choice((1, 2, 3, 4, None)),
            "dibao_monthly": rng.choice((0, 0, 0, 900)),
            "disability_allowance_monthly": rng.choice((0, 100, 200)),
            "skills": [], "interests": [], "work_modes": ["remote"], "extra": {},
            "created_at": dt.datetime.combine(enrolled, dt.time(9), dt.UTC),
        })
    bulk(SeekerProfile, seekers)
    consents = []
    for i in range(1, n_seekers + 1):
        if rng.random() < 0.75:
            when = dt.datetime.combine(enrolled, dt.time(10), dt.UTC)
            consents.append({"seeker_id": i, "purpose": "research", "granted": True,
                             "method": "self", "created_at": when})
            if rng.random() < 0.05:
                consents.append({"seeker_id": i, "purpose": "research", "granted": False,
                                 "method": "self", "created_at": when + dt.timedelta(days=30)})
    bulk(ConsentEvent, consents)
    placements, follow_ups = [], []
    per_placement = max(1, n_follow_ups // n_placements)
    offsets = [*OFFSETS, *range(1095, 1095 + 365 * 20, 365)][:per_placement]
    for i in range(1, n_placements + 1):
        start = today - dt.timedelta(days=rng.randint(0, 4 * 365))
        days = (today - start).days
        end, cause = None, None
        if days > 20 and rng.random() < 0.45:
            end = start + dt.timedelta(days=rng.randint(10, days))
            cause = rng.choice(EXIT_CAUSES)
        pay = rng.randint(18, 80) * 100
        placements.append({
            "id": i, "seeker_id": rng.randint(1, n_seekers),
            "position_id": rng.randint(1, n_positions), "agency_id": rng.randint(1, n_agencies),
            "start_date": start, "end_date": end, "exit_cause": cause,
            "monthly_pay_start": pay, "hours_start": 30,
            "income_before": rng.choice((0, 900, 1100)),
        })
        level = rng.randint(1, 4)
        for offset in offsets:
            due = start + dt.timedelta(days=offset)
            row: dict[str, Any] = {
                "placement_id": i, "day_offset": offset, "due_date": due,
                "participation": {}, "job_quality": {}, "extra": {},
                "done_at": None, "employed": None, "monthly_earnings": None,
                "benefits_status": None, "benefits_date": None,
                **{f"who5_{k}": None for k in range(1, 6)},
            }
            if due < today and rng.random() < 0.85:
                working = end is None or due < end
                level = max(0, min(5, level + rng.choice((-1, 0, 1))))
                row.update({
                    "done_at": dt.datetime.combine(due, dt.time(11), dt.UTC),
                    "employed": working,
                    "monthly_earnings": int(pay * rng.uniform(0.7, 1.3)) if working else 0,
                    "participation": {"social_activities": rng.randint(0, 4),
                                      "community_events": rng.random() < 0.4},
                    "benefits_status": rng.choice(("none", "kept", "lost", "restored")),
                    "benefits_date": due if rng.random() < 0.3 else None,
                    **{f"who5_{k}": level for k in range(1, 6)},
                })
            follow_ups.append(row)
    bulk(Placement, placements)
    bulk(FollowUp, follow_ups)
    runs = [{"id": i, "agency_id": rng.randint(1, n_agencies), "status": "done", "pool": {},
             "inputs_snapshot": {}, "stats": {},
             "created_at": dt.datetime.combine(today - dt.timedelta(days=rng.randint(0, 1000)),
                                               dt.time(8), dt.UTC)}
            for i in range(1, 201)]
    bulk(MatchRun, runs)
    n_proposals = n_placements // 5
    bulk(MatchProposal, [
        {"id": i, "run_id": rng.randint(1, 200), "seeker_id": i % n_seekers + 1,
         "position_id": rng.randint(1, n_positions), "score": 70, "components": {},
         "unknowns": [], "explanation": {}, "pinned": False, "status": "confirmed"}
        for i in range(1, n_proposals + 1)
    ])
    bulk(MatchDecision, [
        {"proposal_id": i, "actor_id": 2, "kind": rng.choice(("confirm", "confirm", "reject",
                                                               "swap")),
         "reason_code": rng.choice(("skills", "distance", None))}
        for i in range(1, n_proposals + 1)
    ])
    db.session.commit()
    # The bulk inserts pass the ORM by, so the outcome facts are built as after any bulk load.
    started = time.perf_counter()
    with db.engine.begin() as connection:
        outcome_facts.rebuild(connection)
    print(f"outcome facts rebuilt in {time.perf_counter() - started:.1f} s")
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return {"seekers": n_seekers, "placements": n_placements, "follow_ups": len(follow_ups),
            "consents": len(consents), "proposals": n_proposals}


class StatementCounter:
    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args: Any) -> None:
        self.count += 1


def measure(
    run: Callable[[], Any], counter: StatementCounter, repeat: int
) -> tuple[float, float, int]:
    """Return (best, median) seconds and the statements of one run."""
    run()  # warm-up: templates compiled, caches of the database filled
    times, statements = [], 0
    for _ in range(repeat):
        counter.count = 0
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
        statements = counter.count
        status = getattr(result, "status_code", 200)
        if status != 200:
            raise SystemExit(f"view answered {status}")
    return min(times), statistics.median(times), statements


def naive_retention(filters: indicators.Filters) -> float:
    """Baseline: load every counted placement as an ORM object and compute KM in Python."""
    consented = set(db.session.scalars(indicators.research_consented()))
    rows = []
    for placement in db.session.scalars(select(Placement)):
        if placement.seeker_id not in consented or placement.start_date > filters.today:
            continue
        if filters.start_from and placement.start_date < filters.start_from:
            continue
        ended = placement.end_date is not None and placement.end_date <= filters.today
        end = placement.end_date if ended else filters.today
        rows.append(((end - placement.start_date).days, int(ended), 1))
    steps = indicators.kaplan_meier(rows)
    return indicators.survival_at(steps, 180)[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="SQLAlchemy URL of an EMPTY database")
    parser.add_argument("--placements", type=int, default=100_000)
    parser.add_argument("--follow-ups", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="rongye-bench-")
    url = args.database or f"sqlite:///{workdir}/bench.sqlite3"
    app = create_app({
        "DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
    })
    today = dt.date.today()
    rng = random.Random(args.seed)
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        counts = seed(args.placements, args.follow_ups, today, rng)
        seeded = time.perf_counter() - started
        engine = db.engine
        db.session.remove()
    print(f"database: {engine.dialect.name}; seeded in {seeded:.1f} s: "
          + ", ".join(f"{n:,} {what}" for what, n in counts.items()))
    counter = StatementCounter(engine)
    # Requests run outside any app context, each in its own (as in production): nothing is
    # shared between them, not the signed-in user and not the database session.
    client = app.test_client()
    year_ago = (today - dt.timedelta(days=365)).isoformat()
    two_years = (today - dt.timedelta(days=730)).isoformat()
    cohort = f"start_from={two_years}&start_to={year_ago}"
    views = [
        ("analyst", "/analyst/"),
        ("analyst", f"/analyst/?{cohort}"),
        ("analyst", "/analyst/outcomes"),
        ("analyst", f"/analyst/outcomes?{cohort}"),
        ("analyst", "/analyst/benefits"),
        ("analyst", f"/analyst/benefits?{cohort}"),
        ("analyst", "/analyst/groups"),
        ("analyst", f"/analyst/groups?{cohort}&breakdown=age_band"),
        ("analyst", f"/analyst/compare?{cohort}&compare_from={year_ago}"),
        ("analyst", f"/analyst/export/groups.csv?{cohort}"),
        ("analyst", f"/analyst/export/retention.xlsx?{cohort}"),
        ("analyst", "/analyst/how-we-count"),
        ("worker", "/followups/"),
        ("worker", "/followups/?show=overdue&page=50"),
    ]
    rows = []
    for who in ("analyst", "worker"):
        client.post("/logout")
        response = client.post("/login", data={"identifier": f"{who}@bench",
                                               "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        for role, path in views:
            if role == who:
                best, median, statements = measure(lambda p=path: client.get(p), counter,
                                                   args.repeat)
                rows.append((path, best, median, statements))
    with app.app_context():
        filters = indicators.Filters(today=today, start_from=dt.date.fromisoformat(two_years))
        best, median, statements = measure(lambda: naive_retention(filters), counter, 1)
        rows.append(("baseline: naive Python retention (ORM rows), cohort from "
                     f"{two_years}", best, median, statements))
        db.session.remove()
    width = max(len(r[0]) for r in rows)
    print(f"{'view':<{width}}  {'best s':>7}  {'median s':>8}  {'SQL':>4}")
    for path, best, median, statements in rows:
        print(f"{path:<{width}}  {best:7.3f}  {median:8.3f}  {statements:4d}")
    engine.dispose()

if __name__ == "__main__":
    main()
