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
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

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
    s_interest_off, s_interest_ids = ragged(s_interests)
    return Prepared(
        instance=instance,
        seekers=seekers,
        positions=positions,
        seeker_index=seeker_index,
        position_index=position_index,
        table=table,
        top=top,
        s_region=np.array([region_code(s.region) for s in seekers], dtype=np.int32),
        s_modes=s_modes,
        s_first=s_first,
        s_hmin=s_hmin,
        s_hmax=s_hmax,
        s_ranged=s_ranged,
        s_mid=s_mid,
        s_spread=s_spread,
        s_benefits=np.array([s.monthly_benefits for s in seekers], dtype=np.float64),
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


def _class_columns(prep: Prepared, region: int, modes: int) -> tuple[I32, F64]:
    """Return positions reachable for (region, modes), sorted by hours then index."""
    mode_ok = ((1 << prep.p_mode.astype(np.int64)) & modes) != 0
    place_ok = (prep.p_mode == MODE_CODE["remote"]) | ((prep.p_region == region) & (region >= 0))
    cols = np.flatnonzero(mode_ok & place_ok).astype(np.int32)
    cols = cols[np.argsort(prep.p_hours[cols], kind="stable")]
    return cols, prep.p_hours[cols]


def _phrase_rows(prep: Prepared, rows: I32, off: I64, ids: I32, empty: int) -> U8:
    """Per seeker of `rows`: best similarity of any of its phrases to each position phrase."""
    ncols = len(prep.table.cols)
    out = np.full((len(rows), ncols + 2), empty, dtype=np.uint8)
    out[:, ncols] = 0
    out[:, ncols + 1] = NEUTRAL_FIT
    flat, seg = _ragged(off, rows)
    lens = off[rows + 1] - off[rows]
    nonempty = lens > 0
    if flat.size and ncols:
        sims = prep.table.similarity[ids[flat]]
        out[nonempty, :ncols] = np.maximum.reduceat(sims, seg[nonempty], axis=0)
    return out


def iter_blocks(prep: Prepared, only: I32 | None = None) -> Iterator[Block]:
    """Score every eligible pair, block by block (optionally only for the seekers `only`)."""
    m = prep.n_positions
    n_sigs, n_psigs = len(prep.sig_cap), len(prep.psig_res)
    global_tables = (
        signature_tables(prep, np.arange(n_sigs, dtype=np.int32))
        if n_sigs * n_psigs <= _MAX_TABLE_CELLS
        else None
    )
    wanted = None
    if only is not None:
        wanted = np.zeros(prep.n_seekers, dtype=np.bool_)
        wanted[only] = True
    row_bytes = len(prep.table.cols) + 2
    for region, modes, class_rows in _seeker_classes(prep):
        if wanted is not None:
            class_rows = class_rows[wanted[class_rows]]
            if not class_rows.size:
                continue
        cols, hours = _class_columns(prep, region, modes)
        step = max(1, min(_BLOCK_PAIRS // max(1, len(cols)), _BLOCK_PHRASE_BYTES // row_bytes))
        for start in range(0, len(class_rows), step):
            rows = class_rows[start : start + step]
            yield _score_block(prep, rows, cols, hours, global_tables, m, n_psigs)


def _score_block(
    prep: Prepared,
    rows: I32,
    cols: I32,
    hours: F64,
    global_tables: tuple[B, U8] | None,
    m: int,
    n_psigs: int,
) -> Block:
    nrows = len(rows)
    lo = np.searchsorted(hours, prep.s_hmin[rows], side="left")
    hi = np.searchsorted(hours, prep.s_hmax[rows], side="right")
    lens = np.maximum(hi - lo, 0).astype(np.int64)
    reachable = lens
    total = int(lens.sum())
    seg = np.cumsum(lens) - lens
    r = np.repeat(np.arange(nrows, dtype=np.int32), lens)
    pos = cols[np.arange(total, dtype=np.int64) - np.repeat(seg - lo, lens)]

    # needs/offers and functioning/demands through the signature tables
    if global_tables is not None:
        ok_table, comfort_table = global_tables
        srow = prep.s_sig[rows].astype(np.int64) * n_psigs
    else:
        uniq, inverse = np.unique(prep.s_sig[rows], return_inverse=True)
        ok_table, comfort_table = signature_tables(prep, uniq.astype(np.int32))
        srow = inverse.astype(np.int64) * n_psigs
    cell = srow[r] + prep.p_sig[pos]
    keep = ok_table.ravel()[cell]
    if prep.forbid_keys.size:
        keys = rows[r].astype(np.int64) * m + pos
        at = np.minimum(np.searchsorted(prep.forbid_keys, keys), prep.forbid_keys.size - 1)
        keep &= prep.forbid_keys[at] != keys
    r, pos, cell = r[keep], pos[keep], cell[keep]
    eligible = np.bincount(r, minlength=nrows).astype(np.int64)
    top = prep.top
    min_score = prep.instance.min_score

    # Cheap components first; a pair whose best possible total is below min_score is dropped
    # before the costlier ones are computed (exact: only pairs that cannot qualify go).
    partial = comfort_table.ravel()[cell].astype(np.int16) + prep.p_stability[pos]
    width = len(prep.table.cols) + 2
    best = _phrase_rows(prep, rows, prep.s_skill_off, prep.s_skill_ids, 0).ravel()
    base = r.astype(np.int64) * width
    total_fit = np.zeros(len(r), dtype=np.int32)
    for k in range(prep.p_skill_cols.shape[0]):
        total_fit += best[base + prep.p_skill_cols[k][pos]]
    wanted = prep.p_wanted[pos]
    skills = ((2 * top["skills"] * total_fit + 100 * wanted) // (200 * wanted)).astype(np.int16)
    partial += skills
    hope = partial + (top["interests"] + top["net_income"] + top["logistics"]) >= min_score
    r, pos, base, partial, skills, cell = (
        r[hope],
        pos[hope],
        base[hope],
        partial[hope],
        skills[hope],
        cell[hope],
    )

    has_interest = (prep.s_interest_off[rows + 1] - prep.s_interest_off[rows]) > 0
    ibest = _phrase_rows(prep, rows, prep.s_interest_off, prep.s_interest_ids, NEUTRAL_FIT)
    ibest[~has_interest] = NEUTRAL_FIT
    iflat = ibest.ravel()
    fit = np.zeros(len(r), dtype=np.uint8)
    for k in range(prep.p_all_cols.shape[0]):
        np.maximum(fit, iflat[base + prep.p_all_cols[k][pos]], out=fit)
    interests = ((2 * top["interests"] * fit.astype(np.int32) + 100) // 200).astype(np.int16)
    partial += interests
    hope = partial + (top["net_income"] + top["logistics"]) >= min_score
    r, pos, partial, skills, interests, cell = (
        r[hope],
        pos[hope],
        partial[hope],
        skills[hope],
        interests[hope],
        cell[hope],
    )

    seeker = rows[r]
    rules = prep.instance.benefit_rules
    benefits = prep.s_benefits[seeker]
    lost = np.where(prep.p_lose_all[pos], benefits, np.minimum(benefits, prep.p_excess[pos]))
    income = np.clip((prep.p_pay[pos] - lost) / rules.income_reference, 0.0, 1.0)
    income = np.where(prep.p_pay_known[pos], income, NEUTRAL_FIT / 100)
    net_income = np.floor(top["net_income"] * income + 0.5).astype(np.int16)

    first = prep.s_first[seeker]
    mode = np.where((first < 0) | (first == prep.p_mode[pos]), 1.0, SECOND_CHOICE_MODE)
    schedule = np.clip(
        1.0 - np.abs(prep.p_hours[pos] - prep.s_mid[seeker]) / prep.s_spread[seeker], 0.0, 1.0
    )
    schedule = np.where(prep.s_ranged[seeker], schedule, 1.0)
    logistics = np.floor(top["logistics"] * ((mode + schedule) / 2) + 0.5).astype(np.int16)

    score = partial + net_income + logistics
    good = np.flatnonzero(score >= min_score)
    pos, cell = pos[good], cell[good]
    stack = np.empty((len(COMPONENTS), len(good)), dtype=np.uint8)
    stack[0] = skills[good]
    stack[1] = interests[good]
    stack[2] = comfort_table.ravel()[cell]
    stack[3] = prep.p_stability[pos]
    stack[4] = net_income[good]
    stack[5] = logistics[good]
    r = r[good]
    return Block(
        rows=rows,
        row=r,
        seeker=seeker[good],
        position=pos,
        score=score[good].astype(np.uint8),
        components=stack,
        reachable=reachable,
        eligible=eligible,
        scored=np.bincount(r, minlength=nrows).astype(np.int64),
    )


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
    """Score every eligible pair; return all candidates, each seeker's pairs contiguous."""
    funnel = empty_funnel(prep.n_seekers)
    parts: list[Block] = []
    for block in iter_blocks(prep):
        record_block(funnel, block)
        parts.append(block)
    return _concat(parts, funnel)


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
