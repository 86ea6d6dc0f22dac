"""The fast scoring path (risk.scoring, risk.day15, risk.answers) against the
slow one it replaces: the same probabilities and explanations as
scikit-learn, the same day-15 features as reading every certificate; and
which question a case's day asks."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehabkoll.risk import horizons, model, questions, scoring
from rehabkoll.risk.features import FEATURES, Example
from tests.test_risk import _synthetic


def _with_days(data: list[Example], seed: int) -> list[Example]:
    """Lengths for the horizons: long cases 95 to 400 days, short ones 15 to 90;
    every fourth case still open on the as-of day (censored past its days)."""
    rng = np.random.default_rng(seed)
    result = []
    for i, e in enumerate(data):
        days = int(rng.integers(95, 401)) if e.outcome else int(rng.integers(15, 91))
        result.append(
            Example(
                e.patient_id,
                e.care_provider_id,
                e.unit_id,
                e.start,
                e.features,
                e.outcome,
                days,
                i % 4 != 0,
            )
        )
    return result


@pytest.fixture(scope="module")
def isotonic() -> model.RiskModel:
    # 4,400 cases: a quarter (1,100) held out, so isotonic calibration.
    trained = model.train(_with_days(_synthetic(4400, seed=21), 2), seed=1)
    assert trained.method == "isotonic"
    return trained


@pytest.fixture(scope="module")
def sigmoid() -> model.RiskModel:
    trained = model.train(_with_days(_synthetic(600, seed=22), 3), seed=1)
    assert trained.method == "sigmoid"
    return trained


_VALUES: dict[str, list[str | int]] = {
    "age_band": ["16-29", "40-49", "60-"],
    "sex": ["F", "M", "X"],
    "diagnosis": ["F32", "M54", "J06"],  # J06: never seen in training
    "diagnosis_group": ["psychiatric", "musculoskeletal", "other"],
    "chapter": ["F00-F99", "M00-M99", "J00-J99"],
    "degree_at_start": ["25", "50", "100"],
    "occupation": ["CURRENT_JOB", "JOB_SEEKER"],
    "unit_kind": ["primary care", "psychiatry"],
    "care_provider": ["P", "Q"],
    "secondary_diagnoses": [0, 1, 2],
    "previous_12m": [0, 1, 2, 5],
    "previous_12m_days": [0, 30, 60, 400],
    "cases_3y": [0, 1, 2, 7],
    "age": [20, 45, 63],
    "previous_long": ["none", "15-90", "91-180", "181-"],
    "previous_long_days": [0, 30, 120, 400],
}
_ROW = st.fixed_dictionaries({name: st.sampled_from(_VALUES[name]) for name in FEATURES})


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_ROW, min_size=1, max_size=12))
def test_compiled_models_give_scikit_learns_probabilities(
    isotonic: model.RiskModel, sigmoid: model.RiskModel, rows: list[dict[str, str | int]]
) -> None:
    # Unseen values (sex X, J06, care provider Q) included: the encoder's own rule applies.
    for trained in (isotonic, sigmoid):
        compiled = scoring.compile_model(trained)
        assert np.allclose(compiled.main.probability(rows), model.predict(trained, rows))
        for y in trained.conditional:
            slow = model.predict_later(trained, rows, y)
            assert slow is not None
            assert np.allclose(compiled.questions[(90, y)].probability(rows), slow)
        for key, found in trained.horizons.items():
            slow = found.predict_proba(model.frame(rows))[:, 1]
            assert np.allclose(compiled.questions[key].probability(rows), slow)
        # The explanation's contributions are the model's, feature by feature.
        design = compiled.main.design(rows)
        fast = compiled.contributions(rows, design)
        slow_reasons = model.explain_all(trained, rows, top=len(FEATURES))
        names = [name for name, _, _ in compiled.columns]
        for i, reasons in enumerate(slow_reasons):
            for reason in reasons:
                assert fast[i][names.index(reason.feature)] == pytest.approx(reason.contribution)


def test_both_calibrations_are_compiled(
    isotonic: model.RiskModel, sigmoid: model.RiskModel
) -> None:
    assert scoring.compile_model(isotonic).main.calibrators[0].method == "isotonic"
    assert scoring.compile_model(sigmoid).main.calibrators[0].method == "sigmoid"
    # Each model of the horizons after day 90 with enough cases is stored and compiled.
    assert set(isotonic.horizons) <= {(h, y) for h in (180, 365) for y in questions.HORIZONS[h]}
    assert (180, 90) in isotonic.horizons
    assert set(scoring.compile_model(isotonic).questions) >= set(isotonic.horizons)


@pytest.mark.parametrize(
    ("lasted", "horizon"),
    [(0, 90), (14, 90), (90, 90), (91, 180), (180, 180), (181, 365), (365, 365), (366, None)],
)
def test_the_question_is_the_next_milestone(lasted: int, horizon: int | None) -> None:
    # Day 90 itself still asks "more than 90?"; day 91 has passed it.
    assert questions.horizon_for(lasted) == horizon


def test_the_estimates_that_apply_by_the_day() -> None:
    # Day 40: the day-15 estimate (Y = 14) and the re-estimates after 15 and 30 days.
    assert questions.asked(40) == [(90, 14), (90, 15), (90, 30)]
    # Day 30 has not passed 30 (T > 30 needs day 31).
    assert questions.asked(30) == [(90, 14), (90, 15)]
    # Day 100: the four estimates of "more than 90?" made so far, then "more
    # than 180?" and "more than 365?", both given more than 90 days.
    assert questions.asked(100) == [
        (90, 14),
        (90, 15),
        (90, 30),
        (90, 45),
        (90, 60),
        (180, 90),
        (365, 90),
    ]
    assert questions.horizon_for(100) == 180
    # Day 200: "more than 365?" given 90 and 180 days is the question now.
    assert questions.asked(200)[-2:] == [(365, 90), (365, 180)]
    assert (180, 150) in questions.asked(200)
    assert len(questions.asked(400)) == 11  # every estimate; no question left
    # The latest re-estimate answers: at day 130 for H = 180 that is Y = 120;
    # with no model for 120 stored, Y = 90.
    assert questions.given_for(180, 130) == 120
    assert questions.given_for(180, 130, available={90, 150}) == 90
    assert questions.label(180) == ">180 dagar"


def _example(days: int, ended: bool) -> Example:
    return Example("p", "P", "U", date(2024, 1, 1), {}, 1 if days > 90 else 0, days, ended)


@pytest.mark.parametrize(
    ("days", "ended", "horizon", "expected"),
    [
        # 100 days and still open on the as-of day: long for 90, censored for 180.
        (100, False, 180, None),
        # 100 days and ended: short for 180 and for 365.
        (100, True, 180, 0),
        (100, True, 365, 0),
        # 200 days, still open: long for 180, censored for 365 (not a negative).
        (200, False, 180, 1),
        (200, False, 365, None),
        # Exactly 180 days and ended: not more than 180.
        (180, True, 180, 0),
        (366, False, 365, 1),
    ],
)
def test_outcomes_after_day_90_respect_censoring(
    days: int, ended: bool, horizon: int, expected: int | None
) -> None:
    assert horizons.outcome(_example(days, ended), horizon) == expected


def test_censored_cases_are_left_out_of_the_horizons() -> None:
    # 60 long-open cases of 100 days (censored for 180), 60 ended at 120 days
    # (short for 180), 60 open at 200 days (long for 180, censored for 365).
    base = _synthetic(180, seed=4)
    data = [
        Example(e.patient_id, "P", "U", e.start, e.features, 1, days, ended)
        for e, (days, ended) in zip(
            base, [(100, False)] * 60 + [(120, True)] * 60 + [(200, False)] * 60, strict=True
        )
    ]
    x = model.frame([e.features for e in data])
    fitted, counts, shares = horizons.fit(data, x, seed=1)
    # Known for 180 and lasted more than 90: the 120 ended and the 200 open, not the 100 open.
    assert counts["180>90"] == 120
    assert counts["180>120"] == 60  # only the 200-day cases lasted more than 120
    # Of those 120, the 60 open at 200 days are long: half (the categories' bounds).
    assert shares["180>90"] == 0.5
    # For 365 only the ended 120-day cases are known (0); one outcome: no model.
    assert counts["365>90"] == 60
    assert (365, 90) not in fitted
    assert (180, 90) in fitted
