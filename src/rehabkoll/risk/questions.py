"""Which question a case's risk answers on a given day, as the
rehabilitation chain asks it (rehabiliteringskedjan: day 90, 180 and 365).
Pure functions, no I/O.

- Up to day 90: "more than 90 days?" From day 15 the main model, P(T > 90 |
  T > 14) (the cases that reached day 15); re-estimated as the case goes on,
  P(T > 90 | T > Y) for the largest Y of 15, 30, 45, 60 the case has passed,
  as SRS does at renewals.
- From day 91 to day 180: "more than 180 days?", P(T > 180 | T > Y) for
  Y = 90, 120, 150; beside it "more than 365 days?" from Y = 90.
- From day 181 to day 365: "more than 365 days?", P(T > 365 | T > Y) for
  Y = 180, 270.
- After day 365 there is no question left: no risk.

``lasted`` is the days the case has covered by the day looked from (its
future certified days not counted), the same measure the training's
``T > Y`` uses.
"""

from __future__ import annotations

from collections.abc import Collection

MAIN = 14
"""The main model's condition: the case reached day 15 (T > 14)."""
HORIZONS: dict[int, tuple[int, ...]] = {
    90: (MAIN, 15, 30, 45, 60),
    180: (90, 120, 150),
    365: (90, 180, 270),
}
"""Per horizon H, the days Y of the estimates P(T > H | T > Y)."""
LAST = 365


def label(horizon: int) -> str:
    """The question as the pages say it: ">90 dagar"."""
    return f">{horizon} dagar"


def horizon_for(lasted: int) -> int | None:
    """The next milestone the case has not passed: 90, 180, 365, or None after 365."""
    for horizon in HORIZONS:
        if lasted <= horizon:
            return horizon
    return None


def given_for(horizon: int, lasted: int, available: Collection[int] | None = None) -> int | None:
    """The largest Y of the horizon the case has passed (``lasted > Y``; the
    main model counts as passed from the start), among ``available`` if given;
    None when there is none."""
    passed = [
        y
        for y in HORIZONS[horizon]
        if (y == MAIN or lasted > y) and (available is None or y in available)
    ]
    return max(passed, default=None)


def asked(lasted: int) -> list[tuple[int, int]]:
    """Every (H, Y) estimate made by the day a case has lasted ``lasted``
    days: each Y passed (``lasted > Y``; the day-15 one always), of every
    horizon, passed ones included (the case's earlier estimates, for its
    history), in order of horizon and Y."""
    return [
        (horizon, y)
        for horizon, givens in HORIZONS.items()
        for y in givens
        if y == MAIN or lasted > y
    ]
