"""Match runs: build a `matching` instance from the database, solve it, store the proposals.

The only bridge between ORM rows and the pure engine (DESIGN section 3). A run is created
"queued" by a social worker, then executed by a job (rongye.services.jobs): it collects its pool
into an inputs snapshot (the JSON instance, so the run can be replayed with `replay`), solves it
and writes every proposal in ONE transaction with the run's final status. A run interrupted
half-way (crash, error, killed worker) therefore leaves no proposals, only a "failed" (or stale
"running") run that `retry_run` puts back in the queue.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.exceptions import NotFound

from matching import (
    DEFAULT_MIN_SCORE,
    DEFAULT_WEIGHTS,
    Instance,
    Solution,
    evaluate,
    max_points,
    parse_instance,
    solve,
)
from matching.catalogue import DOMAINS
from matching.phrases import build_phrase_table, normalise
from matching.rules import net_gain
from rongye.models import (
    Accommodation,
    Account,
    ConsentEvent,
    MatchProposal,
    MatchRun,
    Organisation,
    Placement,
    Position,
    SeekerProfile,
    WeightsVersion,
)
from rongye.services import audit

log = logging.getLogger(__name__)

#: Recorded on every run with the weights version, so that a run can be replayed and compared.
ENGINE_VERSION = "rongye-matching/1"
#: Proposal statuses that hold one of a position's openings (and keep the seeker busy).
OCCUPYING = ("confirmed", "accepted", "review_requested", "hired")
#: A run queued or running longer than this is presumed lost (its worker died): it may be retried.
STALE_AFTER = dt.timedelta(minutes=15)
#: Proposals are written in chunks of this size, all in the one final transaction.
CHUNK = 1000


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def seeker_key(seeker_id: int) -> str:
    return f"s{seeker_id}"


def position_key(position_id: int) -> str:
    return f"p{position_id}"


def key_id(key: str) -> int:
    return int(key[1:])


# -- Weights ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Weights:
    version: int  # 0: the engine's defaults
    weights: dict[str, float]
    min_score: int


def current_weights(session: Session, organisation_id: int) -> Weights:
    """Return the organisation's approved weights in force (the engine's defaults if none)."""
    row = session.scalar(
        select(WeightsVersion)
        .where(WeightsVersion.organisation_id == organisation_id,
               WeightsVersion.status == "approved")
        .order_by(WeightsVersion.version.desc())
        .limit(1)
    )
    if row is None:
        return Weights(0, dict(DEFAULT_WEIGHTS), DEFAULT_MIN_SCORE)
    return Weights(row.version, {k: float(v) for k, v in row.weights.items()}, row.min_score)


# -- The pool --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoolFilter:
    region: str | None = None
    work_mode: str | None = None


def matching_consented(session: Session, agency_id: int) -> set[int]:
    """Return the agency's seekers whose latest general "matching" consent is a grant.

    The bulk form of `rongye.services.consent.current_consents(...)["matching"] is True`.
    """
    rows = session.execute(
        select(ConsentEvent.seeker_id, ConsentEvent.granted)
        .join(SeekerProfile, SeekerProfile.id == ConsentEvent.seeker_id)
        .where(SeekerProfile.agency_id == agency_id, ConsentEvent.purpose == "matching",
               ConsentEvent.employer_id.is_(None))
        .order_by(ConsentEvent.created_at, ConsentEvent.id)
    )
    state: dict[int, bool] = {}
    for seeker_id, granted in rows:
        state[seeker_id] = granted
    return {seeker_id for seeker_id, granted in state.items() if granted}


def busy_seekers(session: Session, seeker_ids: Iterable[int] | None = None) -> set[int]:
    """Return seekers with a live proposal (confirmed and onwards) or a current placement."""
    proposals = select(MatchProposal.seeker_id).where(MatchProposal.status.in_(OCCUPYING))
    placements = select(Placement.seeker_id).where(Placement.end_date.is_(None))
    if seeker_ids is not None:
        ids = list(seeker_ids)
        proposals = proposals.where(MatchProposal.seeker_id.in_(ids))
        placements = placements.where(Placement.seeker_id.in_(ids))
    return set(session.scalars(proposals)) | set(session.scalars(placements))


def occupied(session: Session, position_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Return position id -> openings taken by live proposals and other current placements."""
    proposals = (
        select(MatchProposal.position_id, func.count())
        .where(MatchProposal.status.in_(OCCUPYING))
        .group_by(MatchProposal.position_id)
    )
    placements = (
        select(Placement.position_id, func.count())
        .where(Placement.end_date.is_(None), Placement.proposal_id.is_(None),
               Placement.position_id.is_not(None))
        .group_by(Placement.position_id)
    )
    if position_ids is not None:
        ids = list(position_ids)
        proposals = proposals.where(MatchProposal.position_id.in_(ids))
        placements = placements.where(Placement.position_id.in_(ids))
    taken: dict[int, int] = {}
    for query in (proposals, placements):
        for position_id, n in session.execute(query):
            taken[position_id] = taken.get(position_id, 0) + n
    return taken


