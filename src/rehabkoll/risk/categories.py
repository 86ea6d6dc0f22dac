"""Risk categories as in SRS: under 0.39 "Måttlig risk", 0.39–0.62 "Hög
risk", over 0.62 "Mycket hög risk"; the bounds are configurable
(REHABKOLL_RISK_THRESHOLDS).

Those bounds are SRS's for the question "more than 90 days?". After day 90
the question becomes "more than 180 days?" or "more than 365 days?", given
that the case has lasted Y days, and the average answer is far higher (most
cases that have lasted 150 days last beyond 180). Judged by the same bounds,
nearly every such case would be "Mycket hög risk", which tells a coordinator
nothing. So for those questions each bound is moved by the odds of the
question's own average against the average of the 90-day question
(``for_question``): a category means the same risk relative to the average
case, whatever the question."""

from __future__ import annotations

DEFAULT_THRESHOLDS = (0.39, 0.62)
MODERATE = "Måttlig risk"
HIGH = "Hög risk"
VERY_HIGH = "Mycket hög risk"


def parse_thresholds(text: str) -> tuple[float, float]:
    """Two bounds "LOW,HIGH" with 0 < LOW < HIGH < 1."""
    parts = [p.strip() for p in text.split(",")]
    try:
        low, high = (float(p) for p in parts)
    except ValueError:
        raise ValueError(
            f"risk_thresholds: {text!r} is not two numbers LOW,HIGH such as 0.39,0.62"
        ) from None
    if not 0 < low < high < 1:
        raise ValueError(f"risk_thresholds: need 0 < LOW < HIGH < 1, not {low} and {high}")
    return low, high


def category(probability: float, thresholds: tuple[float, float] = DEFAULT_THRESHOLDS) -> str:
    """Under LOW: moderate; LOW to HIGH, both included: high; over HIGH: very high."""
    low, high = thresholds
    if probability < low:
        return MODERATE
    if probability <= high:
        return HIGH
    return VERY_HIGH


def _odds(p: float) -> float:
    return p / (1 - p)


def for_question(
    thresholds: tuple[float, float], main_share: float, question_share: float
) -> tuple[float, float]:
    """The bounds for a later question whose training cases were long in
    ``question_share`` of cases, where the 90-day question's were in
    ``main_share``: each bound's odds times the ratio of the two shares' odds.
    Unchanged when a share is 0 or 1 (no ratio to take)."""
    if not (0 < main_share < 1 and 0 < question_share < 1):
        return thresholds
    ratio = _odds(question_share) / _odds(main_share)

    def moved(bound: float) -> float:
        odds = _odds(bound) * ratio
        return odds / (1 + odds)

    low, high = thresholds
    return moved(low), moved(high)
