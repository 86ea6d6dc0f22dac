"""Writing and reading the access log. Works inside the caller's session and
never commits: the log entry is stored with the work it records, or not at all.
There is deliberately nothing here that changes or deletes an entry.

Each write extends the hash chain (``rehabkoll.audit.chain``): it first locks
the chain's head row with an UPDATE (a row lock on PostgreSQL, the write lock
on SQLite), so a concurrent writer waits until this transaction ends and then
continues from this one's head. Keep the rest of a transaction that logs
short: the head stays locked until it commits.

One call is one entry, however many patients it read. The patients are a
patient list, stored once (``access_log_lists``, found again by its digest;
its patients in ``access_log_patients``, one executemany): a work list read
again names the list already there, so a read of 1,500 patients writes a few
pages, not 1,500 index entries (which filled SQLite's write-ahead log by
megabytes a call). Before migration 0015 the log held an entry per patient
(the column ``access_log.patient_id``); ``chain_rows`` reads that shape too,
so a backup of an older database is verified before it is migrated."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Table, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.accounts.service import utcnow
from rehabkoll.audit import chain
from rehabkoll.audit.models import (
    AccessLog,
    AccessLogChain,
    AccessLogList,
    AccessLogPatient,
    Action,
)


def log_access(
    session: Session,
    *,
    user: User,
    role: Role | str,
    unit_id: str | None,
    patient_ids: Sequence[str],
    action: Action | str,
    purpose: str,
    detail: str = "",
    at: datetime | None = None,
) -> None:
    """One entry for the call, and a row per patient (duplicates dropped) in
    one executemany: a 1,500-row work list is one entry of the hash chain.
    Nothing is written for an empty ``patient_ids``."""
    if not patient_ids:
        return
    when = at or utcnow()
    base = {
        "at": when,
        "user_id": user.id,
        "username": user.username,
        "role": str(role),
        "unit_id": unit_id,
        "action": str(Action(action)),
        "purpose": purpose,
        "detail": detail,
    }
    _append(session, base, sorted(set(patient_ids)))


def log_event(
    session: Session,
    *,
    user_id: int | None,
    username: str,
    role: str,
    action: Action | str,
    purpose: str,
    detail: str = "",
    unit_id: str | None = None,
    at: datetime | None = None,
) -> None:
    """One entry that concerns no patient (a change of agreement data, say),
    on the same hash chain. Never add ``AccessLog`` rows any other way: a row
    without its hash breaks the chain, and ``audit verify`` says so."""
    base = {
        "at": at or utcnow(),
        "user_id": user_id,
        "username": username,
        "role": role,
        "unit_id": unit_id,
        "action": str(Action(action)),
        "purpose": purpose,
        "detail": detail,
    }
    _append(session, base, [])


def _append(session: Session, base: dict[str, Any], patients: list[str]) -> None:
    """Insert one entry (naming its patient list) after the chain's head, and move the head."""
    previous = _lock_head(session)
    list_id = _patient_list(session, patients) if patients else None
    hash_ = chain.entry_hash(base, patients, previous)
    session.execute(insert(_LOG).values(**base, patient_list_id=list_id, hash=hash_))
    session.execute(
        update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=hash_, entries=_HEAD.c.entries + 1)
    )


def _patient_list(session: Session, patients: list[str]) -> int:
    """The id of the list of these patients (sorted, distinct), stored now if
    new. Called with the chain's head locked, so two writers never store one
    list twice."""
    digest = chain.list_digest(patients)
    found = session.scalar(select(_LISTS.c.id).where(_LISTS.c.digest == digest))
    if found is not None:
        return int(found)
    list_id = session.execute(
        insert(_LISTS).values(digest=digest, patients=len(patients)).returning(_LISTS.c.id)
    ).scalar_one()
    session.execute(insert(_PATIENTS), [{"list_id": list_id, "patient_id": p} for p in patients])
    return int(list_id)


_LOG = cast(Table, AccessLog.__table__)
_LISTS = cast(Table, AccessLogList.__table__)
_PATIENTS = cast(Table, AccessLogPatient.__table__)
_HEAD = cast(Table, AccessLogChain.__table__)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _lock_head(session: Session) -> str:
    """Lock the chain's head row for this transaction and read the newest hash."""
    locked = session.execute(
        update(_HEAD)
        .where(_HEAD.c.id == 1)
        .values(entries=_HEAD.c.entries)
        .returning(_HEAD.c.last_hash)
    ).scalar_one_or_none()
    if locked is not None:
        return str(locked)
    # A database whose head row is missing (made without the migrations):
    # start the chain; the primary key lets only one concurrent writer do so.
    session.execute(insert(_HEAD).values(id=1, last_hash=chain.GENESIS, entries=0))
    return chain.GENESIS


def head(session: Session) -> tuple[str, int]:
    """The head hash and the number of entries as the head row records them."""
    row = session.execute(select(_HEAD.c.last_hash, _HEAD.c.entries).where(_HEAD.c.id == 1)).first()
    return (str(row[0]), int(row[1])) if row else (chain.GENESIS, 0)


_CHAINED = [
    AccessLog.id,
    AccessLog.hash,
    *(getattr(AccessLog, name) for name in chain.SHARED),
    AccessLog.patient_list_id,
]

#: The log's shape before migration 0015: one patient (or none) in each entry.
_OLD_LOG = sa.table(
    "access_log",
    sa.column("id"),
    sa.column("hash"),
    sa.column("at", sa.DateTime()),
    *(sa.column(name) for name in chain.SHARED[1:]),
    sa.column("patient_id"),
)


