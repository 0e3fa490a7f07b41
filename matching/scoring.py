"""Vectorised eligibility and scoring of every (seeker, position) pair of an instance.

The reference for every number computed here is `matching.rules`, pair by pair; this module
computes the same integers in bulk:

* Seekers are grouped by (region, accepted work modes); each group is compared only with the
  positions of its work modes that are remote or in its region, sorted by weekly hours, so the
  hours rule becomes a contiguous slice per seeker and the pairs are generated already filtered.
* Needs/offers and functioning/demands depend on a seeker "signature" (capacities, needs) and a
  position "signature" (residual demands, offers); both rules and the comfort component are
  looked up in a signature-by-signature table.
* Skills and interests use the phrase similarity table computed once with `rapidfuzz.process.cdist`
  (`matching.phrases`), reduced per seeker to a row over the position phrases, then gathered.
* Stability, net income and logistics depend only on the position and a small per-seeker key
  (benefits amount; first mode and hours range): net income and logistics are tabulated once per
  class for every key, and a rectangle adds the three per (column, distinct key) and expands the
  sum once.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from matching.catalogue import DOMAINS
from matching.instance import COMPONENTS, Instance, Position, Seeker
from matching.phrases import PhraseTable, build_phrase_table, normalise
from matching.rules import (
    DEFAULT_AUTOMATION_RISK,
    NEUTRAL_FIT,
    SECOND_CHOICE_MODE,
    STABILITY_AUTOMATION_SHARE,
    STABILITY_INSURANCE_SHARE,
    max_points,
    residual_demand,
)

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

MODE_CODE = {"remote": 0, "onsite": 1, "hybrid": 2}
#: Signature tables larger than this many cells are built per block instead of once.
_MAX_TABLE_CELLS = 40_000_000
#: Upper bound on the pairs generated per block (memory and cache friendliness).
_BLOCK_PAIRS = 1_500_000
#: Upper bound on the bytes of a block's per-seeker phrase rows (kept cache-resident).
_BLOCK_PHRASE_BYTES = 1_500_000
#: Upper bound on the cells (seekers x positions) of a dense scoring rectangle.
_BLOCK_CELLS = 1_000_000
#: Cells a dense rectangle may waste to avoid the fixed cost of one more rectangle.
_SLACK = 65_536
#: Threads scoring blocks at once (at most the number of CPUs).
_THREADS = 4
#: Largest per-class table (columns x seeker keys) of net income or logistics points.
_CLASS_TABLE_CELLS = 4_000_000
#: Marks an ineligible cell in the comfort-or-ineligible tables.
_INELIGIBLE = 255

T = TypeVar("T")


def _ragged(offsets: I64, rows: I32) -> tuple[I64, I64]:
    """Return (flat indices into the ragged payload, segment starts) for the given rows."""
    starts = offsets[rows]
    lens = offsets[rows + 1] - starts
    total = int(lens.sum())
    seg = np.cumsum(lens) - lens
    flat = np.arange(total, dtype=np.int64) - np.repeat(seg - starts, lens)
    return flat, seg


@dataclass(frozen=True, slots=True)
class Prepared:
    """An instance turned into arrays, seekers and positions in id order (internal)."""

    instance: Instance
    seekers: tuple[Seeker, ...]
    positions: tuple[Position, ...]
    seeker_index: dict[str, int]
    position_index: dict[str, int]
    table: PhraseTable
    #: the similarity table plus a zero row, a zero column and a neutral column
    phrase_ext: U8
    top: dict[str, int]
    # seekers
    s_region: I32
    s_modes: npt.NDArray[np.uint8]
    s_first: npt.NDArray[np.int8]
    s_hmin: F64
    s_hmax: F64
    s_ranged: B
    s_mid: F64
    s_spread: F64
    s_benefits: F64
    s_benefit_code: I32  # index into benefit_values
    benefit_values: F64
    s_logistics_code: I32  # index into the rows of logistics_keys
    logistics_keys: F64  # (k, 4): first mode, ranged, mid, spread
    s_sig: I32
    s_unknown: npt.NDArray[np.uint8]
    s_skill_off: I64
    s_skill_ids: I32
    s_interest_off: I64
    s_interest_ids: I32
    # positions
    p_region: I32
    p_mode: npt.NDArray[np.int8]
    p_hours: F64
    p_openings: I64
    p_pay: F64
    p_pay_known: B
    p_lose_all: B
    p_excess: F64
    p_stability: U8
    p_sig: I32
    p_skill_cols: I32  # (K, m), padded with the zero column
    p_wanted: I32  # distinct skills per position (1 for none: the neutral column)
    p_all_cols: I32  # (K + 1, m): skills and title, for interests
    # signatures
    sig_cap: npt.NDArray[np.int8]  # (ns, D), -1 unknown
    sig_need: npt.NDArray[np.uint64]  # (ns, W)
    psig_res: npt.NDArray[np.int8]  # (np, D)
    psig_dem: B  # (np, D)
    psig_off: npt.NDArray[np.uint64]  # (np, W)
    forbid_keys: I64  # sorted seeker * m + position

    @property
    def n_seekers(self) -> int:
        """Return the number of seekers."""
        return len(self.seekers)

    @property
    def n_positions(self) -> int:
        """Return the number of positions."""
        return len(self.positions)


def _bits(codes: Sequence[str], index: dict[str, int], words: int) -> list[int]:
    out = [0] * words
    for code in codes:
        i = index[code]
        out[i // 64] |= 1 << (i % 64)
    return out


def prepare(instance: Instance) -> Prepared:
    """Turn a validated instance into the arrays the vectorised engine works on."""
    seekers = tuple(sorted(instance.seekers, key=lambda s: s.id))
    positions = tuple(sorted(instance.positions, key=lambda p: p.id))
    n, m = len(seekers), len(positions)
    catalogue = instance.accommodations
    code_index = {code: i for i, code in enumerate(sorted(catalogue))}
    words = max(1, (len(code_index) + 63) // 64)
    regions: dict[str, int] = {}

    def region_code(region: str | None) -> int:
        return -1 if region is None else regions.setdefault(region, len(regions))

    # --- phrases
    cache: dict[str, str] = {}

    def distinct(phrases: Sequence[str]) -> list[str]:
        out: list[str] = []
        for phrase in phrases:
            norm = cache.get(phrase)
            if norm is None:
                norm = cache[phrase] = normalise(phrase)
            if norm and norm not in out:
                out.append(norm)
        return out

    s_skills = [distinct(s.skills) for s in seekers]
    s_interests = [distinct(s.interests) for s in seekers]
    p_skills = [distinct(p.skills) for p in positions]
    p_all = [distinct((*p.skills, p.title)) for p in positions]
    table = build_phrase_table(
        (x for lst in (*s_skills, *s_interests) for x in lst),
        (x for lst in p_all for x in lst),
    )
    zero_col, neutral_col = len(table.cols), len(table.cols) + 1

    def ragged(lists: list[list[str]]) -> tuple[I64, I32]:
        off = np.zeros(len(lists) + 1, dtype=np.int64)
        off[1:] = np.cumsum([len(x) for x in lists])
        ids = np.array([table.rows[x] for lst in lists for x in lst], dtype=np.int32)
        return off, ids

    def padded(lists: list[list[str]], empty_col: int) -> I32:
        width = max([len(x) for x in lists] + [1])
        cols = np.full((width, len(lists)), zero_col, dtype=np.int32)
        for j, lst in enumerate(lists):
            if lst:
                cols[: len(lst), j] = [table.cols[x] for x in lst]
            else:
                cols[0, j] = empty_col
        return cols

    # --- seekers
    sig_of: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    s_sig = np.empty(n, dtype=np.int32)
    s_unknown = np.zeros(n, dtype=np.uint8)
    for i, s in enumerate(seekers):
        levels = [s.functioning.get(d) for d in DOMAINS]
        caps = tuple(-1 if v is None else 3 - v for v in levels)
        key = (caps, tuple(_bits(s.needs, code_index, words)))
        s_sig[i] = sig_of.setdefault(key, len(sig_of))
        s_unknown[i] = sum(1 << k for k, v in enumerate(levels) if v is None)
    sig_cap = np.array([k[0] for k in sig_of], dtype=np.int8).reshape(len(sig_of), len(DOMAINS))
    sig_need = np.array([k[1] for k in sig_of], dtype=np.uint64).reshape(len(sig_of), words)
    bit = {"remote": 1, "onsite": 2, "hybrid": 4}
    s_modes = np.array(
        [sum(bit[x] for x in s.work_modes) if s.work_modes else 7 for s in seekers], dtype=np.uint8
    )
    s_first = np.array(
        [MODE_CODE[s.work_modes[0]] if s.work_modes else -1 for s in seekers], dtype=np.int8
    )
    s_hmin = np.array([-np.inf if s.hours_min is None else s.hours_min for s in seekers])
    s_hmax = np.array([np.inf if s.hours_max is None else s.hours_max for s in seekers])
    s_ranged = np.isfinite(s_hmin) & np.isfinite(s_hmax)
    s_mid = np.where(
        s_ranged, (np.where(s_ranged, s_hmin, 0.0) + np.where(s_ranged, s_hmax, 0.0)) / 2, 0.0
    )
    s_spread = np.where(
        s_ranged,
        np.maximum(np.where(s_ranged, s_hmax, 1.0) - np.where(s_ranged, s_hmin, 0.0), 1.0),
        1.0,
    )

    # --- positions
    psig_of: dict[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]], int] = {}
    p_sig = np.empty(m, dtype=np.int32)
    seen: dict[tuple[tuple[tuple[str, int], ...], tuple[str, ...]], int] = {}
    for j, p in enumerate(positions):
        raw = (tuple(sorted(p.demands.items())), p.offers)
        known = seen.get(raw)
        if known is None:
            res = tuple(residual_demand(p, catalogue, d) for d in DOMAINS)
            dem = tuple(1 if p.demands.get(d, 0) > 0 else 0 for d in DOMAINS)
            pkey = (res, dem, tuple(_bits(p.offers, code_index, words)))
            known = seen[raw] = psig_of.setdefault(pkey, len(psig_of))
        p_sig[j] = known
    npsig, nd = len(psig_of), len(DOMAINS)
    psig_res = np.array([k[0] for k in psig_of], dtype=np.int8).reshape(npsig, nd)
    psig_dem = np.array([k[1] for k in psig_of], dtype=np.bool_).reshape(npsig, nd)
    psig_off = np.array([k[2] for k in psig_of], dtype=np.uint64).reshape(npsig, words)

    rules = instance.benefit_rules
    top = max_points(instance.weights)
    p_pay_known = np.array([p.monthly_pay is not None for p in positions], dtype=np.bool_)
    p_pay = np.array([0.0 if p.monthly_pay is None else p.monthly_pay for p in positions])
    p_insured = np.array([p.social_insurance for p in positions], dtype=np.bool_)
    risk = np.array(
        [
            DEFAULT_AUTOMATION_RISK if p.automation_risk is None else p.automation_risk
            for p in positions
        ]
    )
    stability = STABILITY_AUTOMATION_SHARE * (1.0 - risk) + STABILITY_INSURANCE_SHARE * np.where(
        p_insured, 1.0, 0.0
    )
    seeker_index = {s.id: i for i, s in enumerate(seekers)}
    position_index = {p.id: j for j, p in enumerate(positions)}
    forbid_keys = np.array(
        sorted(seeker_index[a] * m + position_index[b] for a, b in set(instance.forbids)),
        dtype=np.int64,
    )
    s_skill_off, s_skill_ids = ragged(s_skills)
    skill_cols = padded(p_skills, neutral_col)
    s_benefits = np.array([s.monthly_benefits for s in seekers], dtype=np.float64)
    benefit_values, benefit_code = np.unique(s_benefits, return_inverse=True)
    logistics_keys, logistics_code = np.unique(
        np.stack([s_first.astype(np.float64), s_ranged.astype(np.float64), s_mid, s_spread], axis=1)
        if n
        else np.zeros((0, 4)),
        axis=0,
        return_inverse=True,
    )
    s_interest_off, s_interest_ids = ragged(s_interests)
    return Prepared(
        instance=instance,
        seekers=seekers,
        positions=positions,
        seeker_index=seeker_index,
        position_index=position_index,
        table=table,
        phrase_ext=_phrase_ext(table),
        top=top,
        s_region=np.array([region_code(s.region) for s in seekers], dtype=np.int32),
        s_modes=s_modes,
        s_first=s_first,
        s_hmin=s_hmin,
        s_hmax=s_hmax,
        s_ranged=s_ranged,
        s_mid=s_mid,
        s_spread=s_spread,
        s_benefits=s_benefits,
        s_benefit_code=benefit_code.ravel().astype(np.int32),
        benefit_values=benefit_values,
        s_logistics_code=logistics_code.ravel().astype(np.int32),
        logistics_keys=logistics_keys,
        s_sig=s_sig,
        s_unknown=s_unknown,
        s_skill_off=s_skill_off,
        s_skill_ids=s_skill_ids,
        s_interest_off=s_interest_off,
        s_interest_ids=s_interest_ids,
        p_region=np.array([region_code(p.region) for p in positions], dtype=np.int32),
        p_mode=np.array([MODE_CODE[p.work_mode] for p in positions], dtype=np.int8),
        p_hours=np.array([p.hours for p in positions], dtype=np.float64),
        p_openings=np.array([p.openings for p in positions], dtype=np.int64),
        p_pay=p_pay,
        p_pay_known=p_pay_known,
        p_lose_all=p_insured & rules.dibao_lost_if_social_insurance,
        p_excess=rules.benefit_taper * np.maximum(0.0, p_pay - rules.earnings_disregard),
        p_stability=np.floor(top["stability"] * stability + 0.5).astype(np.uint8),
        p_sig=p_sig,
        p_skill_cols=skill_cols,
        p_wanted=np.maximum((skill_cols != zero_col).sum(axis=0), 1).astype(np.int32),
        p_all_cols=padded(p_all, neutral_col),
        sig_cap=sig_cap,
        sig_need=sig_need,
        psig_res=psig_res,
        psig_dem=psig_dem,
        psig_off=psig_off,
        forbid_keys=forbid_keys,
    )


def _phrase_ext(table: PhraseTable) -> U8:
    rows, cols = table.similarity.shape
    ext = np.zeros((rows + 1, cols + 2), dtype=np.uint8)
    ext[:rows, :cols] = table.similarity
    ext[:, cols + 1] = NEUTRAL_FIT
    return ext


def signature_tables(prep: Prepared, sigs: I32) -> tuple[B, U8]:
    """Return (eligible, comfort points) for seeker signatures `sigs` x every position signature.

    Per domain, a capacity (-1 unknown, 0..3) and a position signature decide both the rule and
    the margin, so each domain contributes a row gathered from a 5-row lookup.
    """
    n_psigs = len(prep.psig_res)
    ok = np.ones((len(sigs), n_psigs), dtype=np.bool_)
    margin = np.zeros((len(sigs), n_psigs), dtype=np.uint8)
    capacities = np.arange(-1, 4, dtype=np.int16)[:, None]  # lookup row c + 1
    for d in range(len(DOMAINS)):
        res = prep.psig_res[None, :, d].astype(np.int16)
        dem = prep.psig_dem[None, :, d]
        known = capacities >= 0
        rule = ~(known & dem) | (res <= capacities)
        gap = np.where(known & dem, np.maximum(capacities - res, 0), 0).astype(np.uint8)
        row = prep.sig_cap[sigs, d].astype(np.intp) + 1
        ok &= rule[row]
        margin += gap[row]
    for w in range(prep.sig_need.shape[1]):
        needs, inverse = np.unique(prep.sig_need[sigs, w], return_inverse=True)
        fits = (needs[:, None] & ~prep.psig_off[None, :, w]) == 0
        ok &= fits[inverse.ravel()]
    demanded = prep.psig_dem.sum(axis=1)
    points = prep.top["comfort"]
    comfort = np.full(margin.shape, points, dtype=np.uint8)
    totals = np.arange(3 * len(DOMAINS) + 1, dtype=np.int64)
    for count in np.unique(demanded[demanded > 0]).tolist():
        cols = np.flatnonzero(demanded == count)
        lut = ((2 * points * totals + 3 * count) // (6 * count)).astype(np.uint8)
        comfort[:, cols] = lut[margin[:, cols]]
    return ok, comfort


@dataclass(frozen=True, slots=True)
class Block:
    """Candidate pairs of a block of seekers, with the funnel counts per seeker of the block."""

    rows: I32  # seekers of the block
    row: I32  # per pair: index into rows
    seeker: I32
    position: I32
    score: U8
    components: U8  # (len(COMPONENTS), k)
    reachable: I64  # per row: positions passing work mode, region and hours
    eligible: I64  # per row: ... and needs and functioning, not forbidden
    scored: I64  # per row: ... and scoring at least min_score


def _seeker_classes(prep: Prepared) -> list[tuple[int, int, I32]]:
    """Group seekers by (region, modes), in a deterministic order."""
    key = prep.s_region.astype(np.int64) * 8 + prep.s_modes
    order = np.argsort(key, kind="stable").astype(np.int32)
    ks = key[order]
    cuts = np.flatnonzero(np.diff(ks)) + 1
    out = []
    for rows in np.split(order, cuts):
        if rows.size:
            out.append((int(prep.s_region[rows[0]]), int(prep.s_modes[rows[0]]), rows))
    return out


def _scoring_classes(prep: Prepared) -> list[tuple[int, int, I32]]:
    """Group seekers by the positions they can reach: (region, modes), except that seekers
    who only work remotely reach the same positions wherever they live."""
    local = (prep.s_modes & 6) != 0
    region = np.where(local, prep.s_region, -1)
    key = region.astype(np.int64) * 8 + prep.s_modes
    order = np.argsort(key, kind="stable").astype(np.int32)
    ks = key[order]
    cuts = np.flatnonzero(np.diff(ks)) + 1
    out = []
    for rows in np.split(order, cuts):
        if rows.size:
            out.append((int(region[rows[0]]), int(prep.s_modes[rows[0]]), rows))
    return out


def canonical_order(prep: Prepared) -> I32:
    """Return the seekers in the order candidate tables list them (by class, then id)."""
    classes = _seeker_classes(prep)
    if not classes:
        return np.zeros(0, dtype=np.int32)
    return np.concatenate([rows for _, _, rows in classes]).astype(np.int32)


def _class_columns(prep: Prepared, region: int, modes: int) -> tuple[I32, F64]:
    """Return positions reachable for (region, modes), sorted by hours then index."""
    mode_ok = ((1 << prep.p_mode.astype(np.int64)) & modes) != 0
    place_ok = (prep.p_mode == MODE_CODE["remote"]) | ((prep.p_region == region) & (region >= 0))
    cols = np.flatnonzero(mode_ok & place_ok).astype(np.int32)
    cols = cols[np.argsort(prep.p_hours[cols], kind="stable")]
    return cols, prep.p_hours[cols]


def _phrase_rows(prep: Prepared, rows: I32, off: I64, ids: I32, empty: int) -> U8:
    """Per seeker of `rows`: best similarity of any of its phrases to each position phrase.

    Returned transposed, one row per position phrase column (plus the zero and neutral
    columns) and one column per seeker, ready for row gathers by position.
    """
    ext = prep.phrase_ext
    starts = off[rows]
    lens = off[rows + 1] - starts
    depth = int(lens.max(initial=0))
    padded = np.full((len(rows), max(depth, 1)), len(ext) - 1, dtype=np.intp)
    if depth:
        r = np.repeat(np.arange(len(rows), dtype=np.int64), lens)
        seg = np.cumsum(lens) - lens
        slot = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(seg, lens)
        padded[r, slot] = ids[np.repeat(starts, lens) + slot]
    out = ext[padded[:, 0]]
    for j in range(1, depth):
        np.maximum(out, ext[padded[:, j]], out=out)
    if empty:
        out[lens == 0] = empty
    return np.ascontiguousarray(out.T)


@dataclass(frozen=True, slots=True)
class _Columns:
    """The positions reachable by one seeker class, sorted by hours, with their per-column data.

    Arrays are laid out position-major (one row per position) so that per-seeker data gathered
    for a block of seekers is copied row by row, never element by element.
    """

    cols: I32  # position indices
    hours: F64
    psig: npt.NDArray[np.intp]
    stability: U8
    skill_cols: npt.NDArray[np.intp]  # (K, C) columns of the seekers' phrase rows
    skill_lut_off: npt.NDArray[np.int32]  # (C,) offset of the position's row of the skills LUT
    all_cols: npt.NDArray[np.intp]  # (K + 1, C)
    pay: F64
    pay_known: B
    lose_all: B
    excess: F64
    mode: npt.NDArray[np.int8]
    col_of: I64  # position index -> column (-1: not in the class); empty without forbids
    #: net income points per column x benefits amount, when small enough to build per class
    net: U8 | None = None
    #: logistics points per column x logistics key, likewise
    logistics: U8 | None = None


def _columns(prep: Prepared, cols: I32, lut_width: int) -> _Columns:
    ctx = _columns_base(prep, cols, lut_width)
    # a class's columns are shared by many rectangles: score these two components once for
    # every column and every seeker key, and let each rectangle gather its keys
    width = len(cols)
    n_benefits, n_logistics = len(prep.benefit_values), len(prep.logistics_keys)
    if width * max(n_benefits, n_logistics) > _CLASS_TABLE_CELLS:
        return ctx
    return replace(
        ctx,
        net=_net_points(prep, ctx, 0, width, np.arange(n_benefits, dtype=np.int32)),
        logistics=_logistics_points(prep, ctx, 0, width, np.arange(n_logistics, dtype=np.int32)),
    )


def _columns_base(prep: Prepared, cols: I32, lut_width: int) -> _Columns:
    return _Columns(
        cols=cols,
        hours=prep.p_hours[cols],
        psig=prep.p_sig[cols].astype(np.intp),
        stability=prep.p_stability[cols],
        skill_cols=prep.p_skill_cols[:, cols].astype(np.intp),
        skill_lut_off=(prep.p_wanted[cols] * lut_width).astype(np.int32),
        all_cols=prep.p_all_cols[:, cols].astype(np.intp),
        pay=prep.p_pay[cols],
        pay_known=prep.p_pay_known[cols],
        lose_all=prep.p_lose_all[cols],
        excess=prep.p_excess[cols],
        mode=prep.p_mode[cols],
        col_of=_column_of(cols, prep.n_positions if prep.forbid_keys.size else 0),
    )


def _column_of(cols: I32, m: int) -> I64:
    out = np.full(m, -1, dtype=np.int64)
    if m:
        out[cols] = np.arange(len(cols), dtype=np.int64)
    return out


def eligibility_table(prep: Prepared, sigs: I32) -> U8:
    """Return seeker signature `sigs` x position signature: comfort points, 255 if ineligible."""
    ok, comfort = signature_tables(prep, sigs)
    return np.where(ok, comfort, np.uint8(_INELIGIBLE))


@dataclass(frozen=True, slots=True)
class _Luts:
    skills: U8  # flat (K + 1) x (100 K + 1): points of (wanted, total similarity)
    skills_width: int
    interests: U8  # 0..100 -> points


def _luts(prep: Prepared) -> _Luts:
    k = prep.p_skill_cols.shape[0]
    width = 100 * k + 1
    total = np.arange(width, dtype=np.int64)[None, :]
    wanted = np.maximum(np.arange(k + 1, dtype=np.int64), 1)[:, None]
    points = prep.top["skills"]
    skills = ((2 * points * total + 100 * wanted) // (200 * wanted)).astype(np.uint8)
    fit = np.arange(101, dtype=np.int64)
    interests = ((2 * prep.top["interests"] * fit + 100) // 200).astype(np.uint8)
    return _Luts(skills.ravel(), width, interests)


def iter_blocks(prep: Prepared, only: I32 | None = None) -> Iterator[Block]:
    """Score every eligible pair, block by block (optionally only for the seekers `only`).

    Blocks come in a fixed order (seeker classes, then seekers in id order within a class),
    and each block lists its pairs seeker by seeker, positions in their class order. Blocks are
    scored on a few threads (numpy releases the GIL), and still yielded in that fixed order.
    """
    return BlockScorer.of(prep).map(unchanged, only)


def unchanged(block: Block) -> Block:
    """The block itself (for `BlockScorer.map` when no work follows the scoring)."""
    return block


@dataclass(frozen=True, slots=True)
class BlockScorer:
    """What scoring blocks needs besides the instance, computed once for several passes."""

    prep: Prepared
    table: U8 | None  # eligibility of every seeker x position signature, when small enough
    luts: _Luts

    @classmethod
    def of(cls, prep: Prepared) -> BlockScorer:
        n_sigs, n_psigs = len(prep.sig_cap), len(prep.psig_res)
        table = (
            eligibility_table(prep, np.arange(n_sigs, dtype=np.int32))
            if n_sigs * n_psigs <= _MAX_TABLE_CELLS
            else None
        )
        return cls(prep, table, _luts(prep))

    def map(self, then: Callable[[Block], T], only: I32 | None = None) -> Iterator[T]:
        """Like `iter_blocks`, yielding `then(block)` for each block, computed on the same
        threads (so that work on a block, such as pruning it, overlaps scoring the next)."""
        return _map_blocks(self, then, only)


def _map_blocks(scorer: BlockScorer, then: Callable[[Block], T], only: I32 | None) -> Iterator[T]:
    prep, global_table, luts = scorer.prep, scorer.table, scorer.luts
    wanted = None
    if only is not None:
        wanted = np.zeros(prep.n_seekers, dtype=np.bool_)
        wanted[only] = True

    def tasks() -> Iterator[tuple[_Columns, I32, I64, I64]]:
        for region, modes, class_rows in _scoring_classes(prep):
            if wanted is not None:
                class_rows = class_rows[wanted[class_rows]]
                if not class_rows.size:
                    continue
            cols, hours = _class_columns(prep, region, modes)
            ctx = _columns(prep, cols, luts.skills_width)
            lo = np.searchsorted(hours, prep.s_hmin[class_rows], side="left")
            hi = np.maximum(np.searchsorted(hours, prep.s_hmax[class_rows], side="right"), lo)
            reach = np.cumsum(hi - lo)
            start = 0
            while start < len(class_rows):
                base = int(reach[start - 1]) if start else 0
                stop = int(np.searchsorted(reach, base + _BLOCK_PAIRS, side="right"))
                stop = min(max(stop, start + 1), len(class_rows))
                yield ctx, class_rows[start:stop], lo[start:stop], hi[start:stop]
                start = stop

    def run(task: tuple[_Columns, I32, I64, I64]) -> T:
        ctx, rows, lo, hi = task
        return then(_score_rows(prep, ctx, rows, lo, hi, global_table, luts))

    workers = min(_THREADS, os.cpu_count() or 1)
    if workers <= 1:
        yield from map(run, tasks())
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[T]] = deque()
        for task in tasks():
            pending.append(pool.submit(run, task))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _sub_blocks(lo: I64, hi: I64, max_rows: int) -> list[tuple[I64, int, int]]:
    """Split rows into groups of similar hour slices: (rows of the group, slice start, end).

    Rows are sorted by slice; consecutive slices join a group while the dense rectangle stays
    within `_BLOCK_CELLS` and mostly useful.
    """
    order = np.lexsort((hi, lo))
    slo, shi = lo[order], hi[order]
    key = slo * (int(shi.max(initial=0)) + 1) + shi
    cuts = np.flatnonzero(np.diff(key)) + 1
    starts = np.concatenate([[0], cuts]).tolist()
    ends = np.concatenate([cuts, [len(order)]]).tolist()
    out: list[tuple[I64, int, int]] = []
    cur_start, cur_a, cur_b, useful = -1, 0, 0, 0
    for s, e in zip(starts, ends, strict=True):
        a, b = int(slo[s]), int(shi[s])
        count = e - s
        if cur_start >= 0:
            na, nb = min(cur_a, a), max(cur_b, b)
            rows = e - cur_start
            cells = rows * (nb - na)
            gain = useful + count * (b - a)
            if (
                rows <= max_rows
                and cells <= _BLOCK_CELLS
                and cells - gain <= max(gain // 4, _SLACK)
            ):
                cur_a, cur_b, useful = na, nb, gain
                continue
            out.append((order[cur_start:s], cur_a, cur_b))
        cur_start, cur_a, cur_b, useful = s, a, b, count * (b - a)
    if cur_start >= 0:
        out.append((order[cur_start:], cur_a, cur_b))
    # split groups that are too large
    final: list[tuple[I64, int, int]] = []
    for rows_, a, b in out:
        step = max(1, min(max_rows, _BLOCK_CELLS // max(1, b - a)))
        for k in range(0, len(rows_), step):
            final.append((rows_[k : k + step], a, b))
    return final


def _score_rows(
    prep: Prepared,
    ctx: _Columns,
    rows: I32,
    lo: I64,
    hi: I64,
    global_table: U8 | None,
    luts: _Luts,
) -> Block:
    """Score the seekers `rows` of one class against its columns; pairs in canonical order."""
    nrows = len(rows)
    row_bytes = len(prep.table.cols) + 2
    max_rows = max(1, _BLOCK_PHRASE_BYTES // row_bytes)
    eligible = np.zeros(nrows, dtype=np.int64)
    counts = np.zeros(nrows, dtype=np.int64)
    starts = np.zeros(nrows, dtype=np.int64)  # where each row's run begins in the parts
    parts: list[tuple[I64, int, I64, U8]] = []  # rows (local), offset, column of each pair, comps
    table = global_table
    if table is None:
        uniq, inverse = np.unique(prep.s_sig[rows], return_inverse=True)
        table = eligibility_table(prep, uniq.astype(np.int32))
        sig_col = inverse.ravel().astype(np.intp)
    else:
        sig_col = prep.s_sig[rows].astype(np.intp)
    done = 0
    for local, a, b in _sub_blocks(lo, hi, max_rows) if nrows else []:
        if b <= a:
            continue
        r_idx, c_idx, comps_, elig = _dense(
            prep, ctx, rows[local], lo[local], hi[local], a, b, table, sig_col[local], luts
        )
        eligible[local] = elig
        per_row = np.bincount(r_idx, minlength=len(local))
        counts[local] = per_row
        starts[local] = done + np.cumsum(per_row) - per_row
        done += len(c_idx)
        parts.append((local, done - len(c_idx), c_idx, comps_))
    seg = np.cumsum(counts) - counts
    if parts and np.array_equal(seg[counts > 0], starts[counts > 0]):
        if len(parts) == 1:
            pair_col, comps = parts[0][2], parts[0][3]
        else:
            pair_col = np.concatenate([p[2] for p in parts])
            comps = np.concatenate([p[3] for p in parts], axis=1)
    elif parts:
        # rows were scored grouped by hours slice: write each run at its place in id order
        # (one scatter per part instead of concatenating, then gathering)
        pair_col = np.empty(done, dtype=np.int64)
        comps = np.empty((len(COMPONENTS) + 1, done), dtype=np.uint8)
        for local, offset, c_idx, comps_ in parts:
            at = np.repeat(seg[local] - starts[local], counts[local])
            at += np.arange(offset, offset + len(c_idx), dtype=np.int64)
            pair_col[at] = c_idx
            comps[:, at] = comps_
    else:
        pair_col = np.zeros(0, dtype=np.int64)
        comps = np.zeros((len(COMPONENTS) + 1, 0), dtype=np.uint8)
    pair_row = np.repeat(np.arange(nrows, dtype=np.int32), counts)
    return Block(
        rows=rows,
        row=pair_row,
        seeker=rows[pair_row],
        position=ctx.cols[pair_col],
        score=comps[len(COMPONENTS)],
        components=comps[: len(COMPONENTS)],
        reachable=(hi - lo).astype(np.int64),
        eligible=eligible,
        scored=counts,
    )


def _dense(
    prep: Prepared,
    ctx: _Columns,
    rows: I32,
    lo: I64,
    hi: I64,
    a: int,
    b: int,
    table: U8,
    sig_col: npt.NDArray[np.intp],
    luts: _Luts,
) -> tuple[I64, I64, U8, I64]:
    """Score a rectangle: columns a..b of the class x `rows`, computed position-major.

    Returns (row of each pair, column of each pair, components (6, k), eligible per row), the
    pairs seeker by seeker, columns ascending.
    """
    nrows, width = len(rows), b - a
    # eligibility and comfort (255: ineligible), then the hours slice of each seeker
    elig = np.ascontiguousarray(table[sig_col].T)[ctx.psig[a:b]]
    if bool((lo != a).any() or (hi != b).any()):
        elig[_outside(width, lo - a, hi - a)] = _INELIGIBLE
    if prep.forbid_keys.size:
        _mark_forbidden(prep, ctx, rows, a, b, elig)
    valid = elig != _INELIGIBLE
    # a uint16 accumulator is exact below 65,536 columns and much cheaper than int64
    count_type = np.uint16 if width < 2**16 else np.int64
    eligible = valid.view(np.uint8).sum(axis=0, dtype=count_type).astype(np.int64)

    # skills: sum over each position's skills of the seeker's best similarity
    best = _phrase_rows(prep, rows, prep.s_skill_off, prep.s_skill_ids, 0)
    tmp = np.empty((width, nrows), dtype=np.uint8)
    # each total starts at its position's row of the LUT; uint16 when every index fits
    total = np.empty((width, nrows), dtype=np.uint16 if len(luts.skills) <= 2**16 else np.int32)
    np.take(best, ctx.skill_cols[0, a:b], axis=0, out=tmp)
    np.add(tmp, ctx.skill_lut_off[a:b, None].astype(total.dtype), out=total)
    for k in range(1, ctx.skill_cols.shape[0]):
        np.take(best, ctx.skill_cols[k, a:b], axis=0, out=tmp)
        total += tmp
    skills = np.take(luts.skills, total)
    del total

    # interests: best similarity of any interest to the position's title or skills (points
    # are monotone in the similarity, so they are looked up before taking the maximum)
    has_interest = (prep.s_interest_off[rows + 1] - prep.s_interest_off[rows]) > 0
    ibest = _phrase_rows(prep, rows, prep.s_interest_off, prep.s_interest_ids, NEUTRAL_FIT)
    ibest[:, ~has_interest] = NEUTRAL_FIT
    ipoints = np.take(luts.interests, ibest)
    interests = np.take(ipoints, ctx.all_cols[0, a:b], axis=0)
    for k in range(1, ctx.all_cols.shape[0]):
        np.take(ipoints, ctx.all_cols[k, a:b], axis=0, out=tmp)
        np.maximum(interests, tmp, out=interests)
    del tmp

    # net income and logistics: per distinct benefits amount and per distinct (first mode,
    # hours range) of the block, looked up in the class's tables when it has them
    b_u, b_inv = np.unique(prep.s_benefit_code[rows], return_inverse=True)
    b_inv = b_inv.ravel()
    net_u = (
        _net_points(prep, ctx, a, b, b_u)
        if ctx.net is None
        else np.ascontiguousarray(ctx.net[a:b][:, b_u])
    )
    k_u, k_inv = np.unique(prep.s_logistics_code[rows], return_inverse=True)
    k_inv = k_inv.ravel()
    logistics_u = (
        _logistics_points(prep, ctx, a, b, k_u)
        if ctx.logistics is None
        else np.ascontiguousarray(ctx.logistics[a:b][:, k_u])
    )

    # stability, net income and logistics depend on the column and a small per-seeker key:
    # add them per (column, distinct key) and expand the sum once
    pair_key = b_inv.astype(np.int64) * len(k_u) + k_inv
    keys_u, keys_inv = np.unique(pair_key, return_inverse=True)
    fixed = ctx.stability[a:b, None] + net_u[:, keys_u // len(k_u)]
    fixed += logistics_u[:, keys_u % len(k_u)]

    score = skills + elig  # wraps where ineligible; masked by `valid` below
    score += interests
    score += fixed[:, keys_inv.ravel()] if len(keys_u) > 1 else fixed
    keep = valid
    keep &= score >= prep.instance.min_score
    flat = np.flatnonzero(keep.T)  # seeker-major
    r_idx, c_idx = np.divmod(flat, width)
    at = c_idx * nrows + r_idx
    comps = np.empty((len(COMPONENTS) + 1, len(flat)), dtype=np.uint8)  # and the score
    comps[0] = skills.ravel()[at]
    comps[1] = interests.ravel()[at]
    comps[2] = elig.ravel()[at]
    comps[3] = ctx.stability[a + c_idx]
    comps[4] = net_u.ravel()[c_idx * len(b_u) + b_inv[r_idx]]
    comps[5] = logistics_u.ravel()[c_idx * len(k_u) + k_inv[r_idx]]
    comps[6] = score.ravel()[at]
    return r_idx, c_idx + a, comps, eligible


def _outside(width: int, lo: I64, hi: I64) -> B:
    """Return the cells (column, row) outside each row's slice lo..hi of `width` columns."""
    if width < 2**15:
        # int16 halves the traffic of the two comparisons
        j16 = np.arange(width, dtype=np.int16)[:, None]
        return (j16 < lo.astype(np.int16)[None, :]) | (j16 >= hi.astype(np.int16)[None, :])
    j = np.arange(width, dtype=np.int32)[:, None]
    return (j < lo.astype(np.int32)[None, :]) | (j >= hi.astype(np.int32)[None, :])


