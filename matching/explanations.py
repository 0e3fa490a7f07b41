"""Explanations of many pairs at once: unknowns, near limits, components and alternatives.

`matching.rules` says the same things pair by pair (and is the reference the tests compare
with); here they are computed with numpy for every output pair at once, then turned into
tuples through small caches, so that explaining 45,000 assignments costs a fraction of a second.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matching.catalogue import DOMAINS
from matching.instance import COMPONENTS
from matching.scoring import Prepared

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

#: bit of each flag of `near_limits`: hours first, then one bit per domain
_NEAR_NAMES = ("hours.min", "hours.max", *(f"functioning.{d}" for d in DOMAINS))


def _names(masks: I64, names: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Turn bit masks into tuples of names (bit k -> names[k]), in bit order."""
    cache: dict[int, tuple[str, ...]] = {}
    out: list[tuple[str, ...]] = []
    for mask in masks.tolist():
        names_of = cache.get(mask)
        if names_of is None:
            names_of = cache[mask] = tuple(n for k, n in enumerate(names) if mask >> k & 1)
        out.append(names_of)
    return out


def unknowns(prep: Prepared, s: I64, p: I64) -> list[tuple[str, ...]]:
    """Per pair: the demanded domains whose level the seeker has not given."""
    weights = np.left_shift(1, np.arange(len(DOMAINS), dtype=np.int64))
    demanded = (prep.psig_dem.astype(np.int64) * weights).sum(axis=1)
    masks = prep.s_unknown[s].astype(np.int64) & demanded[prep.p_sig[p]]
    return _names(masks, DOMAINS)


def near_limits(prep: Prepared, s: I64, p: I64) -> list[tuple[str, ...]]:
    """Per pair: the rules met with no room left (hours edges, then domains in order)."""
    hours = prep.p_hours[p]
    cap = prep.sig_cap[prep.s_sig[s]]
    psig = prep.p_sig[p]
    tight = prep.psig_dem[psig] & (cap >= 0) & (prep.psig_res[psig] == cap)
    weights = np.left_shift(1, np.arange(2, 2 + len(DOMAINS), dtype=np.int64))
    masks = (tight.astype(np.int64) * weights).sum(axis=1)
    masks |= (hours == prep.s_hmin[s]).astype(np.int64)
    masks |= (hours == prep.s_hmax[s]).astype(np.int64) << 1
    return _names(masks, _NEAR_NAMES)


def components(columns: U8) -> list[dict[str, int]]:
    """Per column of a (len(COMPONENTS), k) array: the points of each component."""
    return [dict(zip(COMPONENTS, row, strict=True)) for row in columns.T.tolist()]


def alternatives(
    seeker_runs: tuple[I64, I64],
    position: npt.NDArray[np.int32],
    score: U8,
    s: I64,
    taken: I64,
    count: int,
) -> list[list[tuple[int, int]]]:
    """Per seeker of `s`: its `count` best (position, score) arcs other than `taken`.

    `seeker_runs` gives, per seeker index, the begin and end of its contiguous run in the arc
    arrays `position` and `score`. Best means highest score, then lowest position index.
    """
    begin, end = seeker_runs
    starts = begin[s]
    lens = end[s] - starts
    total = int(lens.sum())
    seg = np.repeat(np.arange(len(s), dtype=np.int64), lens)
    first = np.cumsum(lens) - lens
    flat = np.arange(total, dtype=np.int64) - np.repeat(first - starts, lens)
    sc = score[flat]
    # only arcs scoring at least the (count + 1)-th best score of their seeker can be picked
    hist = np.bincount(seg * 256 + sc, minlength=len(s) * 256).reshape(len(s), 256)
    at_least = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]
    cut = np.maximum((at_least >= count + 1).sum(axis=1) - 1, 0)
    near = np.flatnonzero(sc >= cut[seg])
    seg, flat = seg[near], flat[near]
    # one sortable key: query, then score descending, then position ascending
    key = (seg << 40) | ((255 - sc[near].astype(np.int64)) << 32) | position[flat]
    key.sort()
    rank = np.arange(len(key), dtype=np.int64) - np.searchsorted(key >> 40, key >> 40)
    top = key[rank <= count]  # one more than needed: `taken` may be among them
    top_seg = top >> 40
    top_pos = top & 0xFFFFFFFF
    keep = top_pos != taken[top_seg]
    top_seg, top_pos = top_seg[keep], top_pos[keep]
    top_score = 255 - ((top >> 32) & 0xFF)[keep]
    out: list[list[tuple[int, int]]] = [[] for _ in range(len(s))]
    for q, p, w in zip(top_seg.tolist(), top_pos.tolist(), top_score.tolist(), strict=True):
        picks = out[q]
        if len(picks) < count:
            picks.append((p, w))
    return out


def seeker_runs(n_seekers: int, seeker: npt.NDArray[np.int32]) -> tuple[I64, I64]:
    """Return per seeker index the (begin, end) of its run in `seeker` (runs are contiguous)."""
    begin = np.zeros(n_seekers, dtype=np.int64)
    end = np.zeros(n_seekers, dtype=np.int64)
    if len(seeker):
        cuts = np.flatnonzero(np.diff(seeker)) + 1
        heads = np.concatenate([[0], cuts])
        begin[seeker[heads]] = heads
        end[seeker[heads]] = np.concatenate([cuts, [len(seeker)]])
    return begin, end
