"""Cases from the database: loads the effective certificates a question needs
and hands them to the reference engine.

The loading is plain SQL through SQLAlchemy's ``text``: a work list reads every
period of the unit's listed patients, and building ORM rows for them would
cost more than the engine itself. The values come back as the driver gives
them (strings from SQLite, dates from PostgreSQL) and are converted here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from rehabkoll.cases import engine
from rehabkoll.cases.engine import CaseRow, CertificateRecord, Period

_SELECT = """
SELECT c.id, c.patient_id, c.care_provider_id, c.unit_id, c.doctor_id, c.signed_at,
       c.diagnosis, c.secondary_diagnoses, c.occupation, p.start, p."end", p.degree
FROM certificates c
JOIN certificate_periods p ON p.certificate_id = c.id
WHERE c.effective = TRUE AND c.unit_id = :unit AND {patients}
ORDER BY c.id, p.start
"""

# A listed patient has a certificate that is active on as_of or, for the
# recently ended, one that ended within the window: either way it ends on or
# after as_of - recent and starts on or before as_of.
_LISTED = """c.patient_id IN (
    SELECT patient_id FROM certificates
    WHERE unit_id = :unit AND effective = TRUE AND "end" >= :since AND start <= :as_of)"""


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _records(
    session: Session, patients_clause: str, params: Mapping[str, Any]
) -> list[CertificateRecord]:
    """The unit's effective certificates of the patients the clause selects."""
    records: list[CertificateRecord] = []
    head: tuple[Any, ...] = ()
    periods: list[Period] = []
    rows = session.execute(text(_SELECT.format(patients=patients_clause)), dict(params)).all()
    for row in rows:
        if not head or head[0] != row[0]:
            if head:
                records.append(_record(head, periods))
            head, periods = tuple(row[:9]), []
        periods.append(Period(_day(row[9]), _day(row[10]), int(row[11])))
    if head:
        records.append(_record(head, periods))
    return records


def _record(head: tuple[Any, ...], periods: list[Period]) -> CertificateRecord:
    cert_id, patient, provider, unit, doctor, signed, diagnosis, secondary, occupation = head
    return CertificateRecord(
        id=cert_id,
        patient_id=patient,
        care_provider_id=provider,
        unit_id=unit,
        doctor_id=doctor,
        signed_at=_moment(signed),
        periods=tuple(periods),
        diagnosis=diagnosis,
        secondary_diagnoses=tuple(secondary.split()),
        occupation=tuple(occupation.split()),
    )


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
    params = {
        "unit": unit_id,
        "since": (as_of - timedelta(days=recent)).isoformat(),
        "as_of": as_of.isoformat(),
    }
    records = _records(session, _LISTED, params)
    return engine.work_list(records, unit_id=unit_id, as_of=as_of, gap=gap, recent=recent)


def patient_records(session: Session, *, patient_id: str, unit_id: str) -> list[CertificateRecord]:
    """The patient's effective certificates at the unit."""
    return _records(session, "c.patient_id = :patient", {"unit": unit_id, "patient": patient_id})


def patient_cases(
    session: Session,
    *,
    patient_id: str,
    unit_id: str,
    as_of: date,
    gap: int = engine.DEFAULT_GAP,
) -> list[CaseRow]:
    """The patient's cases at the unit, newest first."""
    records = patient_records(session, patient_id=patient_id, unit_id=unit_id)
    return engine.patient_view(
        records, patient_id=patient_id, unit_id=unit_id, as_of=as_of, gap=gap
    )
