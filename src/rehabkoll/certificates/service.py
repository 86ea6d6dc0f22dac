"""Storing certificates: validation, idempotent import in atomic chunks, and the
rules for replaced (ersatt), revoked (makulerat) and test certificates.

``ingest`` works inside the session it is given and never commits, so a chunk
of lines, its rejections and the batch's counters are stored together or not
at all; ``import_stream`` is the edge that commits, chunk by chunk, while a
second process validates the chunk after (``parsed_chunks``).
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO, NamedTuple

from sqlalchemy import Table, and_, exists, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, aliased

from rehabkoll.certificates import models
from rehabkoll.certificates.schema import Certificate, FieldError, Revocation, parse_line
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

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def add(self, other: IngestResult) -> None:
        self.stored += other.stored
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)


class PreparedCertificate(NamedTuple):
    """A valid certificate as it is stored, with its content hash. Plain values:
    a chunk of them travels from a validating process in a few milliseconds,
    where the validated models would take longer than validating them again."""

    id: str
    content_hash: str
    signed_at: datetime
    patient_id: str
    patient_name: str
    doctor_id: str
    doctor_name: str
    unit_id: str
    unit_name: str
    care_provider_id: str
    care_provider_name: str
    diagnosis: str
    secondary_diagnoses: tuple[str, ...]
    occupation: tuple[str, ...]
    replaces: str | None
    test: bool
    start: date
    end: date
    spans: str


Parsed = PreparedCertificate | Revocation | FieldError


def content_hash(document: Certificate | Revocation) -> str:
    return hashlib.sha256(document.model_dump_json().encode()).hexdigest()


def prepare(cert: Certificate) -> PreparedCertificate:
    return PreparedCertificate(
        id=cert.id,
        content_hash=content_hash(cert),
        signed_at=cert.signed_at,
        patient_id=cert.patient.id,
        patient_name=cert.patient.name,
        doctor_id=cert.doctor.id,
        doctor_name=cert.doctor.name,
        unit_id=cert.unit.id,
        unit_name=cert.unit.name,
        care_provider_id=cert.care_provider.id,
        care_provider_name=cert.care_provider.name,
        diagnosis=cert.diagnosis.code,
        secondary_diagnoses=tuple(cert.diagnosis.secondary),
        occupation=tuple(str(o) for o in cert.occupation),
        replaces=cert.replaces,
        test=cert.test,
        start=cert.start,
        end=cert.end,
        spans=models.encode_spans((p.start, p.end, p.degree) for p in cert.periods),
    )


def parse_lines(lines: Iterable[tuple[int, str]]) -> list[tuple[int, Parsed]]:
    """Validate numbered lines and prepare the certificates for storing; blank
    lines are skipped."""
    parsed: list[tuple[int, Parsed]] = []
    for number, text in lines:
        if not text.strip():
            continue
        try:
            document = parse_line(text)
        except FieldError as err:
            parsed.append((number, err))
            continue
        parsed.append(
            (number, prepare(document) if isinstance(document, Certificate) else document)
        )
    return parsed


def start_batch(session: Session, source: str) -> models.ImportBatch:
    batch = models.ImportBatch(
        source=source[:500], started_at=datetime.now(), lines=0, stored=0, unchanged=0, rejected=0
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
    come prepared (``parse_lines``) or as validated models (``parse_document``)."""
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
    _store_parties(session, fresh)
    session.execute(
        insert(_table(models.Certificate)),
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


def _table(model: type[Base]) -> Table:
    """The model's Core table (bulk inserts through it skip the ORM's per-row work)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _store_parties(session: Session, certs: list[PreparedCertificate]) -> None:
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
    nameless = session.scalars(
        select(models.Patient.id).where(
            models.Patient.id.in_(list(patients)), models.Patient.name == ""
        )
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
    cert = _table(models.Certificate)
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


CHUNK_LINES = 2000


def numbered_chunks(stream: BinaryIO) -> Iterator[tuple[list[tuple[int, str]], int]]:
    """Numbered lines of a byte stream in chunks, with the bytes each chunk took."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    chunk: list[tuple[int, str]] = []
    consumed = 0
    for number, line in enumerate(text, start=1):
        chunk.append((number, line))
        consumed += len(line.encode("utf-8"))
        if len(chunk) >= CHUNK_LINES:
            yield chunk, consumed
            chunk, consumed = [], 0
    if chunk:
        yield chunk, consumed


_POOL_CONTEXT = "forkserver"
"""Validating processes come from a fork server: a clean process that has
loaded the validation once (the ICD-10 list takes a while), started without
the caller's threads or open files."""


def _validator_pool() -> ProcessPoolExecutor:
    """One process that validates the next chunk while this one stores the last."""
    context = multiprocessing.get_context(_POOL_CONTEXT)
    context.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=context,
        initializer=_start_validator,
        initargs=(dict(os.environ), os.getpid()),
    )


def _start_validator(environment: Mapping[str, str], importer: int) -> None:
    """In the validating process: validate under the importing process's
    settings as they are now (the fork server keeps the environment of its own
    start), and end when that process is gone, even killed. Nothing else would
    end it: it waits for chunks on a pipe it holds both ends of, and the fork
    server, its parent, waits for it."""
    from rehabkoll.config import get_settings

    os.environ.clear()
    os.environ.update(environment)
    get_settings.cache_clear()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(importer, 0)
            except ProcessLookupError:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def parsed_chunks(stream: BinaryIO) -> Iterator[tuple[list[tuple[int, Parsed]], int]]:
    """The validated lines of a byte stream in chunks (``numbered_chunks``),
    with the bytes each took. From the second chunk on, a chunk is validated in
    another process while the caller stores the one before, so that on two
    cores an import takes about as long as storing alone. Should that process
    fail to start or die, the chunks are validated here."""
    chunks = numbered_chunks(stream)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if second is None:
        yield parse_lines(first[0]), first[1]
        return
    with _validator_pool() as pool:
        ahead = _validate_ahead(pool, second[0]), second
        yield parse_lines(first[0]), first[1]
        for chunk in chunks:
            future, (lines, size) = ahead
            ahead = _validate_ahead(pool, chunk[0]), chunk
            yield _validated(future, lines), size
        future, (lines, size) = ahead
        yield _validated(future, lines), size


def _validate_ahead(
    pool: ProcessPoolExecutor, lines: list[tuple[int, str]]
) -> Future[list[tuple[int, Parsed]]] | None:
    try:
        return pool.submit(parse_lines, lines)
    except BrokenProcessPool:
        return None


def _validated(
    future: Future[list[tuple[int, Parsed]]] | None, lines: list[tuple[int, str]]
) -> list[tuple[int, Parsed]]:
    if future is not None:
        try:
            return future.result()
        except BrokenProcessPool:
            pass
    return parse_lines(lines)


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
        batch_id = start_batch(session, source).id
    for parsed, consumed in parsed_chunks(stream):
        with session_scope(engine) as session:
            total.add(ingest(session, session.get_one(models.ImportBatch, batch_id), parsed))
        if progress is not None:
            progress(consumed)
    with session_scope(engine) as session:
        finish_batch(session, session.get_one(models.ImportBatch, batch_id))
    return batch_id, total
