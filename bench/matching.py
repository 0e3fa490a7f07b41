"""Benchmark the matching engine on a realistic synthetic city.

    python bench/matching.py --seekers 20000 --positions 5000 [--floors 8] [--seed 7]

Prints scoring and solving seconds, candidates, objective and peak memory (the process's peak
resident set size, ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, so it includes Python, numpy
and OR-Tools), then solves the same candidates with a plain baseline (scipy
``linear_sum_assignment`` on the slot-expanded matrix, when that fits in memory) and compares
objectives. It also times the vectorised scoring against a per-pair Python loop over a sample of
the same pairs and prints the ratio.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import Instance, parse_instance, solve
from matching.rules import components, violations
from matching.scoring import candidate_table, prepare
from matching.solver import PRUNE_ABOVE
from matching.vocabulary import SKILL_CONCEPTS

REGIONS = [
    "东城",
    "西城",
    "朝阳",
    "海淀",
    "丰台",
    "石景山",
    "门头沟",
    "房山",
    "通州",
    "顺义",
    "昌平",
    "大兴",
    "怀柔",
    "平谷",
    "密云",
    "延庆",
]

# title, concepts, demands, modes (weights remote/onsite/hybrid), hours, pay range, insurance p,
# automation risk, typical offers
JOBS: list[
    tuple[
        str,
        list[str],
        dict[str, int],
        tuple[int, int, int],
        list[int],
        tuple[int, int],
        float,
        float,
        list[str],
    ]
] = [
    (
        "数据标注员",
        ["data_annotation", "excel", "typing"],
        {"seeing": 2, "cognition": 1, "upper_body": 1},
        (8, 1, 2),
        [20, 30, 40],
        (2500, 4500),
        0.5,
        0.7,
        ["screen_magnifier", "flexible_pace", "adapted_input"],
    ),
    (
        "Online customer service agent",
        ["customer_service", "typing", "ecommerce_operations"],
        {"hearing": 2, "communication": 2, "seeing": 1},
        (6, 1, 3),
        [20, 30, 40],
        (3000, 5000),
        0.6,
        0.6,
        ["text_communication", "screen_reader", "flexible_pace"],
    ),
    (
        "电商运营专员",
        ["ecommerce_operations", "social_media", "excel"],
        {"seeing": 1, "cognition": 2},
        (5, 2, 3),
        [30, 40],
        (3500, 6500),
        0.7,
        0.4,
        ["screen_reader", "flexible_pace"],
    ),
    (
        "内容审核员",
        ["content_review", "typing"],
        {"seeing": 2, "cognition": 1, "psychosocial": 1},
        (7, 1, 2),
        [20, 30, 40],
        (3000, 4500),
        0.6,
        0.6,
        ["screen_magnifier", "quiet_space"],
    ),
    (
        "直播带货主播",
        ["live_streaming", "sales", "ecommerce_operations"],
        {"communication": 3, "seeing": 1},
        (4, 3, 3),
        [20, 30],
        (2500, 8000),
        0.3,
        0.2,
        ["step_free", "captioning"],
    ),
    (
        "Transcriptionist",
        ["transcription", "typing"],
        {"hearing": 3, "upper_body": 1},
        (9, 0, 1),
        [15, 20, 30],
        (2000, 4000),
        0.3,
        0.8,
        ["adapted_input", "flexible_pace"],
    ),
    (
        "平面设计",
        ["graphic_design", "photography"],
        {"seeing": 3, "upper_body": 1},
        (6, 1, 3),
        [20, 30, 40],
        (4000, 7000),
        0.6,
        0.3,
        ["adapted_input", "quiet_space"],
    ),
    (
        "Short video editor",
        ["video_editing", "social_media"],
        {"seeing": 3, "hearing": 1},
        (6, 1, 3),
        [20, 30, 40],
        (3500, 7000),
        0.5,
        0.3,
        ["captioning", "adapted_input"],
    ),
    (
        "新媒体文案",
        ["copywriting", "social_media"],
        {"cognition": 2, "seeing": 1},
        (7, 1, 2),
        [20, 30, 40],
        (3500, 6000),
        0.6,
        0.4,
        ["screen_reader", "flexible_pace"],
    ),
    (
        "Junior web developer",
        ["programming", "excel"],
        {"cognition": 3, "seeing": 1},
        (6, 1, 3),
        [30, 40],
        (6000, 12000),
        0.9,
        0.3,
        ["screen_reader", "adapted_input", "quiet_space"],
    ),
    (
        "电话销售",
        ["telemarketing", "customer_service", "sales"],
        {"hearing": 2, "communication": 3},
        (5, 3, 2),
        [30, 40],
        (3000, 6000),
        0.5,
        0.6,
        ["text_communication", "flexible_pace"],
    ),
    (
        "记账员",
        ["bookkeeping", "excel"],
        {"cognition": 2, "seeing": 1},
        (5, 2, 3),
        [20, 30, 40],
        (3500, 6000),
        0.7,
        0.6,
        ["screen_reader", "quiet_space"],
    ),
    (
        "包装分拣工",
        ["packaging", "warehouse"],
        {"upper_body": 2, "walking": 1, "seeing": 1},
        (0, 9, 1),
        [30, 40, 44],
        (3000, 4500),
        0.8,
        0.7,
        ["job_coach", "flexible_pace", "easy_read"],
    ),
    (
        "保洁员",
        ["cleaning"],
        {"walking": 2, "upper_body": 2},
        (0, 10, 0),
        [20, 30, 40],
        (2800, 4000),
        0.7,
        0.3,
        ["job_coach", "easy_read"],
    ),
    (
        "盲人按摩师",
        ["massage"],
        {"upper_body": 3, "communication": 1},
        (0, 9, 1),
        [30, 40, 44],
        (4000, 8000),
        0.6,
        0.1,
        ["screen_reader", "step_free"],
    ),
    (
        "Receptionist",
        ["reception", "office_admin", "customer_service"],
        {"communication": 2, "hearing": 2, "seeing": 1},
        (0, 7, 3),
        [30, 40],
        (3500, 5000),
        0.9,
        0.5,
        ["step_free", "accessible_toilet", "text_communication"],
    ),
    (
        "办公室文员",
        ["office_admin", "typing", "excel"],
        {"cognition": 1, "seeing": 1, "upper_body": 1},
        (1, 6, 3),
        [30, 40],
        (3500, 5000),
        0.9,
        0.6,
        ["step_free", "accessible_toilet", "screen_magnifier"],
    ),
    (
        "手工艺品制作",
        ["handicraft", "packaging"],
        {"upper_body": 3, "seeing": 1},
        (3, 5, 2),
        [15, 20, 30],
        (2000, 4000),
        0.3,
        0.2,
        ["step_free", "flexible_pace"],
    ),
    (
        "面点师助理",
        ["cooking"],
        {"upper_body": 2, "walking": 2},
        (0, 10, 0),
        [30, 40, 44],
        (3500, 5000),
        0.8,
        0.3,
        ["job_coach", "easy_read"],
    ),
    (
        "仓库管理员",
        ["warehouse", "excel"],
        {"walking": 2, "cognition": 1},
        (0, 9, 1),
        [40, 44],
        (4000, 5500),
        0.9,
        0.5,
        ["step_free", "flexible_pace"],
    ),
    (
        "朋辈支持热线",
        ["psychological_support", "customer_service"],
        {"hearing": 2, "communication": 3, "psychosocial": 1},
        (6, 2, 2),
        [15, 20, 30],
        (2500, 4500),
        0.4,
        0.2,
        ["quiet_space", "flexible_pace"],
    ),
    (
        "在线家教",
        ["teaching", "copywriting"],
        {"communication": 2, "cognition": 2},
        (8, 1, 1),
        [10, 15, 20],
        (2000, 6000),
        0.1,
        0.3,
        ["captioning", "flexible_pace"],
    ),
]
PROFILES: list[tuple[float, dict[str, tuple[int, int]], list[str]]] = [
    (0.10, {}, []),
    (0.14, {"seeing": (2, 3)}, ["screen_reader", "screen_magnifier"]),
    (
        0.14,
        {"hearing": (2, 3), "communication": (0, 2)},
        ["captioning", "sign_language", "text_communication"],
    ),
    (
        0.24,
        {"walking": (2, 3), "upper_body": (0, 2), "self_care": (0, 2)},
        ["step_free", "accessible_toilet"],
    ),
    (0.08, {"upper_body": (2, 3)}, ["adapted_input"]),
    (
        0.16,
        {"cognition": (1, 2), "communication": (0, 2)},
        ["easy_read", "job_coach", "flexible_pace"],
    ),
    (0.14, {"psychosocial": (1, 3), "cognition": (0, 1)}, ["quiet_space", "flexible_pace"]),
]
CONCEPTS = list(SKILL_CONCEPTS)
NEW_FORM = [c for j in JOBS[:12] for c in j[1]]


def _typo(rng: random.Random, phrase: str) -> str:
    if len(phrase) < 4 or rng.random() > 0.12:
        return phrase if rng.random() > 0.2 else phrase.upper() if phrase.isascii() else phrase
    i = rng.randrange(len(phrase) - 1)
    return (
        phrase[:i] + phrase[i + 1 :]
        if rng.random() < 0.5
        else phrase[:i] + phrase[i + 1] + phrase[i] + phrase[i + 2 :]
    )


def _phrase(rng: random.Random, concept: str) -> str:
    return _typo(rng, rng.choice(SKILL_CONCEPTS[concept]))


def generate(seekers: int, positions: int, floors: int, seed: int) -> dict[str, Any]:
    """Return a synthetic instance as JSON-ready data (deterministic for the seed)."""
    rng = random.Random(seed)
    regions = REGIONS[: max(4, min(len(REGIONS), seekers // 400 or 4))]
    data_seekers: list[dict[str, Any]] = []
    weights = [p[0] for p in PROFILES]
    for i in range(seekers):
        _, domains, aids = rng.choices(PROFILES, weights)[0]
        functioning: dict[str, int | None] = {}
        for d in (
            "seeing",
            "hearing",
            "walking",
            "cognition",
            "self_care",
            "communication",
            "upper_body",
            "psychosocial",
        ):
            if d in domains:
                functioning[d] = rng.randint(*domains[d])
            elif rng.random() < 0.12:
                continue  # unknown
            else:
                functioning[d] = 0 if rng.random() < 0.85 else 1
        needs = [a for a in aids if rng.random() < 0.35][:1]
        region = rng.choice(regions)
        modes_pick = rng.random()
        modes = (
            ["remote"]
            if modes_pick < 0.35
            else ["remote", "hybrid"]
            if modes_pick < 0.55
            else ["onsite", "hybrid", "remote"]
            if modes_pick < 0.75
            else ["onsite"]
            if modes_pick < 0.9
            else None
        )
        skills = [
            _phrase(rng, rng.choice(NEW_FORM if rng.random() < 0.6 else CONCEPTS))
            for _ in range(rng.randint(1, 4))
        ]
        interests = [_phrase(rng, rng.choice(CONCEPTS)) for _ in range(rng.randint(0, 2))]
        seeker: dict[str, Any] = {
            "id": f"S{i:06d}",
            "skills": skills,
            "interests": interests,
            "functioning": functioning,
            "needs": needs,
            "region": region,
            "group": {"district": region, "programme": rng.choice(["残联", "街道", "社工站"])},
        }
        if modes:
            seeker["work_modes"] = modes
        if rng.random() < 0.8:
            low, high = rng.choice(
                [(15, 25), (20, 30), (20, 40), (30, 40), (25, 35), (10, 20), (30, 44)]
            )
            seeker["hours_min"], seeker["hours_max"] = low, high
        if rng.random() < 0.4:
            seeker["monthly_benefits"] = rng.randint(8, 16) * 100
        data_seekers.append(seeker)
    data_positions: list[dict[str, Any]] = []
    for j in range(positions):
        title, concepts, demands, mode_w, hours, pay, insured, risk, offers = rng.choice(JOBS)
        mode = rng.choices(["remote", "onsite", "hybrid"], mode_w)[0]
        skills = [_phrase(rng, c) for c in concepts if rng.random() < 0.85] or [
            _phrase(rng, concepts[0])
        ]
        if rng.random() < 0.3:
            skills.append(_phrase(rng, rng.choice(CONCEPTS)))
        position: dict[str, Any] = {
            "id": f"P{j:05d}",
            "title": title,
            "openings": rng.choices([1, 2, 3, 4, 5], [40, 25, 15, 10, 10])[0],
            "skills": skills,
            "demands": {d: max(0, v - (rng.random() < 0.3)) for d, v in demands.items()},
            "offers": sorted(
                {o for o in offers if rng.random() < 0.6}
                | (
                    {rng.choice(["step_free", "accessible_toilet", "flexible_pace", "captioning"])}
                    if rng.random() < 0.3
                    else set()
                )
            ),
            "work_mode": mode,
            "hours": rng.choice(hours),
            "monthly_pay": rng.randint(pay[0] // 100, pay[1] // 100) * 100,
            "social_insurance": rng.random() < insured,
            "automation_risk": round(min(1.0, max(0.0, rng.gauss(risk, 0.15))), 2),
        }
        if mode != "remote":
            position["region"] = rng.choice(regions)
        data_positions.append(position)
    instance: dict[str, Any] = {"seekers": data_seekers, "positions": data_positions}
    if floors:
        openings = sum(p["openings"] for p in data_positions)
        # a little above the city-wide placement rate, so the floors bind in some districts
        rate = min(1.0, openings / max(1, seekers)) * 1.02
        counts: dict[str, int] = {}
        for s in data_seekers:
            counts[s["region"]] = counts.get(s["region"], 0) + 1
        instance["floors"] = [
            {"key": "district", "value": r, "min": int(rate * counts.get(r, 0))}
            for r in regions[:floors]
        ]
    return instance


def peak_mb() -> float:
    """Peak resident set size of this process in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(
    prep_n: int,
    prep_m: int,
    seeker: np.ndarray,
    position: np.ndarray,
    score: np.ndarray,
    openings: np.ndarray,
) -> tuple[int | None, float, str]:
    """Solve the same candidates with scipy's linear_sum_assignment on slot-expanded columns."""
    from scipy.optimize import linear_sum_assignment

    slots = int(openings.sum())
    cells = prep_n * slots
    if cells > 400_000_000:
        return None, 0.0, f"skipped: {prep_n} x {slots} slot matrix does not fit"
    started = time.perf_counter()
    first_slot = np.concatenate([[0], np.cumsum(openings)[:-1]])
    matrix = np.zeros((prep_n, slots), dtype=np.float32)
    for k in range(int(openings.max(initial=0))):
        has = openings[position] > k
        matrix[seeker[has], first_slot[position[has]] + k] = score[has]
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    objective = int(matrix[rows, cols].sum())
    return objective, time.perf_counter() - started, ""