class PatientLists:
    """The patients of the lists the entries name, encoded as the hash covers
    them, read a batch of lists at a time (one query for the lists of 5,000
    entries, not one per entry) and kept while they fit in ``keep_bytes`` (the
    most recently used first), since a work list is named by many entries. A
    list whose digest or count does not match its patients is noted in
    ``altered`` (its entries' hashes fail too)."""

    def __init__(self, session: Session, *, keep_bytes: int = 32_000_000) -> None:
        self.session = session
        self.keep_bytes = keep_bytes
        self.altered: list[int] = []
        self._known: OrderedDict[int, bytes] = OrderedDict()
        self._size = 0

    def encoded(self, list_id: int | None) -> bytes:
        if list_id is None:
            return chain.encode_patients(())
        found = self._known.get(list_id)
        if found is None:
            self.load([list_id])
            found = self._known[list_id]
        self._known.move_to_end(list_id)
        return found

    def load(self, list_ids: Iterable[int | None]) -> None:
        """Read the lists not yet known, 500 a query."""
        wanted = sorted({i for i in list_ids if i is not None and i not in self._known})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            members: dict[int, list[str]] = {i: [] for i in chunk}
            for list_id, patient in self.session.execute(
                select(_PATIENTS.c.list_id, _PATIENTS.c.patient_id).where(
                    _PATIENTS.c.list_id.in_(chunk)
                )
            ):
                members[int(list_id)].append(str(patient))
            stored = {
                int(i): (str(d), int(n))
                for i, d, n in self.session.execute(
                    select(_LISTS.c.id, _LISTS.c.digest, _LISTS.c.patients).where(
                        _LISTS.c.id.in_(chunk)
                    )
                )
            }
            for list_id, patients in members.items():
                encoded = chain.encode_patients(patients)
                digest = hashlib.sha256(encoded).hexdigest()
                if stored.get(list_id) != (digest, len(patients)):
                    self.altered.append(list_id)
                self._keep(list_id, encoded)

    def _keep(self, list_id: int, encoded: bytes) -> None:
        self._known[list_id] = encoded
        self._size += len(encoded)
        while self._size > self.keep_bytes and len(self._known) > 1:
            _, dropped = self._known.popitem(last=False)
            self._size -= len(dropped)


def chain_rows(
    session: Session, *, upto: int | None = None, lists: PatientLists | None = None
) -> Iterator[Sequence[Any]]:
    """Every entry (up to id ``upto``) as a tuple of the columns the chain
    covers (``id, hash``, ``chain.SHARED``) and the entry's patients (a
    tuple), in id order, streamed in chunks."""
    if not inspect(session.connection()).has_table(_LISTS.name):
        old = select(_OLD_LOG).order_by(_OLD_LOG.c.id)
        if upto is not None:
            old = old.where(_OLD_LOG.c.id <= upto)
        for row in session.execute(old.execution_options(yield_per=5000)):
            yield (*row[:-1], () if row[-1] is None else (row[-1],))
        return
    lists = lists or PatientLists(session)
    entries = select(*_CHAINED).order_by(AccessLog.id)
    if upto is not None:
        entries = entries.where(AccessLog.id <= upto)
    for part in session.execute(entries.execution_options(yield_per=5000)).partitions():
        lists.load(row[-1] for row in part)
        for row in part:
            yield (*row[:-1], lists.encoded(row[-1]))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``verify`` found; ``problems`` is empty when the log is intact."""

    walk: chain.Walk
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, *, expected: Mapping[int, str] | None = None) -> Verdict:
    """Recompute the whole chain; compare it with every stored hash, with the
    head row, and with heads exported earlier (``expected``: entry id → hash)."""
    expected = dict(expected or {})
    lists = PatientLists(session)
    walk = chain.walk(chain_rows(session, lists=lists), want=expected)
    problems = [walk.broken.describe()] if walk.broken else []
    if lists.altered:
        named = ", ".join(str(i) for i in sorted(set(lists.altered))[:10])
        problems.append(
            f"the patients of patient list {named} no longer match the list's "
            "digest: they were changed outside rehabkoll"
        )
    stored_head, stored_count = head(session)
    if stored_count != walk.entries:
        problems.append(
            f"the log has {walk.entries} entries, but the chain's head row counts "
            f"{stored_count}: entries were added outside rehabkoll or removed"
        )
    elif stored_head != walk.head:
        problems.append(
            "the newest entry's hash differs from the chain's head row: "
            "the newest entries were changed or removed"
        )
    for entry_id, hash_ in sorted(expected.items()):
        found = walk.at_ids.get(entry_id)
        if found is None:
            problems.append(f"entry {entry_id} of an exported head is missing")
        elif found != hash_:
            problems.append(
                f"entry {entry_id} no longer has the hash exported for it: "
                "the log up to it was rewritten"
            )
    return Verdict(walk, problems)


def day_head(session: Session, *, day: date) -> tuple[int, str] | None:
    """The newest entry written before the end of ``day`` (Swedish time) and its
    recomputed hash, for safe keeping elsewhere; None before the first entry.
    Raises ChainBrokenError if the chain up to it does not hold."""
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=STOCKHOLM)
    end_utc = end.astimezone(UTC).replace(tzinfo=None)
    last = session.scalar(select(func.max(AccessLog.id)).where(AccessLog.at < end_utc))
    if last is None:
        return None
    walk = chain.walk(chain_rows(session, upto=last), want=[last])
    if walk.broken is not None:
        raise ChainBrokenError(walk.broken.describe())
    return last, walk.at_ids[last]


class ChainBrokenError(Exception):
    """The hash chain does not hold (the message names the first entry)."""
