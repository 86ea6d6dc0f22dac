"""The risk model against the database: cases from the certificates (through
the case engine), training and storing a model, loading the one in force,
scoring a unit's cases."""

from __future__ import annotations

import hashlib
import pickle
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from rehabkoll.cases import engine
from rehabkoll.cases import service as cases_service
from rehabkoll.cases.engine import CertificateRecord
from rehabkoll.risk import features, model
from rehabkoll.risk.categories import DEFAULT_THRESHOLDS, category
from rehabkoll.risk.features import Example, Patient
from rehabkoll.risk.models import StoredRiskModel

_CERTIFICATES = """
SELECT id, patient_id, care_provider_id, unit_id, doctor_id, signed_at,
       diagnosis, secondary_diagnoses, occupation, spans
FROM certificates WHERE effective = TRUE{where}
ORDER BY patient_id, start, id
"""


class NoModelError(LookupError):
    """No model has been trained (``rehabkoll risk train``)."""


class DamagedModelError(ValueError):
    """A stored model's bytes do not match their checksum."""


def _record(row: Sequence[Any]) -> CertificateRecord:
    cert_id, patient, provider, unit, doctor, signed, diagnosis, secondary, occupation, spans = row
    return CertificateRecord(
        cert_id,
        patient,
        provider,
        unit,
        doctor,
        cases_service._moment(signed),
        cases_service._periods(spans),
        diagnosis,
        tuple(secondary.split()),
        tuple(occupation.split()),
    )


def _in_chunks(
    session: Session, sql: str, ids: Iterable[str] | None, where: str
) -> list[Sequence[Any]]:
    """The rows of ``sql`` (with ``{where}``): all, or those of the ids, 500 at a time."""
    if ids is None:
        return list(session.execute(text(sql.format(where=""))).all())
    rows: list[Sequence[Any]] = []
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        names = ", ".join(f":p{j}" for j in range(len(chunk)))
        clause = where.format(names=names)
        params = {f"p{j}": p for j, p in enumerate(chunk)}
        rows.extend(session.execute(text(sql.format(where=clause)), params).all())
    return rows


def _records(session: Session, patients: Iterable[str] | None = None) -> list[CertificateRecord]:
    rows = _in_chunks(session, _CERTIFICATES, patients, " AND patient_id IN ({names})")
    return [_record(r) for r in rows]


def _patients(session: Session, ids: Iterable[str] | None = None) -> dict[str, Patient]:
    rows = _in_chunks(
        session,
        "SELECT id, birth_date, sex FROM patients{where}",
        ids,
        " WHERE id IN ({names})",
    )
    return {
        pid: Patient(born if isinstance(born, date) else date.fromisoformat(str(born)), sex)
        for pid, born, sex in rows
    }


def _unit_names(session: Session) -> dict[str, str]:
    return dict(session.execute(text("SELECT id, name FROM units")).all())


def dataset(
    session: Session,
    *,
    as_of: date,
    provider: str | None = None,
    started: tuple[date, date] | None = None,
    with_censored: bool = False,
    gap: int = engine.DEFAULT_GAP,
) -> list[Example]:
    """Every case of the database (or of one care provider) that reached day
    15 by ``as_of``, with its day-15 features and its outcome on ``as_of``."""
    patients = _patients(session)
    units = _unit_names(session)
    by_patient: dict[str, list[CertificateRecord]] = defaultdict(list)
    for record in _records(session):
        by_patient[record.patient_id].append(record)
    result: list[Example] = []
    for patient_id in sorted(by_patient):
        for example in features.examples(
            by_patient[patient_id],
            patients[patient_id],
            units,
            as_of=as_of,
            gap=gap,
            started=started,
            with_censored=with_censored,
        ):
            if provider is None or example.care_provider_id == provider:
                result.append(example)
    return result


def store(
    session: Session, trained: model.RiskModel, *, as_of: date, scope: str, seed: int
) -> StoredRiskModel:
    data = pickle.dumps(trained, protocol=pickle.HIGHEST_PROTOCOL)
    row = StoredRiskModel(
        trained_at=datetime.now(UTC).replace(tzinfo=None),
        as_of=as_of,
        scope=scope,
        seed=seed,
        n_cases=int(trained.meta["n"]),
        meta={**trained.meta, "as_of": as_of.isoformat(), "scope": scope},
        sha256=hashlib.sha256(data).hexdigest(),
        model=data,
    )
    session.add(row)
    session.flush()
    return row


