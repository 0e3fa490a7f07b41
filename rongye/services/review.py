"""What people decide on proposals: workers confirm, reject, swap, pin, forbid and re-solve;
job-seekers accept, decline or ask for a review; employers record interviews and hires.

Every decision is a MatchDecision row plus an audit row, committed here. Proposals of another
agency, seeker or employer are reported as not found (404). Confirmations lock the position row
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite serialises writers anyway) before counting its
openings, so two workers can never over-fill a position.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from rongye.models import (
    Account,
    MatchDecision,
    MatchProposal,
    MatchRun,
    Organisation,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.models.matching_runs import DECLINE_REASONS, REASON_CODES
from rongye.services import audit
from rongye.services import matching_runs as runs
from rongye.services.consent import current_consents, record_consent
from rongye.services.positions import VISIBLE_PROPOSAL_STATUSES, own_position

log = logging.getLogger(__name__)

#: What a worker may do from each status.
CONFIRMABLE = ("proposed", "review_requested")
REJECTABLE = ("proposed", "confirmed", "review_requested")
#: What a job-seeker sees: nothing the worker has not confirmed.
SEEKER_VISIBLE = ("confirmed", "accepted", "declined", "review_requested", "hired", "not_hired")
SORTS = {
    "score": MatchProposal.score,
    "name": SeekerProfile.display_name,
    "position": Position.title,
    "status": MatchProposal.status,
}


class ReviewError(Exception):
    """A decision that cannot be taken now; `code` names why (shown translated)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- Finding proposals -----------------------------------------------------------------------


def agency_proposal(session: Session, actor: Account, proposal_id: int) -> MatchProposal:
    """Return a proposal of the actor's agency's runs, or raise 404."""
    proposal = session.get(MatchProposal, proposal_id)
    if proposal is None:
        raise NotFound()
    runs.agency_run(session, actor, proposal.run_id)
    return proposal


def proposals_query(
    run_id: int, *, q: str = "", status: str = "", to_check: bool = False,
    sort: str = "score", descending: bool = True,
) -> Select[Any]:
    """Return the select of a run's proposals with seeker and position, searched and sorted."""
    query = (
        select(MatchProposal)
        .join(SeekerProfile, SeekerProfile.id == MatchProposal.seeker_id)
        .join(Position, Position.id == MatchProposal.position_id)
        .join(Organisation, Organisation.id == Position.employer_id)
        .where(MatchProposal.run_id == run_id)
    )
    if q:
        pattern = f"%{q.replace('%', '').replace('_', '')}%"
        query = query.where(or_(SeekerProfile.display_name.ilike(pattern),
                                Position.title.ilike(pattern),
                                Organisation.name.ilike(pattern)))
    if status:
        query = query.where(MatchProposal.status == status)
    if to_check:
        query = query.where(func.json_array_length(MatchProposal.unknowns) > 0)
    column = SORTS.get(sort, MatchProposal.score)
    order = column.desc() if descending else column.asc()
    return query.order_by(order, MatchProposal.id)


def list_details(
    session: Session, proposals: list[MatchProposal]
) -> dict[int, tuple[str, str, str]]:
    """Return proposal id -> (seeker name, position title, employer name) for a page."""
    if not proposals:
        return {}
    rows = session.execute(
        select(MatchProposal.id, SeekerProfile.display_name, Position.title, Organisation.name)
        .join(SeekerProfile, SeekerProfile.id == MatchProposal.seeker_id)
        .join(Position, Position.id == MatchProposal.position_id)
        .join(Organisation, Organisation.id == Position.employer_id)
        .where(MatchProposal.id.in_([p.id for p in proposals]))
    )
    return {pid: (name, title, employer) for pid, name, title, employer in rows}


def status_counts(session: Session, run_id: int) -> dict[str, int]:
    """Return proposal status -> count for a run."""
    rows = session.execute(
        select(MatchProposal.status, func.count())
        .where(MatchProposal.run_id == run_id)
        .group_by(MatchProposal.status)
    )
    return {str(status): int(n) for status, n in rows.tuples()}


def alternatives(session: Session, proposal: MatchProposal) -> list[tuple[Position, int]]:
    """Return the proposal's alternative positions with their scores, best first."""
    listed = (proposal.explanation or {}).get("alternatives", [])
    positions = {
        p.id: p for p in session.scalars(
            select(Position).where(Position.id.in_([a["position_id"] for a in listed]))
        )
    }
    return [(positions[a["position_id"]], a["score"]) for a in listed
            if a["position_id"] in positions]