def pool_seekers(session: Session, agency_id: int, pool: PoolFilter) -> list[SeekerProfile]:
    """Return the caseload seekers to match: consented to matching, not busy, within filters."""
    consented = matching_consented(session, agency_id)
    if not consented:
        return []
    query = (
        select(SeekerProfile)
        .where(SeekerProfile.agency_id == agency_id, SeekerProfile.erased_at.is_(None),
               SeekerProfile.id.in_(consented))
        .options(selectinload(SeekerProfile.accommodations))
        .order_by(SeekerProfile.id)
    )
    if pool.region:
        query = query.where(SeekerProfile.region == pool.region)
    seekers = list(session.scalars(query))
    busy = busy_seekers(session, [s.id for s in seekers])
    return [
        s for s in seekers
        if s.id not in busy
        and (not pool.work_mode or not s.work_modes or pool.work_mode in s.work_modes)
    ]


def pool_positions(session: Session, pool: PoolFilter) -> list[tuple[Position, int]]:
    """Return the open positions within the filters, each with its openings left (> 0)."""
    query = (
        select(Position)
        .where(Position.status == "open")
        .options(selectinload(Position.accommodations))
        .order_by(Position.id)
    )
    if pool.region:
        query = query.where((Position.region == pool.region) | (Position.work_mode == "remote"))
    if pool.work_mode:
        query = query.where(Position.work_mode == pool.work_mode)
    positions = list(session.scalars(query))
    taken = occupied(session, [p.id for p in positions])
    out = [(p, p.openings - taken.get(p.id, 0)) for p in positions]
    return [(p, left) for p, left in out if left > 0]


def monthly_benefits(seeker: SeekerProfile) -> int:
    """Return the monthly benefits a job puts at risk (dibao and disability allowances)."""
    return (seeker.dibao_monthly or 0) + (seeker.disability_allowance_monthly or 0)


def _seeker_data(seeker: SeekerProfile) -> dict[str, Any]:
    # Only what the engine scores on: never gender, age, certificate or household.
    data: dict[str, Any] = {
        "id": seeker_key(seeker.id),
        "skills": list(seeker.skills or []),
        "interests": list(seeker.interests or []),
        "functioning": {d: level for d, level in seeker.functioning.items() if level is not None},
        "needs": sorted(a.code for a in seeker.accommodations),
        "monthly_benefits": monthly_benefits(seeker),
    }
    if seeker.work_modes:
        data["work_modes"] = list(seeker.work_modes)
    for name in ("region", "hours_min", "hours_max"):
        if getattr(seeker, name) is not None:
            data[name] = getattr(seeker, name)
    return data


def _position_data(position: Position, openings: int) -> dict[str, Any]:
    return {
        "id": position_key(position.id),
        "title": position.title,
        "openings": openings,
        "skills": list(position.skills or []),
        "demands": {d: level for d, level in position.demands.items() if level},
        "offers": sorted(a.code for a in position.accommodations),
        "work_mode": position.work_mode,
        "region": position.region,
        "hours": position.hours_per_week,
        "monthly_pay": position.monthly_pay,
        "social_insurance": position.social_insurance,
        "automation_risk": position.automation_exposure,
    }