def _net_points(prep: Prepared, ctx: _Columns, a: int, b: int, codes: I32) -> U8:
    """Return net income points of columns a..b x the benefits amounts `codes`."""
    rules = prep.instance.benefit_rules
    benefits = prep.benefit_values[codes][None, :]
    lost = np.where(ctx.lose_all[a:b, None], benefits, np.minimum(benefits, ctx.excess[a:b, None]))
    income = np.clip((ctx.pay[a:b, None] - lost) / rules.income_reference, 0.0, 1.0)
    income = np.where(ctx.pay_known[a:b, None], income, NEUTRAL_FIT / 100)
    return np.floor(prep.top["net_income"] * income + 0.5).astype(np.uint8)


def _logistics_points(prep: Prepared, ctx: _Columns, a: int, b: int, codes: I32) -> U8:
    """Return logistics points of columns a..b x the (first mode, hours range) keys `codes`."""
    keys = prep.logistics_keys[codes]
    first, ranged, mid, spread = (keys[:, i][None, :] for i in range(4))
    mode = np.where((first < 0) | (first == ctx.mode[a:b, None]), 1.0, SECOND_CHOICE_MODE)
    schedule = np.clip(1.0 - np.abs(ctx.hours[a:b, None] - mid) / spread, 0.0, 1.0)
    schedule = np.where(ranged > 0, schedule, 1.0)
    return np.floor(prep.top["logistics"] * ((mode + schedule) / 2) + 0.5).astype(np.uint8)