def _evidence(proposal: MatchProposal, chosen: dict[str, Any] | None,
              other: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "chosen": chosen,
        "other": other,
        "max_points": (proposal.explanation or {}).get("max_points", {}),
    }


def _first_alternative(run: MatchRun, proposal: MatchProposal) -> dict[str, Any] | None:
    listed = (proposal.explanation or {}).get("alternatives", [])
    if not listed or not run.inputs_snapshot:
        return None
    pair = runs.evaluate_pair(run.inputs_snapshot, proposal.seeker_id, listed[0]["position_id"])
    return pair.components if pair is not None else None


def _decide(session: Session, actor: Account, proposal: MatchProposal, kind: str,
            **fields: Any) -> MatchDecision:
    decision = MatchDecision(proposal_id=proposal.id, actor_id=actor.id, kind=kind, **fields)
    session.add(decision)
    detail = {k: v for k, v in fields.items() if k in ("reason_code", "other_position_id",
                                                      "benefits_acknowledged")}
    audit.record(session, actor, f"proposal.{kind}", proposal, status=proposal.status,
                 note=bool(fields.get("note")), **detail)
    return decision


def superseded(session: Session, proposal: MatchProposal, run: MatchRun) -> bool:
    """Return whether a re-solve replaced the proposal (only undecided ones are re-solved).

    A re-solve works around live decisions (confirmed, accepted, review requested): those stay
    in their run and are acted on there.
    """
    return proposal.status == "proposed" and runs.child_run(session, run) is not None


def _open_run(session: Session, proposal: MatchProposal) -> MatchRun:
    run = session.get(MatchRun, proposal.run_id)
    assert run is not None
    if superseded(session, proposal, run):
        raise ReviewError("superseded")
    return run


def review_requests(session: Session, agency_id: int) -> list[tuple[MatchProposal, str, str]]:
    """Return the agency's proposals whose job-seeker asked for a review (name, job title)."""
    rows = session.execute(
        select(MatchProposal, SeekerProfile.display_name, Position.title)
        .join(MatchRun, MatchRun.id == MatchProposal.run_id)
        .join(SeekerProfile, SeekerProfile.id == MatchProposal.seeker_id)
        .join(Position, Position.id == MatchProposal.position_id)
        .where(MatchRun.agency_id == agency_id, MatchProposal.status == "review_requested")
        .order_by(MatchProposal.id)
        .limit(100)
    ).tuples()
    return [(proposal, name, title) for proposal, name, title in rows]


# -- Worker decisions ------------------------------------------------------------------------


def net_gain_of(proposal: MatchProposal) -> int | None:
    """Return the monthly net-income effect of the proposal (None when unknown)."""
    income = (proposal.explanation or {}).get("income") or {}
    value = income.get("net_gain")
    return None if value is None else int(value)


def confirm(
    session: Session, actor: Account, proposal_id: int, *,
    benefits_acknowledged: bool = False, advice: str | None = None,
) -> MatchProposal:
    """Confirm a proposal, unless its position is full or its seeker already placed elsewhere."""
    proposal = agency_proposal(session, actor, proposal_id)
    run = _open_run(session, proposal)
    gain = net_gain_of(proposal)
    if gain is not None and gain < 0 and not (benefits_acknowledged and (advice or "").strip()):
        raise ReviewError("benefits_check")
    # Lock the position row: concurrent confirmations for it queue here until we commit.
    position = session.scalar(
        select(Position).where(Position.id == proposal.position_id).with_for_update()
    )
    session.refresh(proposal)
    if proposal.status not in CONFIRMABLE:
        raise ReviewError("status")
    if position is None or position.status != "open":
        raise ReviewError("position_closed")
    taken = runs.occupied(session, [position.id]).get(position.id, 0)
    if proposal.status != "review_requested" and taken >= position.openings:
        raise ReviewError("position_full")
    if proposal.status == "proposed" and runs.busy_seekers(session, [proposal.seeker_id]):
        raise ReviewError("seeker_taken")
    proposal.status = "confirmed"
    _decide(session, actor, proposal, "confirm",
            components=_evidence(proposal, dict(proposal.components),
                                 _first_alternative(run, proposal)),
            benefits_acknowledged=bool(benefits_acknowledged and gain is not None and gain < 0),
            advice=(advice or "").strip() or None)
    session.commit()
    log.info("%r confirmed by %r", proposal, actor)
    return proposal


