"""Small-number suppression (röjandekontroll) of a month's table.

The table of one month is a grid: one row per group (women, men, total) and,
for grouped reports, a total row (the sums of the group rows). Every row and
every column is a *line* whose cells add up to its margin.

- Primary suppression: a cell with 1 ≤ n < cutoff is withheld (shown "<5").
  Zero is shown: a cell of nobody identifies nobody.
- Secondary suppression: a line with exactly one withheld cell would give it
  away by subtraction from the line's other cells, so one more cell of that
  line is withheld (shown "x"): preferably a group cell rather than a total,
  and the smallest non-zero one. This repeats until no line has exactly one
  withheld cell. Totals are withheld only when nothing else can protect.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

DEFAULT_CUTOFF = 5


class Mark(StrEnum):
    """Whether a cell is shown, withheld as small, or withheld to protect another."""

    SHOWN = "shown"
    PRIMARY = "primary"
    SECONDARY = "secondary"


Grid = list[list[Mark]]


def protect(
    counts: Sequence[tuple[int, int]], *, cutoff: int = DEFAULT_CUTOFF, total_row: bool = True
) -> Grid:
    """Marks for each row's (women, men, total), plus the total row when
    ``total_row`` (its marks come last)."""
    values = [[w, m, w + m] for w, m in counts]
    if total_row:
        values.append([sum(col) for col in zip(*values, strict=True)] if values else [0, 0, 0])
    marks: Grid = [[Mark.PRIMARY if 0 < v < cutoff else Mark.SHOWN for v in row] for row in values]
    total_at = len(values) - 1 if total_row else -1
    lines = [[(r, c) for c in range(3)] for r in range(len(values))]
    if total_row and len(values) > 1:
        lines += [[(r, c) for r in range(len(values))] for c in range(3)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            withheld = [cell for cell in line if marks[cell[0]][cell[1]] is not Mark.SHOWN]
            if len(withheld) != 1:
                continue
            candidates = [cell for cell in line if marks[cell[0]][cell[1]] is Mark.SHOWN]
            if not candidates:
                continue
            r, c = min(
                candidates,
                key=lambda cell: (
                    cell[0] == total_at or cell[1] == 2,  # a group cell before a margin
                    values[cell[0]][cell[1]] == 0,  # a zero protects nothing
                    values[cell[0]][cell[1]],
                    cell,
                ),
            )
            marks[r][c] = Mark.SECONDARY
            changed = True
    return marks


def exact(rows: int, *, total_row: bool = True) -> Grid:
    """Marks for a table shown with exact counts (own users of a unit or provider)."""
    return [[Mark.SHOWN] * 3 for _ in range(rows + (1 if total_row else 0))]


def display(value: int | float | None, mark: Mark, *, cutoff: int = DEFAULT_CUTOFF) -> str:
    """The text of a cell in a table: ``<5`` for a small number, ``x`` for a
    cell withheld to protect another."""
    if mark is Mark.PRIMARY:
        return f"<{cutoff}"
    if mark is Mark.SECONDARY:
        return "x"
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)