def _mark_forbidden(prep: Prepared, ctx: _Columns, rows: I32, a: int, b: int, elig: U8) -> None:
    m = prep.n_positions
    keys = rows.astype(np.int64) * m
    first = np.searchsorted(prep.forbid_keys, keys)
    last = np.searchsorted(prep.forbid_keys, keys + m)
    lens = last - first
    if not lens.any():
        return
    r = np.repeat(np.arange(len(rows), dtype=np.int64), lens)
    seg = np.cumsum(lens) - lens
    idx = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(seg - first, lens)
    col = ctx.col_of[prep.forbid_keys[idx] - keys[r]] - a
    inside = (col >= 0) & (col < b - a)
    elig[col[inside], r[inside]] = _INELIGIBLE


@dataclass(frozen=True, slots=True)
class Funnel:
    """Per seeker (id order): positions left after each stage of the hard rules and min_score."""

    reachable: I64
    eligible: I64
    scored: I64


@dataclass(frozen=True, slots=True)
class CandidateTable:
    """All candidate pairs as arrays (seeker and position indices in id order).

    Each seeker's pairs are contiguous; the order is deterministic for a given instance.
    """

    seeker: I32
    position: I32
    score: U8
    components: U8  # (len(COMPONENTS), k)
    funnel: Funnel

    def __len__(self) -> int:
        return len(self.seeker)


