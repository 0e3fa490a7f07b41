"""Small random instances for the matching tests, and a brute-force oracle to check them."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

from matching import Instance, rules
from matching.scoring import prepare

PHRASES = [
    "数据标注",
    "data annotation",
    "data anotation",
    "客服",
    "customer service",
    "Excel",
    "电商运营",
    "e-commerce operations",
    "内容审核",
    "typing",
    "打字",
    "bookkeeping",
    "记账",
    "forklift",
    "welding",
    "直播",
]
DOMAINS = ["seeing", "hearing", "walking", "cognition", "upper_body"]
CODES = ["screen_reader", "captioning", "step_free", "flexible_pace", "adapted_input"]
MODES = ["remote", "onsite", "hybrid"]


@st.composite
def seeker(draw: st.DrawFn, ident: str) -> dict[str, Any]:
    """Draw one seeker object."""
    data: dict[str, Any] = {
        "id": ident,
        "skills": draw(st.lists(st.sampled_from(PHRASES), max_size=3)),
        "interests": draw(st.lists(st.sampled_from(PHRASES), max_size=2)),
        "functioning": draw(
            st.dictionaries(st.sampled_from(DOMAINS), st.one_of(st.none(), st.integers(0, 3)))
        ),
        "needs": draw(st.lists(st.sampled_from(CODES), max_size=2, unique=True)),
        "region": draw(st.sampled_from(["A", "B"])),
        "monthly_benefits": draw(st.sampled_from([0, 800, 1500, 4000])),
        "group": {"g": draw(st.sampled_from(["x", "y"]))},
    }
    if draw(st.booleans()):
        data["work_modes"] = draw(
            st.lists(st.sampled_from(MODES), min_size=1, max_size=3, unique=True)
        )
    if draw(st.booleans()):
        low = draw(st.sampled_from([10, 20, 30]))
        data["hours_min"] = low
        data["hours_max"] = low + draw(st.sampled_from([0, 10, 20]))
    return data


@st.composite
def position(draw: st.DrawFn, ident: str) -> dict[str, Any]:
    """Draw one position object."""
    mode = draw(st.sampled_from(MODES))
    data: dict[str, Any] = {
        "id": ident,
        "title": draw(st.sampled_from(["数据标注员", "Customer service agent", "", "仓库"])),
        "openings": draw(st.integers(1, 2)),
        "skills": draw(st.lists(st.sampled_from(PHRASES), max_size=3)),
        "demands": draw(st.dictionaries(st.sampled_from(DOMAINS), st.integers(0, 3))),
        "offers": draw(st.lists(st.sampled_from(CODES), max_size=3, unique=True)),
        "work_mode": mode,
        "hours": draw(st.sampled_from([10, 20, 30, 40])),
        "monthly_pay": draw(st.one_of(st.none(), st.sampled_from([1000, 2500, 4000]))),
        "social_insurance": draw(st.booleans()),
        "automation_risk": draw(st.one_of(st.none(), st.sampled_from([0.0, 0.35, 1.0]))),
    }
    if mode != "remote" or draw(st.booleans()):
        data["region"] = draw(st.sampled_from(["A", "B"]))
    return data


@st.composite
def instances(
    draw: st.DrawFn, max_seekers: int = 5, max_positions: int = 3, extras: bool = True
) -> dict[str, Any]:
    """Draw a small valid instance (pins, forbids and floors optional)."""
    n = draw(st.integers(1, max_seekers))
    m = draw(st.integers(1, max_positions))
    seekers = [draw(seeker(f"s{i}")) for i in range(n)]
    positions = [draw(position(f"p{j}")) for j in range(m)]
    data: dict[str, Any] = {
        "seekers": seekers,
        "positions": positions,
        "min_score": draw(st.sampled_from([0, 20, 35, 50])),
    }
    if not extras:
        return data
    pairs = [(s["id"], p["id"]) for s in seekers for p in positions]
    forbids = draw(st.lists(st.sampled_from(pairs), max_size=3, unique=True))
    pins: list[list[str]] = []
    used: dict[str, int] = {}
    pinned: set[str] = set()
    for s_id, p_id in draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True)):
        openings = next(p["openings"] for p in positions if p["id"] == p_id)
        if s_id in pinned or used.get(p_id, 0) >= openings or (s_id, p_id) in forbids:
            continue
        pins.append([s_id, p_id])
        pinned.add(s_id)
        used[p_id] = used.get(p_id, 0) + 1
    data["pins"] = pins
    data["forbids"] = [list(f) for f in forbids]
    if draw(st.booleans()):
        data["floors"] = [
            {"key": "g", "value": v, "min": draw(st.integers(0, 2))}
            for v in draw(st.lists(st.sampled_from(["x", "y"]), max_size=2, unique=True))
        ]
    return data


def oracle(instance: Instance) -> int | None:
    """Return the best objective by enumeration (None if the floors cannot be met)."""
    prep = prepare(instance)
    pinned = dict(instance.pins)
    left = {p.id: p.openings for p in instance.positions}
    objective = 0
    for s_id, p_id in instance.pins:
        left[p_id] -= 1
        seeker = next(s for s in instance.seekers if s.id == s_id)
        position = next(p for p in instance.positions if p.id == p_id)
        objective += rules.evaluate(instance, prep.table, seeker, position).score
    options: list[list[tuple[str | None, int]]] = []
    free = [s for s in instance.seekers if s.id not in pinned]
    for s in free:
        choices: list[tuple[str | None, int]] = [(None, 0)]
        for p in instance.positions:
            report = rules.evaluate(instance, prep.table, s, p)
            if not report.violations and report.score >= instance.min_score:
                choices.append((p.id, report.score))
        options.append(choices)
    best: int | None = None
    for combo in itertools.product(*options):
        used: dict[str, int] = {}
        for p_id, _ in combo:
            if p_id is not None:
                used[p_id] = used.get(p_id, 0) + 1
        if any(used[p] > left[p] for p in used):
            continue
        placed = {s.id for s, (p_id, _) in zip(free, combo, strict=True) if p_id is not None}
        placed |= set(pinned)
        if any(
            sum(1 for s in instance.seekers if s.id in placed and s.group.get(f.key) == f.value)
            < f.min
            for f in instance.floors
        ):
            continue
        total = objective + sum(score for _, score in combo)
        if best is None or total > best:
            best = total
    return best
