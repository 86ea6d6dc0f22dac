"""Storing certificates: validation, idempotent import in atomic chunks, and the
rules for replaced (ersatt), revoked (makulerat) and test certificates.

``ingest`` works inside the session it is given and never commits, so a chunk
of lines, its rejections and the batch's counters are stored together or not
at all; ``import_stream`` is the edge that commits, chunk by chunk, while a
second process validates the chunk after (``reading.parsed_chunks``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Protocol

from sqlalchemy import Table, and_, exists, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, aliased

from rehabkoll.certificates import batches, models
from rehabkoll.certificates.reading import Parsed, PreparedCertificate, parsed_chunks, prepare
from rehabkoll.certificates.schema import Certificate, FieldError, Revocation
from rehabkoll.db.base import Base
from rehabkoll.db.session import session_scope
from rehabkoll.lib import personnummer


@dataclass(frozen=True, slots=True)
class LineError:
    """A rejected line: its number in the input, the field, and the reason."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


@dataclass
class IngestResult:
    stored: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    interrupted: list[int] = field(default_factory=list)
    """Earlier import batches found interrupted when this import started."""

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def add(self, other: IngestResult) -> None:
        self.stored += other.stored
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)


def start_batch(session: Session, source: str) -> models.ImportBatch:
    """A new import batch, owned by this process (``batches.mark_interrupted``)."""
    batch = models.ImportBatch(
        source=source[:500],
        started_at=datetime.now(),
        lines=0,
        stored=0,
        unchanged=0,
        rejected=0,
        owner=batches.this_process(),
    )
    session.add(batch)
    session.flush()
    return batch


def finish_batch(session: Session, batch: models.ImportBatch) -> None:
    batch.finished_at = datetime.now()
    session.flush()


def ingest(
    session: Session,
    batch: models.ImportBatch,
    items: Sequence[tuple[int, Parsed | Certificate]],
) -> IngestResult:
    """Store the valid certificates and revocations of one chunk, in order, and
    record the rejected lines and the counters on the batch. Certificates may
    come prepared (``reading.parse_lines``) or as validated models
    (``schema.parse_document``)."""
    result = IngestResult()
    pending: list[tuple[int, PreparedCertificate]] = []
    for number, item in items:
        if isinstance(item, FieldError):
            result.errors.append(LineError(number, item.field, item.reason))
        elif isinstance(item, PreparedCertificate):
            pending.append((number, item))
        elif isinstance(item, Certificate):
            pending.append((number, prepare(item)))
        else:
            result.add(_store_certificates(session, batch.id, pending))
            pending = []
            result.add(_revoke(session, number, item))
    result.add(_store_certificates(session, batch.id, pending))
    if result.errors:
        session.execute(
            insert(models.Rejection),
            [
                {"batch_id": batch.id, "line": e.line, "field": e.field, "reason": e.reason}
                for e in result.errors
            ],
        )
    batch.lines += len(items)
    batch.stored += result.stored
    batch.unchanged += result.unchanged
    batch.rejected += result.rejected
    session.flush()
    return result