def empty_funnel(n: int) -> Funnel:
    """Return a funnel of zeros for n seekers."""
    return Funnel(*(np.zeros(n, dtype=np.int64) for _ in range(3)))


def record_block(funnel: Funnel, block: Block) -> None:
    """Copy a block's funnel counts into the funnel of the whole instance."""
    funnel.reachable[block.rows] = block.reachable
    funnel.eligible[block.rows] = block.eligible
    funnel.scored[block.rows] = block.scored


def candidate_table(prep: Prepared) -> CandidateTable:
    """Score every eligible pair; return all candidates, each seeker's pairs contiguous.

    Seekers come in `canonical_order`, each seeker's positions in its class order, so the
    table (and hence the network built from it) is the same whatever the blocking.
    """
    funnel = empty_funnel(prep.n_seekers)
    parts: list[Block] = []
    for block in iter_blocks(prep):
        record_block(funnel, block)
        parts.append(block)
    table = _concat(parts, funnel)
    if not len(table):
        return table
    counts = funnel.scored
    starts = np.zeros(prep.n_seekers, dtype=np.int64)
    done = 0
    for block in parts:
        starts[block.rows] = done + np.cumsum(block.scored) - block.scored
        done += len(block.score)
    order = canonical_order(prep)
    lens = counts[order]
    seg = np.cumsum(lens) - lens
    if np.array_equal(seg[lens > 0], starts[order][lens > 0]):
        return table
    gather = np.arange(done, dtype=np.int64) - np.repeat(seg - starts[order], lens)
    return CandidateTable(
        seeker=table.seeker[gather],
        position=table.position[gather],
        score=table.score[gather],
        components=table.components.take(gather, axis=1),
        funnel=funnel,
    )


def _concat(parts: list[Block], funnel: Funnel) -> CandidateTable:
    if not parts:
        return CandidateTable(
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0, np.uint8),
            np.zeros((len(COMPONENTS), 0), np.uint8),
            funnel,
        )
    seeker = np.concatenate([b.seeker for b in parts])
    position = np.concatenate([b.position for b in parts])
    # Blocks hold disjoint seekers and each block lists its pairs seeker by seeker, so every
    # seeker's candidates are already contiguous: no global sort is needed.
    return CandidateTable(
        seeker=seeker,
        position=position,
        score=np.concatenate([b.score for b in parts]),
        components=np.concatenate([b.components for b in parts], axis=1),
        funnel=funnel,
    )
