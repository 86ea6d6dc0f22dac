"""The model: logistic regression on one-hot day-15 features, calibrated on
held-out cases; no I/O.

Why logistic regression (scikit-learn) rather than gradient boosting: its
coefficients give each case's explanation exactly (the contribution of a
feature is its coefficient times the case's difference from the diagnosis
average, on the model's own scale), it trains in seconds on a region, and
the features are categories and small counts, where a linear model on
one-hot columns loses little. The probabilities are then calibrated on cases
the regression did not see (isotonic with at least 1,000 held-out cases, else
Platt's sigmoid), and the calibration is monotone, so the explanation's
direction holds for the calibrated probability too.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from rehabkoll.cases import engine
from rehabkoll.risk.features import (
    CATEGORICAL,
    FEATURES,
    LABELS,
    LEGACY_FEATURES,
    LONG,
    NUMERIC,
    Example,
    completed,
)

HELD_OUT = 0.25
ISOTONIC_FROM = 1000
MIN_CATEGORY = 20  # rarer values of a category are pooled as "infrequent"
MIN_CASES = 50
LATER = (15, 30, 45, 60)  # days lasted, for the re-estimates P(T > 90 | T > Y)


class TooFewCasesError(ValueError):
    """Not enough cases with a known outcome (or only one outcome) to learn from."""


@dataclass(slots=True)
class Average:
    share: float
    n: int


@dataclass(slots=True)
class RiskModel:
    """What is stored: the calibrated classifier, the regression inside it (for
    explanations), per-diagnosis averages and how it was made."""

    calibrated: Any
    regression: Any
    diagnosis_average: dict[str, Average]
    overall_average: Average
    diagnosis_profile: dict[str, npt.NDArray[np.float64]]
    overall_profile: npt.NDArray[np.float64]
    columns: dict[str, tuple[int, int]]
    method: str
    conditional: dict[int, Any] = field(default_factory=dict)
    """Y: calibrated classifier of P(T > 90 | T > Y), for each Y of ``LATER``
    with enough cases."""
    meta: dict[str, Any] = field(default_factory=dict)
    horizons: dict[tuple[int, int], Any] = field(default_factory=dict)
    """(H, Y): calibrated classifier of P(T > H | T > Y) for H = 180, 365
    (rehabkoll.risk.horizons), for each pair with enough cases."""


def frame(rows: Sequence[dict[str, str | int]], features: Sequence[str] = FEATURES) -> Any:
    """The feature rows as the pandas-free 2-D object array the pipeline reads
    (features a row lacks are filled in by ``features.completed``)."""
    return np.array([[completed(row)[name] for name in features] for row in rows], dtype=object)


def features_of(model: RiskModel) -> tuple[str, ...]:
    """The features ``model`` was trained on (models stored before the list
    was recorded used LEGACY_FEATURES)."""
    return tuple(model.meta.get("features", LEGACY_FEATURES))


def _pipeline(seed: int) -> Pipeline:
    transformers: list[tuple[str, Any, list[int]]] = [
        (
            name,
            OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=MIN_CATEGORY),
            [FEATURES.index(name)],
        )
        for name in CATEGORICAL
    ]
    transformers += [(name, StandardScaler(), [FEATURES.index(name)]) for name in NUMERIC]
    return Pipeline(
        [
            ("columns", ColumnTransformer(transformers, sparse_threshold=0)),
            ("regression", LogisticRegression(C=1.0, max_iter=2000, random_state=seed)),
        ]
    )


def versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
    }


def _fit(x: Any, y: npt.NDArray[np.int64], seed: int) -> tuple[Any, Any, str, int, int]:
    """Regression on three quarters, calibration on the held-out quarter."""
    x_fit, x_cal, y_fit, y_cal = train_test_split(
        x, y, test_size=HELD_OUT, random_state=seed, stratify=y
    )
    pipeline = _pipeline(seed).fit(x_fit, y_fit)
    method = "isotonic" if len(y_cal) >= ISOTONIC_FROM else "sigmoid"
    calibrated = CalibratedClassifierCV(FrozenEstimator(pipeline), method=method).fit(x_cal, y_cal)
    return pipeline, calibrated, method, len(y_fit), len(y_cal)


def train(examples: Sequence[Example], *, seed: int, as_of: date | None = None) -> RiskModel:
    """Fit on the cases with a known outcome (censored ones are left out).

    Given the data's ``as_of`` day, only the cases that started early enough
    for every outcome to be known are used (``settled_by``): of the cases that
    started in the last 96 days, only those that already ended are known, so
    they would make recent cases look shorter than they are.

    With one BLAS thread: on a shared 2-core machine under load, two threads
    spinning for each other made the regression ten times slower (13 s
    against 0.6 s for 6,000 cases at load 10)."""
    with threadpool_limits(limits=1):
        return _train(examples, seed=seed, as_of=as_of)


SETTLED_DAYS = LONG + engine.DEFAULT_GAP + 1
"""A case that started this many days before the as-of day has a known
outcome: it has lasted more than 90 days, or it ended on day 90 at the
latest and the chaining gap after it has passed."""


def settled_by(as_of: date) -> date:
    """The last start day whose cases all have a known outcome on ``as_of``."""
    return as_of - timedelta(days=SETTLED_DAYS)


def _train(examples: Sequence[Example], *, seed: int, as_of: date | None = None) -> RiskModel:
    recent = 0
    if as_of is not None:
        last = settled_by(as_of)
        settled = [e for e in examples if e.start <= last]
        recent = len(examples) - len(settled)
        examples = settled
    known = [e for e in examples if e.outcome is not None]
    y = np.array([e.outcome for e in known], dtype=np.int64)
    if len(known) < MIN_CASES or y.min(initial=1) == y.max(initial=0):
        raise TooFewCasesError(
            f"{len(known)} cases with a known outcome, "
            f"{int(y.sum())} of them long: need at least {MIN_CASES} and both outcomes"
        )
    x = frame([e.features for e in known])
    pipeline, calibrated, method, n_fit, n_cal = _fit(x, y, seed)
    conditional: dict[int, Any] = {}
    conditional_n: dict[str, int] = {}
    days = np.array([e.days for e in known], dtype=np.int64)
    for lasted in LATER:
        # P(T > 90 | T > Y): the cases with a known outcome that lasted more than Y days.
        where = days > lasted
        y_later = y[where]
        conditional_n[str(lasted)] = int(where.sum())
        if where.sum() >= MIN_CASES and 0 < y_later.sum() < len(y_later):
            conditional[lasted] = _fit(x[where], y_later, seed)[1]
    from rehabkoll.risk import horizons  # after day 90: > 180 and > 365 days

    later_horizons, horizons_n, horizons_share = horizons.fit(known, x, seed)
    columns_step: ColumnTransformer = pipeline.named_steps["columns"]
    columns = {
        name: (int(s.start), int(s.stop))
        for name, s in columns_step.output_indices_.items()
        if name in FEATURES
    }
    design = columns_step.transform(x).astype(np.float64)
    codes = np.array([e.features["diagnosis"] for e in known], dtype=object)
    averages: dict[str, Average] = {}
    profiles: dict[str, npt.NDArray[np.float64]] = {}
    for code in sorted(set(codes.tolist())):
        where = codes == code
        averages[code] = Average(float(y[where].mean()), int(where.sum()))
        profiles[code] = design[where].mean(axis=0)
    return RiskModel(
        calibrated=calibrated,
        regression=pipeline,
        diagnosis_average=averages,
        overall_average=Average(float(y.mean()), len(y)),
        diagnosis_profile=profiles,
        overall_profile=design.mean(axis=0),
        columns=columns,
        method=method,
        conditional=conditional,
        horizons=later_horizons,
        meta={
            "seed": seed,
            "n": len(known),
            "n_fit": n_fit,
            "n_calibration": n_cal,
            "conditional_n": conditional_n,
            "horizons_n": horizons_n,
            "horizons_share": horizons_share,
            "positives": int(y.sum()),
            "censored_left_out": len(examples) - len(known),
            "recent_left_out": recent,
            "calibration": method,
            "algorithm": "LogisticRegression (one-hot) + CalibratedClassifierCV",
            "versions": versions(),
            "features": list(FEATURES),
        },
    )


def predict(model: RiskModel, rows: Sequence[dict[str, str | int]]) -> npt.NDArray[np.float64]:
    if not rows:
        return np.zeros(0)
    x = frame(rows, features_of(model))
    return np.asarray(model.calibrated.predict_proba(x)[:, 1], dtype=np.float64)


def predict_later(
    model: RiskModel, rows: Sequence[dict[str, str | int]], lasted: int
) -> npt.NDArray[np.float64] | None:
    """P(T > 90 | T > lasted) from the day-15 features; None without a model for it."""
    found = getattr(model, "conditional", {}).get(lasted)  # absent in models stored before
    if found is None or not rows:
        return None
    return np.asarray(found.predict_proba(frame(rows, features_of(model)))[:, 1], dtype=np.float64)


def diagnosis_average(model: RiskModel, code: str) -> Average:
    return model.diagnosis_average.get(code, model.overall_average)


@dataclass(frozen=True, slots=True)
class Reason:
    feature: str
    value: str | int
    contribution: float  # on the log-odds scale of the regression

    @property
    def text(self) -> str:
        """This feature alone in plain Swedish, e.g. "bidiagnoser (2): höjer"
        (a case's explanation adds up the features of one fact first:
        ``risk.explanation.texts``)."""
        word = "höjer" if self.contribution > 0 else "sänker"
        return f"{LABELS[self.feature]} ({self.value}): {word}"


def explain(model: RiskModel, row: dict[str, str | int], top: int = 3) -> list[Reason]:
    """The ``top`` features that raise or lower this case's risk most compared
    with the average case of its diagnosis in the training data: per feature,
    the regression's coefficients times (this case's columns minus the
    diagnosis's mean columns), summed over the feature's columns."""
    return explain_all(model, [row], top)[0]


def explain_all(
    model: RiskModel, rows: Sequence[dict[str, str | int]], top: int = 3
) -> list[list[Reason]]:
    """``explain`` for many cases at once (one transformation of them all)."""
    if not rows:
        return []
    columns_step: ColumnTransformer = model.regression.named_steps["columns"]
    coef = model.regression.named_steps["regression"].coef_[0]
    designs = columns_step.transform(frame(rows, features_of(model))).astype(np.float64)
    result = []
    for row, design in zip(rows, designs, strict=True):
        profile = model.diagnosis_profile.get(str(row["diagnosis"]), model.overall_profile)
        delta = coef * (design - profile)
        full = completed(row)
        contributions = [
            Reason(name, full[name], float(delta[start:stop].sum()))
            for name, (start, stop) in model.columns.items()
        ]
        ranked = sorted(contributions, key=lambda r: abs(r.contribution), reverse=True)
        result.append([r for r in ranked[:top] if abs(r.contribution) > 1e-9])
    return result
