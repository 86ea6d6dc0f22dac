"""Reading certificate lines: validation (``certificates.schema``), the values
a valid certificate is stored with, and numbered chunks of a stream validated
in other processes while the caller works on the chunk before.

Nothing here touches a database: ``certificates.service`` stores what this
reads, and the bulk case engine (``cases.bulk``) collects it into Arrow
tables.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime
from typing import BinaryIO, NamedTuple, TypeVar

from rehabkoll.certificates.models import encode_spans
from rehabkoll.certificates.schema import Certificate, FieldError, Revocation, parse_line
from rehabkoll.certificates.text import BYTE_ORDER_MARK

T = TypeVar("T")


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
        spans=encode_spans((p.start, p.end, p.degree) for p in cert.periods),
    )


def read_lines(
    lines: Iterable[tuple[int, str]], keep: Callable[[Certificate], T]
) -> list[tuple[int, T | Revocation | FieldError]]:
    """Validate numbered lines, keeping of each certificate what ``keep`` makes
    of it (a function of a module, when the lines are read in another
    process); blank lines are skipped."""
    parsed: list[tuple[int, T | Revocation | FieldError]] = []
    for number, text in lines:
        if not text.strip().removeprefix(BYTE_ORDER_MARK):
            continue
        try:
            document = parse_line(text)
        except FieldError as err:
            parsed.append((number, err))
            continue
        parsed.append((number, keep(document) if isinstance(document, Certificate) else document))
    return parsed


def parse_lines(lines: Iterable[tuple[int, str]]) -> list[tuple[int, Parsed]]:
    """Validate numbered lines and prepare the certificates for storing."""
    return read_lines(lines, prepare)


CHUNK_LINES = 2000


def numbered_chunks(stream: BinaryIO) -> Iterator[tuple[list[tuple[int, str]], int]]:
    """Numbered lines of a byte stream in chunks, with the bytes each chunk took.
    Bytes that are not UTF-8 are kept as lone surrogates (``surrogateescape``),
    for validation to reject their line naming the field they are in."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    chunk: list[tuple[int, str]] = []
    consumed = 0
    for number, line in enumerate(text, start=1):
        chunk.append((number, line))
        consumed += len(line.encode("utf-8", "surrogateescape"))
        if len(chunk) >= CHUNK_LINES:
            yield chunk, consumed
            chunk, consumed = [], 0
    if chunk:
        yield chunk, consumed


_POOL_CONTEXT = "forkserver"
"""Validating processes come from a fork server: a clean process that has
loaded the validation once (the ICD-10 list takes a while), started without
the caller's threads or open files."""


def _validator_pool(workers: int, preload: Sequence[str] = ()) -> ProcessPoolExecutor:
    """Processes that validate the next chunks while the caller works on the last.
    ``preload``: more modules the fork server loads once for every process
    (when this call starts it; a running fork server keeps what it has)."""
    context = multiprocessing.get_context(_POOL_CONTEXT)
    context.set_forkserver_preload([__name__, *preload])
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_validator,
        initargs=(dict(os.environ), os.getpid()),
    )


def _start_validator(environment: Mapping[str, str], caller: int) -> None:
    """In a validating process: validate under the calling process's settings
    as they are now (the fork server keeps the environment of its own
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
                os.kill(caller, 0)
            except ProcessLookupError:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def parsed_chunks(
    stream: BinaryIO, keep: Callable[[Certificate], T], *, workers: int = 1
) -> Iterator[tuple[list[tuple[int, T | Revocation | FieldError]], int]]:
    """The lines of a byte stream in numbered chunks (``numbered_chunks``),
    validated by ``read_lines`` with ``keep``, in order, with the bytes each
    took. From the second chunk on, ``workers`` other processes validate the
    next chunks while the caller works on the one before: one when the caller
    has work of its own (an import stores each chunk), two on two cores when
    it has little (``build-cases`` only collects the values). Should a
    validating process fail to start or die, its chunks are validated here."""
    chunks = numbered_chunks(stream)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if second is None:
        yield read_lines(first[0], keep), first[1]
        return
    with _validator_pool(workers) as pool:
        ahead = deque([(_validate_ahead(pool, second[0], keep), second)])
        for chunk in itertools.islice(chunks, workers - 1):
            ahead.append((_validate_ahead(pool, chunk[0], keep), chunk))
        yield read_lines(first[0], keep), first[1]
        for chunk in chunks:
            ahead.append((_validate_ahead(pool, chunk[0], keep), chunk))
            future, (lines, size) = ahead.popleft()
            yield _validated(future, lines, keep), size
        while ahead:
            future, (lines, size) = ahead.popleft()
            yield _validated(future, lines, keep), size


def _validate_ahead(
    pool: ProcessPoolExecutor, lines: list[tuple[int, str]], keep: Callable[[Certificate], T]
) -> Future[list[tuple[int, T | Revocation | FieldError]]] | None:
    try:
        return pool.submit(read_lines, lines, keep)
    except BrokenProcessPool:
        return None


def _validated(
    future: Future[list[tuple[int, T | Revocation | FieldError]]] | None,
    lines: list[tuple[int, str]],
    keep: Callable[[Certificate], T],
) -> list[tuple[int, T | Revocation | FieldError]]:
    if future is not None:
        try:
            return future.result()
        except BrokenProcessPool:
            pass
    return read_lines(lines, keep)
