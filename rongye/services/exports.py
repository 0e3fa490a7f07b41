"""Safe tabular exports: CSV text whose cells cannot become spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def escape_cell(value: Any) -> Any:
    """Return the value, with text that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return CSV text (with a BOM, so that spreadsheet programs read Chinese as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(h) for h in header])
    for row in rows:
        writer.writerow(["" if cell is None else escape_cell(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()
