"""Training and evaluation as steps that report their stage and say whose
data they read: what the web's admin page (``web/risk_admin.py``) runs in
the background, and what ``risk train`` and ``risk evaluate`` run. No web
code here.

``train`` learns first and stores last: the model row and the access-log
entry naming every patient read are flushed in the caller's transaction, so
a crash or a kill before the commit stores neither (one transaction). Each
step logs its reads here, for the web and the command line alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.audit.cli_reads import Reader
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.risk import evaluation, model, service
from rehabkoll.risk.features import Example
from rehabkoll.risk.models import StoredRiskModel

Progress = Callable[[str], None]


def _quiet(stage: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Trained:
    """A stored (flushed, not yet committed) model and the patients whose cases it read."""

    version: int
    meta: dict[str, Any]
    patient_ids: list[str]


def train(
    session: Session,
    *,
    as_of: date,
    seed: int,
    provider: str | None = None,
    since: date | None = None,
    who: Reader,
    progress: Progress = _quiet,
) -> Trained:
    """``service.train`` in stages: read the cases, learn, store, and log the
    patients read as ``who`` (flush only; the caller commits both). Raises
    ``model.TooFewCasesError`` with nothing stored."""
    progress("read")
    started = (since, as_of) if since is not None else None
    examples = service.dataset(
        session, as_of=as_of, provider=provider, started=started, with_censored=True
    )
    progress("learn")
    trained = model.train(examples, seed=seed, as_of=as_of)
    if since is not None:
        trained.meta["since"] = since.isoformat()
    progress("store")
    scope = f"provider:{provider}" if provider else "all"
    row = service.store(session, trained, as_of=as_of, scope=scope, seed=seed)
    patients = sorted({e.patient_id for e in examples})
    where = "hela regionen" if provider is None else f"vårdgivare {provider}"
    _log(
        session,
        who,
        patients,
        Action.RISK_TRAIN,
        f"Riskmodell version {row.version} tränad på {where}, "
        f"utfall kända {as_of.isoformat()}, {row.meta['n']} sjukfall",
    )
    return Trained(row.version, dict(row.meta), patients)


def _log(session: Session, who: Reader, patients: list[str], action: Action, detail: str) -> None:
    """The patients whose cases a training or an evaluation read, as one
    access-log entry in the caller's transaction (web and command line alike)."""
    log_access(
        session,
        user=who.user,
        role=who.role,
        unit_id=None,
        patient_ids=patients,
        action=action,
        purpose=who.purpose,
        detail=detail,
    )


@dataclass(frozen=True, slots=True)
class Evaluated:
    """The report (``evaluation.report``'s dict), the cases with a known
    outcome it judged, and the patients whose cases it read."""

    result: dict[str, Any]
    known: list[Example]
    patient_ids: list[str]


def evaluate(
    session: Session,
    *,
    first: date,
    last: date,
    as_of: date,
    version: int | None = None,
    who: Reader,
    progress: Progress = _quiet,
) -> Evaluated:
    """The model (``version``, else the one in force) judged on the cases
    started from ``first`` to ``last`` whose outcome is known on ``as_of``,
    as ``risk evaluate`` does. Raises ``service.NoModelError`` or
    ``service.DamagedModelError``."""
    progress("read")
    loaded = service.in_force(session, version)
    examples = service.dataset(session, as_of=as_of, started=(first, last), with_censored=True)
    progress("evaluate")
    known = [e for e in examples if e.outcome is not None]
    p = model.predict(loaded.model, [e.features for e in known])
    result = evaluation.report(
        [int(e.outcome or 0) for e in known],
        p.tolist(),
        [str(e.features["sex"]) for e in known],
        [str(e.features["diagnosis_group"]) for e in known],
        model_version=loaded.version,
        meta={
            "from": first.isoformat(),
            "to": last.isoformat(),
            "as_of": as_of.isoformat(),
            "trained_as_of": loaded.as_of.isoformat(),
            "temporal": first > loaded.as_of,
            "censored": len(examples) - len(known),
        },
    )
    patients = sorted({e.patient_id for e in examples})
    _log(
        session,
        who,
        patients,
        Action.RISK_EVALUATE,
        f"Riskmodell version {loaded.version} utvärderad på sjukfall som började "
        f"{first.isoformat()}–{last.isoformat()}, {len(known)} med känt utfall",
    )
    return Evaluated(result, known, patients)


@dataclass(frozen=True, slots=True)
class ModelRow:
    """A stored model as the admin page lists it (its bytes not read)."""

    version: int
    trained_at: datetime
    as_of: date
    scope: str
    seed: int
    n_cases: int
    meta: dict[str, Any]

    @property
    def versions(self) -> dict[str, str]:
        found = self.meta.get("versions", {})
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def stored(session: Session) -> list[ModelRow]:
    """Every stored model, newest (the one in force) first."""
    query = select(
        StoredRiskModel.version,
        StoredRiskModel.trained_at,
        StoredRiskModel.as_of,
        StoredRiskModel.scope,
        StoredRiskModel.seed,
        StoredRiskModel.n_cases,
        StoredRiskModel.meta,
    ).order_by(StoredRiskModel.version.desc())
    return [ModelRow(*row) for row in session.execute(query)]
