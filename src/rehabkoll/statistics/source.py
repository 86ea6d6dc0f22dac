"""Certificate periods for the statistics, from the operational database as an
Arrow table (one row per period of an effective certificate), and the same
facts as reference records for the pure form."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import pyarrow as pa
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from rehabkoll.cases.engine import CertificateRecord, Period
from rehabkoll.certificates.models import Certificate, Patient, Unit, decode_spans
from rehabkoll.statistics.query import Scope, ScopeKind
from rehabkoll.statistics.reference import Person

SCHEMA = pa.schema(
    [
        ("certificate_id", pa.string()),
        ("patient_id", pa.string()),
        ("care_provider_id", pa.string()),
        ("unit_id", pa.string()),
        ("doctor_id", pa.string()),
        ("signed_at", pa.timestamp("us")),
        ("start", pa.date32()),
        ("end", pa.date32()),
        ("degree", pa.int16()),
        ("diagnosis", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
    ]
)
_BATCH = 100_000


def _select(scope: Scope, until: date | None) -> Select[*tuple[Any, ...]]:
    query: Select[*tuple[Any, ...]] = (
        select(
            Certificate.id,
            Certificate.patient_id,
            Certificate.care_provider_id,
            Certificate.unit_id,
            Certificate.doctor_id,
            Certificate.signed_at,
            Certificate.spans,
            Certificate.diagnosis,
            Patient.sex,
            Patient.birth_date,
        )
        .join(Patient, Patient.id == Certificate.patient_id)
        .where(Certificate.effective.is_(True))
    )
    if scope.kind is ScopeKind.UNIT:
        query = query.where(Certificate.unit_id == scope.id)
    elif scope.kind is ScopeKind.PROVIDER:
        query = query.where(Certificate.care_provider_id == scope.id)
    if until is not None:
        query = query.where(Certificate.start <= until)
    return query


def periods_table(
    session: Session,
    scope: Scope,
    *,
    until: date | None = None,
    patient_ids: Sequence[str] | None = None,
) -> pa.Table:
    """The scope's periods of effective certificates starting on or before
    ``until`` (of these patients only, when given)."""
    query = _select(scope, until)
    if patient_ids is None:
        return _fetch(session, query)
    ids = sorted(set(patient_ids))
    parts = [
        _fetch(session, query.where(Certificate.patient_id.in_(ids[i : i + 900])))
        for i in range(0, len(ids), 900)
    ]
    return pa.concat_tables(parts) if parts else SCHEMA.empty_table()


def _fetch(session: Session, query: Select[*tuple[Any, ...]]) -> pa.Table:
    batches: list[pa.RecordBatch] = []
    result = session.execute(query.execution_options(yield_per=_BATCH))
    for chunk in result.partitions():
        # One row per period: the certificate's columns around each of its spans.
        rows = [
            (*head, start, end, degree, diagnosis, sex, birth)
            for *head, spans, diagnosis, sex, birth in chunk
            for start, end, degree in decode_spans(spans)
        ]
        columns = list(zip(*rows, strict=True))
        batches.append(
            pa.RecordBatch.from_arrays(
                [pa.array(col, type=f.type) for col, f in zip(columns, SCHEMA, strict=True)],
                schema=SCHEMA,
            )
        )
    return pa.Table.from_batches(batches, schema=SCHEMA)


def records_of(table: pa.Table) -> tuple[list[CertificateRecord], dict[str, Person]]:
    """The periods table as reference records and people (tests, small data)."""
    heads: dict[str, dict[str, Any]] = {}
    periods: dict[str, list[Period]] = {}
    people: dict[str, Person] = {}
    for row in table.to_pylist():
        cert_id = row["certificate_id"]
        heads.setdefault(cert_id, row)
        periods.setdefault(cert_id, []).append(Period(row["start"], row["end"], row["degree"]))
        people[row["patient_id"]] = Person(row["sex"], row["birth_date"])
    records = [
        CertificateRecord(
            id=cert_id,
            patient_id=head["patient_id"],
            care_provider_id=head["care_provider_id"],
            unit_id=head["unit_id"],
            doctor_id=head["doctor_id"],
            signed_at=head["signed_at"],
            periods=tuple(periods[cert_id]),
            diagnosis=head["diagnosis"],
        )
        for cert_id, head in heads.items()
    ]
    return records, people


def table_of(records: Iterable[CertificateRecord], people: dict[str, Person]) -> pa.Table:
    """Reference records as a periods table (the property test's input)."""
    rows = [
        {
            "certificate_id": r.id,
            "patient_id": r.patient_id,
            "care_provider_id": r.care_provider_id,
            "unit_id": r.unit_id,
            "doctor_id": r.doctor_id,
            "signed_at": r.signed_at,
            "start": p.start,
            "end": p.end,
            "degree": p.degree,
            "diagnosis": r.diagnosis,
            "sex": people[r.patient_id].sex,
            "birth_date": people[r.patient_id].birth_date,
        }
        for r in records
        for p in r.periods
    ]
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def unit_names(session: Session) -> dict[str, str]:
    return {row[0]: row[1] for row in session.execute(select(Unit.id, Unit.name))}


def provider_of_unit(session: Session, unit_id: str) -> str | None:
    return session.scalar(select(Unit.care_provider_id).where(Unit.id == unit_id))
