"""The command line contract, the package boundary, typing, and the benchmark at a tiny size."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m matching`` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "matching", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def good() -> dict[str, Any]:
    """Return a small valid instance."""
    return {
        "seekers": [
            {
                "id": "s1",
                "skills": ["数据标注"],
                "region": "A",
                "hours_min": 20,
                "hours_max": 30,
                "functioning": {"seeing": 1, "walking": None},
                "group": {"district": "A"},
            },
            {"id": "s2", "skills": ["客服"], "region": "A"},
        ],
        "positions": [
            {
                "id": "p1",
                "title": "Data annotation",
                "openings": 1,
                "skills": ["data annotation"],
                "work_mode": "remote",
                "hours": 20,
                "monthly_pay": 3000,
                "demands": {"seeing": 2},
            },
            {
                "id": "p2",
                "title": "在线客服",
                "openings": 2,
                "skills": ["customer service"],
                "work_mode": "onsite",
                "region": "A",
                "hours": 40,
            },
        ],
    }


def mutate(change: Any) -> str:
    data = good()
    change(data)
    return json.dumps(data)


BAD = [
    (lambda d: d["seekers"][1].pop("id"), "seekers[1].id"),
    (lambda d: d["seekers"][1].update(id="s1"), "seekers[1].id"),
    (lambda d: d["positions"][1].update(id="p1"), "positions[1].id"),
    (lambda d: d["seekers"][0]["functioning"].update(seeing=4), "seekers[0].functioning.seeing"),
    (lambda d: d["positions"][0]["demands"].update(seeing=-1), "positions[0].demands.seeing"),
    (lambda d: d["positions"][1].update(openings=0), "positions[1].openings"),
    (lambda d: d["seekers"][0].update(hours_max=10), "seekers[0].hours_max"),
    (lambda d: d.update(pins=[["nobody", "p1"]]), "pins[0][0]"),
    (lambda d: d.update(pins=[["s1", "nowhere"]]), "pins[0][1]"),
    (lambda d: d.update(forbids=[["s1", "nowhere"]]), "forbids[0][1]"),
    (lambda d: d.update(pins=[["s1", "p1"], ["s1", "p2"]]), "pins[1][0]"),
    (lambda d: d.update(pins=[["s1", "p1"], ["s2", "p1"]]), "pins[1][1]"),
    (lambda d: d.update(weights={"charm": 3}), "weights.charm"),
    (lambda d: d.update(min_score=101), "min_score"),
    (lambda d: d["seekers"][0].update(needs=["teleporter"]), "seekers[0].needs[0]"),
    (lambda d: d.update(floors=[{"key": "district", "value": "A", "min": -1}]), "floors[0].min"),
    (lambda d: d.pop("positions"), "positions"),
]


@pytest.mark.parametrize(("change", "field"), BAD, ids=[f for _, f in BAD])
def test_a_bad_instance_exits_2_with_one_line_naming_the_field(
    change: Any, field: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(mutate(change), encoding="utf-8")
    for command in ("candidates", "solve"):
        result = run([command, str(path)])
        assert result.returncode == 2
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"{field}: "), lines[0]
        assert "Traceback" not in result.stderr


def test_hours_message_matches_the_issue(tmp_path: Path) -> None:
    data = good()
    data["seekers"][1].update(hours_min=30, hours_max=20)
    result = run(["solve", "-"], stdin=json.dumps(data))
    assert result.returncode == 2
    assert result.stderr == "seekers[1].hours_max: must be >= hours_min\n"


@pytest.mark.parametrize("text", ["{", "[1, 2", "", "nul", '{"seekers": [] "positions": []}'])
def test_invalid_json_exits_2_on_one_line(text: str) -> None:
    result = run(["solve", "-"], stdin=text)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("instance: invalid JSON")


def test_a_missing_file_exits_2() -> None:
    result = run(["solve", "/nonexistent/instance.json"])
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1


def test_both_commands_print_the_documented_json() -> None:
    text = json.dumps(good())
    cands = run(["candidates", "-"], stdin=text)
    assert cands.returncode == 0, cands.stderr
    doc = json.loads(cands.stdout)
    assert set(doc) == {"candidates"}
    for c in doc["candidates"]:
        assert {"seeker", "position", "score", "components", "unknowns"} <= set(c)
    solved = run(["solve", "-"], stdin=text)
    assert solved.returncode == 0, solved.stderr
    out = json.loads(solved.stdout)
    assert {"status", "objective", "assignments", "unassigned", "stats"} <= set(out)
    assert out["status"] == "optimal"
    for a in out["assignments"]:
        assert {
            "seeker",
            "position",
            "score",
            "pinned",
            "components",
            "unknowns",
            "alternatives",
        } <= set(a)
    for u in out["unassigned"]:
        assert {"seeker", "reason"} <= set(u)
    assert run(["solve", "-"], stdin=text).stdout == solved.stdout


def test_importing_matching_imports_neither_flask_nor_sqlalchemy() -> None:
    code = (
        "import sys, matching, matching.cli\n"
        "web = {'flask', 'sqlalchemy', 'flask_sqlalchemy'}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in web)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_mypy_strict_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "matching"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_benchmark_runs_small_and_agrees_with_the_scipy_baseline() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "bench/matching.py",
            "--seekers",
            "300",
            "--positions",
            "100",
            "--loop-sample",
            "500",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = {line[:28].strip(): line[28:].strip() for line in result.stdout.splitlines()}
    for key in (
        "scoring s",
        "solving s",
        "candidates",
        "objective",
        "peak memory MB (ru_maxrss)",
        "baseline (scipy, slots) s",
        "baseline / solve ratio",
        "vectorised vs per-pair loop",
    ):
        assert key in rows, result.stdout
    assert rows["objectives equal"].startswith("True"), result.stdout


def test_pruning_a_generated_city_stays_within_its_bound_and_is_deterministic() -> None:
    """The pruned path end to end on a benchmark city: many blocks pruned on the scoring
    threads, prices from the market of every 40th seeker, one solve, and the bound."""
    import importlib.util

    from matching import parse_instance, scoring, solution_to_json, solve, solver

    spec = importlib.util.spec_from_file_location("bench_matching", ROOT / "bench/matching.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    instance = parse_instance(bench.generate(3000, 600, 0, 11))
    exact = solve(instance, prune=False)
    # small blocks and frequent cut raises: the threads prune while the cuts move
    with (
        mock.patch.multiple(scoring, _BLOCK_PAIRS=5_000),
        mock.patch.multiple(solver, _THETA_EVERY=2_000),
    ):
        pruned = solve(instance, prune=True)
        again = solve(instance, prune=True)
    assert pruned.stats.pruned and pruned.stats.arcs < exact.stats.arcs / 2
    assert pruned.objective <= exact.objective <= pruned.objective + pruned.stats.pruning_bound
    assert pruned.objective >= 0.99 * exact.objective  # the rule is good, not only bounded
    assert json.dumps(solution_to_json(again)) == json.dumps(solution_to_json(pruned))
    assert json.dumps(solution_to_json(solve(instance, prune=True))) == json.dumps(
        solution_to_json(pruned)
    )  # and the same as with the usual blocks
