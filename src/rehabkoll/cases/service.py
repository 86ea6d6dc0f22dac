"""Cases from the database: loads the effective certificates a question needs
and hands them to the reference engine."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from rehabkoll.cases import engine
from rehabkoll.cases.engine import CaseRow, CertificateRecord, Period
from rehabkoll.certificates.models import Certificate, CertificatePeriod

_COLUMNS = (
    Certificate.id,
    Certificate.patient_id,
    Certificate.care_provider_id,
    Certificate.unit_id,
    Certificate.doctor_id,
    Certificate.signed_at,
    Certificate.diagnosis,
    Certificate.secondary_diagnoses,
    Certificate.occupation,
    CertificatePeriod.start,
    CertificatePeriod.end,
    CertificatePeriod.degree,
)


def load_records(session: Session, query: Select[*tuple[Any, ...]]) -> list[CertificateRecord]:
    """Run a select of ``_COLUMNS`` (one row per period) and fold it into records."""
    periods: dict[str, list[Period]] = defaultdict(list)
    heads: dict[str, tuple[Any, ...]] = {}
    for row in session.execute(query):
        cert_id: str = row[0]
        periods[cert_id].append(Period(row[9], row[10], row[11]))
        if cert_id not in heads:
            heads[cert_id] = tuple(row[:9])
    records = []
    for cert_id, head in heads.items():
        _, patient, provider, unit, doctor, signed, diagnosis, secondary, occupation = head
        records.append(
            CertificateRecord(
                id=cert_id,
                patient_id=str(patient),
                care_provider_id=str(provider),
                unit_id=str(unit),
                doctor_id=str(doctor),
                signed_at=signed,
                periods=tuple(periods[cert_id]),
                diagnosis=str(diagnosis),
                secondary_diagnoses=tuple(secondary or ()),
                occupation=tuple(occupation or ()),
            )
        )
    return records


def _effective() -> Select[*tuple[Any, ...]]:
    return (
        select(*_COLUMNS)
        .join(CertificatePeriod, CertificatePeriod.certificate_id == Certificate.id)
        .where(Certificate.effective.is_(True))
    )


def unit_records(
    session: Session, unit_id: str, patient_ids: Iterable[str]
) -> list[CertificateRecord]:
    """The unit's effective certificates of these patients."""
    ids = sorted(set(patient_ids))
    records: list[CertificateRecord] = []
    for start in range(0, len(ids), 900):
        query = _effective().where(
            Certificate.unit_id == unit_id, Certificate.patient_id.in_(ids[start : start + 900])
        )
        records.extend(load_records(session, query))
    return records


def work_list(
    session: Session,
    *,
    unit_id: str,
    as_of: date,
    gap: int = engine.DEFAULT_GAP,
    recent: int = 0,
) -> list[CaseRow]:
    """The unit's work list (pågående sjukfall) on ``as_of``."""
    engine.check_gap(gap)
    engine.check_recent(recent)
    # A listed patient has a certificate that is active on as_of or, for the
    # recently ended, one that ended within the window: either way it ends on
    # or after as_of - recent and starts on or before as_of.
    candidates = session.scalars(
        select(Certificate.patient_id)
        .where(
            Certificate.unit_id == unit_id,
            Certificate.effective.is_(True),
            Certificate.end >= as_of - timedelta(days=recent),
            Certificate.start <= as_of,
        )
        .distinct()
    ).all()
    records = unit_records(session, unit_id, candidates)
    return engine.work_list(records, unit_id=unit_id, as_of=as_of, gap=gap, recent=recent)


def patient_cases(
    session: Session,
    *,
    patient_id: str,
    unit_id: str,
    as_of: date,
    gap: int = engine.DEFAULT_GAP,
) -> list[CaseRow]:
    """The patient's cases at the unit, newest first."""
    records = unit_records(session, unit_id, [patient_id])
    return engine.patient_view(
        records, patient_id=patient_id, unit_id=unit_id, as_of=as_of, gap=gap
    )
