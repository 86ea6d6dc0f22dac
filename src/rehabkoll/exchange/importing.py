"""``rehabkoll import`` of RIVTA XML: ``.xml`` files, folders of them (read in
name order, sub-folders included) and zip files of them. Messages are read in
chunks, each chunk stored with its archive rows and the batch's counters in one
transaction, so an interrupted import leaves whole messages and a re-run
completes it (what is already stored is unchanged)."""

from __future__ import annotations

import itertools
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from sqlalchemy.engine import Engine

from rehabkoll.certificates import models as cert_models
from rehabkoll.certificates import service as certificates
from rehabkoll.certificates.reading import _validator_pool  # the JSON import's reading pool
from rehabkoll.db.session import session_scope
from rehabkoll.exchange import reader, service
from rehabkoll.exchange.errors import UnsafeXmlError
from rehabkoll.exchange.reader import read_chunk  # submitted to the reading processes

CHUNK_MESSAGES = 1000
READERS = 2
"""Processes reading ahead: reading costs about as much as storing, and two
keep both cores busy while the caller stores."""


def is_xml_source(path: Path) -> bool:
    """Whether ``rehabkoll import`` should read ``path`` as RIVTA XML."""
    return path.is_dir() or path.suffix.lower() in (".xml", ".zip")


def sources(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every message under ``path``, in name order."""
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            yield from sources(file)
    elif path.suffix.lower() == ".zip":
        limit = _limit()
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.is_dir() or not info.filename.lower().endswith(".xml"):
                    continue
                # Never inflate more than one message may hold (a zip bomb).
                with archive.open(info) as member:
                    yield f"{path.name}:{info.filename}", member.read(limit + 1)
    elif path.suffix.lower() == ".xml":
        with path.open("rb") as handle:
            yield str(path), handle.read(_limit() + 1)


def total_size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*.xml") if p.is_file())
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            return sum(i.file_size for i in archive.infolist() if i.filename.endswith(".xml"))
    return path.stat().st_size


def _limit() -> int:
    from rehabkoll.config import get_settings

    return get_settings().rivta_max_message_bytes


def _chunks(
    found: Iterable[tuple[str, bytes]], names: dict[int, str]
) -> Iterator[list[tuple[int, str, bytes]]]:
    chunk: list[tuple[int, str, bytes]] = []
    for number, (name, data) in enumerate(found, start=1):
        names[number] = name
        chunk.append((number, name, data))
        if len(chunk) >= CHUNK_MESSAGES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read_ahead(
    chunks: Iterator[list[tuple[int, str, bytes]]],
) -> Iterator[tuple[list[tuple[int, str, bytes]], list[service.Item]]]:
    """Each chunk with its messages read. From the second chunk on, other
    processes read the next chunks while the caller stores the one before (the
    same pool as the JSON Lines import); should one fail, the chunk is read here."""
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if second is None:
        yield first, read_chunk(first)
        return
    # The fork server loads the reading side (lxml, the readers) once; each
    # reading process would otherwise import it on its first chunk.
    with _validator_pool(READERS, preload=[reader.__name__]) as pool:
        ahead: deque[tuple[Future[list[service.Item]], list[tuple[int, str, bytes]]]] = deque()
        # The first submit waits until the fork server has started and loaded
        # its modules (a second or more): submitted from a thread, while this
        # process reads the first chunk on the other core.
        with ThreadPoolExecutor(1) as starter:
            started = starter.submit(pool.submit, read_chunk, second)
            first_read = read_chunk(first)
            ahead.append((started.result(), second))
        for chunk in itertools.islice(chunks, READERS - 1):
            ahead.append((pool.submit(read_chunk, chunk), chunk))
        yield first, first_read
        for chunk in chunks:
            ahead.append((pool.submit(read_chunk, chunk), chunk))
            yield _result(*ahead.popleft())
        while ahead:
            yield _result(*ahead.popleft())


def _result(
    future: Future[list[service.Item]], chunk: list[tuple[int, str, bytes]]
) -> tuple[list[tuple[int, str, bytes]], list[service.Item]]:
    try:
        return chunk, future.result()
    except BrokenProcessPool:
        return chunk, read_chunk(chunk)


def import_path(
    engine: Engine,
    path: Path,
    *,
    sender: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, service.ReceiveResult, dict[int, str]]:
    """Import every message under ``path`` as one batch. Returns the batch id,
    the result per message, and the name of each message by its number."""
    return import_messages(
        engine, sources(path), str(path.resolve()), sender=sender, progress=progress
    )


def import_messages(
    engine: Engine,
    found: Iterable[tuple[str, bytes]],
    source: str,
    *,
    sender: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, service.ReceiveResult, dict[int, str]]:
    """Import these (name, XML) messages as one batch from ``source``, as
    ``import_path`` does (which reads them from files)."""
    names: dict[int, str] = {}
    total = service.ReceiveResult()
    with session_scope(engine) as session:
        batch_id = certificates.start_batch(session, source).id
    for chunk, read in _read_ahead(_chunks(found, names)):
        with session_scope(engine) as session:
            batch = session.get_one(cert_models.ImportBatch, batch_id)
            total.results.extend(
                service.receive(session, batch, read, sender=sender or f"import:{source}").results
            )
        if progress is not None:
            progress(sum(len(data) for _, _, data in chunk))
    with session_scope(engine) as session:
        certificates.finish_batch(session, session.get_one(cert_models.ImportBatch, batch_id))
    return batch_id, total, names


__all__ = [
    "UnsafeXmlError",
    "import_messages",
    "import_path",
    "is_xml_source",
    "read_chunk",
    "sources",
]
