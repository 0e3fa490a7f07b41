"""Benchmark a social worker's match run over the demo data, from click to reviewable proposals.

    python bench/review.py [--database URL] [--repeat 3]

Loads the demo data into an EMPTY database (a temporary SQLite file by default; give a
PostgreSQL URL of a database of its own to measure there), signs in as the demo social worker
through the real log-in form, and then, --repeat times, does what the worker does in the browser:
POST the "run matching" form, poll the run's status.json (as the page's script does, every
50 ms) until the in-process worker thread has finished, and load the proposals list. It prints
per repeat the seconds from the click to the proposals page, the job's own share (collect,
solve, save), the pool
and the proposals. Baseline in the same run: the same pool solved in-process with no web, no
job and no writes (build the instance from the database, then `matching.solve`), so the figures
show what the web path adds. The figures depend on the demo data (a few hundred people): they
say how the page feels to a worker, not how the engine scales (bench/matching.py does that).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORKER, PASSWORD = "worker@demo.rongye", "rongye-demo"
CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
POLL_SECONDS = 0.05


class Timing(NamedTuple):
    click_to_proposals: float
    job: float  # the job's own collect + solve + save seconds
    seekers: int
    positions: int
    proposals: int


def run(repeat: int = 3, database_url: str | None = None,
        out: Callable[[str], Any] = print) -> tuple[list[Timing], list[float]]:
    """Measure `repeat` runs and as many in-process baselines; report through `out`."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return _run(repeat, url, out)


def _token(client: Any, path: str) -> str:
    match = CSRF_INPUT.search(client.get(path).get_data(as_text=True))
    if match is None:
        raise RuntimeError(f"no CSRF token on {path}")
    return match.group(1)


def _run(repeat: int, url: str, out: Callable[[str], Any]) -> tuple[list[Timing], list[float]]:
    from flask_migrate import upgrade

    from app import create_app
    from matching import parse_instance, solve
    from rongye.extensions import db
    from rongye.models import Account, MatchRun
    from rongye.services.matching_runs import PoolFilter, build_instance_data

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "REDIS_URL": ""})
    timings: list[Timing] = []
    baselines: list[float] = []
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo"])
        if result.exit_code != 0:
            raise RuntimeError(f"the demo data could not be loaded: {result.output}")
        agency_id = db.session.scalar(
            db.select(Account.organisation_id).where(Account.email == WORKER))
        db.session.remove()
    out(f"demo data on {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}; "
        f"worker {WORKER}, agency {agency_id}")

    client = app.test_client()
    client.post("/login", data={"identifier": WORKER, "password": PASSWORD,
                                "csrf_token": _token(client, "/login")})
    for _ in range(repeat):
        token = _token(client, "/worker/runs/")
        start = time.perf_counter()
        response = client.post("/worker/runs/new",
                               data={"csrf_token": token, "region": "", "work_mode": ""})
        if response.status_code != 303:
            raise RuntimeError(f"the run form answered {response.status_code}")
        run_url = response.headers["Location"]
        while not client.get(f"{run_url}/status.json").get_json()["finished"]:
            time.sleep(POLL_SECONDS)
        page = client.get(f"{run_url}/proposals")
        elapsed = time.perf_counter() - start
        if page.status_code != 200:
            raise RuntimeError(f"the proposals page answered {page.status_code}")
        run_id = int(run_url.rstrip("/").rsplit("/", 1)[1])
        with app.app_context():
            found = db.session.get(MatchRun, run_id)
            if found is None or found.status != "done":
                raise RuntimeError(f"run {run_id} did not finish: {found and found.status}")
            stats = found.stats or {}
            timings.append(Timing(
                elapsed, float(sum((stats.get("timings") or {}).values())),
                int(stats.get("seekers", 0)), int(stats.get("positions", 0)),
                int(stats.get("proposals", 0)),
            ))
            db.session.remove()

        with app.app_context():
            start = time.perf_counter()
            data, _ = build_instance_data(db.session, agency_id, PoolFilter())
            solve(parse_instance(data))
            baselines.append(time.perf_counter() - start)
            db.session.remove()
    report(timings, baselines, out)
    with app.app_context():
        db.engine.dispose()
    return timings, baselines


def report(timings: list[Timing], baselines: list[float], out: Callable[[str], Any]) -> None:
    out(f"{'repeat':>6}{'click→proposals s':>19}{'job s':>10}{'seekers':>9}{'positions':>11}"
        f"{'proposals':>11}{'baseline s':>12}")
    for i, (timing, base) in enumerate(zip(timings, baselines, strict=True), 1):
        out(f"{i:>6}{timing.click_to_proposals:>19.3f}{timing.job:>10.3f}"
            f"{timing.seekers:>9}{timing.positions:>11}{timing.proposals:>11}{base:>12.3f}")
    best = min(t.click_to_proposals for t in timings)
    median = statistics.median(t.click_to_proposals for t in timings)
    base = min(baselines)
    out(f"click → reviewable proposals: best {best:.3f} s, median {median:.3f} s; baseline "
        f"(same pool solved in-process, no web, job or writes) {base:.3f} s, so the web path "
        f"takes {best / base:.1f}× the bare solve (polling every {POLL_SECONDS * 1000:.0f} ms).")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database of its own")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(args.repeat, args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
