"""Calibration of the risk model by unit over time (kalibrering): per period
(month or quarter of the case's start) and per unit, women and men, the
model's mean predicted probability of more than 90 days against the observed
share of long cases, among the cases whose outcome is known.

The counting (``table``) is a pure function on plain rows; ``cases`` reads
them from the database through the risk service (the day-15 features and
the outcome on the as-of day, docs/decision-support.md) and the model in
force. Small numbers are withheld as on every statistics page
(``statistics.suppression``) when the figures are published (national).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from rehabkoll.risk import model, service
from rehabkoll.statistics.suppression import DEFAULT_CUTOFF, Mark, exact, protect


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"

    @property
    def label(self) -> str:
        return {Period.MONTH: "Månad", Period.QUARTER: "Kvartal"}[self]

    def of(self, day: date) -> str:
        """``2025-03`` for a month, ``2025 K1`` for a quarter."""
        if self is Period.MONTH:
            return f"{day:%Y-%m}"
        return f"{day.year} K{(day.month - 1) // 3 + 1}"

    def first_day(self, day: date) -> date:
        if self is Period.MONTH:
            return day.replace(day=1)
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


@dataclass(frozen=True, slots=True)
class Case:
    """One case with a known outcome and the model's probability for it."""

    unit_id: str
    start: date
    sex: str  # "F" or "M"
    predicted: float
    long: bool


@dataclass(slots=True)
class Cell:
    """The cases of one sex (or all) in one line of the table."""

    n: int = 0
    long: int = 0
    predicted_sum: float = 0.0
    shown: bool = True
    """False: the shares are withheld (too few cases behind them)."""
    n_mark: Mark = Mark.SHOWN

    @property
    def predicted(self) -> float | None:
        return self.predicted_sum / self.n if self.n and self.shown else None

    @property
    def observed(self) -> float | None:
        return self.long / self.n if self.n and self.shown else None

    def add(self, case: Case) -> None:
        self.n += 1
        self.long += case.long
        self.predicted_sum += case.predicted


@dataclass(slots=True)
class Line:
    """One line of a table: a period or a unit, women, men and all."""

    key: str
    women: Cell = field(default_factory=Cell)
    men: Cell = field(default_factory=Cell)
    total: Cell = field(default_factory=Cell)

    @property
    def cells(self) -> tuple[Cell, Cell, Cell]:
        return (self.women, self.men, self.total)


def table(
    cases: Iterable[Case],
    key: Callable[[Case], str],
    *,
    order: Sequence[str] = (),
    published: bool = False,
    cutoff: int = DEFAULT_CUTOFF,
) -> list[Line]:
    """The cases counted per ``key`` (first the keys of ``order``, even when
    empty, then the others sorted). Published: a count of cases from 1 to
    cutoff − 1 is withheld, and so are the shares wherever the cases, the
    long ones or the short ones of a cell are withheld, with the secondary
    suppression of every statistics page across women, men and all."""
    lines = {k: Line(k) for k in order}
    for case in cases:
        line = lines.setdefault(key(case), Line(key(case)))
        (line.women if case.sex == "F" else line.men).add(case)
        line.total.add(case)
    result = [lines[k] for k in order] + sorted(
        (line for k, line in lines.items() if k not in order), key=lambda line: line.key
    )
    for line in result:
        _protect(line, published=published, cutoff=cutoff)
    return result


def _protect(line: Line, *, published: bool, cutoff: int) -> None:
    w, m = line.women, line.men

    def grid(pair: tuple[int, int]) -> list[Mark]:
        marks = (
            protect([pair], cutoff=cutoff, total_row=False)
            if published
            else exact(1, total_row=False)
        )
        return marks[0]

    counts = grid((w.n, m.n))
    longs = grid((w.long, m.long))
    shorts = grid((w.n - w.long, m.n - m.long))
    for i, cell in enumerate(line.cells):
        cell.n_mark = counts[i]
        cell.shown = all(g[i] is Mark.SHOWN for g in (counts, longs, shorts))


@dataclass(frozen=True, slots=True)
class Found:
    cases: list[Case]
    censored: int
    """Cases of the period still open on the as-of day with 90 days or fewer: left out."""
    model_version: int
    trained_as_of: date


def cases(
    session: Session,
    *,
    as_of: date,
    first: date,
    last: date,
    provider: str | None = None,
    unit_ids: Iterable[str] | None = None,
) -> Found:
    """The cases started from ``first`` to ``last`` (both included) that reached
    day 15, at the units given (else every unit of ``provider``, else all),
    with the probability of the model in force and the outcome on ``as_of``.
    Raises ``service.NoModelError`` without a model."""
    loaded = service.in_force(session)
    wanted = None if unit_ids is None else set(unit_ids)
    examples = [
        e
        for e in service.dataset(
            session, as_of=as_of, provider=provider, started=(first, last), with_censored=True
        )
        if wanted is None or e.unit_id in wanted
    ]
    known = [e for e in examples if e.outcome is not None]
    probabilities = model.predict(loaded.model, [e.features for e in known]).tolist()
    return Found(
        [
            Case(e.unit_id, e.start, str(e.features["sex"]), float(p), bool(e.outcome))
            for e, p in zip(known, probabilities, strict=True)
        ],
        len(examples) - len(known),
        loaded.version,
        loaded.as_of,
    )
