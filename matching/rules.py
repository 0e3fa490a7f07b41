"""Hard rules and score components of one (seeker, position) pair, in plain Python.

This module is the readable reference: the vectorised engine in `matching.scoring` must agree
with it exactly on every pair (the tests check that), and the explanations shown to seekers and
workers (violations, near limits, unknowns, components) are computed here for the pairs that are
output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from matching.catalogue import DOMAINS
from matching.instance import COMPONENTS, BenefitRules, Instance, Position, Seeker
from matching.phrases import PhraseTable, normalise

#: Neutral value (0..100) of a fit that cannot be judged (no skills listed, no interests).
NEUTRAL_FIT = 50
#: Stability mixes low automation exposure and social insurance in these proportions.
STABILITY_AUTOMATION_SHARE = 0.6
STABILITY_INSURANCE_SHARE = 0.4
#: Automation risk assumed when a position does not state it.
DEFAULT_AUTOMATION_RISK = 0.5
#: Work mode that is accepted but not the seeker's first choice earns this share of the mode half.
SECOND_CHOICE_MODE = 0.5


def max_points(weights: Mapping[str, float]) -> dict[str, int]:
    """Apportion 100 points to the components in proportion to their weights (largest remainder)."""
    total = sum(weights[c] for c in COMPONENTS)
    quotas = [100.0 * weights[c] / total for c in COMPONENTS]
    points = [math.floor(q) for q in quotas]
    order = sorted(range(len(COMPONENTS)), key=lambda i: (-(quotas[i] - points[i]), i))
    for i in order[: 100 - sum(points)]:
        points[i] += 1
    return dict(zip(COMPONENTS, points, strict=True))


def round_ratio(points: int, numerator: int, denominator: int) -> int:
    """Return ``points * numerator / denominator`` rounded half up, in exact integer arithmetic."""
    return (2 * points * numerator + denominator) // (2 * denominator)


def round_fraction(points: int, fraction: float) -> int:
    """Return ``points * fraction`` rounded half up (float64, as numpy computes it)."""
    return math.floor(points * fraction + 0.5)


def mitigation(position: Position, catalogue: Mapping[str, Mapping[str, int]], domain: str) -> int:
    """Return the largest mitigation of `domain` among the accommodations the position offers."""
    return max((catalogue[code].get(domain, 0) for code in position.offers), default=0)


def residual_demand(
    position: Position, catalogue: Mapping[str, Mapping[str, int]], domain: str
) -> int:
    """Return the demand left in `domain` after the offered accommodations mitigate it."""
    return max(0, position.demands.get(domain, 0) - mitigation(position, catalogue, domain))


def violations(instance: Instance, seeker: Seeker, position: Position) -> tuple[str, ...]:
    """Return the hard rules the pair breaks (empty when it is eligible), as stable codes."""
    broken: list[str] = []
    if seeker.work_modes and position.work_mode not in seeker.work_modes:
        broken.append("work_mode")
    if position.work_mode != "remote" and position.region != seeker.region:
        broken.append("region")
    if (seeker.hours_min is not None and position.hours < seeker.hours_min) or (
        seeker.hours_max is not None and position.hours > seeker.hours_max
    ):
        broken.append("hours")
    broken.extend(f"needs.{code}" for code in seeker.needs if code not in position.offers)
    for domain in DOMAINS:
        level = seeker.functioning.get(domain)
        if level is None or position.demands.get(domain, 0) == 0:
            continue
        if residual_demand(position, instance.accommodations, domain) > 3 - level:
            broken.append(f"functioning.{domain}")
    if (seeker.id, position.id) in instance.forbids:
        broken.append("forbidden")
    return tuple(broken)


def unknowns(seeker: Seeker, position: Position) -> tuple[str, ...]:
    """Return the demanded domains whose level the seeker has not given, in catalogue order."""
    return tuple(
        d for d in DOMAINS if position.demands.get(d, 0) > 0 and d not in seeker.functioning
    )


def near_limits(instance: Instance, seeker: Seeker, position: Position) -> tuple[str, ...]:
    """Return the hard rules the pair meets with no room left (codes, as in `violations`)."""
    close: list[str] = []
    if seeker.hours_min is not None and position.hours == seeker.hours_min:
        close.append("hours.min")
    if seeker.hours_max is not None and position.hours == seeker.hours_max:
        close.append("hours.max")
    for domain in DOMAINS:
        level = seeker.functioning.get(domain)
        if level is None or position.demands.get(domain, 0) == 0:
            continue
        if residual_demand(position, instance.accommodations, domain) == 3 - level:
            close.append(f"functioning.{domain}")
    return tuple(close)


def _distinct_normalised(phrases: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(p for p in map(normalise, phrases) if p))


def net_gain(rules: BenefitRules, seeker: Seeker, position: Position) -> float | None:
    """Return the monthly income gained by the job after benefits lost (None: pay unknown)."""
    if position.monthly_pay is None:
        return None
    benefits = seeker.monthly_benefits
    if position.social_insurance and rules.dibao_lost_if_social_insurance:
        lost = benefits
    else:
        lost = min(
            benefits,
            rules.benefit_taper * max(0.0, position.monthly_pay - rules.earnings_disregard),
        )
    return position.monthly_pay - lost


def components(
    instance: Instance, table: PhraseTable, seeker: Seeker, position: Position
) -> dict[str, int]:
    """Return the points of each score component for the pair (they sum to its score)."""
    top = max_points(instance.weights)
    skills = _distinct_normalised(seeker.skills)
    wanted = _distinct_normalised(position.skills)
    if wanted:
        total = sum(max((table.between(s, w) for s in skills), default=0) for w in wanted)
        skill_points = round_ratio(top["skills"], total, 100 * len(wanted))
    else:
        skill_points = round_ratio(top["skills"], NEUTRAL_FIT, 100)

    interests = _distinct_normalised(seeker.interests)
    offered = _distinct_normalised((*position.skills, position.title))
    if interests and offered:
        best = max(table.between(i, o) for i in interests for o in offered)
    else:
        best = NEUTRAL_FIT
    interest_points = round_ratio(top["interests"], best, 100)

    margin = 0
    demanded = 0
    for domain in DOMAINS:
        if position.demands.get(domain, 0) == 0:
            continue
        demanded += 1
        level = seeker.functioning.get(domain)
        if level is not None:
            left = residual_demand(position, instance.accommodations, domain)
            margin += max(0, 3 - level - left)
    comfort_points = (
        round_ratio(top["comfort"], margin, 3 * demanded) if demanded else top["comfort"]
    )

    risk = DEFAULT_AUTOMATION_RISK if position.automation_risk is None else position.automation_risk
    stability = STABILITY_AUTOMATION_SHARE * (1.0 - risk) + STABILITY_INSURANCE_SHARE * (
        1.0 if position.social_insurance else 0.0
    )

    gain = net_gain(instance.benefit_rules, seeker, position)
    if gain is None:
        income = NEUTRAL_FIT / 100
    else:
        income = min(max(gain / instance.benefit_rules.income_reference, 0.0), 1.0)

    mode = (
        1.0
        if not seeker.work_modes or seeker.work_modes[0] == position.work_mode
        else SECOND_CHOICE_MODE
    )
    if seeker.hours_min is not None and seeker.hours_max is not None:
        middle = (seeker.hours_min + seeker.hours_max) / 2
        spread = max(seeker.hours_max - seeker.hours_min, 1.0)
        schedule = min(max(1.0 - abs(position.hours - middle) / spread, 0.0), 1.0)
    else:
        schedule = 1.0

    return {
        "skills": skill_points,
        "interests": interest_points,
        "comfort": comfort_points,
        "stability": round_fraction(top["stability"], stability),
        "net_income": round_fraction(top["net_income"], income),
        "logistics": round_fraction(top["logistics"], (mode + schedule) / 2),
    }


@dataclass(frozen=True, slots=True)
class PairReport:
    """Everything the engine knows about one pair."""

    violations: tuple[str, ...]
    components: dict[str, int]
    score: int
    unknowns: tuple[str, ...]
    near_limits: tuple[str, ...]


def evaluate(
    instance: Instance, table: PhraseTable, seeker: Seeker, position: Position
) -> PairReport:
    """Evaluate one pair completely (the slow reference the vectorised engine must agree with)."""
    points = components(instance, table, seeker, position)
    return PairReport(
        violations=violations(instance, seeker, position),
        components=points,
        score=sum(points.values()),
        unknowns=unknowns(seeker, position),
        near_limits=near_limits(instance, seeker, position),
    )
