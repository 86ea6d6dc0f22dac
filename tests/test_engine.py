"""The reference case engine: chaining, days and net days, settings.

Every test is a small example worked out by hand; the comment shows the sum.
The work list and the patient view are in test_engine_worklist.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from rehabkoll.cases.engine import (
    DEFAULT_GAP,
    Case,
    InvalidSettingError,
    build_cases,
    chain,
    check_gap,
    check_recent,
    measure,
    patient_view,
    work_list,
)
from tests.factories import OTHER_PROVIDER, PROVIDER, UNIT, record


def spans(cases: list[Case]) -> list[tuple[str, str, int]]:
    """Each case as (start, end, days), the shape the comments work out."""
    return [(c.start.isoformat(), c.end.isoformat(), c.days) for c in cases]


# --- Chaining with the gap -------------------------------------------------


def test_the_default_gap_is_five_days() -> None:
    assert DEFAULT_GAP == 5


@pytest.mark.parametrize(
    ("gap", "second_start"),
    [
        # G=0: Feb 1–14 then Feb 15: no uncovered day between them
        (0, "2016-02-15"),
        # G=5: Feb 1–14 then Feb 20: Feb 15..19 uncovered = 5 days
        (5, "2016-02-20"),
    ],
)
def test_it_chains_a_certificate_exactly_gap_days_later(gap: int, second_start: str) -> None:
    first = record("c-1", [("2016-02-01", "2016-02-14", 100)])
    second = record("c-2", [(second_start, "2016-02-28", 100)])

    (case,) = chain([first, second], gap)

    # one case Feb 1–28; days = 14 + the second certificate's own days
    second_days = (date(2016, 2, 28) - date.fromisoformat(second_start)).days + 1
    assert spans([case]) == [("2016-02-01", "2016-02-28", 14 + second_days)]
    assert [c.id for c in case.certificates] == ["c-1", "c-2"]


@pytest.mark.parametrize(
    ("gap", "second_start", "second_days"),
    [
        # G=0: Feb 1–14 then Feb 16: Feb 15 uncovered = 1 day > 0 → new case of 13 days
        (0, "2016-02-16", 13),
        # G=5: Feb 1–14 then Feb 21: Feb 15..20 uncovered = 6 days > 5 → new case of 8 days
        (5, "2016-02-21", 8),
    ],
)
def test_it_starts_a_new_case_one_day_beyond_the_gap(
    gap: int, second_start: str, second_days: int
) -> None:
    first = record("c-1", [("2016-02-01", "2016-02-14", 100)])
    second = record("c-2", [(second_start, "2016-02-28", 100)])

    cases = chain([first, second], gap)

    assert spans(cases) == [
        ("2016-02-01", "2016-02-14", 14),
        (second_start, "2016-02-28", second_days),
    ]


def test_it_measures_the_gap_from_the_latest_end_so_far_not_the_previous_certificate() -> None:
    # A Feb 1–29, B Feb 5–10 inside A, C Mar 4–10.
    # From B's end (Feb 10) the gap to C would be 22 days; from the latest end so
    # far (A, Feb 29) it is Mar 1..3 = 3 days → all three chain.
    # days = Feb 1–29 (29) + Mar 4–10 (7) = 36
    a = record("a", [("2016-02-01", "2016-02-29", 100)])
    b = record("b", [("2016-02-05", "2016-02-10", 100)])
    c = record("c", [("2016-03-04", "2016-03-10", 100)])

    (case,) = chain([a, b, c], gap=5)

    assert spans([case]) == [("2016-02-01", "2016-03-10", 36)]
    assert len(case.certificates) == 3


def test_it_sorts_certificates_by_start_before_chaining() -> None:
    # Given newest first, the result is the same as oldest first:
    # Jan 1–10 | Jan 14–20 (3 uncovered days) | Mar 1–5 (40 uncovered days)
    late = record("late", [("2016-03-01", "2016-03-05", 100)])
    middle = record("middle", [("2016-01-14", "2016-01-20", 100)])
    early = record("early", [("2016-01-01", "2016-01-10", 100)])

    cases = chain([late, middle, early], gap=5)

    assert spans(cases) == [("2016-01-01", "2016-01-20", 17), ("2016-03-01", "2016-03-05", 5)]
    assert [c.id for c in cases[0].certificates] == ["early", "middle"]


def test_it_chains_overlapping_certificates_and_counts_shared_days_once() -> None:
    # A Feb 1–14, B Feb 10–20: union Feb 1–20 = 20 days (Feb 10–14 counted once)
    a = record("a", [("2016-02-01", "2016-02-14", 100)])
    b = record("b", [("2016-02-10", "2016-02-20", 100)])

    (case,) = chain([a, b], gap=0)

    assert spans([case]) == [("2016-02-01", "2016-02-20", 20)]


def test_it_keeps_a_certificate_with_a_long_inner_gap_in_one_case() -> None:
    # One certificate, periods Feb 1–7 and Feb 20–28: 12 days between the periods,
    # more than the gap, but a certificate is never split.
    # days = 7 + 9 = 16 (Feb 8..19 not counted)
    cert = record("c-1", [("2016-02-01", "2016-02-07", 100), ("2016-02-20", "2016-02-28", 100)])

    (case,) = chain([cert], gap=5)

    assert spans([case]) == [("2016-02-01", "2016-02-28", 16)]


def test_it_chains_with_the_largest_gap_of_ninety_days_across_february_29() -> None:
    # A Jan 1–10 2016, B from Apr 10: uncovered Jan 11..Apr 9 = 21 + 29 + 31 + 9 = 90
    a = record("a", [("2016-01-01", "2016-01-10", 100)])
    b = record("b", [("2016-04-10", "2016-04-12", 100)])
    assert len(chain([a, b], gap=90)) == 1

    # one day later (91 uncovered days) starts a new case
    later = record("b", [("2016-04-11", "2016-04-12", 100)])
    assert len(chain([a, later], gap=90)) == 2


# --- A certificate's start, end and active days -----------------------------


def test_a_certificate_spans_its_earliest_start_to_its_latest_end() -> None:
    # periods given out of order: start = Feb 1, end = Feb 28
    cert = record("c-1", [("2016-02-15", "2016-02-28", 50), ("2016-02-01", "2016-02-14", 100)])

    assert (cert.start, cert.end) == (date(2016, 2, 1), date(2016, 2, 28))


def test_a_day_between_two_periods_of_one_certificate_is_not_active() -> None:
    # Feb 1–7 at 100 %, Feb 10–14 at 50 %: Feb 8 and 9 are not active
    cert = record("c-1", [("2016-02-01", "2016-02-07", 100), ("2016-02-10", "2016-02-14", 50)])

    assert cert.active_on(date(2016, 2, 7))
    assert not cert.active_on(date(2016, 2, 8))
    assert not cert.active_on(date(2016, 2, 9))
    assert cert.degree_on(date(2016, 2, 10)) == 50
    assert cert.degree_on(date(2016, 2, 15)) is None


def test_a_day_between_two_periods_is_not_counted_in_days() -> None:
    # Feb 1–7 (7) + Feb 10–14 (5) = 12 days; net 7 × 1 + 5 × 0.5 = 9.5
    cert = record("c-1", [("2016-02-01", "2016-02-07", 100), ("2016-02-10", "2016-02-14", 50)])

    assert measure([cert]) == (12, 9.5)


# --- Days and net days ------------------------------------------------------


def test_it_weights_net_days_by_each_period_degree_of_one_certificate() -> None:
    # Feb 1–14 at 100 % = 14, Feb 15–28 at 50 % = 7,
    # Mar 1–4 at 25 % = 1, Mar 5–8 at 75 % = 3 → 36 days, net 25
    cert = record(
        "c-1",
        [
            ("2016-02-01", "2016-02-14", 100),
            ("2016-02-15", "2016-02-28", 50),
            ("2016-03-01", "2016-03-04", 25),
            ("2016-03-05", "2016-03-08", 75),
        ],
    )

    # Feb 29 2016 lies between the second and third period: not counted
    assert measure([cert]) == (36, 25.0)


def test_net_days_on_overlapping_days_follow_the_most_recently_signed_certificate() -> None:
    # A Feb 1–28 at 100 %, signed Feb 1; B Feb 10–19 at 25 %, signed Feb 9.
    # B is newer: Feb 10..19 count 10 × 0.25 = 2.5, the other 18 days count 18.
    # days = 28, net = 20.5
    a = record("a", [("2016-02-01", "2016-02-28", 100)], signed_at="2016-02-01T09:00:00")
    b = record("b", [("2016-02-10", "2016-02-19", 25)], signed_at="2016-02-09T09:00:00")

    assert measure([a, b]) == (28, 20.5)
    assert measure([b, a]) == (28, 20.5)


def test_an_older_signature_loses_the_overlapping_days_even_when_it_starts_later() -> None:
    # Same periods, but B signed Jan 31, before A: A's 100 % wins every day → net 28
    a = record("a", [("2016-02-01", "2016-02-28", 100)], signed_at="2016-02-01T09:00:00")
    b = record("b", [("2016-02-10", "2016-02-19", 25)], signed_at="2016-01-31T09:00:00")

    assert measure([a, b]) == (28, 28.0)


def test_the_certificate_id_breaks_a_tie_in_signing_time() -> None:
    # Both Feb 1–10, signed at the same moment: the higher id ("c-2") wins.
    same = "2016-02-01T10:00:00"
    c1_full = record("c-1", [("2016-02-01", "2016-02-10", 100)], signed_at=same)
    c2_half = record("c-2", [("2016-02-01", "2016-02-10", 50)], signed_at=same)
    assert measure([c1_full, c2_half]) == (10, 5.0)  # 10 × 0.5

    c1_half = record("c-1", [("2016-02-01", "2016-02-10", 50)], signed_at=same)
    c2_full = record("c-2", [("2016-02-01", "2016-02-10", 100)], signed_at=same)
    assert measure([c2_full, c1_half]) == (10, 10.0)  # 10 × 1


def test_a_case_carries_its_days_and_net_days() -> None:
    # A Feb 1–14 at 100 % (14), B Feb 20–28 at 50 % (9 × 0.5 = 4.5), gap 5 chains them
    a = record("a", [("2016-02-01", "2016-02-14", 100)])
    b = record("b", [("2016-02-20", "2016-02-28", 50)], signed_at="2016-02-19T08:00:00")

    (case,) = chain([a, b], gap=5)

    assert (case.days, case.net_days) == (23, 18.5)


# --- Leap days --------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "days"),
    [
        (2016, 29 + 1),  # leap year: Feb 1..29 + Mar 1
        (2019, 28 + 1),
        (2020, 29 + 1),  # leap year
    ],
)
def test_it_counts_february_29_in_a_leap_year(year: int, days: int) -> None:
    cert = record("c-1", [(f"{year}-02-01", f"{year}-03-01", 50)])

    assert measure([cert]) == (days, days / 2)


def test_february_29_is_an_uncovered_day_between_certificates() -> None:
    # 2016: Feb 20–28, then Mar 5: uncovered Feb 29, Mar 1..4 = 5 → chained with gap 5
    a = record("a", [("2016-02-20", "2016-02-28", 100)])
    assert len(chain([a, record("b", [("2016-03-05", "2016-03-10", 100)])], gap=5)) == 1
    # then Mar 6: 6 uncovered days → a new case
    assert len(chain([a, record("b", [("2016-03-06", "2016-03-10", 100)])], gap=5)) == 2

    # 2019 has no Feb 29: Feb 20–28, then Mar 6: uncovered Mar 1..5 = 5 → chained
    a19 = record("a", [("2019-02-20", "2019-02-28", 100)])
    assert len(chain([a19, record("b", [("2019-03-06", "2019-03-10", 100)])], gap=5)) == 1


def test_a_certificate_starting_on_february_29_continues_one_ending_february_28() -> None:
    # 2020, gap 0: Feb 1–28 (28 days) and Feb 29–Mar 14 (15 days at 50 % = 7.5)
    # → one case of 43 days, net 28 + 7.5 = 35.5
    a = record("a", [("2020-02-01", "2020-02-28", 100)])
    b = record("b", [("2020-02-29", "2020-03-14", 50)], signed_at="2020-02-27T12:00:00")

    (case,) = chain([a, b], gap=0)

    assert spans([case]) == [("2020-02-01", "2020-03-14", 43)]
    assert case.net_days == 35.5


# --- Care providers ---------------------------------------------------------


def test_it_never_chains_certificates_of_two_care_providers() -> None:
    # Feb 1–14 at one provider, Feb 15–28 at another: no uncovered day, still two cases
    here = record("a", [("2016-02-01", "2016-02-14", 100)], provider=PROVIDER)
    there = record("b", [("2016-02-15", "2016-02-28", 100)], provider=OTHER_PROVIDER)

    cases = build_cases([there, here], gap=5)

    assert [(c.care_provider_id, c.days, len(c.certificates)) for c in cases] == [
        (PROVIDER, 14, 1),
        (OTHER_PROVIDER, 14, 1),
    ]


def test_build_cases_orders_cases_by_patient_provider_and_start() -> None:
    certs = [
        record("p2-a", [("2016-01-01", "2016-01-10", 100)], patient="p2"),
        record("p1-late", [("2016-05-01", "2016-05-10", 100)], patient="p1"),
        record("p1-other", [("2016-01-01", "2016-01-10", 100)], patient="p1", provider="Z"),
        record("p1-early", [("2016-01-01", "2016-01-10", 100)], patient="p1"),
    ]

    cases = build_cases(certs, gap=5)

    assert [c.certificates[0].id for c in cases] == ["p1-early", "p1-late", "p1-other", "p2-a"]


def test_build_cases_of_nothing_is_empty() -> None:
    assert build_cases([]) == []


# --- Settings ---------------------------------------------------------------


@pytest.mark.parametrize("gap", [-1, 91])
def test_a_gap_outside_zero_to_ninety_is_rejected_everywhere(gap: int) -> None:
    cert = record("c-1", [("2016-02-01", "2016-02-14", 100)])
    as_of = date(2016, 2, 1)

    with pytest.raises(InvalidSettingError, match="gap must be between 0 and 90"):
        check_gap(gap)
    with pytest.raises(InvalidSettingError):
        chain([cert], gap)
    # also when there is nothing to chain: the setting is wrong either way
    with pytest.raises(InvalidSettingError):
        build_cases([], gap)
    with pytest.raises(InvalidSettingError):
        work_list([cert], unit_id=UNIT, as_of=as_of, gap=gap)
    with pytest.raises(InvalidSettingError):
        patient_view([], patient_id="p1", unit_id=UNIT, as_of=as_of, gap=gap)


@pytest.mark.parametrize("gap", [0, 90])
def test_the_gap_limits_zero_and_ninety_are_allowed(gap: int) -> None:
    assert check_gap(gap) == gap


@pytest.mark.parametrize("recent", [-1, 15])
def test_a_recently_ended_window_outside_zero_to_fourteen_is_rejected(recent: int) -> None:
    with pytest.raises(InvalidSettingError, match="between 0 and 14"):
        check_recent(recent)
    with pytest.raises(InvalidSettingError):
        work_list([], unit_id=UNIT, as_of=date(2016, 2, 1), recent=recent)


@pytest.mark.parametrize("recent", [0, 14])
def test_the_recently_ended_limits_zero_and_fourteen_are_allowed(recent: int) -> None:
    assert check_recent(recent) == recent


def test_an_invalid_setting_is_a_value_error() -> None:
    assert issubclass(InvalidSettingError, ValueError)
