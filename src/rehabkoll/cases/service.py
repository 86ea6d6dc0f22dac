"""Cases from the database: loads the effective certificates a question needs
and hands them to the reference engine.

The loading is plain SQL through SQLAlchemy's ``text``: a work list reads every
certificate of the unit's listed patients, and building ORM rows for them would
cost more than the engine itself. The periods come from the certificate's
``spans`` column, not from a join. For a work list, only what chaining and
measuring need is read for every certificate; the descriptive fields
(diagnoses, doctor, occupation) are read afterwards for the lead certificates
alone. Values come back as the driver gives them (strings from SQLite,
datetimes from PostgreSQL) and are converted here.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from rehabkoll.cases import engine
from rehabkoll.cases.engine import CaseRow, CertificateRecord, Period
from rehabkoll.certificates.models import decode_spans

_SELECT = """
SELECT id, patient_id, care_provider_id, unit_id, doctor_id, signed_at,
       diagnosis, secondary_diagnoses, occupation, spans
FROM certificates
WHERE effective = TRUE AND unit_id = :unit AND {patients}
"""

_SELECT_SLIM = """
SELECT id, patient_id, signed_at, spans
FROM certificates
WHERE effective = TRUE AND unit_id = :unit AND {patients}
"""

_DETAILS = """
SELECT id, doctor_id, diagnosis, secondary_diagnoses, occupation
FROM certificates WHERE id IN :ids
"""

# A listed patient has a certificate that is active on as_of or, for the
# recently ended, one that ended within the window: either way it ends on or
# after as_of - recent and starts on or before as_of.
_LISTED = """patient_id IN (
    SELECT patient_id FROM certificates
    WHERE unit_id = :unit AND effective = TRUE AND "end" >= :since AND start <= :as_of)"""


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Build the many small objects of a work list without cyclic garbage
    collection: none of them form cycles, and a full collection in the middle
    (which walks every object of the process) would cost a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _records(
    session: Session, patients_clause: str, params: Mapping[str, Any]
) -> list[CertificateRecord]:
    """The unit's effective certificates of the patients the clause selects."""
    rows = session.execute(text(_SELECT.format(patients=patients_clause)), dict(params)).all()
    return [
        CertificateRecord(
            id=cert_id,
            patient_id=patient,
            care_provider_id=provider,
            unit_id=unit,
            doctor_id=doctor,
            signed_at=_moment(signed),
            periods=tuple(Period(*span) for span in decode_spans(spans)),
            diagnosis=diagnosis,
            secondary_diagnoses=tuple(secondary.split()),
            occupation=tuple(occupation.split()),
        )
        for (
            cert_id,
            patient,
            provider,
            unit,
            doctor,
            signed,
            diagnosis,
            secondary,
            occupation,
            spans,
        ) in rows
    ]


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
    provider = session.scalar(
        text("SELECT care_provider_id FROM units WHERE id = :unit"), {"unit": unit_id}
    )
    if provider is None:
        return []
    with _gc_paused():
        rows = session.execute(text(_SELECT_SLIM.format(patients=_LISTED)), params).all()
        # Positional arguments: this runs once per certificate of the list.
        records = [
            CertificateRecord(
                cert_id,
                patient,
                provider,
                unit_id,
                "",
                _moment(signed),
                tuple(Period(*span) for span in decode_spans(spans)),
                "",
            )
            for cert_id, patient, signed, spans in rows
        ]
        listed = engine.work_list(records, unit_id=unit_id, as_of=as_of, gap=gap, recent=recent)
    return _with_lead_details(session, listed)


def _with_lead_details(session: Session, rows: list[CaseRow]) -> list[CaseRow]:
    """Fill in what the rows take from their lead certificates."""
    ids = [row.lead_certificate_id for row in rows]
    details: dict[str, tuple[str, str, str, str]] = {}
    query = text(_DETAILS).bindparams(bindparam("ids", expanding=True))
    for start in range(0, len(ids), 900):
        for cert_id, *rest in session.execute(query, {"ids": ids[start : start + 900]}):
            details[cert_id] = (rest[0], rest[1], rest[2], rest[3])
    described = []
    for row in rows:
        doctor, diagnosis, secondary, occupation = details[row.lead_certificate_id]
        described.append(
            replace(
                row,
                doctor_id=doctor,
                diagnosis=diagnosis,
                secondary_diagnoses=tuple(secondary.split()),
                occupation=tuple(occupation.split()),
            )
        )
    return described


def patient_records(session: Session, *, patient_id: str, unit_id: str) -> list[CertificateRecord]:
    """The patient's effective certificates at the unit."""
    return _records(session, "patient_id = :patient", {"unit": unit_id, "patient": patient_id})


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
