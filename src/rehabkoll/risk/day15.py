"""The day-15 features of a work list's cases, read in a few set-based
queries: the listed patients, the unit names, and the certificates of the
listed patients that could have been known on a listed case's day 15 (those
signed later, or starting later, are dropped before they are decoded).
The same answers as ``features.day15_features`` on all of a patient's
certificates (tests/test_risk_scoring.py holds them together)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from rehabkoll.cases import engine
from rehabkoll.cases import service as cases_service
from rehabkoll.cases.engine import CaseRow, CertificateRecord
from rehabkoll.risk import features
from rehabkoll.risk.answers import Case15, lasted
from rehabkoll.risk.features import Patient

_CHUNK = 500
_CERTIFICATES = """
SELECT id, patient_id, care_provider_id, unit_id, doctor_id, signed_at, start,
       diagnosis, secondary_diagnoses, occupation, spans
FROM certificates WHERE effective = TRUE AND patient_id IN ({names})
"""
_PATIENTS = "SELECT id, birth_date, sex FROM patients WHERE id IN ({names})"


def _day(value: object) -> date:
    """A date or datetime as the driver gives it (PostgreSQL: objects; SQLite: text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _chunks(session: Session, sql: str, ids: Sequence[str]) -> list[Sequence[object]]:
    rows: list[Sequence[object]] = []
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        names = ", ".join(f":p{j}" for j in range(len(chunk)))
        params = {f"p{j}": p for j, p in enumerate(chunk)}
        rows.extend(session.execute(text(sql.format(names=names)), params).all())
    return rows


def day15_rows(
    session: Session,
    rows: Sequence[CaseRow],
    *,
    unit_id: str,
    as_of: date,
    gap: int = engine.DEFAULT_GAP,
) -> list[Case15]:
    """Per row, its day-15 features (None without a certificate signed by day
    15 or the as-of day, whichever comes first) and the days it has lasted."""
    if not rows:
        return []
    day = timedelta(days=features.DAY - 1)
    bound: dict[str, date] = {}
    for row in rows:
        last = min(row.start + day, as_of)
        bound[row.patient_id] = max(bound.get(row.patient_id, last), last)
    ids = sorted(bound)
    patients = {
        str(pid): Patient(_day(born), str(sex))
        for pid, born, sex in _chunks(session, _PATIENTS, ids)
    }
    units = {str(u): str(n) for u, n in session.execute(text("SELECT id, name FROM units"))}
    provider = str(
        session.scalar(
            text("SELECT care_provider_id FROM units WHERE id = :unit"), {"unit": unit_id}
        )
    )
    by_patient: dict[str, list[CertificateRecord]] = defaultdict(list)
    for found in _chunks(session, _CERTIFICATES, ids):
        cert_id, patient, care_provider, unit, doctor, signed, start = found[:7]
        diagnosis, secondary, occupation, spans = found[7:]
        last = bound[str(patient)]
        moment = cases_service._moment(signed)
        if moment.date() > last or _day(start) > last:
            continue  # not known by any listed case's day 15 (nor by the as-of day)
        by_patient[str(patient)].append(
            CertificateRecord(
                str(cert_id),
                str(patient),
                str(care_provider),
                str(unit),
                str(doctor),
                moment,
                cases_service._periods(str(spans)),
                str(diagnosis),
                tuple(str(secondary).split()),
                tuple(str(occupation).split()),
            )
        )
    result = []
    for row in rows:
        certs = features.known_on(by_patient[row.patient_id], as_of)
        found_features = features.day15_features(
            certs, row.start, provider, patients[row.patient_id], units, gap
        )
        result.append(Case15(row.patient_id, row.start, row.diagnosis, found_features, lasted(row)))
    return result
