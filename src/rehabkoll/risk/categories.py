"""Risk categories as in SRS: under 0.39 "Måttlig risk", 0.39–0.62 "Hög
risk", over 0.62 "Mycket hög risk"; the bounds are configurable
(REHABKOLL_RISK_THRESHOLDS)."""

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