def build_instance_data(
    session: Session,
    agency_id: int,
    pool: PoolFilter,
    *,
    pins: Iterable[tuple[int, int]] = (),
    forbids: Iterable[tuple[int, int]] = (),
) -> tuple[dict[str, Any], Weights]:
    """Return the JSON instance of the agency's pool (the run's inputs snapshot) and weights."""
    weights = current_weights(session, agency_id)
    seekers = pool_seekers(session, agency_id, pool)
    positions = pool_positions(session, pool)
    seeker_ids = {s.id for s in seekers}
    left = {p.id: n for p, n in positions}
    # Pins and forbids that still make sense: both sides in the pool, a pin within the openings.
    kept_pins: list[list[str]] = []
    pinned_seekers: set[int] = set()
    pinned_per_position: dict[int, int] = {}
    for seeker_id, position_id in pins:
        if seeker_id not in seeker_ids or position_id not in left or seeker_id in pinned_seekers:
            continue
        if pinned_per_position.get(position_id, 0) >= left[position_id]:
            continue
        pinned_seekers.add(seeker_id)
        pinned_per_position[position_id] = pinned_per_position.get(position_id, 0) + 1
        kept_pins.append([seeker_key(seeker_id), position_key(position_id)])
    pinned = {tuple(pair) for pair in kept_pins}
    kept_forbids = sorted({
        (seeker_key(s), position_key(p)) for s, p in forbids
        if s in seeker_ids and p in left and (seeker_key(s), position_key(p)) not in pinned
    })
    codes = {a.code for s in seekers for a in s.accommodations} | {
        a.code for p, _ in positions for a in p.accommodations
    }
    catalogue = session.scalars(select(Accommodation).where(Accommodation.code.in_(codes)))
    data: dict[str, Any] = {
        "seekers": [_seeker_data(s) for s in seekers],
        "positions": [_position_data(p, n) for p, n in positions],
        "accommodations": {
            a.code: {d: int(v) for d, v in (a.mitigates or {}).items() if d in DOMAINS}
            for a in catalogue
        },
        "weights": weights.weights,
        "min_score": weights.min_score,
        "pins": kept_pins,
        "forbids": [list(pair) for pair in kept_forbids],
    }
    # The agency's local benefit rules (rongye.services.organisations); none: the defaults.
    agency = session.get(Organisation, agency_id)
    if agency is not None and agency.benefit_rules:
        data["benefit_rules"] = dict(agency.benefit_rules)
    return data, weights


# -- Runs ------------------------------------------------------------------------------------


def create_run(
    session: Session,
    actor: Account,
    pool: PoolFilter,
    *,
    parent: MatchRun | None = None,
    pins: Iterable[tuple[int, int]] = (),
    forbids: Iterable[tuple[int, int]] = (),
) -> MatchRun:
    """Queue a run over the actor's agency pool (the caller enqueues the job); audit, commit."""
    if actor.role != "social_worker" or actor.organisation_id is None:
        raise NotFound()
    run = MatchRun(
        agency_id=actor.organisation_id,
        created_by_id=actor.id,
        parent_id=parent.id if parent is not None else None,
        status="queued",
        pool={
            "region": pool.region,
            "work_mode": pool.work_mode,
            "pins": [list(p) for p in pins],
            "forbids": [list(p) for p in forbids],
        },
        inputs_snapshot={},
        stats={"stage": "queued"},
    )
    session.add(run)
    session.flush()
    audit.record(session, actor, "match_run.create", run, pool=run.pool,
                 parent_id=run.parent_id)
    session.commit()
    log.info("%r created by %r", run, actor)
    return run


def agency_run(session: Session, actor: Account, run_id: int) -> MatchRun:
    """Return a run of the actor's agency, or raise 404 (another agency's runs do not exist)."""
    run = session.get(MatchRun, run_id)
    if (
        run is None
        or actor.role != "social_worker"
        or actor.organisation_id is None
        or run.agency_id != actor.organisation_id
    ):
        raise NotFound()
    return run


def runs_query(agency_id: int) -> Any:
    """Return the select of the agency's runs, newest first."""
    return select(MatchRun).where(MatchRun.agency_id == agency_id).order_by(MatchRun.id.desc())


def child_run(session: Session, run: MatchRun) -> MatchRun | None:
    """Return the latest re-solve of `run` that did not fail, if any."""
    return session.scalar(
        select(MatchRun)
        .where(MatchRun.parent_id == run.id, MatchRun.status != "failed")
        .order_by(MatchRun.id.desc())
        .limit(1)
    )


