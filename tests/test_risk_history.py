"""The day-15 features that mirror what the synthetic model's lengths depend
on (issue 17): the most recent earlier case over 14 days in the last 12
months and its length, and the age in years; and old-style feature rows
completed for callers that give only the first version's features."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from rehabkoll.risk import features, model
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


def _examples(starts: list[date], outcomes: list[int | None]) -> list[features.Example]:
    rng = np.random.default_rng(3)
    rows = []
    for k, (start, outcome) in enumerate(zip(starts, outcomes, strict=True)):
        row: dict[str, str | int] = {
            "age_band": "40-49",
            "sex": "F" if k % 2 else "M",
            "diagnosis": "F32" if rng.random() < 0.5 else "M54",
            "diagnosis_group": "psychiatric",
            "chapter": "F00-F99",
            "degree_at_start": "100",
            "occupation": "CURRENT_JOB",
            "unit_kind": "primary care",
            "care_provider": "P",
            "secondary_diagnoses": 0,
            "previous_12m": 0,
            "previous_12m_days": 0,
            "cases_3y": 0,
        }
        rows.append(features.Example(f"p{k}", "P", "U", start, row, outcome, 20))
    return rows


def test_training_uses_only_cases_whose_outcome_is_settled_on_the_as_of_day() -> None:
    # As of 2024-06-30, a case that started on 2024-03-26 (96 days before: 90
    # days, the 5-day chaining gap and one more) has a known outcome whatever
    # it became; one that started on 2024-03-27 could still be open at day 90
    # and is known only if it ended early, so the recent known cases are
    # short ones: they are left out, not just the censored ones.
    as_of = date(2024, 6, 30)
    assert model.settled_by(as_of) == date(2024, 3, 26)
    old = _examples(
        [date(2023, 1, 1) + timedelta(days=k) for k in range(300)], [k % 2 for k in range(300)]
    )
    recent = _examples([date(2024, 3, 27)] * 40 + [date(2024, 5, 1)] * 10, [0] * 40 + [None] * 10)
    trained = model.train([*old, *recent], seed=1, as_of=as_of)
    assert trained.meta["recent_left_out"] == 50
    assert trained.meta["n"] == 300
    assert trained.meta["positives"] == 150
    # Without the as-of day the 40 recent short cases count (the old behaviour).
    assert model.train([*old, *recent], seed=1).meta["n"] == 340
