"""Optimal assignment by min-cost flow (OR-Tools), with pins, forbids, floors and pruning.

Network (built in id order, so the same input always gives the same network and answer):

    seeker (+1 supply) --score arcs, cost -score, cap 1--> position --cap openings left--> sink
    seeker --cap 1, cost 0--> sink                        (staying unassigned)
    seeker in floor group g --cap 1--> skip(g) --cap |g| - min(g)--> sink   (floors, one key)

Every seeker's unit of supply reaches the sink either through a position or by skipping, so the
minimum cost is minus the maximum total score; a floor caps how many of its group may skip.
Pins are assigned before the network is built (their seekers leave it, their positions lose an
opening); forbidden pairs never become arcs. Floors over more than one key are not a network
flow: they are solved with CP-SAT (`_solve_cp_sat`). Large exact solves without floors start
from fewer arcs and price the rest back in until the LP duals prove the optimum (`_generate`).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import chain

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow  # type: ignore[import-untyped]
from ortools.sat.python import cp_model

from matching import explanations
from matching.instance import Floor, Instance
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
    Block,
    BlockScorer,
    CandidateTable,
    Funnel,
    Prepared,
    _concat,
    candidate_table,
    empty_funnel,
    prepare,
    record_block,
    unchanged,
)

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

#: Instances with more seeker x position pairs than this are pruned before solving.
PRUNE_ABOVE = 20_000 * 5_000
#: Pruning keeps each seeker's best positions by score minus the position's price ...
SEEKER_TOP = 10
#: ... the prices being the LP duals of the same market solved on every PRICE_SAMPLE_EVERY-th
#: seeker (scored first), each standing for PRICE_SAMPLE_EVERY seekers ...
PRICE_SAMPLE_EVERY = 40
#: ... and each position's best seekers, this many per opening (ties at the cut are kept).
POSITION_TOP_PER_OPENING = 5
#: Column generation (below PRUNE_ABOVE, where every pair is scored before solving) prices a
#: position at the score of its (PRICE_RANK x openings)-th best seeker.
PRICE_RANK = 3
#: Alternatives listed with each assignment.
ALTERNATIVES = 3
#: CP-SAT (floors over several keys) is tried up to this many arcs and for this long.
CP_SAT_MAX_ARCS = 200_000
CP_SAT_SECONDS = 60.0
#: The pruning bound solves the cheapest dual cover exactly up to this many violating arcs.
COVER_MAX_ARCS = 500_000
#: Pruning raises each position's cut after this many more pairs were counted (not per block:
#: recomputing 20,000 cuts for every block of scored pairs dominated the bookkeeping).
_THETA_EVERY = 2_000_000
#: Bellman-Ford rounds allowed when recovering dual prices for the pruning bound.
_POTENTIAL_ROUNDS = 200_000
#: Exact solves (no floors, or floors over one key) over at least this many arcs use column
#: generation: a first solve over the arcs a pruning rule keeps (with PRICE_RANK prices), then
#: arcs priced back in until none has a negative reduced cost (proven optimal over all arcs);
#: below it one solve over all arcs is as fast.
GENERATE_FROM = 1_000_000
#: After the first solve, every arc whose reduced cost is below this slack is added at once
#: (not only the violated ones: the duals move when arcs are added, and the near ones are
#: the arcs that become violated next), so that one more solve usually proves the optimum.
GENERATE_SLACK = 5
#: Solves before column generation gives up and solves over all arcs (never reached on the
#: benchmark cities, which need 2 or 3).
GENERATE_ROUNDS = 8

PRUNING_RULE = (
    f"each seeker's {SEEKER_TOP} best positions by score minus the position's price (its "
    f"dual in the same market solved on every {PRICE_SAMPLE_EVERY}th seeker, each standing for "
    f"{PRICE_SAMPLE_EVERY}) and each position's {POSITION_TOP_PER_OPENING} x openings best "
    "seekers by score (ties at the cut kept)"
)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, restoring its state afterwards.

    The engine builds many long-lived, acyclic objects (phrase lists, explanations); with a
    large instance in memory, every automatic full collection rescans all of it, which cost
    about a third of `prepare` and of explaining at 100,000 seekers. Nothing built here forms
    a cycle, so pausing frees nothing later than it would have been.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def candidates(instance: Instance) -> list[Candidate]:
    """Return every candidate pair, sorted by seeker id, then score (best first), then position."""
    with _collector_paused():
        return _candidates(instance)


def _candidates(instance: Instance) -> list[Candidate]:
    prep = prepare(instance)
    table = candidate_table(prep)
    order = np.lexsort((table.position, -table.score.astype(np.int16), table.seeker))
    s = table.seeker[order].astype(np.int64)
    p = table.position[order].astype(np.int64)
    seeker_ids = [x.id for x in prep.seekers]
    position_ids = [x.id for x in prep.positions]
    return [
        Candidate(
            seeker=seeker_ids[a],
            position=position_ids[b],
            score=w,
            components=points,
            unknowns=unknown,
            near_limits=near,
        )
        for a, b, w, points, unknown, near in zip(
            s.tolist(),
            p.tolist(),
            table.score[order].tolist(),
            explanations.components(table.components.take(order, axis=1)),
            explanations.unknowns(prep, s, p),
            explanations.near_limits(prep, s, p),
            strict=True,
        )
    ]


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
    #: the candidates pruning removed, in chunks of (seeker, position, score) (for the bound)
    removed: tuple[tuple[I32, I32, U8], ...] = ()


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


@dataclass(frozen=True, slots=True)
class _Pruned:
    """One block after pruning: its funnel counts, the pairs kept for the seekers, the pairs
    that may still be in a position's top (with the keys of its score histogram) and the pairs
    removed."""

    counts: Block  # the block's funnel counts (its pair arrays emptied)
    pairs: int
    best_rows: I32  # seekers of the block that have candidates ...
    best_removed: npt.NDArray[np.int16]  # ... and the best score pruning removed (-1: none)
    kept: tuple[I32, I32, U8, U8]
    contenders: tuple[I32, I32, U8, U8]
    contender_keys: I32  # position * 101 + score of every pair at or above its cut
    removed: tuple[I32, I32, U8]


def _prune_block(block: Block, discount: npt.NDArray[np.int16], theta: list[U8]) -> _Pruned:
    """Prune one block: keep each seeker's SEEKER_TOP best pairs by score minus price; of the
    rest, set aside the pairs at or above their position's current cut (`theta[0]`, which the
    caller only raises: a pair below an older, lower cut is below the final one too)."""
    nrows = len(block.rows)
    score = block.score
    empty = replace(
        block,
        row=block.row[:0],
        seeker=block.seeker[:0],
        position=block.position[:0],
        score=score[:0],
        components=block.components[:, :0],
    )
    if not len(score):
        no = block.seeker[:0], block.position[:0], score[:0], block.components[:, :0]
        return _Pruned(
            empty, 0, block.rows[:0], np.zeros(0, np.int16), no, no, np.zeros(0, np.int32), no[:3]
        )
    reduced = score + discount[block.position]  # 0..200
    row_hist = np.bincount(block.row * 201 + reduced, minlength=nrows * 201)
    ge = np.cumsum(row_hist.reshape(nrows, 201)[:, ::-1], axis=1)[:, ::-1]
    del row_hist
    cut = _threshold(ge, np.full(nrows, SEEKER_TOP, dtype=np.int64))
    del ge
    by_seeker = reduced >= cut.astype(np.int16)[block.row]
    del reduced
    # a block lists its pairs seeker by seeker: the best removed score of each seeker is a
    # maximum over its run
    runs = np.bincount(block.row, minlength=nrows)
    has = runs > 0
    starts = (np.cumsum(runs) - runs)[has]
    best = np.maximum.reduceat(np.where(by_seeker, np.int16(-1), score), starts)
    # the position side: only pairs at or above the running cut can still be in a top-k
    contender = score >= theta[0][block.position]
    keys = block.position[contender] * 101
    keys += score[contender]
    extra = contender & ~by_seeker
    gone = ~(contender | by_seeker)
    return _Pruned(
        empty,
        len(score),
        block.rows[has],
        best,
        (
            block.seeker[by_seeker],
            block.position[by_seeker],
            score[by_seeker],
            np.compress(by_seeker, block.components, axis=1),
        ),
        (
            block.seeker[extra],
            block.position[extra],
            score[extra],
            np.compress(extra, block.components, axis=1),
        ),
        keys,
        (block.seeker[gone], block.position[gone], score[gone]),
    )


def _pruned_arcs(prep: Prepared) -> Arcs:
    """Score block by block, keeping each seeker's and each position's best candidates.

    Each block is pruned on the scoring threads as soon as it is scored (`_prune_block`); this
    thread only adds up the position cuts. The candidates left out are kept too, as bare
    (seeker, position, score) chunks, so that the pruning bound can price every one of them
    without scoring anything again.
    """
    m = prep.n_positions
    funnel = empty_funnel(prep.n_seekers)
    best_removed = np.full(prep.n_seekers, -1, dtype=np.int64)
    need = POSITION_TOP_PER_OPENING * prep.p_openings
    sample = np.arange(0, prep.n_seekers, PRICE_SAMPLE_EVERY, dtype=np.int32)
    rest = np.setdiff1d(np.arange(prep.n_seekers, dtype=np.int32), sample, assume_unique=True)
    scorer = BlockScorer.of(prep)
    sampled = list(scorer.map(unchanged, only=sample))
    # a seeker ranks positions by score minus price: in this market (more seekers than
    # openings) a raw-score ranking keeps arcs to positions far too contested to be had
    price = _prices(prep, sampled)
    hist = np.zeros(m * 101, dtype=np.int64)
    # a position keeps pairs scoring >= its cut; the box lets the threads see it raised
    theta = [np.zeros(m, dtype=np.uint8)]
    kept: list[tuple[I32, I32, U8, U8]] = []
    pool: list[tuple[I32, I32, U8, U8]] = []
    removed: list[tuple[I32, I32, U8]] = []
    pool_size = 0
    total = 0
    counted = 0
    keys: list[I32] = []  # contenders not yet in `hist`
    # scores and prices are 0..100: small integer types keep the per-pair passes cheap
    discount = (100 - price).astype(np.int16)

    def prune(block: Block) -> _Pruned:
        return _prune_block(block, discount, theta)

    def raise_cuts() -> I64:
        nonlocal hist
        if keys:
            hist += np.bincount(np.concatenate(keys), minlength=m * 101)
            keys.clear()
        cuts = _threshold(np.cumsum(hist.reshape(m, 101)[:, ::-1], axis=1)[:, ::-1], need)
        theta[0] = cuts.astype(np.uint8)
        return cuts

    sampled.reverse()  # popped in order below, so each sampled block is freed once pruned
    for part in chain(map(prune, _drain(sampled)), scorer.map(prune, only=rest)):
        record_block(funnel, part.counts)
        total += part.pairs
        if not part.pairs:
            continue
        best_removed[part.best_rows] = part.best_removed
        keys.append(part.contender_keys)
        counted += len(part.contender_keys)
        if counted >= _THETA_EVERY:
            # raising the cuts less often keeps more pairs in the pool for a while, but the
            # final cuts (and so the arcs kept) are the same: a pair below a cut stays below
            raise_cuts()
            counted = 0
        kept.append(part.kept)
        removed.append(part.removed)
        pool.append(part.contenders)
        pool_size += len(part.contenders[0])
        if pool_size > 4 * int(need.sum()) + 1_000_000:
            pool = [_filter_pool(pool, raise_cuts(), removed)]
            counted = 0
            pool_size = len(pool[0][0])
    parts = [*kept, _filter_pool(pool, raise_cuts(), removed)] if pool else []
    if not parts:
        return _all_arcs_from(_concat([], funnel), best_removed, 0)
    seeker = np.concatenate([p[0] for p in parts])
    position = np.concatenate([p[1] for p in parts])
    # each pair is kept once, so the keys are distinct and any sort gives the same order
    order = np.argsort(seeker.astype(np.int64) * m + position)
    return Arcs(
        seeker=seeker[order],
        position=position[order],
        score=np.concatenate([p[2] for p in parts])[order],
        components=np.concatenate([p[3] for p in parts], axis=1).take(order, axis=1),
        funnel=funnel,
        candidates=total,
        best_removed=best_removed,
        removed=tuple(removed),
    )


def _drain(blocks: list[Block]) -> Iterator[Block]:
    """Yield blocks popped from the end of `blocks`, dropping the list's reference to each."""
    while blocks:
        yield blocks.pop()


