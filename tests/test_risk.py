"""The risk model's rules on hand-made cases: day-15 features, outcome and
censoring, categories, explanation, calibration error."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from rehabkoll.risk import evaluation, features, model
from rehabkoll.risk.categories import HIGH, MODERATE, VERY_HIGH, category, parse_thresholds
from rehabkoll.risk.features import Example, Patient
from tests.factories import record

PATIENT = Patient(date(1980, 6, 1), "F")
UNITS = {"SE2321000016-U001": "Vårdcentralen Exempel"}


def _history() -> list:  # type: ignore[type-arg]
    # An earlier case (2023-09-01..2023-10-10, 40 days) within 12 months of the case below.
    return [
        record(
            "old",
            [("2023-09-01", "2023-10-10", 100)],
            signed_at="2023-09-01T09:00:00",
            diagnosis="M54.5",
        ),
        record(
            "c1",
            [("2024-03-01", "2024-03-20", 100)],
            signed_at="2024-03-01T09:00:00",
            diagnosis="F32.1",
        ),
    ]


def _features(certs: list) -> dict[str, str | int]:  # type: ignore[type-arg]
    found = features.examples(certs, PATIENT, UNITS, as_of=date(2024, 12, 31))
    (case,) = [e for e in found if e.start == date(2024, 3, 1)]
    return case.features


def test_day15_features_by_hand() -> None:
    # Day 15 of the case starting 2024-03-01 is 2024-03-15. Known then: c1 (F32.1,
    # 100 %). The earlier case ended 2023-10-10, within 12 months, 40 days long.
    got = _features(_history())
    assert got["diagnosis"] == "F32"
    assert got["diagnosis_group"] == "psychiatric"
    assert got["chapter"] == "F00-F99"
    assert got["degree_at_start"] == "100"
    assert got["age_band"] == "40-49"  # 43 years old on 2024-03-01
    assert got["sex"] == "F"
    assert got["previous_12m"] == 1
    assert got["previous_12m_days"] == 40
    assert got["cases_3y"] == 1
    assert got["unit_kind"] == "primary care"


def test_later_certificates_leave_day15_features_unchanged() -> None:
    before = _features(_history())
    # A renewal signed on day 20 (after day 15) with another diagnosis, half time,
    # a secondary diagnosis and another occupation, and an extension by a third
    # certificate: the case gets longer, but what was known on day 15 stays.
    later = [
        record(
            "c2",
            [("2024-03-21", "2024-06-30", 50)],
            signed_at="2024-03-20T09:00:00",
            diagnosis="M54.5",
        ),
        record(
            "c3",
            [("2024-03-10", "2024-07-31", 25)],
            signed_at="2024-04-02T09:00:00",
            diagnosis="F43.8",
        ),
    ]
    assert _features([*_history(), *later]) == before
    # The same renewal signed on day 10 (before day 15, covering day 15) is known
    # on day 15 and leads then: the diagnosis changes, so the check above can fail.
    early = record(
        "c4",
        [("2024-03-10", "2024-06-30", 50)],
        signed_at="2024-03-10T09:00:00",
        diagnosis="M54.5",
    )
    assert _features([*_history(), early])["diagnosis"] == "M54"


def _case(end: str) -> list:  # type: ignore[type-arg]
    return [record("a", [("2024-01-01", end, 100)], signed_at="2024-01-01T09:00:00")]


@pytest.mark.parametrize(
    ("end", "as_of", "expected"),
    [
        # 50 days (to 02-19); on 02-20 a certificate could still join it (gap 5): censored.
        ("2024-02-19", "2024-02-20", None),
        # The same case on 03-01: 02-19 + 5 days = 02-24 lies before: known short.
        ("2024-02-19", "2024-03-01", 0),
        # Certified to 04-30, seen on 03-15: 75 days so far (31 + 29 + 15): censored.
        ("2024-04-30", "2024-03-15", None),
        # Seen on 04-05: 31 + 29 + 31 + 5 = 96 days > 90: long, though still open.
        ("2024-04-30", "2024-04-05", 1),
        # Exactly 90 days (01-01..03-30) and ended: short.
        ("2024-03-30", "2024-06-01", 0),
    ],
)
def test_outcome_and_censoring(end: str, as_of: str, expected: int | None) -> None:
    (example,) = features.examples(
        _case(end), PATIENT, UNITS, as_of=date.fromisoformat(as_of), with_censored=True
    )
    assert example.outcome == expected


def test_censored_cases_are_not_counted_as_negatives() -> None:
    # Without with_censored the open case is not in the data at all (not a 0).
    assert features.examples(_case("2024-04-30"), PATIENT, UNITS, as_of=date(2024, 3, 15)) == []
    # And training leaves censored examples out: the model's counts show it.
    rows = _synthetic(400, seed=3)
    censored = [
        Example("x", "p", "u", date(2024, 1, 1), {**rows[0].features}, None, 40) for _ in range(100)
    ]
    trained = model.train([*rows, *censored], seed=1)
    assert trained.meta["n"] == 400
    assert trained.meta["censored_left_out"] == 100
    assert trained.meta["positives"] == sum(e.outcome or 0 for e in rows)


def test_cases_shorter_than_15_days_are_not_in_the_population() -> None:
    # 14 days: never reaches day 15.
    assert features.examples(_case("2024-01-14"), PATIENT, UNITS, as_of=date(2024, 6, 1)) == []
    assert len(features.examples(_case("2024-01-15"), PATIENT, UNITS, as_of=date(2024, 6, 1))) == 1


def test_categories_at_the_bounds() -> None:
    assert category(0.3899) == MODERATE
    assert category(0.39) == HIGH
    assert category(0.62) == HIGH
    assert category(0.6201) == VERY_HIGH
    assert category(0.5, (0.2, 0.4)) == VERY_HIGH
    assert parse_thresholds("0.2, 0.4") == (0.2, 0.4)
    with pytest.raises(ValueError, match="risk_thresholds"):
        parse_thresholds("0.6,0.4")
    with pytest.raises(ValueError, match="risk_thresholds"):
        parse_thresholds("high")


def _synthetic(n: int, *, seed: int) -> list[Example]:
    """Cases where previous sick leave and full-time sick leave raise the odds
    of a long case, the sex does nothing."""
    rng = np.random.default_rng(seed)
    result = []
    for i in range(n):
        previous = int(rng.integers(0, 3))
        degree = str(rng.choice(["50", "100"]))
        code = str(rng.choice(["F32", "M54"]))
        logit = -1.2 + 1.3 * previous + 0.8 * (degree == "100") + 0.4 * (code == "F32")
        outcome = int(rng.random() < 1 / (1 + np.exp(-logit)))
        row: dict[str, str | int] = {
            "age_band": "40-49",
            "sex": str(rng.choice(["F", "M"])),
            "diagnosis": code,
            "diagnosis_group": "psychiatric" if code == "F32" else "musculoskeletal",
            "chapter": "F00-F99" if code == "F32" else "M00-M99",
            "degree_at_start": degree,
            "occupation": "CURRENT_JOB",
            "unit_kind": "primary care",
            "care_provider": "P",
            "secondary_diagnoses": 0,
            "previous_12m": previous,
            "previous_12m_days": 30 * previous,
            "cases_3y": previous,
        }
        result.append(Example(f"p{i}", "P", "U", date(2024, 1, 1), row, outcome, 20))
    return result


def test_explanation_follows_the_model() -> None:
    trained = model.train(_synthetic(2000, seed=5), seed=1)
    row = dict(_synthetic(1, seed=9)[0].features)
    row.update(previous_12m=2, previous_12m_days=60, cases_3y=2, degree_at_start="100")
    reasons = model.explain(trained, row)
    assert len(reasons) == 3
    # Previous sick leave (split over its three collinear counts here) and full
    # time raise the odds in the data, so every top reason raises the risk.
    assert {r.feature for r in reasons} & {"previous_12m", "previous_12m_days", "cases_3y"}
    assert all(r.contribution > 0 and r.text.endswith(": höjer") for r in reasons)
    # The contributions of all features add up to the regression's log-odds of
    # this case minus those of the diagnosis's average case: they are the model's.
    everything = model.explain(trained, row, top=len(features.FEATURES))
    columns = trained.regression.named_steps["columns"]
    regression = trained.regression.named_steps["regression"]
    profile = trained.diagnosis_profile[str(row["diagnosis"])]
    gap = trained.regression.decision_function(model.frame([row]))[0] - (
        regression.coef_[0] @ profile + regression.intercept_[0]
    )
    assert sum(r.contribution for r in everything) == pytest.approx(gap)
    assert columns is not None
    # No previous sick leave and half time: the same features now lower the risk.
    row.update(previous_12m=0, previous_12m_days=0, cases_3y=0, degree_at_start="50")
    lowered = model.explain(trained, row)
    assert all(r.contribution < 0 for r in lowered)
    assert any("sänker" in r.text for r in lowered)
    # Higher with previous sick leave, as the model says through its probabilities.
    high, low = model.predict(
        trained, [{**row, "previous_12m": 2, "previous_12m_days": 60, "cases_3y": 2}, row]
    )
    assert high > low
    assert trained.diagnosis_average["F32"].n + trained.diagnosis_average["M54"].n == 2000


def test_training_is_reproducible_with_its_seed() -> None:
    data = _synthetic(600, seed=4)
    rows = [e.features for e in data[:20]]
    a = model.predict(model.train(data, seed=7), rows)
    b = model.predict(model.train(data, seed=7), rows)
    assert np.array_equal(a, b)


def test_too_few_cases_are_refused() -> None:
    with pytest.raises(model.TooFewCasesError, match="need at least"):
        model.train(_synthetic(10, seed=1), seed=1)


def test_expected_calibration_error_by_hand() -> None:
    # Two bins: 0.1 predicted where half are long (|0.1 - 0.5| = 0.4), 0.9
    # predicted where half are long (0.4); each bin half the cases: ECE 0.4.
    y = np.array([0.0, 1.0, 1.0, 0.0])
    p = np.array([0.1, 0.1, 0.9, 0.9])
    assert evaluation.ece(y, p) == pytest.approx(0.4)
    # Perfect: predictions equal to the observed share in each bin.
    assert evaluation.ece(np.array([0.0, 1.0]), np.array([0.5, 0.5])) == pytest.approx(0.0)


def test_later_re_estimates_condition_on_the_days_lasted() -> None:
    # Long cases last 120 days; short ones 15 to 90 days, evenly. Of the cases
    # that lasted more than 60 days, the short ones of 15-60 days are gone, so
    # P(T > 90 | T > 60) must be well above P(T > 90) for the same features.
    rng = np.random.default_rng(8)
    data = [
        Example(
            e.patient_id,
            e.care_provider_id,
            e.unit_id,
            e.start,
            e.features,
            e.outcome,
            120 if e.outcome else int(rng.integers(15, 91)),
        )
        for e in _synthetic(3000, seed=6)
    ]
    trained = model.train(data, seed=1)
    assert set(trained.conditional) == {15, 30, 45, 60}
    # Only the cases with a known outcome that lasted more than 60 days.
    assert trained.meta["conditional_n"]["60"] == sum(1 for e in data if e.days > 60)
    rows = [e.features for e in data[:200]]
    at_start = model.predict(trained, rows).mean()
    after_60 = model.predict_later(trained, rows, 60)
    assert after_60 is not None
    assert after_60.mean() > at_start + 0.15
    after_30 = model.predict_later(trained, rows, 30)
    assert after_30 is not None
    assert at_start < after_30.mean() < after_60.mean()
