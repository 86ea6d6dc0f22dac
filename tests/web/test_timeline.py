"""The patient's timeline (web/timeline.py, drawn with Vega-Lite): milestone
labels never on top of each other at either width, a "today" marker, the
milestone dates, FMB's end, Swedish dates, the text for screen readers, and
the cache that keeps a drawn chart."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rehabkoll.lib import vega
from rehabkoll.web import timeline
from rehabkoll.web.timeline import Span

START = date(2026, 1, 1)


def test_labels_that_would_overlap_go_on_another_row() -> None:
    # "Dag 30" at 13 px is 6 * 13 * 0.62 = 48.36 px wide. Centred at 100 it
    # covers 75.8-124.2; at 200 (175.8-224.2) it keeps the 6 px gap: one row.
    far = timeline.label_rows(
        [timeline.place("Dag 30", 100, 720), timeline.place("Dag 90", 200, 720)]
    )
    assert [label.row for label in far] == [0, 0]
    # At 140 (115.8-164.2) it would overlap the first: the second row. A third
    # at 190 (165.8-214.2) overlaps the second (ends 164.2 + 6 > 165.8) but not
    # the first (ends 124.2): back on the first row.
    close = timeline.label_rows(
        [timeline.place(t, x, 720) for t, x in (("Dag 30", 100), ("Dag 90", 140), ("Dag 99", 190))]
    )
    assert [label.row for label in close] == [0, 1, 0]
    # Four labels within 60 px of a phone's 340 px (a 1,700-day case): four rows.
    crowded = timeline.label_rows(
        [timeline.place(f"Dag {n}", x, 340) for n, x in ((30, 6), (90, 18), (180, 36), (365, 73))]
    )
    assert [label.row for label in crowded] == [0, 1, 2, 3]


def test_a_label_near_an_end_grows_inwards() -> None:
    assert timeline.place("Dag 30", 3, 340).align == "left"
    assert timeline.place("Dag 365", 338, 340).align == "right"
    assert timeline.place("Dag 90", 170, 340).align == "center"


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 400), min_size=1, max_size=6),
    gaps=st.lists(st.integers(0, 40), min_size=6, max_size=6),
    fmb=st.one_of(st.none(), st.integers(1, 800)),
    width=st.sampled_from(sorted(timeline.WIDTHS.values())),
)
def test_milestone_labels_never_overlap_and_stay_inside(
    lengths: list[int], gaps: list[int], fmb: int | None, width: int
) -> None:
    spans, day = [], START
    for length, gap in zip(lengths, gaps, strict=False):
        spans.append(Span(day, day + timedelta(days=length - 1), 50, "c"))
        day += timedelta(days=length + gap)
    lay = timeline.layout(spans, (30, 90, 180, 365), START, fmb, width)
    labels = [label for _, label in lay.milestones]
    for label in labels:
        assert 0 <= label.left <= label.right <= width
    for a in labels:
        for b in labels:
            if a is not b and a.row == b.row:
                assert (
                    a.right + timeline.LABEL_PAD <= b.left or b.right + timeline.LABEL_PAD <= a.left
                )


def test_the_timeline_marks_today_its_milestones_and_the_fmb_end() -> None:
    spans = [Span(START, START + timedelta(days=99), 100, "c1")]
    svg = timeline.timeline("t", "Tidslinje", spans, (30, 90), today=date(2026, 3, 1), fmb_days=60)
    # drawn twice, for wide and narrow screens, each with its own ids
    assert svg.count("<svg ") == 2
    assert 'class="timeline timeline-wide" id="t-wide"' in svg
    assert 'class="timeline timeline-narrow" id="t-narrow"' in svg
    assert ">I dag</text>" in svg
    assert ">Dag 30</text>" in svg
    assert ">Dag 90</text>" in svg
    assert ">FMB 60 d</text>" in svg
    assert "fmb_rule_marks" in svg
    # the axis: the first and the last day, written as Swedish dates
    assert ">2026-01-01</text>" in svg
    assert ">2026-04-10</text>" in svg
    # Everything in the description for screen readers: the period, the
    # milestones (day 30 of a case starting 1 January is 30 January), today
    # and the recommended end (day 60: 1 March).
    assert (
        '<desc id="t-wide-d">2026-01-01 till 2026-04-10: 100 %; dag 30: 2026-01-30; '
        "dag 90: 2026-03-31; i dag: 2026-03-01; FMB:s rekommenderade längd slutar "
        "2026-03-01</desc>"
    ) in svg
    # the period is focusable with its text
    assert 'aria-label="2026-01-01–2026-04-10: 100 %" tabindex="0"' in svg
    assert timeline.milestone_dates(spans, (30,)) == {30: date(2026, 1, 30)}


def test_the_axis_reaches_the_recommended_end_of_a_shorter_case() -> None:
    # A 10-day case and FMB's 14 days: the end is 4 days past the case's last
    # day (2026-01-10 + 4 = 2026-01-14), and the axis runs to it.
    spans = [Span(START, START + timedelta(days=9), 50, "c1")]
    assert timeline.recommended_end(spans, 14) == date(2026, 1, 14)
    assert ">2026-01-14</text>" in timeline.timeline("t", "T", spans, (30,), fmb_days=14)


def test_no_today_marker_outside_the_case() -> None:
    spans = [Span(START, START + timedelta(days=9), 50, "c1")]
    assert "I dag" not in timeline.timeline("t", "T", spans, (30,), today=date(2026, 6, 1))


def test_a_timeline_drawn_again_comes_from_the_cache() -> None:
    # A case no other test draws: the first page view draws both widths, the
    # second finds both in the cache under the spec's hash, with the page's ids.
    spans = [Span(date(2025, 2, 3), date(2025, 5, 6), 75, "c9")]
    before = vega.cache_info()
    first = timeline.timeline("a", "T", spans, (30, 90), today=date(2025, 4, 1))
    middle = vega.cache_info()
    again = timeline.timeline("b", "T", spans, (30, 90), today=date(2025, 4, 1))
    after = vega.cache_info()
    assert middle["misses"] - before["misses"] == 2
    assert after["misses"] == middle["misses"]
    assert after["hits"] - middle["hits"] == 2
    assert str(again) == str(first).replace('"a-', '"b-')
