"""Optimal assignment by min-cost flow (OR-Tools), with pins, forbids, floors and pruning.

Network (built in id order, so the same input always gives the same network and answer):

    seeker (+1 supply) --score arcs, cost -score, cap 1--> position --cap openings left--> sink
    seeker --cap 1, cost 0--> sink                        (staying unassigned)
    seeker in floor group g --cap 1--> skip(g) --cap |g| - min(g)--> sink   (floors, one key)

Every seeker's unit of supply reaches the sink either through a position or by skipping, so the
minimum cost is minus the maximum total score; a floor caps how many of its group may skip.
Pins are assigned before the network is built (their seekers leave it, their positions lose an
opening); forbidden pairs never become arcs. Floors over more than one key are not a network
flow: they are solved with CP-SAT (`_solve_cp_sat`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow  # type: ignore[import-untyped]
from ortools.sat.python import cp_model

from matching.catalogue import DOMAINS
from matching.instance import COMPONENTS, Floor, Instance
from matching.results import (
    Alternative,
    Assignment,
    Candidate,
    FloorShortfall,
    Solution,
    Stats,
    Status,
    Unassigned,
)
from matching.rules import evaluate
from matching.scoring import (
    CandidateTable,
    Funnel,
    Prepared,
    _concat,
    candidate_table,
    empty_funnel,
    iter_blocks,
    prepare,
    record_block,
)

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

#: Instances with more seeker x position pairs than this are pruned before solving.
PRUNE_ABOVE = 20_000 * 5_000
#: Pruning keeps each seeker's best positions ...
SEEKER_TOP = 20
#: ... and each position's best seekers, this many per opening (ties at the cut are kept).
POSITION_TOP_PER_OPENING = 5
#: Alternatives listed with each assignment.
ALTERNATIVES = 3
#: CP-SAT (floors over several keys) is tried up to this many arcs and for this long.
CP_SAT_MAX_ARCS = 200_000
CP_SAT_SECONDS = 60.0
#: Bellman-Ford rounds allowed when recovering dual prices for the pruning bound.
_POTENTIAL_ROUNDS = 200_000

PRUNING_RULE = (
    f"each seeker's {SEEKER_TOP} best positions and each position's "
    f"{POSITION_TOP_PER_OPENING} x openings best seekers (ties at the cut kept)"
)


def candidates(instance: Instance) -> list[Candidate]:
    """Return every candidate pair, sorted by seeker id, then score (best first), then position."""
    prep = prepare(instance)
    table = candidate_table(prep)
    order = np.lexsort((table.position, -table.score.astype(np.int16), table.seeker))
    out: list[Candidate] = []
    for k in order.tolist():
        s, p = int(table.seeker[k]), int(table.position[k])
        seeker, position = prep.seekers[s], prep.positions[p]
        out.append(
            Candidate(
                seeker=seeker.id,
                position=position.id,
                score=int(table.score[k]),
                components=_components(table.components[:, k]),
                unknowns=_unknowns(prep, s, p),
                near_limits=_near_limits(prep, s, p),
            )
        )
    return out


def _components(column: U8) -> dict[str, int]:
    return dict(zip(COMPONENTS, (int(x) for x in column), strict=True))


def _unknowns(prep: Prepared, s: int, p: int) -> tuple[str, ...]:
    bits = int(prep.s_unknown[s])
    demanded = prep.psig_dem[prep.p_sig[p]]
    return tuple(d for k, d in enumerate(DOMAINS) if bits >> k & 1 and demanded[k])


def _near_limits(prep: Prepared, s: int, p: int) -> tuple[str, ...]:
    close: list[str] = []
    hours = prep.p_hours[p]
    if hours == prep.s_hmin[s]:
        close.append("hours.min")
    if hours == prep.s_hmax[s]:
        close.append("hours.max")
    cap = prep.sig_cap[prep.s_sig[s]].tolist()
    psig = int(prep.p_sig[p])
    res = prep.psig_res[psig].tolist()
    dem = prep.psig_dem[psig].tolist()
    close.extend(
        f"functioning.{d}"
        for k, d in enumerate(DOMAINS)
        if dem[k] and cap[k] >= 0 and res[k] == cap[k]
    )
    return tuple(close)


# --- arcs ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Arcs:
    """Candidate arcs handed to the solver, with the funnel of every seeker."""

    seeker: I32
    position: I32
    score: U8
    components: U8
    funnel: Funnel
    candidates: int
    #: per seeker: best score among its candidates that pruning removed (-1: none removed)
    best_removed: I64


def _all_arcs(prep: Prepared) -> Arcs:
    table = candidate_table(prep)
    return _all_arcs_from(table, np.full(prep.n_seekers, -1, dtype=np.int64), len(table))


def _all_arcs_from(table: CandidateTable, best_removed: I64, total: int) -> Arcs:
    return Arcs(
        table.seeker,
        table.position,
        table.score,
        table.components,
        table.funnel,
        total,
        best_removed,
    )


def _threshold(ge: I64, k: I64) -> I64:
    """Per row of `ge` (count of scores >= t, t = 0..100): largest t with count >= k, else 0."""
    counts: I64 = (ge >= k[:, None]).sum(axis=1).astype(np.int64)
    return np.maximum(counts - 1, 0)


def _pruned_arcs(prep: Prepared) -> Arcs:
    """Score block by block, keeping each seeker's and each position's best candidates."""
    m = prep.n_positions
    funnel = empty_funnel(prep.n_seekers)
    best_removed = np.full(prep.n_seekers, -1, dtype=np.int64)
    need = POSITION_TOP_PER_OPENING * prep.p_openings
    hist = np.zeros((m, 101), dtype=np.int64)
    theta = np.zeros(m, dtype=np.int64)  # a position keeps pairs scoring >= theta
    kept: list[tuple[I32, I32, U8, U8]] = []
    pool: list[tuple[I32, I32, U8, U8]] = []
    pool_size = 0
    total = 0
    for block in iter_blocks(prep):
        record_block(funnel, block)
        total += len(block.score)
        if not len(block.score):
            continue
        nrows = len(block.rows)
        score = block.score.astype(np.int64)
        row_hist = np.bincount(block.row * 101 + score, minlength=nrows * 101).reshape(nrows, 101)
        ge = np.cumsum(row_hist[:, ::-1], axis=1)[:, ::-1]
        cut = _threshold(ge, np.full(nrows, SEEKER_TOP, dtype=np.int64))
        by_seeker = score >= cut[block.row]
        removed = np.where(by_seeker, -1, score)
        np.maximum.at(best_removed, block.seeker, removed)
        # the position side: only pairs at or above the running cut can still be in a top-k
        contender = score >= theta[block.position]
        pos_c, score_c = block.position[contender], score[contender]
        np.add.at(hist, (pos_c, score_c), 1)
        touched = np.unique(pos_c)
        ge_p = np.cumsum(hist[touched, ::-1], axis=1)[:, ::-1]
        theta[touched] = _threshold(ge_p, need[touched])
        kept.append(
            (
                block.seeker[by_seeker],
                block.position[by_seeker],
                block.score[by_seeker],
                block.components[:, by_seeker],
            )
        )
        extra = contender & ~by_seeker
        pool.append(
            (
                block.seeker[extra],
                block.position[extra],
                block.score[extra],
                block.components[:, extra],
            )
        )
        pool_size += int(extra.sum())
        if pool_size > 4 * int(need.sum()) + 1_000_000:
            pool = [_filter_pool(pool, theta)]
            pool_size = len(pool[0][0])
    parts = [*kept, _filter_pool(pool, theta)] if pool else []
    if not parts:
        return _all_arcs_from(_concat([], funnel), best_removed, 0)
    seeker = np.concatenate([p[0] for p in parts])
    position = np.concatenate([p[1] for p in parts])
    order = np.lexsort((position, seeker))
    return Arcs(
        seeker=seeker[order],
        position=position[order],
        score=np.concatenate([p[2] for p in parts])[order],
        components=np.concatenate([p[3] for p in parts], axis=1)[:, order],
        funnel=funnel,
        candidates=total,
        best_removed=best_removed,
    )


def _filter_pool(pool: list[tuple[I32, I32, U8, U8]], theta: I64) -> tuple[I32, I32, U8, U8]:
    seeker = np.concatenate([p[0] for p in pool])
    position = np.concatenate([p[1] for p in pool])
    score = np.concatenate([p[2] for p in pool])
    comps = np.concatenate([p[3] for p in pool], axis=1)
    keep = score >= theta[position]
    return seeker[keep], position[keep], score[keep], comps[:, keep]


# --- the network ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Network:
    """A min-cost-flow network as arrays (node 0.. seekers, positions, sink, skip nodes)."""

    tails: I32
    heads: I32
    caps: I64
    costs: I64
    supplies: I64
    n_pair_arcs: int
    seeker_nodes: I32  # seeker index of each seeker node
    position_nodes: I32  # position index of each position node


def _network(arc_s: I32, arc_p: I32, arc_w: U8, left: I64, groups: I64, skip_caps: I64) -> Network:
    """Build the network; `groups` gives each seeker index its skip group (-1: none)."""
    seeker_nodes, s_local = np.unique(arc_s, return_inverse=True)
    position_nodes, p_local = np.unique(arc_p, return_inverse=True)
    ns, npos = len(seeker_nodes), len(position_nodes)
    sink = ns + npos
    g = groups[seeker_nodes]
    skip_heads = np.where(g >= 0, sink + 1 + g, sink)
    n_groups = len(skip_caps)
    tails = np.concatenate(
        [
            s_local,
            ns + np.arange(npos),
            np.arange(ns),
            sink + 1 + np.arange(n_groups),
        ]
    ).astype(np.int32)
    heads = np.concatenate(
        [ns + p_local, np.full(npos, sink), skip_heads, np.full(n_groups, sink)]
    ).astype(np.int32)
    caps = np.concatenate(
        [np.ones(len(arc_s)), left[position_nodes], np.ones(ns), skip_caps]
    ).astype(np.int64)
    costs = np.concatenate(
        [-arc_w.astype(np.int64), np.zeros(npos + ns + n_groups, dtype=np.int64)]
    )
    supplies = np.zeros(sink + 1 + n_groups, dtype=np.int64)
    supplies[:ns] = 1
    supplies[sink] = -ns
    return Network(
        tails,
        heads,
        caps,
        costs,
        supplies,
        len(arc_s),
        seeker_nodes.astype(np.int32),
        position_nodes.astype(np.int32),
    )


def _min_cost_flow(net: Network) -> tuple[bool, I64]:
    """Solve; return (feasible, flow per arc). Raises on solver errors, never silently."""
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.caps, net.costs)
    smcf.set_nodes_supplies(np.arange(len(net.supplies), dtype=np.int32), net.supplies)
    status = smcf.solve()
    if status == smcf.OPTIMAL:
        return True, np.asarray(smcf.flows(arcs), dtype=np.int64)
    if status == smcf.INFEASIBLE:
        return False, np.zeros(0, dtype=np.int64)
    raise RuntimeError(f"min-cost flow failed with status {status.name}")


def _potentials(net: Network, flows: I64) -> npt.NDArray[np.float64] | None:
    """Shortest-path potentials of the residual network (LP duals), or None if too slow.

    Bellman-Ford from a virtual root joined to every node at cost 0, relaxing each round only
    the arcs leaving nodes whose distance just dropped (the optimal flow leaves no negative
    cycle, so it ends within one round per node).
    """
    fwd = flows < net.caps
    bwd = flows > 0
    rt = np.concatenate([net.tails[fwd], net.heads[bwd]]).astype(np.int64)
    rh = np.concatenate([net.heads[fwd], net.tails[bwd]]).astype(np.int64)
    rc = np.concatenate([net.costs[fwd], -net.costs[bwd]]).astype(np.float64)
    order = np.argsort(rt, kind="stable")
    rt, rh, rc = rt[order], rh[order], rc[order]
    nodes = len(net.supplies)
    indptr = np.searchsorted(rt, np.arange(nodes + 1))
    dist = np.zeros(nodes, dtype=np.float64)
    frontier = np.arange(nodes, dtype=np.int64)
    for _ in range(min(_POTENTIAL_ROUNDS, nodes + 1)):
        starts = indptr[frontier]
        lens = indptr[frontier + 1] - starts
        seg = np.cumsum(lens) - lens
        idx = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(seg - starts, lens)
        heads = rh[idx]
        cand = dist[rt[idx]] + rc[idx]
        better = cand < dist[heads]
        if not better.any():
            return dist
        heads, cand = heads[better], cand[better]
        np.minimum.at(dist, heads, cand)
        frontier = np.unique(heads)
    return None


# --- floors --------------------------------------------------------------------------------------


def _floor_groups(prep: Prepared, floors: tuple[Floor, ...]) -> tuple[list[I64], list[int]]:
    """Per floor: indices of its group's seekers, and how many of them are pinned."""
    pinned = {prep.seeker_index[s] for s, _ in prep.instance.pins}
    members: list[I64] = []
    pinned_counts: list[int] = []
    for floor in floors:
        idx = [i for i, s in enumerate(prep.seekers) if s.group.get(floor.key) == floor.value]
        members.append(np.array(idx, dtype=np.int64))
        pinned_counts.append(sum(1 for i in idx if i in pinned))
    return members, pinned_counts