def _pins(prep: Prepared) -> tuple[I64, I64, I64, npt.NDArray[np.bool_]]:
    """Return the pinned pairs (seeker indices, position indices), each position's openings
    left after them, and which seekers are pinned."""
    pins = prep.instance.pins
    pin_s = np.array([prep.seeker_index[s] for s, _ in pins], dtype=np.int64)
    pin_p = np.array([prep.position_index[p] for _, p in pins], dtype=np.int64)
    left = prep.p_openings - np.bincount(pin_p, minlength=prep.n_positions).astype(np.int64)
    pinned = np.zeros(prep.n_seekers, dtype=np.bool_)
    pinned[pin_s] = True
    return pin_s, pin_p, left, pinned


def _prices(prep: Prepared, blocks: list[Block]) -> I64:
    """Estimate each position's price (its LP dual in the full market) from sampled seekers.

    The sampled seekers' candidates are solved as a market of their own in which each sampled
    seeker stands for PRICE_SAMPLE_EVERY seekers (that many units of supply, arcs of that
    capacity, positions their openings left after pins; pinned seekers are not in it). A
    position's price is what a seeker gives up to take it there: `d[sink] - d[position]` from
    the potentials of the optimal flow, 0 for a position with spare openings or no sampled
    candidate. All zeros if the potentials cannot be computed (pruning then ranks by raw
    score). Floors are left out: prices only guide pruning.
    """
    m = prep.n_positions
    price = np.zeros(m, dtype=np.int64)
    if not blocks:
        return price
    _, _, left, pinned = _pins(prep)
    seeker = np.concatenate([b.seeker for b in blocks])
    position = np.concatenate([b.position for b in blocks])
    free = ~pinned[seeker] & (left[position] > 0)
    if not free.any():
        return price
    seeker, position = seeker[free], position[free]
    score = np.concatenate([b.score for b in blocks])[free]
    net = _network(
        seeker,
        position,
        score,
        left,
        units=PRICE_SAMPLE_EVERY,
    )
    feasible, flows = _min_cost_flow(net)
    dist = _potentials(net, flows) if feasible else None  # always feasible: seekers may skip
    if dist is None:
        return price
    ns, npos = len(net.seeker_nodes), len(net.position_nodes)
    d = np.rint(dist).astype(np.int64)
    price[net.position_nodes] = np.maximum(d[ns + npos] - d[ns : ns + npos], 0)
    return price


