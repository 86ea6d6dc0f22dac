"""Cases from the database: loads the effective certificates a question needs
and hands them to the reference engine.

The loading is plain SQL: a work list reads every certificate of the unit's
listed patients (about 8,000 for a unit with 1,700 ongoing cases), and ORM or
even SQLAlchemy row objects for them would cost more than the engine itself,
so the work list reads straight from the driver's cursor; from PostgreSQL
it streams the rows in chunks and builds records from each chunk while the
server is still looking up the next (a quarter less time). The periods come
from the certificate's ``spans`` column, not from a join, and an index covers
what chaining reads. Only what chaining and measuring need is read for every
certificate; the descriptive fields (diagnoses, doctor, occupation) are read
for the certificates that can lead a listed case: those reaching into the
window of the list. The periods decoded from ``spans`` are remembered
across calls (``_periods``). Values come back as the driver gives them
(strings from SQLite, datetimes from PostgreSQL) and are converted here.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import starmap
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import text
from sqlalchemy.orm import Session

from rehabkoll.cases import engine
from rehabkoll.cases.engine import CaseRow, CertificateRecord, Period
from rehabkoll.certificates.models import decode_spans

if TYPE_CHECKING:
    import psycopg

_SELECT = """
SELECT id, patient_id, care_provider_id, unit_id, doctor_id, signed_at,
       diagnosis, secondary_diagnoses, occupation, spans
FROM certificates
WHERE effective = TRUE AND unit_id = :unit AND {patients}
"""

# A listed patient has a certificate that is active on as_of or, for the
# recently ended, one that ended within the window: either way it ends on or
# after as_of - recent and starts on or before as_of. Those certificates are
# also the only ones that can lead a listed case, so their descriptive fields
# are read with them.
_REACHING_WHERE = """
unit_id = :unit AND effective = TRUE AND "end" >= :since AND start <= :as_of
"""
_REACHING = f"""
SELECT id, doctor_id, diagnosis, secondary_diagnoses, occupation
FROM certificates WHERE {_REACHING_WHERE}
"""
# What chaining and measuring need of every certificate of the listed
# patients at the unit, through the covering index ix_certificates_unit_patient:
# an index probe per listed patient. PostgreSQL would plan the plain IN
# (subquery) as a hash join over all the unit's certificates; an array of
# the patients, computed first, keeps it to the probes. The reaching
# certificates are thus found twice, here and in _REACHING for their details:
# an index-only scan of some 1,700 entries, cheaper than sending the patients
# back to the database as a list of parameters.
_LISTED = """
SELECT id, patient_id, signed_at, spans
FROM certificates
WHERE effective = TRUE AND unit_id = :unit AND {listed}
"""
_LISTED_PATIENTS = f"(SELECT patient_id FROM certificates WHERE {_REACHING_WHERE})"
_LISTED_SQL = _LISTED.format(listed=f"patient_id IN {_LISTED_PATIENTS}")
_LISTED_SQL_POSTGRESQL = _LISTED.format(listed=f"patient_id = ANY(ARRAY{_LISTED_PATIENTS})")

_PARAMETER = re.compile(r":(\w+)")


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
    """A signing time as the driver gives it: datetime (PostgreSQL) or text (SQLite)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


@lru_cache(maxsize=1 << 16)
def _periods(spans: str) -> tuple[Period, ...]:
    """The periods of a certificate's ``spans`` text. Remembered across calls:
    the same periods recur (a work list decodes some 4,600 distinct texts for
    7,900 certificates, and the next list of the morning mostly the same
    ones), and periods are values no caller changes. At most 65,536 texts
    are kept, about 20 MB."""
    return tuple(starmap(Period, decode_spans(spans)))


def _records(
    session: Session, patients_clause: str, params: Mapping[str, Any]
) -> list[CertificateRecord]:
    """The unit's effective certificates of the patients the clause selects."""
    rows = _rows(session, _SELECT.format(patients=patients_clause), params)
    return [
        CertificateRecord(
            id=cert_id,
            patient_id=patient,
            care_provider_id=provider,
            unit_id=unit,
            doctor_id=doctor,
            signed_at=_moment(signed),
            periods=_periods(spans),
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
        records = _work_list_records(session, unit_id=unit_id, provider=provider, params=params)
        rows = engine.work_list(records, unit_id=unit_id, as_of=as_of, gap=gap, recent=recent)
        # Freed by reference counting while the collector is still paused: it
        # would otherwise walk all of them at its next run (a tenth of the time).
        del records
    return rows


def _work_list_records(
    session: Session, *, unit_id: str, provider: str, params: Mapping[str, Any]
) -> list[CertificateRecord]:
    """The unit's effective certificates of the listed patients, with the
    descriptive fields of those that can lead a listed case."""
    details = {
        cert_id: (doctor, diagnosis, tuple(secondary.split()), tuple(occupation.split()))
        for cert_id, doctor, diagnosis, secondary, occupation in _rows(session, _REACHING, params)
    }
    no_details = ("", "", (), ())
    records: list[CertificateRecord] = []
    append, lead_details, periods = records.append, details.get, _periods
    postgresql = session.get_bind().dialect.name == "postgresql"
    listed = _LISTED_SQL_POSTGRESQL if postgresql else _LISTED_SQL
    for cert_id, patient, signed, spans in _rows(session, listed, params):
        # Positional arguments: this runs once per certificate of the list.
        doctor, diagnosis, secondary, occupation = lead_details(cert_id, no_details)
        append(
            CertificateRecord(
                cert_id,
                patient,
                provider,
                unit_id,
                doctor,
                _moment(signed),
                periods(spans),
                diagnosis,
                secondary,
                occupation,
            )
        )
    return records


def _rows(session: Session, sql: str, params: Mapping[str, Any]) -> Iterator[Any]:
    """The rows of ``sql`` as the driver's plain tuples, in the session's
    transaction, as they arrive. ``:name`` parameters are written in the
    driver's own style. From PostgreSQL they come in chunks while the server
    is still producing the rest, so that the caller's work on them overlaps
    the server's."""
    connection = session.connection()
    if connection.dialect.paramstyle == "pyformat":
        sql = _PARAMETER.sub(r"%(\1)s", sql)
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            yield from cast("psycopg.Cursor[Any]", cursor).stream(sql, dict(params), size=_CHUNK)
        else:
            cursor.execute(sql, dict(params))
            yield from cursor.fetchall()
    finally:
        cursor.close()


_CHUNK = 100


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
