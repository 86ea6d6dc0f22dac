"""After day 90 the question becomes "more than 180 days?" and "more than 365
days?" (the rehabilitation chain's day 180 and 365): P(T > H | T > Y) for H
= 180 with Y = 90, 120, 150 and H = 365 with Y = 90, 180, 270
(``questions.HORIZONS``), from the same day-15 features, each fitted and
calibrated like the main model (``model._fit``). No I/O.

Censoring, per horizon H, on the training's as-of date: a case is long (1)
when it already has more than H days, short (0) when it has ended (its last
day plus the gap lies before the as-of date) with H days or fewer, and
censored otherwise (still open with H days or fewer): left out, never a
negative. A case is in the data of (H, Y) when it lasted more than Y days.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rehabkoll.risk import questions
from rehabkoll.risk.features import LONG, Example


def outcome(example: Example, horizon: int) -> int | None:
    """1: longer than ``horizon`` days; 0: ended with at most that; None: censored."""
    if example.days > horizon:
        return 1
    if example.ended:
        return 0
    return None


def fit(
    examples: Sequence[Example], x: Any, seed: int
) -> tuple[dict[tuple[int, int], Any], dict[str, int], dict[str, float]]:
    """The calibrated classifiers of each (H, Y) after day 90 that has at least
    ``model.MIN_CASES`` cases and both outcomes, the count of each
    (``"180>90"``: cases known for H = 180 that lasted more than 90 days) and
    the share of them that were long (for the categories' bounds).
    ``x`` holds the examples' feature rows (``model.frame``)."""
    from rehabkoll.risk import model

    days = np.array([e.days for e in examples], dtype=np.int64)
    fitted: dict[tuple[int, int], Any] = {}
    counts: dict[str, int] = {}
    shares: dict[str, float] = {}
    for horizon, givens in questions.HORIZONS.items():
        if horizon == LONG:
            continue
        known = np.array([outcome(e, horizon) is not None for e in examples], dtype=bool)
        y_all = np.array([outcome(e, horizon) or 0 for e in examples], dtype=np.int64)
        for given in givens:
            where = known & (days > given)
            y = y_all[where]
            counts[f"{horizon}>{given}"] = int(where.sum())
            if where.sum():
                shares[f"{horizon}>{given}"] = float(y.mean())
            if where.sum() >= model.MIN_CASES and 0 < y.sum() < len(y):
                fitted[(horizon, given)] = model._fit(x[where], y, seed)[1]
    return fitted, counts, shares
