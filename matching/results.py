"""What the engine answers: candidates and solutions, and their JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Status = Literal["optimal", "feasible", "infeasible_floors", "unsupported"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A pair that passes every hard rule, is not forbidden and scores at least min_score."""

    seeker: str
    position: str
    score: int
    #: component name -> points; the points sum to `score`
    components: Mapping[str, int]
    #: demanded domains whose level the seeker has not given ("to check")
    unknowns: tuple[str, ...] = ()
    #: rules met with no room left, e.g. "functioning.seeing", "hours.max"
    near_limits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another position the seeker could have had, with its score."""

    position: str
    score: int


@dataclass(frozen=True, slots=True)
class Assignment:
    """A proposed (or pinned) placement with its explanation."""

    seeker: str
    position: str
    score: int
    pinned: bool
    components: Mapping[str, int]
    unknowns: tuple[str, ...] = ()
    near_limits: tuple[str, ...] = ()
    #: for a pin: the hard rules it breaks ("work_mode", "region", "hours", "needs.<code>",
    #: "functioning.<domain>") and "min_score" if it scores below the minimum
    violations: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A seeker left without a position, and why in plain words."""

    seeker: str
    reason: str
    #: stable code of the reason, for translation: no_reachable_position, no_eligible_position,
    #: below_min_score, positions_taken
    code: str = "positions_taken"


@dataclass(frozen=True, slots=True)
class FloorShortfall:
    """A floor that cannot be met, with the most that can be assigned from its group."""

    key: str
    value: str
    min: int
    #: seekers of the group already pinned (they count towards the floor)
    pinned: int
    #: most seekers of the group that can be assigned at once (pins included)
    max_possible: int
    reason: str


@dataclass(frozen=True, slots=True)
class Stats:
    """How the answer was obtained."""

    seekers: int
    positions: int
    openings: int
    candidates: int
    #: candidate arcs given to the solver (fewer than candidates when pruned)
    arcs: int
    solver: str
    pruned: bool
    #: upper bound on what pruning can have cost: the optimum over all candidates is at most
    #: objective + pruning_bound (0 when not pruned)
    pruning_bound: int = 0
    pruning_rule: str = ""
    #: wall-clock seconds, left out of the JSON unless asked (they would break determinism)
    timings: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Solution:
    """The optimal assignment, or why there is none."""

    status: Status
    objective: int
    assignments: tuple[Assignment, ...]
    unassigned: tuple[Unassigned, ...]
    stats: Stats
    infeasible_floors: tuple[FloorShortfall, ...] = ()
    message: str = ""


JSON = dict[str, object]


def candidate_to_json(candidate: Candidate) -> JSON:
    """Return the JSON object of a candidate."""
    return {
        "seeker": candidate.seeker,
        "position": candidate.position,
        "score": candidate.score,
        "components": dict(candidate.components),
        "unknowns": list(candidate.unknowns),
        "near_limits": list(candidate.near_limits),
    }


def candidates_to_json(candidates: list[Candidate]) -> JSON:
    """Return the JSON document printed by ``python -m matching candidates``."""
    return {"candidates": [candidate_to_json(c) for c in candidates]}


def solution_to_json(solution: Solution, *, timings: bool = False) -> JSON:
    """Return the JSON document printed by ``python -m matching solve``."""
    stats: JSON = {
        "seekers": solution.stats.seekers,
        "positions": solution.stats.positions,
        "openings": solution.stats.openings,
        "candidates": solution.stats.candidates,
        "arcs": solution.stats.arcs,
        "solver": solution.stats.solver,
        "pruned": solution.stats.pruned,
        "pruning_bound": solution.stats.pruning_bound,
    }
    if solution.stats.pruned:
        stats["pruning_rule"] = solution.stats.pruning_rule
    if timings:
        stats["timings"] = dict(solution.stats.timings)
    out: JSON = {
        "status": solution.status,
        "objective": solution.objective,
        "assignments": [
            {
                "seeker": a.seeker,
                "position": a.position,
                "score": a.score,
                "pinned": a.pinned,
                "components": dict(a.components),
                "unknowns": list(a.unknowns),
                "near_limits": list(a.near_limits),
                "violations": list(a.violations),
                "alternatives": [
                    {"position": alt.position, "score": alt.score} for alt in a.alternatives
                ],
            }
            for a in solution.assignments
        ],
        "unassigned": [
            {"seeker": u.seeker, "reason": u.reason, "code": u.code} for u in solution.unassigned
        ],
        "stats": stats,
    }
    if solution.infeasible_floors:
        out["infeasible_floors"] = [
            {
                "key": f.key,
                "value": f.value,
                "min": f.min,
                "pinned": f.pinned,
                "max_possible": f.max_possible,
                "reason": f.reason,
            }
            for f in solution.infeasible_floors
        ]
    if solution.message:
        out["message"] = solution.message
    return out