def _max_assignable(members: I64, arc_s: I32, arc_p: I32, left: I64) -> int:
    """Return how many of `members` can be assigned at once over the arcs (max flow)."""
    mask = np.isin(arc_s, members)
    s_nodes, s_local = np.unique(arc_s[mask], return_inverse=True)
    p_nodes, p_local = np.unique(arc_p[mask], return_inverse=True)
    if not len(s_nodes):
        return 0
    ns, npos = len(s_nodes), len(p_nodes)
    source, sink = ns + npos, ns + npos + 1
    tails = np.concatenate([np.full(ns, source), s_local, ns + np.arange(npos)]).astype(np.int32)
    heads = np.concatenate([np.arange(ns), ns + p_local, np.full(npos, sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(ns + len(s_local)), left[p_nodes]]).astype(np.int64)
    smf = max_flow.SimpleMaxFlow()
    smf.add_arcs_with_capacity(tails, heads, caps)
    status = smf.solve(source, sink)
    if status != smf.OPTIMAL:
        raise RuntimeError(f"max flow failed with status {status.name}")
    return int(smf.optimal_flow())


def _shortfalls(
    floors: tuple[Floor, ...],
    members: list[I64],
    pinned: list[int],
    arc_s: I32,
    arc_p: I32,
    left: I64,
) -> tuple[FloorShortfall, ...]:
    """Say which floors cannot be met: alone, or (if each can) only together."""
    alone: list[FloorShortfall] = []
    wanted: list[tuple[Floor, int, int]] = []
    for floor, group, pins in zip(floors, members, pinned, strict=True):
        if floor.min <= pins:
            continue
        best = pins + _max_assignable(group, arc_s, arc_p, left)
        wanted.append((floor, pins, best))
        if best < floor.min:
            alone.append(
                FloorShortfall(
                    floor.key,
                    floor.value,
                    floor.min,
                    pins,
                    best,
                    f"at most {best} seekers with {floor.key}={floor.value} can be assigned "
                    f"(pins included), fewer than the floor of {floor.min}",
                )
            )
    if alone:
        return tuple(alone)
    return tuple(
        FloorShortfall(
            floor.key,
            floor.value,
            floor.min,
            pins,
            best,
            "each floor can be met on its own but not all of them at once: "
            "they compete for the same openings",
        )
        for floor, pins, best in wanted
    )


# --- solving -------------------------------------------------------------------------------------


def solve(instance: Instance, *, prune: bool | None = None) -> Solution:
    """Return the assignment maximising the total score (pins kept, floors met), or why not.

    `prune` None prunes only above 20,000 x 5,000 seeker x position pairs.
    """
    started = time.perf_counter()
    prep = prepare(instance)
    n, m = prep.n_seekers, prep.n_positions
    pruning = (n * m > PRUNE_ABOVE) if prune is None else prune
    arcs = _pruned_arcs(prep) if pruning else _all_arcs(prep)
    scored = time.perf_counter()

    pin_s = np.array([prep.seeker_index[s] for s, _ in instance.pins], dtype=np.int64)
    pin_p = np.array([prep.position_index[p] for _, p in instance.pins], dtype=np.int64)
    left = prep.p_openings - np.bincount(pin_p, minlength=m).astype(np.int64)
    pinned = np.zeros(n, dtype=np.bool_)
    pinned[pin_s] = True
    free = ~pinned[arcs.seeker] & (left[arcs.position] > 0)
    arc_s, arc_p, arc_w = arcs.seeker[free], arcs.position[free], arcs.score[free]

    floors = tuple(f for f in instance.floors if f.min > 0)
    members, pinned_counts = _floor_groups(prep, floors)
    keys = sorted({f.key for f in floors})
    status: Status = "optimal"
    shortfalls: tuple[FloorShortfall, ...] = ()
    message = ""
    bound = 0
    chosen = np.zeros(len(arc_s), dtype=np.bool_)
    solver = "min_cost_flow"
    if len(keys) > 1:
        solver = "cp_sat"
        status, chosen, message = _solve_cp_sat(
            arc_s, arc_p, arc_w, left, floors, members, pinned_counts
        )
    else:
        groups = np.full(n, -1, dtype=np.int64)
        skip_caps = np.zeros(len(floors), dtype=np.int64)
        in_flow = np.zeros(n, dtype=np.bool_)
        in_flow[arc_s] = True
        for g, (floor, group, pins) in enumerate(zip(floors, members, pinned_counts, strict=True)):
            groups[group] = g
            skip_caps[g] = int(in_flow[group].sum()) - max(0, floor.min - pins)
        feasible = bool((skip_caps >= 0).all())
        flows = np.zeros(0, dtype=np.int64)
        net: Network | None = None
        if feasible and len(arc_s):
            net = _network(arc_s, arc_p, arc_w, left, groups, skip_caps)
            feasible, flows = _min_cost_flow(net)
            if feasible:
                chosen = flows[: net.n_pair_arcs] > 0
        if not feasible:
            status = "infeasible_floors"
        elif pruning and net is not None:
            bound = _pruning_bound(prep, arcs, net, flows)
    if status == "infeasible_floors":
        shortfalls = _shortfalls(floors, members, pinned_counts, arc_s, arc_p, left)
        chosen = np.zeros(len(arc_s), dtype=np.bool_)
        message = "; ".join(
            f"floor {f.key}={f.value} (min {f.min}): {f.reason}" for f in shortfalls
        )
    solved = time.perf_counter()

    assignments = _assignments(
        prep, arcs, pin_s, pin_p, arc_s[chosen], arc_p[chosen], arc_w[chosen]
    )
    if status == "infeasible_floors":
        assignments = tuple(a for a in assignments if a.pinned)
    objective = sum(a.score for a in assignments)
    placed = {a.seeker for a in assignments}
    unassigned = _unassigned(prep, arcs.funnel, placed)
    finished = time.perf_counter()
    return Solution(
        status=status,
        objective=objective,
        assignments=assignments,
        unassigned=unassigned,
        stats=Stats(
            seekers=n,
            positions=m,
            openings=int(prep.p_openings.sum()),
            candidates=arcs.candidates,
            arcs=len(arc_s),
            solver=solver,
            pruned=pruning,
            pruning_bound=bound,
            pruning_rule=PRUNING_RULE if pruning else "",
            timings={
                "scoring": round(scored - started, 3),
                "solving": round(solved - scored, 3),
                "explaining": round(finished - solved, 3),
            },
        ),
        infeasible_floors=shortfalls,
        message=message,
    )


def _pruning_bound(prep: Prepared, arcs: Arcs, net: Network, flows: I64) -> int:
    """Return an upper bound on (optimum over all candidates) - (optimum over kept arcs).

    LP duality: with potentials d optimal for the pruned network, a removed arc (s, p) with
    score w could only help if its reduced cost -w + d[s] - d[p] is negative. Adding, for each
    seeker, the largest such violation to its dual variable (or, for each position, the largest
    violation times its openings left) gives a feasible dual of the full problem, whose value
    exceeds the pruned optimum by the sum of these additions.
    """
    dist = _potentials(net, flows)
    ns = len(net.seeker_nodes)
    if dist is None:  # fall back to the crude but valid bound: every removed arc at its best
        return int(np.maximum(arcs.best_removed, 0).sum())
    node_of_seeker = np.full(prep.n_seekers, -1, dtype=np.int64)
    node_of_seeker[net.seeker_nodes] = np.arange(ns)
    d_position = np.full(prep.n_positions, -np.inf)
    d_position[net.position_nodes] = dist[ns : ns + len(net.position_nodes)]
    d_seeker = np.where(node_of_seeker >= 0, dist[np.maximum(node_of_seeker, 0)], 0.0)
    pinned = np.zeros(prep.n_seekers, dtype=np.bool_)
    pinned[[prep.seeker_index[s] for s, _ in prep.instance.pins]] = True
    top_position = float(d_position.max()) if len(net.position_nodes) else 0.0
    suspect = (
        (~pinned) & (arcs.best_removed >= 0) & (arcs.best_removed - d_seeker + top_position > 0)
    )
    if not suspect.any():
        return 0
    m = prep.n_positions
    kept_keys = np.sort(arcs.seeker.astype(np.int64) * m + arcs.position)
    worst = np.zeros(prep.n_seekers, dtype=np.float64)
    worst_at = np.zeros(prep.n_positions, dtype=np.float64)
    for block in iter_blocks(prep, only=np.flatnonzero(suspect).astype(np.int32)):
        keys = block.seeker.astype(np.int64) * m + block.position
        at = np.minimum(np.searchsorted(kept_keys, keys), max(len(kept_keys) - 1, 0))
        removed = kept_keys[at] != keys if len(kept_keys) else np.ones(len(keys), np.bool_)
        gain = block.score.astype(np.float64) - d_seeker[block.seeker] + d_position[block.position]
        gain = np.where(removed & np.isfinite(gain), gain, 0.0)
        np.maximum.at(worst, block.seeker, gain)
        np.maximum.at(worst_at, block.position, gain)
    # Either every seeker's dual or every position's dual absorbs the violations; a position's
    # dual counts once per opening left. Both are valid bounds: take the smaller.
    left = prep.p_openings.astype(np.float64)
    for _, position in prep.instance.pins:
        left[prep.position_index[position]] -= 1
    return int(np.ceil(min(worst.sum(), float((worst_at * left).sum()))))


def _assignments(
    prep: Prepared,
    arcs: Arcs,
    pin_s: I64,
    pin_p: I64,
    sel_s: I32,
    sel_p: I32,
    sel_w: U8,
) -> tuple[Assignment, ...]:
    """Explain every assignment, with each seeker's next-best alternatives."""
    instance = prep.instance
    # each seeker's arcs are contiguous (see CandidateTable); find each seeker's run
    begin = np.zeros(prep.n_seekers, dtype=np.int64)
    end = np.zeros(prep.n_seekers, dtype=np.int64)
    if len(arcs.seeker):
        cuts = np.flatnonzero(np.diff(arcs.seeker)) + 1
        heads = np.concatenate([[0], cuts])
        begin[arcs.seeker[heads]] = heads
        end[arcs.seeker[heads]] = np.concatenate([cuts, [len(arcs.seeker)]])
    out: list[Assignment] = []

    def span(s: int) -> tuple[int, int]:
        return int(begin[s]), int(end[s])

    def alternatives(s: int, p: int) -> tuple[Alternative, ...]:
        lo, hi = span(s)
        pos = arcs.position[lo:hi]
        sc = arcs.score[lo:hi].astype(np.int64)
        order = np.lexsort((pos, -sc))
        picks = [(int(pos[k]), int(sc[k])) for k in order[: ALTERNATIVES + 1] if int(pos[k]) != p]
        return tuple(Alternative(prep.positions[q].id, w) for q, w in picks[:ALTERNATIVES])

    def arc_index(s: int, p: int) -> int:
        lo, hi = span(s)
        return lo + int(np.flatnonzero(arcs.position[lo:hi] == p)[0])

    for s, p in zip(pin_s.tolist(), pin_p.tolist(), strict=True):
        seeker, position = prep.seekers[s], prep.positions[p]
        report = evaluate(instance, prep.table, seeker, position)
        broken = report.violations
        if report.score < instance.min_score:
            broken = (*broken, "min_score")
        out.append(
            Assignment(
                seeker.id,
                position.id,
                report.score,
                True,
                report.components,
                report.unknowns,
                report.near_limits,
                broken,
                alternatives(s, p),
            )
        )
    for s, p, w in zip(sel_s.tolist(), sel_p.tolist(), sel_w.tolist(), strict=True):
        k = arc_index(s, p)
        out.append(
            Assignment(
                prep.seekers[s].id,
                prep.positions[p].id,
                int(w),
                False,
                _components(arcs.components[:, k]),
                _unknowns(prep, s, p),
                _near_limits(prep, s, p),
                (),
                alternatives(s, p),
            )
        )
    return tuple(sorted(out, key=lambda a: a.seeker))


def _unassigned(prep: Prepared, funnel: Funnel, placed: set[str]) -> tuple[Unassigned, ...]:
    """Say in plain words why each seeker without a position has none."""
    out: list[Unassigned] = []
    min_score = prep.instance.min_score
    for i, seeker in enumerate(prep.seekers):
        if seeker.id in placed:
            continue
        if funnel.reachable[i] == 0:
            code = "no_reachable_position"
            reason = "no open position matches their work modes, region and weekly hours"
        elif funnel.eligible[i] == 0:
            code = "no_eligible_position"
            reason = (
                "no position within their work modes, region and hours offers the "
                "accommodations they need with demands their functioning allows"
            )
        elif funnel.scored[i] == 0:
            code = "below_min_score"
            reason = f"no eligible position scores at least the minimum of {min_score}"
        else:
            code = "positions_taken"
            count = int(funnel.scored[i])
            reason = (
                f"their {count} candidate position{'s' if count != 1 else ''} went to "
                "matches that score more in total"
            )
        out.append(Unassigned(seeker.id, reason, code))
    return tuple(out)


def _solve_cp_sat(
    arc_s: I32,
    arc_p: I32,
    arc_w: U8,
    left: I64,
    floors: tuple[Floor, ...],
    members: list[I64],
    pinned: list[int],
) -> tuple[Status, npt.NDArray[np.bool_], str]:
    """Floors over several keys: an exact CP-SAT model (small instances only)."""
    none = np.zeros(len(arc_s), dtype=np.bool_)
    if len(arc_s) > CP_SAT_MAX_ARCS:
        return (
            "unsupported",
            none,
            f"floors over several keys ({', '.join(sorted({f.key for f in floors}))}) need "
            f"CP-SAT, which is only used up to {CP_SAT_MAX_ARCS} arcs; "
            "use floors over a single key",
        )
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{k}") for k in range(len(arc_s))]
    by_seeker: dict[int, list[int]] = {}
    by_position: dict[int, list[int]] = {}
    for k, (s, p) in enumerate(zip(arc_s.tolist(), arc_p.tolist(), strict=True)):
        by_seeker.setdefault(s, []).append(k)
        by_position.setdefault(p, []).append(k)
    for ks in by_seeker.values():
        model.add_at_most_one(x[k] for k in ks)
    for p, ks in by_position.items():
        model.add(sum(x[k] for k in ks) <= int(left[p]))
    for floor, group, pins in zip(floors, members, pinned, strict=True):
        inside = set(group.tolist())
        model.add(
            sum(x[k] for s, ks in by_seeker.items() if s in inside for k in ks) >= floor.min - pins
        )
    model.maximize(sum(int(w) * x[k] for k, w in enumerate(arc_w.tolist())))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = CP_SAT_SECONDS
    solver.parameters.num_workers = 1  # one worker: the same input gives the same answer
    result = solver.solve(model)
    if result == cp_model.OPTIMAL:
        return "optimal", np.array([solver.boolean_value(v) for v in x], dtype=np.bool_), ""
    if result == cp_model.FEASIBLE:
        return (
            "feasible",
            np.array([solver.boolean_value(v) for v in x], dtype=np.bool_),
            f"CP-SAT stopped after {CP_SAT_SECONDS:g} s without proving optimality",
        )
    if result == cp_model.INFEASIBLE:
        return "infeasible_floors", none, ""
    return "unsupported", none, f"CP-SAT ended with status {solver.status_name(result)}"