def _store_certificates(
    session: Session, batch_id: int, items: list[tuple[int, PreparedCertificate]]
) -> IngestResult:
    result = IngestResult()
    if not items:
        return result
    ids = {cert.id for _, cert in items}
    query = select(models.Certificate.id, models.Certificate.content_hash).where(
        models.Certificate.id.in_(ids)
    )
    known: dict[str, str] = dict(session.execute(query).all())
    unit_ids = {cert.unit_id for _, cert in items}
    unit_provider: dict[str, str] = dict(
        session.execute(
            select(models.Unit.id, models.Unit.care_provider_id).where(models.Unit.id.in_(unit_ids))
        ).all()
    )
    fresh: list[PreparedCertificate] = []
    for number, cert in items:
        if cert.id in known:
            if known[cert.id] == cert.content_hash:
                result.unchanged += 1
            else:
                result.errors.append(
                    LineError(number, "id", "a different certificate with this id is stored")
                )
            continue
        # A unit belongs to one care provider for good.
        if unit_provider.setdefault(cert.unit_id, cert.care_provider_id) != cert.care_provider_id:
            reason = "this unit is registered under another care provider"
            result.errors.append(LineError(number, "unit.id", reason))
            continue
        known[cert.id] = cert.content_hash
        fresh.append(cert)
    if not fresh:
        return result
    store_parties(session, fresh)
    session.execute(
        insert(table(models.Certificate)),
        [
            {
                "id": cert.id,
                "content_hash": cert.content_hash,
                "batch_id": batch_id,
                "signed_at": cert.signed_at,
                "patient_id": cert.patient_id,
                "doctor_id": cert.doctor_id,
                "unit_id": cert.unit_id,
                "care_provider_id": cert.care_provider_id,
                "diagnosis": cert.diagnosis,
                "secondary_diagnoses": list(cert.secondary_diagnoses),
                "occupation": list(cert.occupation),
                "replaces": cert.replaces,
                "test": cert.test,
                "revoked_at": None,
                "effective": not cert.test,
                "start": cert.start,
                "end": cert.end,
                "spans": cert.spans,
            }
            for cert in fresh
        ],
    )
    affected = {cert.id for cert in fresh} | {cert.replaces for cert in fresh if cert.replaces}
    refresh_effective(session, affected)
    result.stored += len(fresh)
    return result


def ingest_prepared(
    session: Session, batch_id: int, items: list[tuple[int, PreparedCertificate]]
) -> IngestResult:
    """Store certificates read from another format (RIVTA XML) under the same
    rules; the caller counts them on its batch."""
    return _store_certificates(session, batch_id, items)


class Parties(Protocol):
    """Who a stored document names: patient, doctor, unit and care provider."""

    @property
    def patient_id(self) -> str: ...
    @property
    def patient_name(self) -> str: ...
    @property
    def doctor_id(self) -> str: ...
    @property
    def doctor_name(self) -> str: ...
    @property
    def unit_id(self) -> str: ...
    @property
    def unit_name(self) -> str: ...
    @property
    def care_provider_id(self) -> str: ...
    @property
    def care_provider_name(self) -> str: ...


