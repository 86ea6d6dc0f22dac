"""A case's risk as every page, the API and the CLI show it (``Scored``), and
the one NumPy pass that computes it for a list of cases (``assess``). No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from rehabkoll.cases.engine import CaseRow
from rehabkoll.risk import explanation as explain
from rehabkoll.risk import model, questions, scoring
from rehabkoll.risk.categories import DEFAULT_THRESHOLDS, category, for_question
from rehabkoll.risk.features import LONG

if TYPE_CHECKING:
    from rehabkoll.risk.service import Loaded

NO_FEATURES = "Inget intyg signerat senast dag 15"
"""Why a case has no risk: nothing of it was known by its day 15."""
PAST_LAST = "Sjukfallet har passerat 365 dagar"
NO_MODEL = "Ingen riskmodell är tränad"


def no_question_model(horizon: int) -> str:
    return f"Modellen har inget underlag för frågan {questions.label(horizon)}"


@dataclass(frozen=True, slots=True)
class Case15:
    """A case to score: what was known on its day 15, and how long it has lasted."""

    patient_id: str
    start: date
    diagnosis: str
    features: dict[str, str | int] | None
    lasted: int


def lasted(row: CaseRow) -> int:
    """The days the case has covered by the day looked from (its certificate's
    future days not counted)."""
    return max(row.days - max(row.days_left, 0), 0)


@dataclass(frozen=True, slots=True)
class Scored:
    patient_id: str
    start: date
    diagnosis: str
    probability: float | None
    """The day-15 estimate, P(T > 90 | T > 14) (None: nothing known by day 15)."""
    category: str | None
    """Of ``probability``."""
    diagnosis_average: float
    """The share of the diagnosis's training cases longer than 90 days."""
    diagnosis_cases: int
    explanation: tuple[str, ...]
    model_version: int
    later: tuple[tuple[int, float], ...] = ()
    """(Y, P(T > 90 | T > Y)) for each Y of 15, 30, 45, 60 the case has passed."""
    question: str | None = None
    """">90 dagar", ">180 dagar" or ">365 dagar": what ``current`` answers."""
    horizon: int | None = None
    given: int | None = None
    """Y of P(T > horizon | T > Y) (14: the main model, the case reached day 15)."""
    lasted: int = 0
    estimates: tuple[tuple[int, int, float], ...] = ()
    """Every (H, Y, P(T > H | T > Y)) that applies on the day, the day-15 one first."""
    reason: str | None = None
    """Why there is no ``current`` (Swedish, shown as is)."""
    current: float | None = None
    """The answer to ``question`` on the day: the latest estimate of the
    question of the case's day (what the work list and the API show)."""
    current_category: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "patient_id": self.patient_id,
            "start": self.start.isoformat(),
            "diagnosis": self.diagnosis,
            "probability": None if self.probability is None else round(self.probability, 4),
            "category": self.category,
            "current_probability": None if self.current is None else round(self.current, 4),
            "current_category": self.current_category,
            "question": self.question,
            "given_days": self.given,
            "lasted": self.lasted,
            "reason": self.reason,
            "diagnosis_average": round(self.diagnosis_average, 4),
            "diagnosis_cases": self.diagnosis_cases,
            "explanation": list(self.explanation),
            "model_version": self.model_version,
            "later": {str(y): round(p, 4) for y, p in self.later},
            "estimates": [
                {"question": questions.label(h), "given_days": y, "probability": round(p, 4)}
                for h, y, p in self.estimates
            ],
        }


def assess(
    loaded: Loaded,
    compiled: scoring.Compiled,
    cases: Sequence[Case15],
    *,
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
) -> list[Scored]:
    """Score the cases in one pass per model: the question of each case's day,
    every estimate that applies, the category and the explanation."""
    rows = [c.features for c in cases if c.features is not None]
    prepared = scoring.Prepared(rows)  # each feature read once for all the models
    rows = prepared.rows
    design = compiled.main.design(prepared) if rows else np.zeros((0, compiled.main.width))
    main = compiled.main.calibrate(compiled.main.decision(design)) if rows else np.zeros(0)
    contributions = compiled.contributions(rows, design) if rows else np.zeros((0, 0))
    answers: dict[tuple[int, int], list[float]] = {(90, questions.MAIN): main.tolist()}
    for key, linear in compiled.questions.items():
        answers[key] = linear.probability(prepared).tolist() if rows else []
    names = [name for name, _, _ in compiled.columns]
    result: list[Scored] = []
    index = 0
    for case in cases:
        feats = case.features
        code = str(feats["diagnosis"]) if feats else case.diagnosis.replace(".", "")[:3]
        average = model.diagnosis_average(loaded.model, code)
        base = Scored(
            case.patient_id,
            case.start,
            code,
            None,
            None,
            average.share,
            average.n,
            (),
            loaded.version,
            lasted=case.lasted,
        )
        if feats is None:
            horizon = questions.horizon_for(case.lasted)
            result.append(
                _with(
                    base,
                    horizon=horizon,
                    reason=PAST_LAST if horizon is None else NO_FEATURES,
                )
            )
            continue
        i = index
        index += 1
        estimates = tuple(
            (h, y, float(answers[(h, y)][i]))
            for h, y in questions.asked(case.lasted)
            if (h, y) in answers
        )
        explanation = explain.texts(
            dict(zip(names, contributions[i].tolist(), strict=True)), rows[i]
        )
        later = tuple((y, p) for h, y, p in estimates if h == 90 and y != questions.MAIN)
        horizon = questions.horizon_for(case.lasted)
        found = None if horizon is None else _current(estimates, horizon)
        reason = (
            PAST_LAST if horizon is None else no_question_model(horizon) if found is None else None
        )
        p = None if found is None else found[1]
        day15 = float(main[i])
        result.append(
            _with(
                base,
                probability=day15,
                category=category(day15, thresholds),
                current=p,
                current_category=None
                if found is None or horizon is None
                else category(
                    found[1], question_bounds(loaded.model, horizon, found[0], thresholds)
                ),
                explanation=explanation,
                later=later,
                horizon=horizon,
                given=None if found is None else found[0],
                estimates=estimates,
                reason=reason,
            )
        )
    return result


def question_bounds(
    fitted: model.RiskModel, horizon: int, given: int, thresholds: tuple[float, float]
) -> tuple[float, float]:
    """The categories' bounds for P(T > horizon | T > given): SRS's for the
    90-day question, moved by the question's own average after day 90
    (``categories.for_question``; a model stored without the averages keeps
    SRS's)."""
    if horizon == LONG:
        return thresholds
    share = fitted.meta.get("horizons_share", {}).get(f"{horizon}>{given}")
    if share is None:
        return thresholds
    return for_question(thresholds, fitted.overall_average.share, float(share))


def _current(estimates: Sequence[tuple[int, int, float]], horizon: int) -> tuple[int, float] | None:
    """The estimate of ``horizon`` with the largest Y (the latest re-estimate)."""
    found = [(y, p) for h, y, p in estimates if h == horizon]
    return max(found, default=None)


def _with(base: Scored, **changes: object) -> Scored:
    from dataclasses import replace

    horizon = changes.get("horizon")
    if isinstance(horizon, int):
        changes["question"] = questions.label(horizon)
    return replace(base, **changes)  # type: ignore[arg-type]