def _filter_pool(
    pool: list[tuple[I32, I32, U8, U8]], theta: I64, removed: list[tuple[I32, I32, U8]]
) -> tuple[I32, I32, U8, U8]:
    seeker = np.concatenate([p[0] for p in pool])
    position = np.concatenate([p[1] for p in pool])
    score = np.concatenate([p[2] for p in pool])
    comps = np.concatenate([p[3] for p in pool], axis=1)
    keep = score >= theta[position]
    removed.append((seeker[~keep], position[~keep], score[~keep]))
    return seeker[keep], position[keep], score[keep], np.compress(keep, comps, axis=1)


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


def _network(
    arc_s: I32,
    arc_p: I32,
    arc_w: npt.NDArray[np.uint8] | I64,
    left: I64,
    groups: I64 | None = None,
    skip_caps: I64 | None = None,
    units: int = 1,
) -> Network:
    """Build the network; `groups` gives each seeker index its skip group (-1 or None: none),
    `skip_caps` each group's skip capacity (floors over one key).

    Each seeker supplies `units` (1, except for the sampled market of `_prices`, where a
    seeker stands for several), and its arcs carry up to that many.
    """
    seeker_nodes, s_local = _compact(arc_s)
    position_nodes, p_local = _compact(arc_p)
    ns, npos = len(seeker_nodes), len(position_nodes)
    sink = ns + npos
    if groups is None or skip_caps is None:
        skip_heads = np.full(ns, sink, dtype=np.int64)
        skip_caps = np.zeros(0, dtype=np.int64)
    else:
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
    open_ = left[position_nodes]
    caps = np.concatenate(
        [np.minimum(open_[p_local], units), open_, np.full(ns, units), skip_caps]
    ).astype(np.int64)
    costs = np.concatenate(
        [-arc_w.astype(np.int64), np.zeros(npos + ns + n_groups, dtype=np.int64)]
    )
    supplies = np.zeros(sink + 1 + n_groups, dtype=np.int64)
    supplies[:ns] = units
    supplies[sink] = -ns * units
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


