"""Outcome indicators against hand-computed fixtures, and the suppression rules."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from rongye.extensions import db
from rongye.models import FollowUp, MatchDecision, Placement, SeekerProfile
from rongye.services import indicators as ind
from rongye.services.suppression import TOTAL, Column, Table, publish, suppress_counts
from tests.factories import (
    create_organisation,
    create_position,
    create_proposal,
    create_seeker,
    grant,
)

TODAY = dt.date(2025, 6, 30)

# -- Kaplan-Meier, by hand ---------------------------------------------------------------------
#
# Eight placements; durations in days, * = censored (still running: too recent to know):
#   10, 20, 20, 20*, 35*, 50, 60*, 60*
# day 10: 8 at risk, 1 exit               S = 7/8                 = 0.875
# day 20: 7 at risk, 2 exits, 1 censored  S = 0.875 * 5/7         = 0.625  (tie: exits first)
# day 35: 4 at risk, 0 exits, 1 censored  S = 0.625
# day 50: 3 at risk, 1 exit               S = 0.625 * 2/3         = 0.41666...
# day 60: 2 at risk, 2 censored           S = 0.41666...
DURATIONS = [(10, True), (20, True), (20, True), (20, False), (35, False), (50, True),
             (60, False), (60, False)]
EXPECTED = {10: 0.875, 20: 0.625, 35: 0.625, 50: 5 / 12, 60: 5 / 12}


def counts_per_day() -> list[tuple[int, int, int]]:
    by_day: dict[int, list[int]] = {}
    for day, event in DURATIONS:
        row = by_day.setdefault(day, [0, 0])
        row[0] += event
        row[1] += 1
    return [(day, e, n) for day, (e, n) in by_day.items()]


def test_kaplan_meier_with_ties_and_censoring() -> None:
    steps = ind.kaplan_meier(counts_per_day())
    assert [s.day for s in steps] == [10, 20, 35, 50, 60]
    assert [s.at_risk for s in steps] == [8, 7, 4, 3, 2]
    for step in steps:
        assert step.survival == pytest.approx(EXPECTED[step.day])
    assert ind.survival_at(steps, 0) == (1.0, 8)
    assert ind.survival_at(steps, 30) == (pytest.approx(0.625), 4)
    assert ind.survival_at(steps, 50) == (pytest.approx(5 / 12), 3)
    assert ind.survival_at(steps, 61)[1] == 0


def test_kaplan_meier_without_censoring_is_the_plain_share() -> None:
    steps = ind.kaplan_meier([(5, 1, 1), (10, 2, 2), (15, 1, 1)])
    assert ind.survival_at(steps, 10)[0] == pytest.approx(1 / 4)


def consenting_seeker(agency_id: int, **fields: object) -> SeekerProfile:
    fields.setdefault("created_at", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    seeker = create_seeker(agency_id=agency_id, **fields)
    grant(seeker, "research")
    return seeker


def place(seeker: SeekerProfile, start: dt.date, end: dt.date | None = None,
          cause: str | None = None, **fields: object) -> Placement:
    placement = Placement(seeker_id=seeker.id, agency_id=seeker.agency_id, start_date=start,
                          end_date=end, exit_cause=cause, **fields)
    db.session.add(placement)
    db.session.flush()
    return placement


def answer(placement: Placement, day: int, **fields: object) -> FollowUp:
    row = FollowUp(placement_id=placement.id, day_offset=day,
                   due_date=placement.start_date + dt.timedelta(days=day),
                   done_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), **fields)
    db.session.add(row)
    db.session.flush()
    return row


def test_retention_in_sql_matches_the_hand_computation(app_ctx: Flask) -> None:
    agency = create_organisation("agency")
    for days, ended in DURATIONS:
        seeker = consenting_seeker(agency.id)
        if ended:
            start = TODAY - dt.timedelta(days=400)
            place(seeker, start, start + dt.timedelta(days=days), "other")
        else:
            place(seeker, TODAY - dt.timedelta(days=days))
    # Not counted: no research consent, consent withdrawn, not started yet.
    place(create_seeker(agency_id=agency.id), TODAY - dt.timedelta(days=300))
    withdrawn = consenting_seeker(agency.id)
    grant(withdrawn, "research", granted=False)
    place(withdrawn, TODAY - dt.timedelta(days=300))
    place(consenting_seeker(agency.id), TODAY + dt.timedelta(days=3))
    db.session.commit()
    result = ind.retention(db.session, ind.Filters(today=TODAY), (0, 10, 20, 30, 50, 61))
    assert result.placements == 8 and result.exits == 4
    assert result.points[0] == (1.0, 8)
    assert result.points[10][0] == pytest.approx(0.875)
    assert result.points[20] == (pytest.approx(0.625), 7)
    assert result.points[30] == (pytest.approx(0.625), 4)
    assert result.points[50] == (pytest.approx(5 / 12), 3)
    assert result.points[61][1] == 0
    assert ind.headline(db.session, ind.Filters(today=TODAY)) == ind.Headline(8, 8, 4, 4)


def test_earnings_median_mean_and_volatility(app_ctx: Flask) -> None:
    agency = create_organisation("agency")
    start = TODAY - dt.timedelta(days=200)
    a, b, c = (place(consenting_seeker(agency.id), start) for _ in range(3))
    for placement, values in ((a, (1000, 1200, 900)), (b, (4000, 4000, None)), (c, (5000,))):
        for day, value in zip((30, 90, 180), values, strict=False):
            if value is not None:
                answer(placement, day, employed=True, monthly_earnings=value)
    answer(c, 90, employed=False, monthly_earnings=0)  # out of work: not in earnings
    db.session.commit()
    rows = {r.day: r for r in ind.earnings(db.session, ind.Filters(today=TODAY))}
    # day 30: 1000, 4000, 5000 -> median 4000, mean 3333.3; day 90: 1200, 4000 -> 2600
    assert rows[30].people == 3 and rows[30].median == 4000
    assert rows[30].mean == pytest.approx(10000 / 3)
    assert rows[90].median == 2600 and rows[180].median == 900
    # Pairs: a 1000->1200 (+20 %), 1200->900 (-25 %, a fall over 20 %); b 4000->4000 (0).
    volatility = ind.earnings_volatility(db.session, ind.Filters(today=TODAY))
    assert volatility.pairs == 3 and volatility.drops == 1
    assert volatility.mean_change == pytest.approx((0.2 + 0.25 + 0) / 3)


def test_weighted_median() -> None:
    assert ind.weighted_median([(100, 1), (200, 2), (300, 1)]) == 200
    assert ind.weighted_median([(100, 1), (300, 1)]) == 200
    assert ind.weighted_median([(5, 3)]) == 5
    assert ind.weighted_median([]) is None


def who5(level: int) -> dict[str, int]:
    return {f"who5_{i}": level for i in range(1, 6)}


def test_wellbeing_change_against_the_first_follow_up(app_ctx: Flask) -> None:
    agency = create_organisation("agency")
    start = TODAY - dt.timedelta(days=120)
    a, b = place(consenting_seeker(agency.id), start), place(consenting_seeker(agency.id), start)
    answer(a, 30, **who5(2))  # 40
    answer(a, 90, **who5(3))  # 60: +20
    answer(b, 30, **who5(4))  # 80
    answer(b, 90, **who5(3))  # 60: -20
    answer(place(consenting_seeker(agency.id), start), 30, who5_1=5)  # incomplete: not counted
    db.session.commit()
    rows = {r.day: r for r in ind.wellbeing(db.session, ind.Filters(today=TODAY))}
    assert rows[30].people == 2 and rows[30].mean == 60 and rows[30].mean_change is None
    assert rows[30].low == 1  # 40 < 52
    assert rows[90].mean == 60 and rows[90].mean_change == 0
    assert (rows[90].improved, rows[90].worsened, rows[90].low) == (1, 1, 0)


def test_months_employed_counts_later_jobs_in_the_first_year(app_ctx: Flask) -> None:
    agency = create_organisation("agency")
    seeker = consenting_seeker(agency.id)
    start = TODAY - dt.timedelta(days=400)
    # 100 days in the first job, then a new job from day 200: 100 + 165 = 265 days.
    place(seeker, start, start + dt.timedelta(days=100), "contract_end")
    place(seeker, start + dt.timedelta(days=200))
    db.session.commit()
    months = ind.months_employed(db.session, ind.Filters(today=TODAY))
    assert months.placements == 1  # the second started less than a year ago
    assert months.mean_months == pytest.approx(265 * 12 / 365)


def test_exits_reemployment_and_benefit_gap(app_ctx: Flask) -> None:
    agency = create_organisation("agency")
    seeker = consenting_seeker(agency.id, dibao_monthly=900)
    start = TODAY - dt.timedelta(days=400)
    end = start + dt.timedelta(days=100)
    automated = place(seeker, start, end, "automation", income_before=900)
    place(seeker, end + dt.timedelta(days=30))  # a new job 30 days later
    answer(automated, 90, employed=True, benefits_status="lost",
           benefits_date=start + dt.timedelta(days=60))
    other = consenting_seeker(agency.id, dibao_monthly=600)
    lost_job = place(other, start, end, "health")
    answer(lost_job, 30, employed=True, benefits_status="lost", benefits_date=start)
    answer(lost_job, 180, employed=False, benefits_status="restored",
           benefits_date=end + dt.timedelta(days=50))
    db.session.commit()
    f = ind.Filters(today=TODAY)
    assert ind.exits_by_cause(db.session, f) == {"automation": 1, "health": 1}
    assert ind.reemployment_after_automation(db.session, f) == ind.Reemployment(1, 1)
    benefits = ind.benefits(db.session, f)
    assert (benefits.with_allowance, benefits.losses, benefits.gaps) == (2, 2, 2)
    # Gaps: 30 days (next job) and 50 days (allowance restored).
    assert benefits.mean_gap_days == pytest.approx(40)
    assert benefits.still_waiting == 0 and benefits.long_gaps == 0


def test_overrides_and_selection_by_group(app_ctx: Flask) -> None:
    agency = create_organisation("agency")
    employer = create_organisation("employer")
    position = create_position(employer, work_type="ecommerce")
    women = [consenting_seeker(agency.id, gender="female") for _ in range(2)]
    man = consenting_seeker(agency.id, gender="male")
    for seeker, kind in ((women[0], "confirm"), (women[1], "reject"), (man, "swap")):
        proposal = create_proposal(seeker, position)
        db.session.add(MatchDecision(proposal_id=proposal.id, kind=kind, reason_code="skills"))
    place(women[0], TODAY - dt.timedelta(days=200), position_id=position.id)
    place(man, TODAY - dt.timedelta(days=200), TODAY - dt.timedelta(days=150), "other",
          position_id=position.id)
    db.session.commit()
    f = ind.Filters(today=TODAY)
    result = ind.overrides(db.session, f)
    assert (result.reviewed, result.overridden, result.reasons) == (3, 2, {"skills": 2})
    rows = {r.group: r for r in ind.groups(db.session, f, "gender")}
    assert (rows["female"].seekers, rows["female"].placed) == (2, 1)
    assert (rows["male"].seekers, rows["male"].placed) == (1, 1)
    assert rows["female"].retained_180 == 1.0 and rows["male"].retained_180 == 0.0
    by_type = ind.groups(db.session, f, "work_type")
    assert [(r.group, r.seekers, r.placements) for r in by_type] == [("ecommerce", None, 2)]
    assert ind.groups(db.session, ind.Filters(today=TODAY, gender="male"), "gender")[0].placed == 1


# -- suppression --------------------------------------------------------------------------


def grid_table(values: list[list[int]], *, with_row_totals: bool = True) -> Table:
    """A cross-tab with row totals, column totals and a grand total (everything published)."""
    n_cols = len(values[0])
    parts = tuple(f"c{j}" for j in range(n_cols))
    columns = [Column("label", "", "label"),
               *(Column(p, p, additive=True) for p in parts)]
    if with_row_totals:
        columns.append(Column("row_total", "total", additive=True))
    rows = []
    for i, line in enumerate(values):
        row: dict[str, object] = {"label": f"r{i}", **dict(zip(parts, line, strict=True))}
        if with_row_totals:
            row["row_total"] = sum(line)
        rows.append(row)
    total: dict[str, object] = {"label": "total"}
    for p in parts:
        total[p] = sum(int(r[p]) for r in rows)  # type: ignore[call-overload]
    if with_row_totals:
        total["row_total"] = sum(int(total[p]) for p in parts)  # type: ignore[call-overload]
    return Table("t", "t", columns, rows, total=total,
                 row_parts=parts if with_row_totals else (),
                 row_total="row_total" if with_row_totals else None)


def reference_recoverable(table: Table, hidden: set[tuple[object, str]]) -> set[tuple[object, str]]:
    """Slow, independent reference: the hidden cells a reader can solve for exactly.

    Solves the published equations by elimination over fractions, keeping the full augmented
    system, and reports every hidden cell whose value the solution pins down.
    """
    count_keys = [c.key for c in table.columns if c.kind == "count"]
    unknowns = sorted(hidden, key=str)
    position = {key: i for i, key in enumerate(unknowns)}

    def value(key: tuple[object, str]) -> int:
        row = table.total if key[0] == TOTAL else table.rows[int(key[0])]  # type: ignore[arg-type]
        return int(row[key[1]])  # type: ignore[index]

    equations: list[list[tuple[tuple[object, str], int]]] = []
    for column in [c for c in count_keys if c != table.row_total]:
        equations.append([*(((i, column), 1) for i in range(len(table.rows))),
                          ((TOTAL, column), -1)])
    if table.row_total:
        equations.append([*(((TOTAL, p), 1) for p in table.row_parts),
                          ((TOTAL, table.row_total), -1)])
        for i in range(len(table.rows)):
            equations.append([*(((i, p), 1) for p in table.row_parts),
                              ((i, table.row_total), -1)])
    if table.row_total:
        equations.append([*(((i, table.row_total), 1) for i in range(len(table.rows))),
                          ((TOTAL, table.row_total), -1)])
    matrix = []
    for equation in equations:
        row = [Fraction(0)] * (len(unknowns) + 1)
        for key, sign in equation:
            if key in position:
                row[position[key]] += sign
            else:
                row[-1] -= sign * value(key)
        matrix.append(row)
    # Reduced row echelon form.
    pivots, r = [], 0
    for col in range(len(unknowns)):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        matrix[r] = [x / matrix[r][col] for x in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][col] != 0:
                matrix[i] = [a - matrix[i][col] * b for a, b in zip(matrix[i], matrix[r],
                                                                      strict=True)]
        pivots.append(col)
        r += 1
    solved = set()
    for i, col in enumerate(pivots):
        if all(matrix[i][j] == 0 for j in range(len(unknowns)) if j != col):
            solved.add(unknowns[col])
    return solved


def test_primary_and_complementary_suppression_by_hand() -> None:
    table = grid_table([[3, 20, 15], [12, 30, 11]])
    published = publish(table, 10)
    hidden = {(i, key) for i, row in enumerate(published.rows)
              for (value, is_hidden), key in zip(row, [c.key for c in table.columns],
                                                 strict=True) if is_hidden}
    assert (0, "c0") in hidden  # the 3
    # Its row and its column each need a second hidden cell; the 3 stays unsolvable.
    assert len(hidden) >= 3
    assert reference_recoverable(table, suppress_counts(table, 10)) == set()


def test_zero_is_shown_and_large_counts_are_kept() -> None:
    table = grid_table([[0, 20], [15, 30]])
    assert suppress_counts(table, 10) == set()


def test_derived_figures_follow_their_counts() -> None:
    table = Table(
        "rates", "rates",
        [Column("g", "", "label"), Column("n", "n", additive=True),
         Column("k", "k", additive=True),
         Column("rate", "rate", "derived", "percent", depends=("n", "k"), at_least=("n",))],
        [{"g": "a", "n": 40, "k": 4, "rate": 0.1}, {"g": "b", "n": 50, "k": 25, "rate": 0.5},
         {"g": "c", "n": 8, "k": 0, "rate": 0.0}],
        total={"g": "all", "n": 98, "k": 29, "rate": 29 / 98},
    )
    published = publish(table, 10)
    by_group = {row[0][0]: row for row in published.rows}
    assert by_group["a"][2] == (None, True) and by_group["a"][3] == (None, True)
    assert by_group["c"][1] == (None, True) and by_group["c"][3] == (None, True)
    # b's k is hidden too (complementary), so its rate is hidden; the total row is published.
    assert by_group["b"][2][1] and by_group["b"][3][1]
    assert published.total is not None and published.total[1] == (98, False)


small_tables = st.integers(1, 4).flatmap(
    lambda cols: st.lists(
        st.lists(st.sampled_from([0, 1, 2, 3, 5, 7, 9, 10, 12, 15, 30, 80]),
                 min_size=cols, max_size=cols),
        min_size=1, max_size=5,
    )
)


@settings(max_examples=150, deadline=None)
@given(values=small_tables, with_row_totals=st.booleans(), threshold=st.sampled_from([3, 10]))
def test_no_hidden_cell_can_be_recomputed_from_the_totals(
    values: list[list[int]], with_row_totals: bool, threshold: int
) -> None:
    table = grid_table(values, with_row_totals=with_row_totals)
    hidden = suppress_counts(table, threshold)
    small = {(i, f"c{j}") for i, line in enumerate(values) for j, v in enumerate(line)
             if 0 < v < threshold}
    assert small <= hidden
    assert reference_recoverable(table, hidden) == set()
    published = publish(table, threshold)
    for row in [*published.rows, published.total or []]:
        for (value, is_hidden), column in zip(row, table.columns, strict=True):
            if column.kind == "count" and not is_hidden:
                assert value == 0 or value >= threshold
