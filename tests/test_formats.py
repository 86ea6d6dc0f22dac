"""Swedish formats: dates, local times, decimal commas, "1 dag"/"2 dagar"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehabkoll.lib import formats

NBSP = "\u00a0"


def test_a_date_reads_year_month_day() -> None:
    assert formats.day(date(2026, 11, 5)) == "2026-11-05"
    assert formats.day(None) == "–"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        # Winter: CET is UTC+1, so 13:03 UTC is 14:03 in Stockholm.
        (datetime(2026, 11, 5, 13, 3), "2026-11-05 14:03"),
        # Summer: CEST is UTC+2; 22:30 UTC on 30 June is already 1 July in Sweden.
        (datetime(2026, 6, 30, 22, 30), "2026-07-01 00:30"),
        # An aware time is moved, not reinterpreted: 09:00 at UTC+5 is 04:00 UTC, 05:00 CET.
        (datetime(2026, 1, 10, 9, 0, tzinfo=timezone(timedelta(hours=5))), "2026-01-10 05:00"),
        # The spring change, 29 March 2026 at 01:00 UTC:
        # 00:59 UTC is 01:59 CET, 01:00 UTC is 03:00 CEST.
        (datetime(2026, 3, 29, 0, 59), "2026-03-29 01:59"),
        (datetime(2026, 3, 29, 1, 0), "2026-03-29 03:00"),
    ],
)
def test_a_moment_is_shown_in_swedish_local_time(stored: datetime, shown: str) -> None:
    assert formats.moment(stored) == shown


def test_the_day_of_a_late_utc_moment_is_the_swedish_day() -> None:
    assert formats.day(datetime(2026, 6, 30, 23, 0, tzinfo=UTC)) == "2026-07-01"


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (0.5, None, "0,5"),
        (12.5, None, "12,5"),
        (37, None, "37"),
        (1234567.891, None, f"1{NBSP}234{NBSP}567,891"),
        (2.0, 1, "2,0"),  # fixed decimals keep the zero
        (2.25, 1, "2,2"),  # half to even: 2.25 → 2,2
        (1999.6, 0, f"2{NBSP}000"),
        (-3.25, None, "-3,25"),
    ],
)
def test_numbers_have_a_decimal_comma_and_spaced_thousands(
    value: float, decimals: int | None, shown: str
) -> None:
    assert formats.number(value, decimals) == shown


def test_percent_and_counts_agree_with_their_number() -> None:
    assert formats.percent(50) == f"50{NBSP}%"
    assert formats.percent(12.5) == f"12,5{NBSP}%"
    assert formats.count(1, "sjukfall", "sjukfall") == f"1{NBSP}sjukfall"
    assert formats.count(3, "uppgift", "uppgifter") == f"3{NBSP}uppgifter"


@pytest.mark.parametrize(
    ("count", "shown"),
    [(1, "1 dag"), (2, "2 dagar"), (0, "0 dagar"), (-1, "-1 dag"), (365, "365 dagar")],
)
def test_days_are_one_dag_or_several_dagar(count: int, shown: str) -> None:
    assert formats.days(count) == shown.replace(" ", NBSP)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False))
def test_a_number_reads_back_as_itself(value: object) -> None:
    # The two forms of one number: Python's and the Swedish text of it.
    from decimal import Decimal

    assert isinstance(value, Decimal)
    text = formats.number(value)
    back = Decimal(text.replace(NBSP, "").replace(",", "."))
    assert back == value
    assert "." not in text
