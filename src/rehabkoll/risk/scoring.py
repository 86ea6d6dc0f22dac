"""The stored models in a form that scores a whole work list in one NumPy
pass: the same numbers as scikit-learn's ``predict_proba`` (held to them by
tests/test_risk_scoring.py), without its per-call overhead (about 40 ms per
model and call, against well under a millisecond here).

A fitted pipeline is one-hot columns and standardised counts, a logistic
regression on them, and one or more calibrators on its decision function
(isotonic: linear interpolation between its thresholds, clipped at the ends;
Platt's sigmoid: ``1 / (1 + exp(a·f + b))``), averaged. ``compile_classifier``
reads those fitted numbers out of scikit-learn's objects once; the
categories' columns are found by asking the fitted encoder itself, so its
rules for pooled and unknown values are kept exactly. No I/O.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rehabkoll.risk.features import completed

Floats = npt.NDArray[np.float64]
_UNKNOWN = "\x00unknown"


class Prepared:
    """Feature rows read once for every model that scores them: per feature its
    distinct values and, per row, which one (categories), or its numbers.
    Rows of older callers are completed first, as ``model.frame`` does."""

    def __init__(self, rows: Sequence[dict[str, str | int]]) -> None:
        self.rows = [completed(row) for row in rows]
        self.n = len(self.rows)
        self._categories: dict[str, tuple[list[str], npt.NDArray[np.int64]]] = {}
        self._numbers: dict[str, Floats] = {}

    @classmethod
    def of(cls, rows: Sequence[dict[str, str | int]]) -> Prepared:
        return cls(rows)

    def categories(self, name: str) -> tuple[list[str], npt.NDArray[np.int64]]:
        found = self._categories.get(name)
        if found is None:
            index: dict[str, int] = {}
            inverse = np.fromiter(
                (index.setdefault(str(row[name]), len(index)) for row in self.rows),
                np.int64,
                self.n,
            )
            found = (list(index), inverse)
            self._categories[name] = found
        return found

    def numbers(self, name: str) -> Floats:
        found = self._numbers.get(name)
        if found is None:
            found = np.fromiter((float(row[name]) for row in self.rows), np.float64, self.n)
            self._numbers[name] = found
        return found


@dataclass(frozen=True, slots=True)
class Calibrator:
    method: str  # "isotonic" or "sigmoid"
    x: Floats  # isotonic thresholds; for the sigmoid [a, b]
    y: Floats

    def apply(self, f: Floats) -> Floats:
        if self.method == "isotonic":
            return np.asarray(np.interp(np.clip(f, self.x[0], self.x[-1]), self.x, self.y))
        a, b = self.x
        return np.asarray(1.0 / (1.0 + np.exp(a * f + b)), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Linear:
    """A fitted pipeline (columns + logistic regression) and its calibrators."""

    width: int
    categorical: tuple[tuple[str, dict[str, int], int], ...]
    """Per categorical feature the pipeline reads: its name, value → its column
    (-1: none), and the column of a value the fit never saw (pooled, or -1)."""
    numeric: tuple[tuple[str, int, float, float], ...]
    """Per count: its name, column, and the mean and scale it is standardised by."""
    coef: Floats
    intercept: float
    calibrators: tuple[Calibrator, ...]

    def design(self, rows: Sequence[dict[str, str | int]] | Prepared) -> Floats:
        """The columns the regression reads (as the pipeline's column step)."""
        found = rows if isinstance(rows, Prepared) else Prepared.of(rows)
        out = np.zeros((found.n, self.width))
        index = np.arange(found.n)
        for name, mapping, unknown in self.categorical:
            values, inverse = found.categories(name)
            # Each distinct value looked up once, then spread to its rows.
            columns = np.array([mapping.get(v, unknown) for v in values], dtype=np.int64)[inverse]
            seen = columns >= 0
            out[index[seen], columns[seen]] = 1.0
        for name, column, mean, scale in self.numeric:
            out[:, column] = (found.numbers(name) - mean) / scale
        return out

    def decision(self, design: Floats) -> Floats:
        return np.asarray(design @ self.coef + self.intercept, dtype=np.float64)

    def calibrate(self, decision: Floats) -> Floats:
        total = np.zeros_like(decision)
        for calibrator in self.calibrators:
            total += calibrator.apply(decision)
        return total / len(self.calibrators)

    def probability(self, rows: Sequence[dict[str, str | int]] | Prepared) -> Floats:
        if not (rows.n if isinstance(rows, Prepared) else len(rows)):
            return np.zeros(0)
        return self.calibrate(self.decision(self.design(rows)))


def _calibrator(fitted: Any) -> Calibrator:
    if hasattr(fitted, "X_thresholds_"):  # IsotonicRegression
        if fitted.out_of_bounds != "clip" or not fitted.increasing_:
            raise ValueError("risk model: an isotonic calibrator not clipped and increasing")
        return Calibrator(
            "isotonic",
            np.asarray(fitted.X_thresholds_, dtype=np.float64),
            np.asarray(fitted.y_thresholds_, dtype=np.float64),
        )
    return Calibrator("sigmoid", np.array([fitted.a_, fitted.b_], dtype=np.float64), np.zeros(0))


def _encoder_columns(encoder: Any, start: int) -> tuple[dict[str, int], int]:
    values = [*(str(v) for v in encoder.categories_[0]), _UNKNOWN]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "unknown categories … encoded as all zeros"
        found = encoder.transform(np.array([[v] for v in values], dtype=object))
    dense = np.asarray(found.toarray() if hasattr(found, "toarray") else found)
    columns = [
        start + int(np.flatnonzero(row)[0]) if row.any() else -1 for row in dense.astype(bool)
    ]
    return dict(zip(values[:-1], columns[:-1], strict=True)), columns[-1]


def compile_pipeline(pipeline: Any, calibrators: Sequence[Any]) -> Linear:
    columns = pipeline.named_steps["columns"]
    regression = pipeline.named_steps["regression"]
    slices = columns.output_indices_
    # The features this pipeline was fitted on (older models: fewer), by kind.
    fitted = {name: step for name, step, _ in columns.transformers_ if name != "remainder"}
    categorical = tuple(
        (name, *_encoder_columns(step, slices[name].start))
        for name, step in fitted.items()
        if hasattr(step, "categories_")
    )
    numeric = tuple(
        (name, int(slices[name].start), float(step.mean_[0]), float(step.scale_[0]))
        for name, step in fitted.items()
        if hasattr(step, "mean_")
    )
    width = max(s.stop for s in slices.values())
    if width != len(regression.coef_[0]) or len(categorical) + len(numeric) != len(fitted):
        raise ValueError("risk model: columns and coefficients do not match")
    return Linear(
        width=width,
        categorical=categorical,
        numeric=numeric,
        coef=np.asarray(regression.coef_[0], dtype=np.float64),
        intercept=float(regression.intercept_[0]),
        calibrators=tuple(_calibrator(c) for c in calibrators),
    )


def compile_classifier(calibrated: Any) -> Linear:
    """A fitted ``CalibratedClassifierCV`` on a frozen pipeline, as ``Linear``.
    Its calibrated classifiers share one pipeline (frozen); each brings its
    calibrator, and their outputs are averaged as scikit-learn does."""
    parts = calibrated.calibrated_classifiers_
    pipelines = {id(_unfrozen(p.estimator)) for p in parts}
    if len(pipelines) != 1 or any(p.method not in ("isotonic", "sigmoid") for p in parts):
        raise ValueError("risk model: not one frozen pipeline with isotonic or sigmoid calibration")
    return compile_pipeline(_unfrozen(parts[0].estimator), [p.calibrators[0] for p in parts])


def _unfrozen(estimator: Any) -> Any:
    return getattr(estimator, "estimator", estimator)


@dataclass(frozen=True, slots=True)
class Compiled:
    """A stored ``RiskModel`` compiled: the main model, the explanation's
    numbers and the re-estimates, keyed by (horizon, days lasted)."""

    main: Linear
    columns: tuple[tuple[str, int, int], ...]
    profiles: dict[str, Floats]
    overall_profile: Floats
    questions: dict[tuple[int, int], Linear]
    """(H, Y): P(T > H | T > Y) from the day-15 features."""

    def contributions(self, rows: Sequence[dict[str, str | int]], design: Floats) -> Floats:
        """Per case and feature: coefficients × (case − its diagnosis's mean
        columns), summed over the feature's columns (``model.explain``)."""
        profile = np.stack(
            [self.profiles.get(str(row["diagnosis"]), self.overall_profile) for row in rows]
        )
        delta = self.main.coef * (design - profile)
        summed = np.concatenate([np.zeros((len(rows), 1)), np.cumsum(delta, axis=1)], axis=1)
        starts = np.array([start for _, start, _ in self.columns], dtype=np.int64)
        stops = np.array([stop for _, _, stop in self.columns], dtype=np.int64)
        return np.asarray(summed[:, stops] - summed[:, starts], dtype=np.float64)


def compile_model(trained: Any) -> Compiled:
    """``trained``: a ``model.RiskModel`` (stored models of every version)."""
    questions = {
        (90, lasted): compile_classifier(found)
        for lasted, found in getattr(trained, "conditional", {}).items()
    }
    for key, found in (getattr(trained, "horizons", None) or {}).items():
        questions[key] = compile_classifier(found)
    main = compile_classifier(trained.calibrated)
    return Compiled(
        main=main,
        columns=tuple((name, start, stop) for name, (start, stop) in trained.columns.items()),
        profiles={k: np.asarray(v, dtype=np.float64) for k, v in trained.diagnosis_profile.items()},
        overall_profile=np.asarray(trained.overall_profile, dtype=np.float64),
        questions=questions,
    )
