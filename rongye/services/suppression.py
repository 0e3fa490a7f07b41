"""Small-cell suppression of published tables, with complementary suppression.

A table has label columns, count columns and derived columns (rates, means, medians computed
from the counts of the same row). Publishing follows three rules, in order:

1. *Primary*: a count from 1 to threshold - 1 is hidden (0 describes nobody and is shown).
2. *Complementary*: counts that add up (down a column to the total row, or across a row to a
   row total) form linear equations. While any hidden count could be worked out exactly from
   the published cells of those equations, one more count on the same line is hidden (the
   smallest non-zero one first). A hidden cell is safe when the equations leave it free: the
   unit vector of that cell is not in the row space of the equations restricted to the hidden
   cells.
3. *Derived*: a rate or mean is hidden when a count it is computed from is hidden, or when its
   row's population (`n_key`) is under the threshold.

The threshold is the app setting OUTCOME_SUPPRESSION_THRESHOLD (default 10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

DEFAULT_THRESHOLD = 10
TOTAL = "total"

Key = tuple[int | str, str]  # (row index or TOTAL, column key)


@dataclass(frozen=True, slots=True)
class Column:
    """A table column. `kind`: "label", "count" or "derived"; `fmt` says how to show it."""

    key: str
    label: Any
    kind: str = "count"
    fmt: str = "int"
    #: Derived columns: the count columns of the same row they are computed from.
    depends: tuple[str, ...] = ()
    #: Count columns: whether the rows add up to the total row.
    additive: bool = False
    #: Derived columns: counts of the same row that must reach the threshold (e.g. at risk).
    at_least: tuple[str, ...] = ()


@dataclass(slots=True)
class Table:
    """A table before publication: raw values, and which of them add up."""

    key: str
    title: Any
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None = None
    #: Count columns that add up across each row to `row_total`.
    row_parts: tuple[str, ...] = ()
    row_total: str | None = None
    #: The count column giving each row's population; derived figures need it >= threshold.
    n_key: str | None = None
    summary: Any = ""
    caption: Any = ""
    #: Anything else the page needs from the computation (e.g. the survival curve).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Published:
    """A table as published: every cell is (value, hidden)."""

    key: str
    title: Any
    columns: list[Column]
    rows: list[list[tuple[Any, bool]]]
    total: list[tuple[Any, bool]] | None
    threshold: int
    summary: Any = ""
    caption: Any = ""
    hidden_count: int = field(default=0)

    @property
    def any_hidden(self) -> bool:
        return self.hidden_count > 0


def _value(table: Table, key: Key) -> Any:
    row, column = key
    source = table.total if row == TOTAL else table.rows[int(row)]
    return None if source is None else source.get(column)


def lines(table: Table) -> list[list[tuple[Key, int]]]:
    """Return the additive equations of a table: lists of (cell, sign) summing to zero."""
    equations = []
    if table.total is not None:
        for column in table.columns:
            total = table.total.get(column.key)
            if column.kind == "count" and column.additive and total is not None:
                cells: list[tuple[Key, int]] = [
                    ((i, column.key), 1)
                    for i, row in enumerate(table.rows)
                    if row.get(column.key) is not None
                ]
                equations.append([*cells, ((TOTAL, column.key), -1)])
    if table.row_total and table.row_parts:
        indices: list[int | str] = list(range(len(table.rows)))
        if table.total is not None:
            indices.append(TOTAL)
        for i in indices:
            parts = [((i, p), 1) for p in table.row_parts if _value(table, (i, p)) is not None]
            if _value(table, (i, table.row_total)) is not None:
                equations.append([*parts, ((i, table.row_total), -1)])
    return equations


def _rank(matrix: list[list[Fraction]]) -> int:
    """Return the rank of a small matrix, exactly (Gaussian elimination over fractions)."""
    rows = [row[:] for row in matrix if any(row)]
    rank, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][col] != 0:
                factor = rows[r][col] / rows[rank][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def determined(cell: Key, hidden: set[Key], equations: Sequence[list[tuple[Key, int]]]) -> bool:
    """Return whether a hidden cell's value follows from the published cells of the equations."""
    unknowns = sorted(hidden, key=str)
    index = {key: i for i, key in enumerate(unknowns)}
    matrix = []
    for equation in equations:
        row = [Fraction(0)] * len(unknowns)
        for key, sign in equation:
            if key in index:
                row[index[key]] += sign
        if any(row):
            matrix.append(row)
    unit = [Fraction(0)] * len(unknowns)
    unit[index[cell]] = Fraction(1)
    return _rank([*matrix, unit]) == _rank(matrix)


def suppress_counts(table: Table, threshold: int) -> set[Key]:
    """Return the count cells to hide: primary, then complementary until none is derivable."""
    count_columns = [c.key for c in table.columns if c.kind == "count"]
    cells: list[Key] = [(i, c) for i in range(len(table.rows)) for c in count_columns]
    if table.total is not None:
        cells += [(TOTAL, c) for c in count_columns]
    hidden = {
        key for key in cells
        if isinstance(_value(table, key), int | float) and 0 < _value(table, key) < threshold
    }
    equations = lines(table)
    if not equations:
        return hidden
    changed = True
    while changed:
        changed = False
        for cell in sorted(hidden, key=str):
            if not determined(cell, hidden, equations):
                continue
            partners = {
                key
                for equation in equations
                if any(key == cell for key, _ in equation)
                for key, _ in equation
                if key not in hidden and _value(table, key) is not None
            }
            if not partners:
                continue  # nothing left to hide on its lines (cannot happen with a total)
            # The smallest non-zero count first: it loses least, and a zero protects nothing.
            chosen = min(partners, key=lambda k: (_value(table, k) == 0, _value(table, k), str(k)))
            hidden.add(chosen)
            changed = True
            break
    return hidden


def publish(table: Table, threshold: int = DEFAULT_THRESHOLD) -> Published:
    """Return the table with small cells, and anything that would reveal them, hidden."""
    hidden = suppress_counts(table, threshold)

    def row_cells(index: int | str, row: dict[str, Any]) -> list[tuple[Any, bool]]:
        out = []
        population = row.get(table.n_key) if table.n_key else None
        for column in table.columns:
            value = row.get(column.key)
            if column.kind == "count":
                is_hidden = (index, column.key) in hidden
            elif column.kind == "derived":
                is_hidden = value is not None and (
                    any((index, d) in hidden for d in column.depends)
                    or (population is not None and population < threshold)
                    or (table.n_key is not None and (index, table.n_key) in hidden)
                    or any((row.get(c) or 0) < threshold for c in column.at_least)
                )
            else:
                is_hidden = False
            out.append((None if is_hidden else value, is_hidden))
        return out

    rows = [row_cells(i, row) for i, row in enumerate(table.rows)]
    total = row_cells(TOTAL, table.total) if table.total is not None else None
    hidden_count = sum(h for row in [*rows, *([total] if total else [])] for _, h in row)
    return Published(table.key, table.title, table.columns, rows, total, threshold,
                     table.summary, table.caption, hidden_count)
