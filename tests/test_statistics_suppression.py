"""Small-number suppression, worked by hand, and its protection of totals."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from rehabkoll.statistics import reports
from rehabkoll.statistics.query import Query, Scope
from rehabkoll.statistics.suppression import Mark, display, protect

S, P, X = Mark.SHOWN, Mark.PRIMARY, Mark.SECONDARY


def test_a_small_cell_and_one_more_of_its_row_are_withheld() -> None:
    # women 3 (<5), men 40, total 43: men is withheld too, else 43 − 40 = 3.
    assert protect([(3, 40)], total_row=False) == [[P, X, S]]


def test_zero_is_shown_and_large_cells_are_untouched() -> None:
    assert protect([(0, 12)], total_row=False) == [[S, S, S]]
    assert protect([(5, 5)], total_row=False) == [[S, S, S]]


def test_a_small_total_is_withheld_with_its_parts() -> None:
    assert protect([(2, 2)], total_row=False) == [[P, P, P]]


def test_a_grouped_table_protects_its_rows_and_columns() -> None:
    # Worked by hand (cutoff 5):
    #                 women  men  total
    #   psychiatric      3    10     13    3 < 5: primary
    #   musculoskeletal  6     8     14
    #   other            0     7      7
    #   total            9    25     34
    # psychiatric row has one withheld cell → its smallest group cell, men 10.
    # women column has one → the smallest non-zero group cell, 6.
    # men column has one → the smallest group cell, 7 (other).
    # musculoskeletal row has one (6) → men 8.
    # other row has one (7) → women 0, its only group cell left.
    # Every row and column now holds 0 or at least 2 withheld cells; the
    # totals are all shown.
    marks = protect([(3, 10), (6, 8), (0, 7)])
    assert marks == [[P, X, S], [X, X, S], [X, X, S], [S, S, S]]
    for line in [*marks, *([row[c] for row in marks] for c in range(3))]:
        assert sum(1 for m in line if m is not S) != 1


def test_a_single_group_withholds_the_total_row_with_it() -> None:
    # One group: the total row repeats it, so it must be withheld alike.
    assert protect([(2, 9)]) == [[P, X, S], [P, X, S]]


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=8))
def test_no_row_or_column_ever_has_exactly_one_withheld_cell(
    counts: list[tuple[int, int]],
) -> None:
    marks = protect(counts)
    values = [[w, m, w + m] for w, m in counts]
    values.append([sum(v[i] for v in values) for i in range(3)])
    for r, row in enumerate(marks):
        for c, mark in enumerate(row):
            if 0 < values[r][c] < 5:
                assert mark is P
    lines = [*marks, *([row[c] for row in marks] for c in range(3))]
    for line in lines:
        assert sum(1 for m in line if m is not S) != 1


def test_cells_read_as_less_than_the_cutoff_or_x() -> None:
    assert display(3, P) == "<5"
    assert display(40, X) == "x"
    assert display(12, S) == "12"
    assert display(1.25, S) == "1,2"


def test_published_json_rows_carry_null_and_suppressed() -> None:
    query = Query(Scope.parse("provider:A"), date(2024, 1, 1), date(2024, 1, 1), suppress=True)
    spec = reports.REPORTS["diagnosis-groups"]
    counts: reports.Counts = {
        (date(2024, 1, 1), "psychiatric"): [3, 10],
        (date(2024, 1, 1), "musculoskeletal"): [6, 8],
        (date(2024, 1, 1), "other"): [0, 7],
    }
    rows = {r.group: r.as_json() for r in reports.assemble(counts, query, spec).rows}
    assert rows["psychiatric"] == {
        "month": "2024-01",
        "group": "psychiatric",
        "women": None,
        "men": None,
        "total": 13,
        "suppressed": True,
    }
    assert rows["somatic"] == {
        "month": "2024-01",
        "group": "somatic",
        "women": 0,
        "men": 0,
        "total": 0,
        "suppressed": False,
    }
    assert rows["total"]["total"] == 34
    assert rows["total"]["suppressed"] is False