def is_stale(run: MatchRun, now: dt.datetime | None = None) -> bool:
    """Return whether a queued or running run has waited so long that its job must be lost."""
    if run.status not in ("queued", "running"):
        return False
    since = run.started_at or run.created_at
    if since is None:
        return False
    if since.tzinfo is None:  # SQLite returns naive UTC
        since = since.replace(tzinfo=dt.UTC)
    return (now or utcnow()) - since > STALE_AFTER


def retry_run(session: Session, actor: Account, run: MatchRun) -> MatchRun:
    """Put a failed (or stale) run back in the queue; its half-done work was never stored."""
    if run.status != "failed" and not is_stale(run):
        raise ValueError(f"{run!r} cannot be retried")
    session.execute(delete(MatchProposal).where(MatchProposal.run_id == run.id))
    run.status, run.error, run.started_at, run.finished_at = "queued", None, None, None
    run.stats = {"stage": "queued", "retries": int((run.stats or {}).get("retries", 0)) + 1}
    audit.record(session, actor, "match_run.retry", run)
    session.commit()
    log.info("%r retried by %r", run, actor)
    return run


def _commit_stage(session: Session, run: MatchRun, stage: str, **extra: Any) -> None:
    run.stats = {**(run.stats or {}), "stage": stage, **extra}
    session.commit()


def execute_run(session: Session, run_id: int) -> str:
    """Run a queued run to the end and return its final status ("done" or "failed").

    Idempotent: a run already done or failed is left as it is.
    """
    run = session.get(MatchRun, run_id)
    if run is None or run.status not in ("queued", "running"):
        return run.status if run is not None else "missing"
    run.status, run.started_at, run.error = "running", utcnow(), None
    _commit_stage(session, run, "collecting")
    timings: dict[str, float] = {}
    try:
        start = time.perf_counter()
        if not run.inputs_snapshot:
            pool = PoolFilter(run.pool.get("region"), run.pool.get("work_mode"))
            data, weights = build_instance_data(
                session, run.agency_id, pool,
                pins=[tuple(p) for p in run.pool.get("pins", [])],
                forbids=[tuple(p) for p in run.pool.get("forbids", [])],
            )
            run.inputs_snapshot, run.weights_version = data, weights.version
        run.engine_version = ENGINE_VERSION
        timings["collect"] = time.perf_counter() - start
        _commit_stage(session, run, "solving", seekers=len(run.inputs_snapshot["seekers"]),
                      positions=len(run.inputs_snapshot["positions"]))
        start = time.perf_counter()
        instance = parse_instance(run.inputs_snapshot)
        solution = solve(instance)
        timings["solve"] = time.perf_counter() - start
        _commit_stage(session, run, "saving")
        start = time.perf_counter()
        rows = proposal_rows(run.id, instance, solution)
        # From here to the commit is one transaction: all proposals and "done", or nothing.
        session.execute(delete(MatchProposal).where(MatchProposal.run_id == run.id))
        for first in range(0, len(rows), CHUNK):
            session.execute(insert(MatchProposal), rows[first:first + CHUNK])
            saving_progress(run, first + CHUNK, len(rows))
        timings["save"] = time.perf_counter() - start
        run.status, run.objective, run.finished_at = "done", solution.objective, utcnow()
        run.stats = {
            **_solution_stats(solution),
            "stage": "done",
            "proposals": len(rows),
            "unassigned": {str(key_id(u.seeker)): u.code for u in solution.unassigned},
            "timings": {k: round(v, 3) for k, v in timings.items()},
            "retries": int((run.stats or {}).get("retries", 0)),
        }
        audit.record(session, None, "match_run.done", run, proposals=len(rows),
                     objective=solution.objective)
        session.commit()
        log.info("%r done: %d proposals in %.2f s", run, len(rows), sum(timings.values()))
    except Exception as error:
        session.rollback()
        log.exception("match run %s failed", run_id)
        run = session.get(MatchRun, run_id)
        if run is None:
            return "missing"
        run.status, run.finished_at = "failed", utcnow()
        run.error = f"{type(error).__name__}: {error}"[:2000]
        run.stats = {**(run.stats or {}), "stage": "failed"}
        audit.record(session, None, "match_run.failed", run, error=run.error[:200])
        session.commit()
    return run.status


def saving_progress(run: MatchRun, written: int, total: int) -> None:
    """Called between chunks of proposals (a seam for tests that interrupt a run half-way)."""
    log.debug("%r: %d of %d proposals written", run, min(written, total), total)