def train(
    session: Session, *, as_of: date, seed: int, provider: str | None = None
) -> StoredRiskModel:
    """Learn from the cases whose outcome is known on ``as_of`` and store the
    model as the newest version (in force from now on)."""
    examples = dataset(session, as_of=as_of, provider=provider, with_censored=True)
    trained = model.train(examples, seed=seed)
    scope = f"provider:{provider}" if provider else "all"
    return store(session, trained, as_of=as_of, scope=scope, seed=seed)


@dataclass(frozen=True, slots=True)
class Loaded:
    version: int
    as_of: date
    scope: str
    meta: dict[str, Any]
    model: model.RiskModel


def in_force(session: Session, version: int | None = None) -> Loaded:
    """The newest stored model, or the given version."""
    query = select(StoredRiskModel).order_by(StoredRiskModel.version.desc()).limit(1)
    if version is not None:
        query = select(StoredRiskModel).where(StoredRiskModel.version == version)
    row = session.scalars(query).first()
    if row is None:
        raise NoModelError(
            "no risk model stored" if version is None else f"no risk model version {version}"
        )
    if hashlib.sha256(row.model).hexdigest() != row.sha256:
        raise DamagedModelError(f"risk model version {row.version}: checksum does not match")
    # The bytes were written by store() above, into the database's own table.
    trained = pickle.loads(row.model)
    return Loaded(row.version, row.as_of, row.scope, dict(row.meta), trained)


@dataclass(frozen=True, slots=True)
class Scored:
    patient_id: str
    start: date
    diagnosis: str
    probability: float | None  # None: no basis (nothing known of the case by day 15)
    category: str | None
    diagnosis_average: float
    diagnosis_cases: int
    explanation: tuple[str, ...]
    model_version: int
    later: tuple[tuple[int, float], ...] = ()
    """(Y, P(T > 90 | T > Y)) for each Y the case has passed by the as-of day."""

    def as_json(self) -> dict[str, object]:
        return {
            "patient_id": self.patient_id,
            "start": self.start.isoformat(),
            "diagnosis": self.diagnosis,
            "probability": None if self.probability is None else round(self.probability, 4),
            "category": self.category,
            "diagnosis_average": round(self.diagnosis_average, 4),
            "diagnosis_cases": self.diagnosis_cases,
            "explanation": list(self.explanation),
            "model_version": self.model_version,
            "later": {str(y): round(p, 4) for y, p in self.later},
        }


def score_cases(
    session: Session,
    *,
    unit_id: str,
    as_of: date,
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
    loaded: Loaded | None = None,
    gap: int = engine.DEFAULT_GAP,
) -> list[Scored]:
    """The risk of each case of the unit's work list on ``as_of``, from what
    was known on the case's day 15 (or on ``as_of`` if that comes first). The
    caller logs the read of the patients (PDL)."""
    loaded = loaded or in_force(session)
    rows = cases_service.work_list(session, unit_id=unit_id, as_of=as_of, gap=gap)
    if not rows:
        return []
    listed = {r.patient_id for r in rows}
    patients = _patients(session, listed)
    units = _unit_names(session)
    by_patient: dict[str, list[CertificateRecord]] = defaultdict(list)
    for record in _records(session, listed):
        by_patient[record.patient_id].append(record)
    provider = session.scalar(
        text("SELECT care_provider_id FROM units WHERE id = :unit"), {"unit": unit_id}
    )
    found: list[tuple[Any, dict[str, str | int] | None]] = []
    for row in rows:
        known = features.known_on(by_patient[row.patient_id], as_of)
        found.append(
            (
                row,
                features.day15_features(
                    known, row.start, str(provider), patients[row.patient_id], units, gap
                ),
            )
        )
    with_features = [f for _, f in found if f is not None]
    probabilities = iter(model.predict(loaded.model, with_features).tolist())
    explanations = iter(model.explain_all(loaded.model, with_features))
    later = {y: model.predict_later(loaded.model, with_features, y) for y in model.LATER}
    index = 0
    result: list[Scored] = []
    for row, feats in found:
        code = str(feats["diagnosis"]) if feats else row.diagnosis.replace(".", "")[:3]
        average = model.diagnosis_average(loaded.model, code)
        p = next(probabilities) if feats is not None else None
        reasons = next(explanations) if feats is not None else []
        passed: tuple[tuple[int, float], ...] = ()
        if feats is not None:
            lasted = (as_of - row.start).days + 1
            passed = tuple(
                (y, float(values[index]))
                for y, values in later.items()
                if values is not None and lasted > y
            )
            index += 1
        result.append(
            Scored(
                row.patient_id,
                row.start,
                code,
                p,
                category(p, thresholds) if p is not None else None,
                average.share,
                average.n,
                tuple(r.text for r in reasons),
                loaded.version,
                passed,
            )
        )
    return result