def _check_reason(reason_code: str) -> None:
    if reason_code not in REASON_CODES:
        raise ValueError(f"unknown reason code {reason_code!r}")


def reject(session: Session, actor: Account, proposal_id: int, reason_code: str,
           note: str | None = None) -> MatchProposal:
    """Reject a proposal with a coded reason; the best alternative is kept as evidence."""
    _check_reason(reason_code)
    proposal = agency_proposal(session, actor, proposal_id)
    run = _open_run(session, proposal)
    if proposal.status not in REJECTABLE:
        raise ReviewError("status")
    proposal.status = "rejected"
    _decide(session, actor, proposal, "reject", reason_code=reason_code, note=note or None,
            components=_evidence(proposal, _first_alternative(run, proposal),
                                 dict(proposal.components)))
    session.commit()
    log.info("%r rejected by %r (%s)", proposal, actor, reason_code)
    return proposal


def swap(session: Session, actor: Account, proposal_id: int, position_id: int,
         reason_code: str, note: str | None = None) -> MatchProposal:
    """Replace a proposal by one of its alternatives; return the new proposal (to confirm)."""
    _check_reason(reason_code)
    proposal = agency_proposal(session, actor, proposal_id)
    run = _open_run(session, proposal)
    if proposal.status not in ("proposed", "review_requested"):
        raise ReviewError("status")
    listed = {a["position_id"] for a in (proposal.explanation or {}).get("alternatives", [])}
    if position_id not in listed:
        raise ReviewError("not_an_alternative")
    exists = session.scalar(select(MatchProposal.id).where(
        MatchProposal.run_id == run.id, MatchProposal.seeker_id == proposal.seeker_id,
        MatchProposal.position_id == position_id))
    if exists is not None:
        raise ReviewError("already_proposed")
    pair = runs.evaluate_pair(run.inputs_snapshot, proposal.seeker_id, position_id)
    if pair is None:
        raise ReviewError("not_an_alternative")
    others = [a for a in proposal.explanation.get("alternatives", [])
              if a["position_id"] != position_id]
    others.append({"position_id": proposal.position_id, "score": proposal.score})
    others.sort(key=lambda a: (-a["score"], a["position_id"]))
    new = MatchProposal(
        run_id=run.id, seeker_id=proposal.seeker_id, position_id=position_id,
        score=pair.score, components=pair.components, unknowns=pair.unknowns,
        explanation={**pair.explanation, "alternatives": others[:3],
                     "swapped_from": proposal.id},
        pinned=False, status="proposed",
    )
    session.add(new)
    proposal.status = "rejected"
    session.flush()
    _decide(session, actor, proposal, "swap", reason_code=reason_code, note=note or None,
            other_position_id=position_id,
            components=_evidence(proposal, pair.components, dict(proposal.components)))
    session.commit()
    log.info("%r swapped to %r by %r", proposal, new, actor)
    return new


def pin(session: Session, actor: Account, proposal_id: int, pinned: bool) -> MatchProposal:
    """Pin a proposal (kept by the next re-solve) or unpin it."""
    proposal = agency_proposal(session, actor, proposal_id)
    _open_run(session, proposal)
    if proposal.status != "proposed":
        raise ReviewError("status")
    proposal.pinned = pinned
    _decide(session, actor, proposal, "pin" if pinned else "unpin")
    session.commit()
    log.info("%r %s by %r", proposal, "pinned" if pinned else "unpinned", actor)
    return proposal


def forbid(session: Session, actor: Account, proposal_id: int, reason_code: str,
           note: str | None = None) -> MatchProposal:
    """Forbid the pair: the proposal is rejected and a re-solve will never propose it."""
    _check_reason(reason_code)
    proposal = agency_proposal(session, actor, proposal_id)
    run = _open_run(session, proposal)
    if proposal.status != "proposed":
        raise ReviewError("status")
    proposal.status, proposal.pinned = "rejected", False
    _decide(session, actor, proposal, "forbid", reason_code=reason_code, note=note or None,
            components=_evidence(proposal, _first_alternative(run, proposal),
                                 dict(proposal.components)))
    session.commit()
    log.info("%r forbidden by %r", proposal, actor)
    return proposal


