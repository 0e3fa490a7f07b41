"""Fusion feedback: weights learned from workers' decisions, and override monitoring.

**How new weights are proposed** (simple enough to explain to an organisation's admin):

1. Evidence. Every confirmation, rejection, forbid and swap stored the score components of two
   options: the one the worker preferred ("chosen") and the other. A confirmation prefers the
   proposal to the seeker's best alternative; a rejection or forbid prefers the best alternative
   to the proposal; a swap prefers the alternative picked to the proposal. Decisions without a
   second option are left out.
2. Each component's points are turned into a fraction of its maximum (0..1), so that
   components of different sizes compare. For every component c, the *preference direction*
   d_c is the average over decisions of (chosen fraction − other fraction): positive when
   workers keep choosing options that are better on c, negative when they choose options that
   are worse on c.
3. Candidate weights w_c × (1 + s × d_c / max|d|), for steps s = 0.1, 0.2, ..., 0.5 (never
   below 1), rescaled to sum 100 and rounded. The step that agrees with the most decisions
   wins; a decision agrees when the weights score the chosen option strictly above the other.
4. The proposal is shown with the change per component and the agreement before and after; it
   applies only when an organisation admin approves it, as a new weights version.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from matching import COMPONENTS, DEFAULT_WEIGHTS
from rongye.models import (
    Account,
    MatchDecision,
    MatchProposal,
    MatchRun,
    SeekerProfile,
    WeightsVersion,
)
from rongye.services import audit
from rongye.services.matching_runs import Weights, current_weights

log = logging.getLogger(__name__)

EVIDENCE_KINDS = ("confirm", "reject", "forbid", "swap")
STEPS = (0.1, 0.2, 0.3, 0.4, 0.5)
#: Fewer decisions than this give no proposal: too little evidence.
MIN_DECISIONS = 10
#: Override shares at or below / at or above these are flagged (with at least MIN_DECISIONS).
RUBBER_STAMP_AT = 0.02
HIGH_AT = 0.5
#: Groups of fewer decisions are not shown to analysts (they could identify people).
SUPPRESS_BELOW = 10


@dataclass(frozen=True, slots=True)
class Pair:
    chosen: dict[str, float]
    other: dict[str, float]


def _fractions(points: dict[str, Any], top: dict[str, Any]) -> dict[str, float]:
    return {c: (float(points.get(c, 0)) / float(top[c])) if top.get(c) else 0.0
            for c in COMPONENTS}


def evidence(session: Session, organisation_id: int) -> list[Pair]:
    """Return the organisation's decisions that compare two options, as component fractions."""
    rows = session.scalars(
        select(MatchDecision.components)
        .join(MatchProposal, MatchProposal.id == MatchDecision.proposal_id)
        .join(MatchRun, MatchRun.id == MatchProposal.run_id)
        .where(MatchRun.agency_id == organisation_id, MatchDecision.kind.in_(EVIDENCE_KINDS))
        .order_by(MatchDecision.id)
    )
    pairs = []
    for data in rows:
        if not data or not data.get("chosen") or not data.get("other"):
            continue
        top = data.get("max_points") or {}
        pairs.append(Pair(_fractions(data["chosen"], top), _fractions(data["other"], top)))
    return pairs


def agreement(weights: dict[str, float], pairs: list[Pair]) -> float | None:
    """Return the share of decisions the weights agree with (chosen scores strictly higher)."""
    if not pairs:
        return None
    agreed = sum(
        sum(weights[c] * (p.chosen[c] - p.other[c]) for c in COMPONENTS) > 1e-9 for p in pairs
    )
    return agreed / len(pairs)


def _normalise(raw: dict[str, float]) -> dict[str, float]:
    total = sum(raw.values()) or 1.0
    rounded = {c: max(1, round(100 * raw[c] / total)) for c in COMPONENTS}
    # Keep the sum at exactly 100: the largest weight absorbs the rounding.
    biggest = max(rounded, key=lambda c: (rounded[c], c))
    rounded[biggest] += 100 - sum(rounded.values())
    return {c: float(v) for c, v in rounded.items()}


