"""Writing and reading the access log. Works inside the caller's session and
never commits: the log entry is stored with the work it records, or not at all.
There is deliberately nothing here that changes or deletes an entry.

Each write extends the hash chain (``rehabkoll.audit.chain``): it first locks
the chain's head row with an UPDATE (a row lock on PostgreSQL, the write lock
on SQLite), so a concurrent writer waits until this transaction ends and then
continues from this one's head. Keep the rest of a transaction that logs
short: the head stays locked until it commits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.accounts.service import utcnow
from rehabkoll.audit import chain
from rehabkoll.audit.models import AccessLog, AccessLogChain, Action


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
    """One entry per patient, in one executemany (a 1,500-row work list is one
    round trip). Nothing is written for an empty ``patient_ids``."""
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
    _append(session, base, list(dict.fromkeys(patient_ids)))


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
    _append(session, base, [None])


def _append(session: Session, base: dict[str, Any], patients: list[str | None]) -> None:
    """Insert one entry per patient after the chain's head, and move the head."""
    hashes = chain.chain_patients(base, patients, _lock_head(session))
    rows = [
        {**base, "patient_id": patient, "hash": hash_}
        for patient, hash_ in zip(patients, hashes, strict=True)
    ]
    last = hashes[-1]
    session.execute(insert(cast(Table, AccessLog.__table__)), rows)
    session.execute(
        update(_HEAD)
        .where(_HEAD.c.id == 1)
        .values(last_hash=last, entries=_HEAD.c.entries + len(rows))
    )


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


def entries(
    session: Session,
    *,
    patient_id: str | None = None,
    username: str | None = None,
    unit_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[AccessLog]:
    """Log entries matching every filter given, newest first; ``until`` is exclusive."""
    query = select(AccessLog)
    if patient_id is not None:
        query = query.where(AccessLog.patient_id == patient_id)
    if username is not None:
        query = query.where(AccessLog.username == username)
    if unit_id is not None:
        query = query.where(AccessLog.unit_id == unit_id)
    if since is not None:
        query = query.where(AccessLog.at >= since)
    if until is not None:
        query = query.where(AccessLog.at < until)
    query = query.order_by(AccessLog.at.desc(), AccessLog.id.desc()).limit(limit)
    return list(session.scalars(query))


_CHAINED = [
    AccessLog.id,
    AccessLog.hash,
    *(getattr(AccessLog, name) for name in (*chain.SHARED, "patient_id")),
]


def chain_rows(session: Session, *, upto: int | None = None) -> Iterator[Sequence[Any]]:
    """Every entry (up to id ``upto``) as a tuple of the columns the chain
    covers (``id, hash``, ``chain.SHARED``, ``patient_id``), in id order,
    streamed in chunks."""
    query = select(*_CHAINED).order_by(AccessLog.id).execution_options(yield_per=5000)
    if upto is not None:
        query = query.where(AccessLog.id <= upto)
    for row in session.execute(query):
        yield tuple(row)


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
    walk = chain.walk(chain_rows(session), want=expected)
    problems = [walk.broken.describe()] if walk.broken else []
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
