"""The risk model against the database: cases from the certificates (through
the case engine), training and storing a model, loading the one in force,
scoring a unit's cases (``score_cases``, ``score_rows``: a few queries and
one NumPy pass, the model loaded and compiled once per process).

``Scored`` (rehabkoll.risk.answers) is what every page shows."""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from rehabkoll.cases import engine
from rehabkoll.cases import service as cases_service
from rehabkoll.cases.engine import CaseRow, CertificateRecord
from rehabkoll.risk import features, model, scoring
from rehabkoll.risk.answers import Scored, assess
from rehabkoll.risk.categories import DEFAULT_THRESHOLDS
from rehabkoll.risk.day15 import day15_rows as day15_rows
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
    session: Session,
    *,
    as_of: date,
    seed: int,
    provider: str | None = None,
    since: date | None = None,
) -> StoredRiskModel:
    """Learn from the cases whose outcome is known on ``as_of`` (and that
    started on or after ``since``) and store the model as the newest version
    (in force from now on)."""
    started = (since, as_of) if since is not None else None
    examples = dataset(session, as_of=as_of, provider=provider, started=started, with_censored=True)
    trained = model.train(examples, seed=seed, as_of=as_of)
    if since is not None:
        trained.meta["since"] = since.isoformat()
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


_COMPILED: dict[tuple[str, int, str], tuple[Loaded, scoring.Compiled]] = {}
_COMPILED_LOCK = threading.Lock()


def current(session: Session, version: int | None = None) -> tuple[Loaded, scoring.Compiled]:
    """The model in force (or ``version``), loaded and compiled once per process:
    kept by database, version and checksum (one indexed query finds them)."""
    query = select(StoredRiskModel.version, StoredRiskModel.sha256)
    if version is None:
        query = query.order_by(StoredRiskModel.version.desc()).limit(1)
    else:
        query = query.where(StoredRiskModel.version == version)
    found = session.execute(query).first()
    if found is None:
        raise NoModelError(
            "no risk model stored" if version is None else f"no risk model version {version}"
        )
    bind = session.get_bind()
    database = (bind if isinstance(bind, Engine) else bind.engine).url.render_as_string()
    key = (database, int(found[0]), str(found[1]))
    with _COMPILED_LOCK:
        cached = _COMPILED.get(key)
    if cached is not None:
        return cached
    loaded = in_force(session, int(found[0]))
    pair = (loaded, scoring.compile_model(loaded.model))
    with _COMPILED_LOCK:
        _COMPILED[key] = pair
        while len(_COMPILED) > 8:
            _COMPILED.pop(next(iter(_COMPILED)))
    return pair


def compiled_for(loaded: Loaded) -> scoring.Compiled:
    """``loaded``'s model compiled, once per loaded object (``current``'s own
    objects are found in its cache)."""
    with _COMPILED_LOCK:
        for pair in _COMPILED.values():
            if pair[0] is loaded:
                return pair[1]
    compiled = scoring.compile_model(loaded.model)
    with _COMPILED_LOCK:
        _COMPILED[("", loaded.version, str(id(loaded)))] = (loaded, compiled)
        while len(_COMPILED) > 8:
            _COMPILED.pop(next(iter(_COMPILED)))
    return compiled


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
    rows = cases_service.work_list(session, unit_id=unit_id, as_of=as_of, gap=gap)
    scored = score_rows(
        session, rows, unit_id=unit_id, as_of=as_of, thresholds=thresholds, loaded=loaded, gap=gap
    )
    return [scored[row] for row in rows]


def score_rows(
    session: Session,
    rows: Sequence[CaseRow],
    *,
    unit_id: str,
    as_of: date,
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
    loaded: Loaded | None = None,
    gap: int = engine.DEFAULT_GAP,
) -> dict[CaseRow, Scored]:
    """``score_cases`` for work-list rows the caller already has (the web's
    cached list): a few queries for all their patients, one NumPy pass."""
    loaded, compiled = current(session) if loaded is None else (loaded, compiled_for(loaded))
    if not rows:
        return {}
    known = day15_rows(session, rows, unit_id=unit_id, as_of=as_of, gap=gap)
    return dict(zip(rows, assess(loaded, compiled, known, thresholds=thresholds), strict=True))