@dataclass(frozen=True, slots=True)
class Proposal:
    """A weights proposal with its evidence: what changes and what it would have agreed with."""

    current: Weights
    weights: dict[str, float]
    direction: dict[str, float]
    decisions: int
    agreement_before: float | None
    agreement_after: float | None
    step: float
    changed: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def worth_proposing(self) -> bool:
        return (
            self.decisions >= MIN_DECISIONS
            and bool(self.changed)
            and (self.agreement_after or 0) > (self.agreement_before or 0)
        )


def propose_weights(session: Session, organisation_id: int) -> Proposal:
    """Compute the weights the organisation's decisions suggest (nothing is stored)."""
    current = current_weights(session, organisation_id)
    base = {c: float(current.weights.get(c, DEFAULT_WEIGHTS[c])) for c in COMPONENTS}
    pairs = evidence(session, organisation_id)
    direction = {
        c: (sum(p.chosen[c] - p.other[c] for p in pairs) / len(pairs)) if pairs else 0.0
        for c in COMPONENTS
    }
    before = agreement(base, pairs)
    best, best_agreement, best_step = base, before, 0.0
    scale = max((abs(v) for v in direction.values()), default=0.0)
    if pairs and scale > 0:
        for step in STEPS:
            candidate = _normalise(
                {c: max(1.0, base[c] * (1 + step * direction[c] / scale)) for c in COMPONENTS}
            )
            score = agreement(candidate, pairs)
            if score is not None and (best_agreement is None or score > best_agreement):
                best, best_agreement, best_step = candidate, score, step
    changed = {c: (base[c], best[c]) for c in COMPONENTS if abs(best[c] - base[c]) >= 0.5}
    return Proposal(current, best, direction, len(pairs), before, best_agreement, best_step,
                    changed)


def save_proposal(session: Session, actor: Account, organisation_id: int) -> WeightsVersion:
    """Store the computed weights as a proposed version awaiting an admin; audit, commit."""
    proposal = propose_weights(session, organisation_id)
    if not proposal.worth_proposing:
        raise ValueError("no better weights to propose")
    latest = session.scalar(
        select(func.max(WeightsVersion.version))
        .where(WeightsVersion.organisation_id == organisation_id)
    ) or 0
    version = WeightsVersion(
        organisation_id=organisation_id, version=latest + 1, weights=proposal.weights,
        min_score=proposal.current.min_score, status="proposed", proposed_by_id=actor.id,
        evidence={
            "method": "preference direction, best of steps",
            "step": proposal.step,
            "decisions": proposal.decisions,
            "direction": {c: round(v, 4) for c, v in proposal.direction.items()},
            "agreement_before": proposal.agreement_before,
            "agreement_after": proposal.agreement_after,
            "from_version": proposal.current.version,
            "from_weights": proposal.current.weights,
        },
    )
    session.add(version)
    session.flush()
    audit.record(session, actor, "weights.propose", version, version=version.version,
                 weights=version.weights)
    session.commit()
    log.info("%r proposed by %r", version, actor)
    return version


def pending_versions(session: Session, organisation_id: int) -> list[WeightsVersion]:
    """Return the organisation's weights versions awaiting a decision, newest first."""
    return list(session.scalars(
        select(WeightsVersion)
        .where(WeightsVersion.organisation_id == organisation_id,
               WeightsVersion.status == "proposed")
        .order_by(WeightsVersion.version.desc())
    ))


def history(session: Session, organisation_id: int) -> list[WeightsVersion]:
    """Return every weights version of the organisation, newest first."""
    return list(session.scalars(
        select(WeightsVersion).where(WeightsVersion.organisation_id == organisation_id)
        .order_by(WeightsVersion.version.desc())
    ))


