"""Rongye's matching engine: eligibility, explainable scores and optimal assignment.

A pure library (stdlib, numpy, rapidfuzz, ortools): it knows nothing of Flask or the database.
The JSON contract is documented in ``matching/README.md``; the Python API is:

* `parse_instance(data) -> Instance` (raises `InstanceError(field, message)`),
* `candidates(instance) -> list[Candidate]`,
* `solve(instance, prune=None) -> Solution`,
* `candidates_to_json(...)`, `solution_to_json(...)` for the JSON form.
"""

from matching.instance import (
    COMPONENTS,
    DEFAULT_MIN_SCORE,
    DEFAULT_WEIGHTS,
    BenefitRules,
    Floor,
    Instance,
    InstanceError,
    Position,
    Seeker,
    parse_instance,
)
from matching.results import (
    Alternative,
    Assignment,
    Candidate,
    FloorShortfall,
    Solution,
    Stats,
    Unassigned,
    candidates_to_json,
    solution_to_json,
)
from matching.rules import PairReport, evaluate, max_points
from matching.solver import PRUNE_ABOVE, candidates, solve

__all__ = [
    "COMPONENTS",
    "DEFAULT_MIN_SCORE",
    "DEFAULT_WEIGHTS",
    "PRUNE_ABOVE",
    "Alternative",
    "Assignment",
    "BenefitRules",
    "Candidate",
    "Floor",
    "FloorShortfall",
    "Instance",
    "InstanceError",
    "PairReport",
    "Position",
    "Seeker",
    "Solution",
    "Stats",
    "Unassigned",
    "candidates",
    "candidates_to_json",
    "evaluate",
    "max_points",
    "parse_instance",
    "solution_to_json",
    "solve",
]
