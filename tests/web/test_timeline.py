"""The patient's timeline: milestone labels never on top of each other, a
"today" marker, and the milestone dates."""

from __future__ import annotations

from datetime import date, timedelta

from rehabkoll.web import charts


def test_close_labels_go_on_two_rows() -> None:
    # Day 30 and day 90 of a 400-day case lie 680 * 60/400 = 102 units apart:
    # one row. Day 365 and day 380 (15 days: 25 units) would overlap: two rows.
    assert charts.label_rows([50.0, 152.0]) == [0, 0]
    assert charts.label_rows([600.0, 625.0]) == [0, 1]
    # A third close label goes back to the first row once it is far enough.
    assert charts.label_rows([100.0, 130.0, 175.0]) == [0, 1, 0]


def test_the_timeline_marks_today_and_its_milestones() -> None:
    start = date(2026, 1, 1)
    spans = [charts.Span(start, start + timedelta(days=99), 100, "c1")]
    svg = charts.timeline("t", "Tidslinje", spans, (30, 90), today=date(2026, 3, 1))
    assert 'class="today">I dag</text>' in svg
    assert "i dag: 2026-03-01" in svg  # in the description for screen readers too
    assert ">Dag 30</text>" in svg
    assert ">Dag 90</text>" in svg
    # Day 30 of a case starting 1 January is 30 January.
    assert charts.milestone_dates(spans, (30,)) == {30: date(2026, 1, 30)}


def test_no_today_marker_outside_the_case() -> None:
    start = date(2026, 1, 1)
    spans = [charts.Span(start, start + timedelta(days=9), 50, "c1")]
    assert "I dag" not in charts.timeline("t", "T", spans, (30,), today=date(2026, 6, 1))