def _solution_stats(solution: Solution) -> dict[str, Any]:
    s = solution.stats
    return {
        "status": solution.status,
        "message": solution.message,
        "seekers": s.seekers,
        "positions": s.positions,
        "openings": s.openings,
        "candidates": s.candidates,
        "arcs": s.arcs,
        "solver": s.solver,
        "pruned": s.pruned,
        "pruning_bound": s.pruning_bound,
    }


def replay(run: MatchRun) -> Solution:
    """Solve the run's inputs snapshot again (same engine and weights give the same answer)."""
    return solve(parse_instance(run.inputs_snapshot))


# -- Explanations ----------------------------------------------------------------------------


def involved_accommodations(instance: Instance, seeker_key_: str, position_key_: str) -> list[str]:
    """Return the offered accommodations that matter for the pair: needed, or easing a demand."""
    seeker = next(s for s in instance.seekers if s.id == seeker_key_)
    position = next(p for p in instance.positions if p.id == position_key_)
    return _involved(instance, seeker, position)


def _involved(instance: Instance, seeker: Any, position: Any) -> list[str]:
    codes = set(seeker.needs)
    for code in position.offers:
        for domain, levels in instance.accommodations.get(code, {}).items():
            if levels and position.demands.get(domain, 0) and seeker.functioning.get(domain):
                codes.add(code)
    return sorted(codes & set(position.offers))


def _income(instance: Instance, seeker: Any, position: Any) -> dict[str, Any]:
    gain = net_gain(instance.benefit_rules, seeker, position)
    pay = position.monthly_pay
    return {
        "monthly_pay": None if pay is None else round(pay),
        "benefits": round(seeker.monthly_benefits),
        "benefits_lost": None if gain is None or pay is None else round(pay - gain),
        "net_gain": None if gain is None else round(gain),
    }


def explanation(
    instance: Instance, seeker: Any, position: Any, near_limits: Iterable[str],
    violations: Iterable[str], alternatives: Iterable[tuple[str, int]],
) -> dict[str, Any]:
    """Return what a proposal page explains beyond its components and unknowns."""
    return {
        "near_limits": list(near_limits),
        "violations": list(violations),
        "alternatives": [{"position_id": key_id(p), "score": s} for p, s in alternatives],
        "accommodations": _involved(instance, seeker, position),
        "income": _income(instance, seeker, position),
        "max_points": max_points(instance.weights),
    }


def proposal_rows(run_id: int, instance: Instance, solution: Solution) -> list[dict[str, Any]]:
    """Return the insert rows of a solution's assignments."""
    seekers = {s.id: s for s in instance.seekers}
    positions = {p.id: p for p in instance.positions}
    rows = []
    for a in solution.assignments:
        seeker, position = seekers[a.seeker], positions[a.position]
        rows.append({
            "run_id": run_id,
            "seeker_id": key_id(a.seeker),
            "position_id": key_id(a.position),
            "score": a.score,
            "components": dict(a.components),
            "unknowns": list(a.unknowns),
            "explanation": explanation(
                instance, seeker, position, a.near_limits, a.violations,
                [(alt.position, alt.score) for alt in a.alternatives],
            ),
            "pinned": a.pinned,
            "status": "proposed",
        })
    return rows


@dataclass(frozen=True, slots=True)
class PairEvaluation:
    score: int
    components: dict[str, int]
    unknowns: list[str]
    explanation: dict[str, Any]


def evaluate_pair(
    snapshot: Mapping[str, Any], seeker_id: int, position_id: int
) -> PairEvaluation | None:
    """Explain one pair of a run's snapshot (None if either side is not in it)."""
    instance = parse_instance(dict(snapshot))
    seeker = next((s for s in instance.seekers if s.id == seeker_key(seeker_id)), None)
    position = next((p for p in instance.positions if p.id == position_key(position_id)), None)
    if seeker is None or position is None:
        return None
    table = build_phrase_table(
        [normalise(p) for p in (*seeker.skills, *seeker.interests) if normalise(p)],
        [normalise(p) for p in (*position.skills, position.title) if normalise(p)],
    )
    report = evaluate(instance, table, seeker, position)
    return PairEvaluation(
        score=report.score,
        components=dict(report.components),
        unknowns=list(report.unknowns),
        explanation=explanation(instance, seeker, position, report.near_limits,
                                report.violations, []),
    )
