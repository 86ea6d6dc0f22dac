"""The day-15 features that mirror what the synthetic model's lengths depend
on (issue 17): the most recent earlier case over 14 days in the last 12
months and its length, and the age in years; and old-style feature rows
completed for callers that give only the first version's features."""

from __future__ import annotations

from datetime import date

from rehabkoll.risk import features
from rehabkoll.risk.features import Patient
from tests.factories import record

PATIENT = Patient(date(1980, 6, 1), "M")
UNITS = {"SE2321000016-U001": "Psykiatriska mottagningen Exempel"}


def _case_features(history: list) -> dict[str, str | int]:  # type: ignore[type-arg]
    current = record(
        "now",
        [("2024-03-01", "2024-03-28", 100)],
        signed_at="2024-03-01T09:00:00",
        diagnosis="F43.2",
    )
    found = features.examples([*history, current], PATIENT, UNITS, as_of=date(2024, 12, 31))
    (case,) = [e for e in found if e.start == date(2024, 3, 1)]
    return case.features


def test_the_most_recent_earlier_case_over_14_days_counts_not_a_shorter_later_one() -> None:
    # 2023-04-01..2023-07-29: 120 days, ended within 12 months of 2024-03-01.
    # 2023-11-01..2023-11-10: 10 days, more recent but not over 14 days.
    history = [
        record("a", [("2023-04-01", "2023-07-29", 100)], signed_at="2023-04-01T09:00:00"),
        record("b", [("2023-11-01", "2023-11-10", 100)], signed_at="2023-11-01T09:00:00"),
    ]
    got = _case_features(history)
    assert got["previous_long_days"] == 120
    assert got["previous_long"] == "91-180"
    assert got["previous_12m"] == 2  # both earlier cases ended in the 12 months
    assert got["age"] == 43  # born 1980-06-01, the case starts 2024-03-01
    assert got["unit_kind"] == "psychiatry"


def test_an_earlier_case_that_ended_over_12_months_before_does_not_count() -> None:
    # Ended 2023-02-28, 367 days before 2024-03-01 (2024 is a leap year).
    history = [record("a", [("2022-12-01", "2023-02-28", 100)], signed_at="2022-12-01T09:00:00")]
    got = _case_features(history)
    assert got["previous_long_days"] == 0
    assert got["previous_long"] == "none"


def test_the_steps_of_the_earlier_cases_length() -> None:
    assert [features.previous_long(d) for d in (0, 15, 90, 91, 180, 181)] == [
        "none",
        "15-90",
        "15-90",
        "91-180",
        "91-180",
        "181-",
    ]


def test_an_old_style_row_is_completed_from_its_older_features() -> None:
    row: dict[str, str | int] = {"age_band": "50-59", "previous_12m": 1, "previous_12m_days": 200}
    got = features.completed(row)
    assert got["age"] == 55
    assert got["previous_long_days"] == 200
    assert got["previous_long"] == "181-"
    # A short earlier case (at most 14 days) is not a case over 14 days.
    short = features.completed({"age_band": "16-29", "previous_12m": 1, "previous_12m_days": 10})
    assert short["previous_long"] == "none"
    assert row == {"age_band": "50-59", "previous_12m": 1, "previous_12m_days": 200}