def _compact(ids: I32) -> tuple[I64, I64]:
    """Return (sorted distinct ids, index of each id among them), like np.unique, in O(n)."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    present = np.zeros(int(ids.max()) + 1, dtype=np.bool_)
    present[ids] = True
    distinct = np.flatnonzero(present)
    rank = np.cumsum(present, dtype=np.int64) - 1
    return distinct, rank[ids]


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
    with _collector_paused():
        return _solve(instance, prune)


def _solve(instance: Instance, prune: bool | None) -> Solution:
    started = time.perf_counter()
    prep = prepare(instance)
    n, m = prep.n_seekers, prep.n_positions
    pruning = (n * m > PRUNE_ABOVE) if prune is None else prune
    arcs = _pruned_arcs(prep) if pruning else _all_arcs(prep)
    scored = time.perf_counter()

    pin_s, pin_p, left, pinned = _pins(prep)
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
        generated = None
        if feasible and not pruning and len(arc_s) >= GENERATE_FROM:
            generated = _generate(prep, arc_s, arc_p, arc_w, left, groups, skip_caps)
        if generated is not None:
            chosen = generated
        elif feasible and len(arc_s):
            net = _network(arc_s, arc_p, arc_w, left, groups, skip_caps)
            feasible, flows = _min_cost_flow(net)
            if feasible:
                chosen = flows[: net.n_pair_arcs] > 0
        if not feasible:
            status = "infeasible_floors"
        elif pruning and net is not None:
            bound = _pruning_bound(prep, arcs, net, flows, left)
    if status == "infeasible_floors":
        shortfalls = _shortfalls(floors, members, pinned_counts, arc_s, arc_p, left)
        chosen = np.zeros(len(arc_s), dtype=np.bool_)
        message = "; ".join(
            f"floor {f.key}={f.value} (min {f.min}): {f.reason}" for f in shortfalls
        )
    solved = time.perf_counter()

    chosen_k = np.flatnonzero(chosen)
    sel_arc = np.flatnonzero(free)[chosen_k]
    assignments = _assignments(
        prep,
        arcs,
        pin_s,
        pin_p,
        arc_s[chosen_k],
        arc_p[chosen_k],
        arc_w[chosen_k],
        sel_arc,
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


def _generate(
    prep: Prepared,
    arc_s: I32,
    arc_p: I32,
    arc_w: U8,
    left: I64,
    groups: I64,
    skip_caps: I64,
) -> npt.NDArray[np.bool_] | None:
    """Solve exactly over all arcs by column generation; None to solve directly.

    Floors over one key (`groups`, `skip_caps` as for `_network`) only reroute the seekers'
    "stay unassigned" arcs through group nodes, so the same pricing holds with the potentials
    of the floor network. Every seeker with a candidate keeps at least one arc (its best), so
    the network has the same seekers, groups and skip capacities as the full one. A reduced
    network whose floors cannot be met proves nothing about all arcs: None, and the direct
    solve decides (and names the floors that cannot be met).

    The first network keeps each seeker's `SEEKER_TOP` best arcs by score minus price (the
    price of a position being the score of its (PRICE_RANK x openings left)-th best seeker:
    every pair is scored already, and the sampled market of `_prices` would cost more than the
    round it saves here) and each position's `POSITION_TOP_PER_OPENING` x openings best, ties
    kept. Potentials `d` of each optimal network (the LP
    duals, as for the pruning bound) price every arc left out: when none has a positive
    `w - d[s] + d[p]`, they are a dual solution of the full problem with the same value, so
    the network's optimum is the optimum over all arcs. Otherwise the arcs are added (after
    the first solve, every one within `GENERATE_SLACK` of violating) and the network solved
    again. Returns which arcs are chosen.
    """
    n, m = prep.n_seekers, prep.n_positions
    hist = np.bincount(arc_p.astype(np.int64) * 101 + arc_w, minlength=m * 101)
    ge = np.cumsum(hist.reshape(m, 101)[:, ::-1], axis=1)[:, ::-1]
    del hist
    price = _threshold(ge, PRICE_RANK * left)
    theta = _threshold(ge, POSITION_TOP_PER_OPENING * left)
    del ge
    reduced = arc_w + (100 - price).astype(np.int16)[arc_p]  # 0..200
    by_seeker = np.bincount(arc_s.astype(np.int64) * 201 + reduced, minlength=n * 201)
    at_least = np.cumsum(by_seeker.reshape(n, 201)[:, ::-1], axis=1)[:, ::-1]
    del by_seeker
    # at least each seeker's best arc: the network must have every seeker (floor groups)
    cut = _threshold(at_least, np.full(n, max(SEEKER_TOP, 1), dtype=np.int64))
    del at_least
    keep = reduced >= cut.astype(np.int16)[arc_s]
    keep |= arc_w >= theta.astype(np.uint8)[arc_p]
    del reduced
    for round_ in range(GENERATE_ROUNDS):
        inside = np.flatnonzero(keep)
        net = _network(arc_s[inside], arc_p[inside], arc_w[inside], left, groups, skip_caps)
        feasible, flows = _min_cost_flow(net)
        if not feasible:  # floors unmet on these arcs: maybe met on all of them
            if not len(skip_caps):
                raise RuntimeError("min-cost flow infeasible without floors")
            return None
        duals = _duals(prep, net, flows)
        if duals is None:
            return None
        gain = duals[1][arc_p]
        gain -= duals[0][arc_s]
        gain += arc_w
        if not (gain[~keep] > 0).any():
            chosen = np.zeros(len(arc_s), dtype=np.bool_)
            chosen[inside[flows[: net.n_pair_arcs] > 0]] = True
            return chosen
        keep |= gain > (-GENERATE_SLACK if round_ == 0 else 0)
    return None


def _duals(prep: Prepared, net: Network, flows: I64) -> tuple[I32, I32] | None:
    """Return integer potentials (per seeker, per position) of an optimal network, or None.

    Seekers and positions outside the network are priced like the sink, the cheapest
    choice that keeps the duality argument valid for them.
    """
    dist = _potentials(net, flows)
    if dist is None:
        return None
    ns, npos = len(net.seeker_nodes), len(net.position_nodes)
    d = np.rint(dist).astype(np.int32)  # |d| <= 100 x path length, far below 2**31
    sink = int(d[ns + npos])
    d_seeker = np.full(prep.n_seekers, sink, dtype=np.int32)
    d_seeker[net.seeker_nodes] = d[:ns]
    d_position = np.full(prep.n_positions, sink, dtype=np.int32)
    d_position[net.position_nodes] = d[ns : ns + npos]
    return d_seeker, d_position


def _violations(
    prep: Prepared, arcs: Arcs, duals: tuple[I32, I32], left: I64
) -> tuple[I32, I32, U8, I64]:
    """Removed candidates (not pinned, position open) whose reduced cost is negative: the
    seeker, position, score and gain `w - d[s] + d[p] > 0` of each."""
    d_seeker, d_position = duals
    pinned = _pins(prep)[3]
    open_ = left > 0
    out: list[tuple[I32, I32, U8, I64]] = []
    for seeker, position, score in arcs.removed:
        if not len(score):
            continue
        gain = d_position[position]
        gain -= d_seeker[seeker]
        gain += score
        bad = np.flatnonzero(gain > 0)
        bad = bad[~pinned[seeker[bad]] & open_[position[bad]]]
        if len(bad):
            out.append((seeker[bad], position[bad], score[bad], gain[bad].astype(np.int64)))
    if not out:
        return (
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0, np.uint8),
            np.zeros(0, np.int64),
        )
    v_s = np.concatenate([o[0] for o in out])
    v_p = np.concatenate([o[1] for o in out])
    v_w = np.concatenate([o[2] for o in out])
    v_g = np.concatenate([o[3] for o in out])
    return v_s, v_p, v_w, v_g


def _pruning_bound(prep: Prepared, arcs: Arcs, net: Network, flows: I64, left: I64) -> int:
    """Return an upper bound on (optimum over all candidates) - (optimum over the network).

    LP duality (see README): with potentials d of the optimal network, a removed arc (s, p)
    of score w violates dual feasibility by g = w - d[s] + d[p] when positive. Lowering seeker
    prices by a and raising position prices by b with a[s] + b[p] >= g on every violating arc
    gives a dual solution of the full problem worth sum(a) + sum(left * b) more than the
    optimum found. Three such covers are priced and the cheapest reported: all on seekers,
    all on positions, and the cheapest cover of all, which by LP duality again equals the
    maximum weight matching of the violating arcs (weights g, seekers once, positions `left`
    times), solved exactly by min-cost flow when there are not too many violating arcs.
    """
    duals = _duals(prep, net, flows)
    if duals is None:  # fall back to the crude but valid bound: every removed arc at its best
        return int(np.maximum(np.where(_pins(prep)[3], -1, arcs.best_removed), 0).sum())
    m = prep.n_positions
    v_s, v_p, _, v_g = _violations(prep, arcs, duals, left)
    if not len(v_s):
        return 0
    by_seeker = np.zeros(prep.n_seekers, dtype=np.int64)
    np.maximum.at(by_seeker, v_s, v_g)
    by_position = np.zeros(m, dtype=np.int64)
    np.maximum.at(by_position, v_p, v_g)
    bound = min(int(by_seeker.sum()), int((by_position * np.maximum(left, 0)).sum()))
    if len(v_s) <= COVER_MAX_ARCS:
        cover = _network(v_s, v_p, v_g, left)
        feasible, cover_flows = _min_cost_flow(cover)
        if feasible:  # always: every seeker may skip
            bound = min(bound, int(-(cover.costs * cover_flows).sum()))
    return bound


def _assignments(
    prep: Prepared,
    arcs: Arcs,
    pin_s: I64,
    pin_p: I64,
    sel_s: I32,
    sel_p: I32,
    sel_w: U8,
    sel_arc: I64,
) -> tuple[Assignment, ...]:
    """Explain every assignment, with each seeker's next-best alternatives.

    `sel_arc` is the index in `arcs` of each selected pair.
    """
    instance = prep.instance
    runs = explanations.seeker_runs(prep.n_seekers, arcs.seeker)
    all_s = np.concatenate([pin_s, sel_s.astype(np.int64)])
    all_p = np.concatenate([pin_p, sel_p.astype(np.int64)])
    picks = explanations.alternatives(
        runs, arcs.position, arcs.score, all_s, all_p, ALTERNATIVES
    )
    position_ids = [p.id for p in prep.positions]
    alternatives = [tuple(Alternative(position_ids[q], w) for q, w in row) for row in picks]
    out: list[Assignment] = []
    for k, (s, p) in enumerate(zip(pin_s.tolist(), pin_p.tolist(), strict=True)):
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
                alternatives[k],
            )
        )
    s64, p64 = sel_s.astype(np.int64), sel_p.astype(np.int64)
    unknowns = explanations.unknowns(prep, s64, p64)
    near = explanations.near_limits(prep, s64, p64)
    points = explanations.components(arcs.components.take(sel_arc, axis=1))
    offset = len(pin_s)
    for k, (s, p, w, components) in enumerate(
        zip(sel_s.tolist(), sel_p.tolist(), sel_w.tolist(), points, strict=True)
    ):
        out.append(
            Assignment(
                prep.seekers[s].id,
                position_ids[p],
                int(w),
                False,
                components,
                unknowns[k],
                near[k],
                (),
                alternatives[offset + k],
            )
        )
    return tuple(sorted(out, key=lambda a: a.seeker))


def _unassigned(prep: Prepared, funnel: Funnel, placed: set[str]) -> tuple[Unassigned, ...]:
    """Say in plain words why each seeker without a position has none."""
    out: list[Unassigned] = []
    min_score = prep.instance.min_score
    for seeker, reachable, eligible, scored in zip(
        prep.seekers,
        funnel.reachable.tolist(),
        funnel.eligible.tolist(),
        funnel.scored.tolist(),
        strict=True,
    ):
        if seeker.id in placed:
            continue
        if reachable == 0:
            code = "no_reachable_position"
            reason = "no open position matches their work modes, region and weekly hours"
        elif eligible == 0:
            code = "no_eligible_position"
            reason = (
                "no position within their work modes, region and hours offers the "
                "accommodations they need with demands their functioning allows"
            )
        elif scored == 0:
            code = "below_min_score"
            reason = f"no eligible position scores at least the minimum of {min_score}"
        else:
            code = "positions_taken"
            reason = (
                f"their {scored} candidate position{'s' if scored != 1 else ''} went to "
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
