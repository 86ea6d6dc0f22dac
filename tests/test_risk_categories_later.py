"""The categories after day 90: SRS's bounds are for "more than 90 days?";
for "more than 180/365 days?" each bound is moved by the question's own
average, so that the categories keep their meaning relative to the average
case."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rehabkoll.config import Settings
from rehabkoll.risk import answers
from rehabkoll.risk.categories import DEFAULT_THRESHOLDS, HIGH, VERY_HIGH, category, for_question
from rehabkoll.risk.model import Average, RiskModel


def test_bounds_move_by_the_odds_of_the_questions_average() -> None:
    # 40 % of the 90-day question's cases were long, 60 % of those asked
    # "more than 180 days, given 90": odds 0.6/0.4 = 1.5 against 0.4/0.6 =
    # 0.667, a ratio of 2.25. The bound 0.39 has odds 0.39/0.61 = 0.6393;
    # times 2.25 = 1.4385, back to a probability 1.4385/2.4385 = 0.5899. The
    # bound 0.62: odds 1.6316 × 2.25 = 3.6711, probability 0.7859.
    low, high = for_question((0.39, 0.62), 0.4, 0.6)
    assert low == pytest.approx(0.5899, abs=1e-4)
    assert high == pytest.approx(0.7859, abs=1e-4)
    # So 75.8 % for ">180 dagar" is high, not very high, risk.
    assert category(0.758, (low, high)) == HIGH
    assert category(0.758, DEFAULT_THRESHOLDS) == VERY_HIGH


@given(st.floats(0.01, 0.99), st.floats(0.01, 0.99), st.floats(0.02, 0.49), st.floats(0.51, 0.98))
def test_moved_bounds_keep_their_order_and_the_same_average_changes_nothing(
    main: float, share: float, low: float, high: float
) -> None:
    moved_low, moved_high = for_question((low, high), main, share)
    assert 0 < moved_low < moved_high < 1
    # A question whose cases were long more often gets higher bounds.
    assert (moved_low >= low) == (share >= main) or abs(moved_low - low) < 1e-12
    assert for_question((low, high), main, main) == pytest.approx((low, high))
    # No ratio without both outcomes.
    assert for_question((low, high), 0.0, share) == (low, high)


def _model(shares: dict[str, float]) -> RiskModel:
    return RiskModel(
        calibrated=None,
        regression=None,
        diagnosis_average={},
        overall_average=Average(0.4, 1000),
        diagnosis_profile={},
        overall_profile=np.zeros(0),
        columns={},
        method="isotonic",
        meta={"horizons_share": shares},
    )


def test_the_bounds_of_each_question() -> None:
    fitted = _model({"180>90": 0.6})
    # The 90-day question, at any day: SRS's bounds as configured.
    assert answers.question_bounds(fitted, 90, 60, (0.39, 0.62)) == (0.39, 0.62)
    # After day 90, with the share stored: moved (worked above).
    low, _ = answers.question_bounds(fitted, 180, 90, (0.39, 0.62))
    assert low == pytest.approx(0.5899, abs=1e-4)
    # A question whose share the model did not store (older models): as configured.
    assert answers.question_bounds(fitted, 365, 180, (0.39, 0.62)) == (0.39, 0.62)


def test_bad_bounds_are_refused_when_the_settings_are_read() -> None:
    with pytest.raises(ValidationError, match="risk_thresholds"):
        Settings(risk_thresholds="0.7,0.2")
    assert Settings(risk_thresholds="0.3,0.5").risk_thresholds == "0.3,0.5"