def resolve(session: Session, actor: Account, run: MatchRun) -> MatchRun:
    """Queue a re-solve of a finished run: its pins kept, its rejections forbidden.

    Confirmed decisions stay where they are: their seekers are busy and their openings taken,
    so the new run works around them.
    """
    if run.status != "done":
        raise ReviewError("status")
    if runs.child_run(session, run) is not None:
        raise ReviewError("superseded")
    rows = session.execute(
        select(MatchProposal.seeker_id, MatchProposal.position_id, MatchProposal.status,
               MatchProposal.pinned).where(MatchProposal.run_id == run.id)
    ).all()
    pins = [(s, p) for s, p, status, pinned in rows if pinned and status == "proposed"]
    forbids = {tuple(pair) for pair in run.pool.get("forbids", [])}
    forbids |= {(s, p) for s, p, status, _ in rows if status in ("rejected", "declined")}
    return runs.create_run(
        session, actor, runs.PoolFilter(run.pool.get("region"), run.pool.get("work_mode")),
        parent=run, pins=pins, forbids=sorted(forbids),  # type: ignore[arg-type]
    )


def decisions_of(session: Session, proposal: MatchProposal) -> list[tuple[MatchDecision, str]]:
    """Return the proposal's decisions with the actor's name, oldest first."""
    rows = session.execute(
        select(MatchDecision, Account.display_name)
        .outerjoin(Account, Account.id == MatchDecision.actor_id)
        .where(MatchDecision.proposal_id == proposal.id)
        .order_by(MatchDecision.created_at, MatchDecision.id)
    ).all()
    return [(d, name or "") for d, name in rows]


# -- Job-seeker ------------------------------------------------------------------------------


def seeker_proposals(session: Session, profile: SeekerProfile) -> list[MatchProposal]:
    """Return the proposals a social worker has put to the seeker, newest first."""
    return list(session.scalars(
        select(MatchProposal)
        .where(MatchProposal.seeker_id == profile.id, MatchProposal.status.in_(SEEKER_VISIBLE))
        .order_by(MatchProposal.created_at.desc(), MatchProposal.id.desc())
    ))


def own_proposal(session: Session, profile: SeekerProfile, proposal_id: int) -> MatchProposal:
    """Return one of the seeker's visible proposals, or raise 404."""
    proposal = session.get(MatchProposal, proposal_id)
    if (proposal is None or proposal.seeker_id != profile.id
            or proposal.status not in SEEKER_VISIBLE):
        raise NotFound()
    return proposal


def accept(session: Session, account: Account, profile: SeekerProfile, proposal_id: int, *,
           share: bool) -> MatchProposal:
    """Accept a confirmed proposal; `share` grants sharing a summary with that employer."""
    proposal = own_proposal(session, profile, proposal_id)
    if proposal.status != "confirmed":
        raise ReviewError("status")
    position = session.get(Position, proposal.position_id)
    assert position is not None
    if share:
        record_consent(session, account, profile, "share_employer", granted=True,
                       employer_id=position.employer_id)
    proposal.status = "accepted"
    _decide(session, account, proposal, "seeker_accept", note="shared" if share else None)
    session.commit()
    log.info("%r accepted by %r", proposal, account)
    return proposal


def decline(session: Session, account: Account, profile: SeekerProfile, proposal_id: int,
            reason_code: str | None, note: str | None) -> MatchProposal:
    """Decline a confirmed proposal, with an optional reason."""
    if reason_code and reason_code not in DECLINE_REASONS:
        raise ValueError(f"unknown decline reason {reason_code!r}")
    proposal = own_proposal(session, profile, proposal_id)
    if proposal.status not in ("confirmed", "review_requested"):
        raise ReviewError("status")
    proposal.status = "declined"
    _decide(session, account, proposal, "seeker_decline", reason_code=reason_code or None,
            note=note or None)
    session.commit()
    log.info("%r declined by %r", proposal, account)
    return proposal


def ask_review(session: Session, account: Account, profile: SeekerProfile, proposal_id: int,
               message: str) -> MatchProposal:
    """Ask a social worker to look at the proposal again, with a message."""
    proposal = own_proposal(session, profile, proposal_id)
    if proposal.status != "confirmed":
        raise ReviewError("status")
    proposal.status = "review_requested"
    _decide(session, account, proposal, "seeker_review", note=message)
    session.commit()
    log.info("%r: review requested by %r", proposal, account)
    return proposal


@dataclass(frozen=True, slots=True)
class NotMatched:
    """Why the seeker has no proposal: a code for the plain-language text."""

    code: str  # no_consent, no_agency, working, not_in_run, awaiting_review, or an engine code
    run_date: dt.datetime | None = None