def loop_ratio(instance: Instance, sample: int, seed: int) -> tuple[float, float, int]:
    """Return (speed-up per pair, vectorised seconds, candidates) of bulk scoring over a loop.

    The loop checks the hard rules and computes the components of a random sample of the
    candidate pairs one by one with `matching.rules` (the same phrase table, no numpy), and is
    extrapolated to all candidates; the vectorised time also covers the pairs it rejected, so
    the ratio is conservative.
    """
    prep = prepare(instance)
    started = time.perf_counter()
    table = candidate_table(prep)
    vector_seconds = time.perf_counter() - started
    if not len(table):
        return 0.0, vector_seconds, 0
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(table), size=min(sample, len(table)))
    started = time.perf_counter()
    for k in picks.tolist():
        seeker = prep.seekers[int(table.seeker[k])]
        position = prep.positions[int(table.position[k])]
        if not violations(instance, seeker, position):
            components(instance, prep.table, seeker, position)
    loop_seconds = time.perf_counter() - started
    extrapolated = loop_seconds / len(picks) * len(table)
    return extrapolated / vector_seconds, vector_seconds, len(table)


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seekers", type=int, default=5000)
    parser.add_argument("--positions", type=int, default=1500)
    parser.add_argument("--floors", type=int, default=0, help="floors over this many districts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--loop-sample", type=int, default=20000)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    data = generate(args.seekers, args.positions, args.floors, args.seed)
    instance = parse_instance(data)
    setup = time.perf_counter() - started
    base_rss = peak_mb()

    solution = solve(instance)
    timings = solution.stats.timings
    peak = peak_mb()
    rows: list[tuple[str, str]] = [
        (
            "instance",
            f"{args.seekers} seekers x {args.positions} positions, "
            f"{solution.stats.openings} openings, {len(instance.floors)} floors, seed {args.seed}",
        ),
        ("generate + parse s", f"{setup:.2f}"),
        ("scoring s", f"{timings['scoring']:.2f}"),
        ("solving s", f"{timings['solving']:.2f}"),
        ("explaining s", f"{timings['explaining']:.2f}"),
        (
            "candidates + solve s",
            f"{timings['scoring'] + timings['solving'] + timings['explaining']:.2f}",
        ),
        ("candidates", f"{solution.stats.candidates:,}"),
        (
            "arcs solved",
            f"{solution.stats.arcs:,}" + (" (pruned)" if solution.stats.pruned else ""),
        ),
        ("status", solution.status),
        ("objective", f"{solution.objective:,}"),
        ("assigned", f"{len(solution.assignments):,}"),
        (
            "pruning bound",
            f"{solution.stats.pruning_bound:,}" if solution.stats.pruned else "not pruned",
        ),
        ("peak memory MB (ru_maxrss)", f"{peak:.0f} (after generating: {base_rss:.0f})"),
    ]
    if solution.status == "infeasible_floors":
        rows.append(("floors", solution.message))

    ratio, vector_seconds, count = loop_ratio(instance, args.loop_sample, args.seed)
    rows.append(
        (
            "vectorised vs per-pair loop",
            f"{ratio:.0f}x faster ({count:,} candidates scored in {vector_seconds:.2f} s; "
            f"loop timed on {min(args.loop_sample, count):,} of them, extrapolated)",
        )
    )

    if (
        not args.no_baseline
        and not instance.floors
        and args.seekers * args.positions <= PRUNE_ABOVE
    ):
        prep = prepare(instance)
        table = candidate_table(prep)
        solve_seconds = timings["solving"]
        objective, seconds, note = baseline(
            prep.n_seekers,
            prep.n_positions,
            table.seeker,
            table.position,
            table.score,
            prep.p_openings,
        )
        if objective is None:
            rows.append(("baseline (scipy, slots)", note))
        else:
            rows.append(("baseline (scipy, slots) s", f"{seconds:.2f}"))
            rows.append(("baseline / solve ratio", f"{seconds / max(solve_seconds, 1e-9):.1f}x"))
            rows.append(
                ("objectives equal", f"{objective == solution.objective} (baseline {objective:,})")
            )
    else:
        rows.append(("baseline (scipy, slots)", "skipped (floors, pruning or --no-baseline)"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