def table(model: type[Base]) -> Table:
    """The model's Core table (bulk inserts through it skip the ORM's per-row work)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def store_parties(session: Session, certs: Sequence[Parties]) -> None:
    """Insert the care providers, units, doctors and patients not yet stored."""
    providers = {c.care_provider_id: c.care_provider_name for c in certs}
    units = {c.unit_id: (c.unit_name, c.care_provider_id) for c in certs}
    doctors = {c.doctor_id: c.doctor_name for c in certs}
    patients = {c.patient_id: c.patient_name for c in certs}
    for model, rows in (
        (models.CareProvider, [{"id": k, "name": v} for k, v in providers.items()]),
        (
            models.Unit,
            [{"id": k, "name": n, "care_provider_id": p} for k, (n, p) in units.items()],
        ),
        (models.Doctor, [{"id": k, "name": v} for k, v in doctors.items()]),
        (models.Patient, [_patient_row(k, v) for k, v in patients.items()]),
    ):
        existing = set(
            session.scalars(select(model.id).where(model.id.in_([r["id"] for r in rows])))
        )
        new = [r for r in rows if r["id"] not in existing]
        if new:
            session.execute(insert(model), new)
    # A patient may be known from the patient register before any certificate,
    # without a name: the first certificate supplies it.
    named = [patient_id for patient_id, name in patients.items() if name]
    if not named:  # RIVTA certificates carry no names
        return
    nameless = session.scalars(
        select(models.Patient.id).where(models.Patient.id.in_(named), models.Patient.name == "")
    ).all()
    for patient_id in nameless:
        session.execute(
            update(models.Patient)
            .where(models.Patient.id == patient_id)
            .values(name=patients[patient_id])
        )


def _patient_row(patient_id: str, name: str) -> dict[str, object]:
    number = personnummer.parse(patient_id)
    return {
        "id": patient_id,
        "ref": secrets.token_urlsafe(12),
        "name": name,
        "birth_date": number.birth_date,
        "sex": str(number.sex),
        "protected": False,
    }


def _revoke(session: Session, number: int, revocation: Revocation) -> IngestResult:
    result = IngestResult()
    stored = session.get(models.Certificate, revocation.revokes)
    if stored is None:
        result.errors.append(LineError(number, "revokes", "no certificate with this id is stored"))
    elif stored.revoked_at == revocation.revoked_at:
        result.unchanged += 1
    elif stored.revoked_at is not None:
        result.errors.append(
            LineError(number, "revoked_at", "the certificate was revoked at another time")
        )
    else:
        stored.revoked_at = revocation.revoked_at
        session.flush()
        refresh_effective(session, {stored.id} | ({stored.replaces} if stored.replaces else set()))
        result.stored += 1
    return result


def refresh_effective(session: Session, ids: Iterable[str]) -> None:
    """Recompute ``effective`` for these certificates: a certificate counts unless it
    is a test, revoked, or replaced by a certificate that is neither."""
    id_list = sorted(ids)
    if not id_list:
        return
    cert = table(models.Certificate)
    replacer = aliased(models.Certificate, name="replacer")
    replaced = exists().where(
        and_(
            replacer.replaces == cert.c.id,
            replacer.test.is_(False),
            replacer.revoked_at.is_(None),
        )
    )
    for start in range(0, len(id_list), 500):
        session.execute(
            update(cert)
            .where(cert.c.id.in_(id_list[start : start + 500]))
            .values(effective=and_(cert.c.test.is_(False), cert.c.revoked_at.is_(None), ~replaced))
        )


def _store_chunk(
    engine: Engine, batch_id: int, parsed: Sequence[tuple[int, Parsed]]
) -> IngestResult:
    """Store a chunk in one transaction. Should the database refuse it for
    what a line holds (a constraint, a value it cannot take), the chunk is
    stored line by line and the refused line rejected, so that the rest of
    the file is kept. Other failures (a lost connection) end the import: a
    re-run completes it."""
    try:
        with session_scope(engine) as session:
            return ingest(session, session.get_one(models.ImportBatch, batch_id), parsed)
    except (IntegrityError, DataError):
        pass
    result = IngestResult()
    for number, item in parsed:
        try:
            with session_scope(engine) as session:
                batch = session.get_one(models.ImportBatch, batch_id)
                result.add(ingest(session, batch, [(number, item)]))
        except (IntegrityError, DataError) as err:
            refused = FieldError("(line)", f"the database refused it ({type(err.orig).__name__})")
            with session_scope(engine) as session:
                batch = session.get_one(models.ImportBatch, batch_id)
                result.add(ingest(session, batch, [(number, refused)]))
    return result


def import_stream(
    engine: Engine,
    stream: BinaryIO,
    *,
    source: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, IngestResult]:
    """Import JSON Lines from ``stream`` as one batch, committing chunk by chunk:
    each chunk's certificates, rejections and the batch's counters together, so
    an interrupted import leaves whole certificates and a re-run completes it.

    ``progress(bytes)`` is called after each chunk. Returns the batch id and
    the totals.
    """
    total = IngestResult()
    with session_scope(engine) as session:
        total.interrupted = batches.mark_interrupted(session)
        batch_id = start_batch(session, source).id
    try:
        for parsed, consumed in parsed_chunks(stream, prepare):
            total.add(_store_chunk(engine, batch_id, parsed))
            if progress is not None:
                progress(consumed)
    except BaseException:
        with session_scope(engine) as session:
            session.get_one(models.ImportBatch, batch_id).interrupted_at = datetime.now()
        raise
    with session_scope(engine) as session:
        finish_batch(session, session.get_one(models.ImportBatch, batch_id))
    return batch_id, total