def why_not_matched(session: Session, profile: SeekerProfile) -> NotMatched:
    """Return why the seeker has no proposal now, from consent and the latest run."""
    if current_consents(session, profile.id).get("matching") is not True:
        return NotMatched("no_consent")
    if profile.agency_id is None:
        return NotMatched("no_agency")
    if session.scalar(select(Placement.id).where(Placement.seeker_id == profile.id,
                                                 Placement.end_date.is_(None)).limit(1)):
        return NotMatched("working")
    latest = session.scalars(
        select(MatchRun).where(MatchRun.agency_id == profile.agency_id,
                               MatchRun.status == "done")
        .order_by(MatchRun.id.desc()).limit(20)
    )
    for run in latest:
        code = (run.stats or {}).get("unassigned", {}).get(str(profile.id))
        if code:
            return NotMatched(code, run.finished_at)
        if any(s.get("id") == runs.seeker_key(profile.id)
               for s in (run.inputs_snapshot or {}).get("seekers", [])):
            return NotMatched("awaiting_review", run.finished_at)
    return NotMatched("not_in_run")


# -- Employer --------------------------------------------------------------------------------


def employer_proposal(session: Session, actor: Account, position_id: int,
                      proposal_id: int) -> tuple[Position, MatchProposal]:
    """Return the actor's position and a proposal for it the employer may see, or raise 404."""
    position = own_position(session, actor, position_id)
    proposal = session.get(MatchProposal, proposal_id)
    if (proposal is None or proposal.position_id != position.id
            or proposal.status not in VISIBLE_PROPOSAL_STATUSES):
        raise NotFound()
    return position, proposal


def record_interview(session: Session, actor: Account, position_id: int, proposal_id: int,
                     day: dt.date, note: str | None) -> MatchProposal:
    """Record that the employer interviewed the seeker (the proposal stays accepted)."""
    _, proposal = employer_proposal(session, actor, position_id, proposal_id)
    if proposal.status != "accepted":
        raise ReviewError("status")
    _decide(session, actor, proposal, "employer_interview",
            note=f"{day.isoformat()} {note or ''}".strip())
    session.commit()
    log.info("%r: interview recorded by %r", proposal, actor)
    return proposal


def schedule_follow_ups(session: Session, placement: Placement, today: dt.date) -> int:
    """Create the placement's follow-ups due now (rongye.services.followups does the rest)."""
    from rongye.services import followups

    return followups.schedule(session, [placement], today)


def record_outcome(
    session: Session, actor: Account, position_id: int, proposal_id: int, *, hired: bool,
    start_date: dt.date | None = None, monthly_pay: int | None = None,
    hours: int | None = None, note: str | None = None, today: dt.date | None = None,
) -> Placement | None:
    """Record the hiring outcome; a hire creates the placement and schedules its follow-ups."""
    position, proposal = employer_proposal(session, actor, position_id, proposal_id)
    if proposal.status != "accepted":
        raise ReviewError("status")
    placement = None
    if hired:
        if start_date is None:
            raise ValueError("a hire needs a start date")
        seeker = session.get(SeekerProfile, proposal.seeker_id)
        assert seeker is not None
        known = [v for v in (seeker.dibao_monthly, seeker.disability_allowance_monthly)
                 if v is not None]
        placement = Placement(
            seeker_id=seeker.id, position_id=position.id, employer_id=position.employer_id,
            proposal_id=proposal.id, agency_id=seeker.agency_id, start_date=start_date,
            monthly_pay_start=position.monthly_pay if monthly_pay is None else monthly_pay,
            hours_start=position.hours_per_week if hours is None else hours,
            income_before=sum(known) if known else None, created_by_id=actor.id,
        )
        session.add(placement)
        session.flush()
        scheduled = schedule_follow_ups(session, placement, today or dt.date.today())
        audit.record(session, actor, "placement.create", placement, proposal_id=proposal.id,
                     follow_ups=scheduled)
    proposal.status = "hired" if hired else "not_hired"
    _decide(session, actor, proposal, "employer_hire" if hired else "employer_decline",
            note=note or None)
    session.commit()
    log.info("%r %s by %r", proposal, proposal.status, actor)
    return placement


def interviews_of(session: Session, proposal: MatchProposal) -> list[MatchDecision]:
    """Return the interviews recorded on a proposal, oldest first."""
    return list(session.scalars(
        select(MatchDecision).where(and_(MatchDecision.proposal_id == proposal.id,
                                         MatchDecision.kind == "employer_interview"))
        .order_by(MatchDecision.id)
    ))