def decide_version(session: Session, admin: Account, version_id: int,
                   approve: bool) -> WeightsVersion:
    """Approve (put in force) or dismiss a proposed version; only the organisation's admin."""
    version = session.get(WeightsVersion, version_id)
    if (version is None or admin.role != "admin" or admin.organisation_id is None
            or version.organisation_id != admin.organisation_id):
        raise NotFound()
    if version.status != "proposed":
        raise ValueError(f"{version!r} was already decided")
    version.status = "approved" if approve else "dismissed"
    version.approved_by_id = admin.id
    version.decided_at = dt.datetime.now(dt.UTC)
    audit.record(session, admin, "weights.approve" if approve else "weights.dismiss", version,
                 version=version.version)
    session.commit()
    log.info("%r %s by %r", version, version.status, admin)
    return version


# -- Override monitoring ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OverrideRow:
    label: str
    decided: int
    changed: int  # swapped to another position
    rejected: int  # rejected or forbidden
    suppressed: bool = False

    @property
    def share(self) -> float | None:
        if self.suppressed or not self.decided:
            return None
        return (self.changed + self.rejected) / self.decided

    @property
    def flag(self) -> str | None:
        """Return "rubber_stamp" (almost never overridden), "high", or None."""
        share = self.share
        if share is None or self.decided < MIN_DECISIONS:
            return None
        if share <= RUBBER_STAMP_AT:
            return "rubber_stamp"
        if share >= HIGH_AT:
            return "high"
        return None


def _count(rows: Any, *, suppress: bool) -> list[tuple[Any, OverrideRow]]:
    tally: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, kind, n in rows:
        counts = tally[key]
        counts[0] += n
        if kind == "swap":
            counts[1] += n
        elif kind in ("reject", "forbid"):
            counts[2] += n
    out = []
    for key in sorted(tally, key=lambda k: (k is None, str(k))):
        decided, changed, rejected = tally[key]
        hidden = suppress and decided < SUPPRESS_BELOW
        out.append((key, OverrideRow(str(key) if key is not None else "", decided,
                                     0 if hidden else changed, 0 if hidden else rejected,
                                     hidden)))
    return out


def _base(agency_id: int | None) -> Any:
    query = (
        select(MatchDecision.kind, func.count())
        .join(MatchProposal, MatchProposal.id == MatchDecision.proposal_id)
        .join(MatchRun, MatchRun.id == MatchProposal.run_id)
        .where(MatchDecision.kind.in_(EVIDENCE_KINDS))
    )
    if agency_id is not None:
        query = query.where(MatchRun.agency_id == agency_id)
    return query


def overrides_by_worker(session: Session, agency_id: int) -> list[OverrideRow]:
    """Return each worker's decisions in the agency and how many changed or rejected."""
    rows = session.execute(
        _base(agency_id).add_columns(Account.display_name)
        .join(Account, Account.id == MatchDecision.actor_id)
        .group_by(Account.display_name, MatchDecision.kind)
    )
    return [row for _, row in _count(((name, kind, n) for kind, n, name in rows),
                                     suppress=False)]


def overrides_by_group(
    session: Session, agency_id: int | None, dimension: str
) -> list[tuple[str | None, OverrideRow]]:
    """Return decisions by the seekers' group (gender or disability_category), suppressed."""
    column = {"gender": SeekerProfile.gender,
              "disability_category": SeekerProfile.disability_category}[dimension]
    rows = session.execute(
        _base(agency_id).add_columns(column)
        .join(SeekerProfile, SeekerProfile.id == MatchProposal.seeker_id)
        .group_by(column, MatchDecision.kind)
    )
    return _count(((group, kind, n) for kind, n, group in rows), suppress=True)


def overrides_total(session: Session, agency_id: int | None) -> OverrideRow:
    """Return all decisions (of the agency, or everywhere) in one row."""
    rows = session.execute(_base(agency_id).group_by(MatchDecision.kind))
    counted = _count((("all", kind, n) for kind, n in rows), suppress=False)
    return counted[0][1] if counted else OverrideRow("all", 0, 0, 0)
