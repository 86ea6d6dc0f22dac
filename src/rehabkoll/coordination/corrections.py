"""Corrections of the coordination record: an entry (consent, contact, meeting,
plan, referral, task) corrected in place or withdrawn (återkallad) as written
in error, by the one who wrote it or by a coordinator of the unit.

Nothing is lost: before an entry changes, the values it had are copied into
``EntryVersion`` with who changed it, when and why, and a withdrawn entry stays
in the record, marked, and no longer counts (last contact, overdue tasks,
consents, plans). Every function works inside the caller's session and never
commits; callers log the access.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.accounts.service import utcnow
from rehabkoll.coordination.enums import Way
from rehabkoll.coordination.errors import InvalidEntryError, NotFoundError
from rehabkoll.coordination.models import (
    Consent,
    Contact,
    CoordinationRecord,
    EntryVersion,
    Meeting,
    Plan,
    Referral,
    Retractable,
    Task,
)

Entry = Consent | Contact | Meeting | Plan | Referral | Task

MODELS: dict[str, type[Entry]] = {
    "consent": Consent,
    "contact": Contact,
    "meeting": Meeting,
    "plan": Plan,
    "referral": Referral,
    "task": Task,
}

#: What can be corrected of each kind. A contact's party, a meeting's kind or a
#: consent's parties are not: those decide which consent is needed, so such an
#: entry is withdrawn and recorded anew.
FIELDS: dict[str, tuple[str, ...]] = {
    "consent": ("valid_to", "note"),
    "contact": ("day", "way", "summary"),
    "meeting": ("day", "participants", "outcome"),
    "plan": ("text", "planned_end", "responsible"),
    "referral": ("day", "note"),
    "task": ("title", "due"),
}

CORRECTED = "corrected"
RETRACTED = "retracted"


class NotAllowedError(Exception):
    """The user neither wrote the entry nor coordinates the unit."""


def author(entry: Entry) -> str:
    """Who wrote the entry."""
    return entry.created_by if isinstance(entry, Task) else entry.recorded_by


def may_correct(*, author: str, username: str, role: Role | str) -> bool:
    """The one who wrote an entry, or a coordinator of the unit, may correct or
    withdraw it (the unit is the record's: callers reach the entry through it)."""
    return username == author or role == Role.COORDINATOR


def reason_problems(reason: str) -> dict[str, str]:
    if not reason.strip():
        return {"reason": "Skriv varför posten ändras; anledningen sparas i historiken."}
    return {}


def _plain(value: object) -> object:
    """A value as JSON keeps it: days as ÅÅÅÅ-MM-DD, choices by their value."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def snapshot(kind: str, entry: Entry) -> dict[str, object]:
    """The correctable values of an entry, JSON-ready."""
    return {name: _plain(getattr(entry, name)) for name in FIELDS[kind]}


def find(
    session: Session, *, kind: str, entry_id: int, patient_id: str, unit_id: str
) -> tuple[Entry, CoordinationRecord]:
    """The entry, if it is this patient's at this unit; else NotFoundError (an
    id of another patient or unit is never reached through this patient)."""
    model = MODELS.get(kind)
    entry = cast("Entry | None", session.get(model, entry_id) if model is not None else None)
    record = session.get(CoordinationRecord, entry.record_id) if entry is not None else None
    if (
        entry is None
        or record is None
        or record.patient_id != patient_id
        or record.unit_id != unit_id
    ):
        raise NotFoundError("no such entry of this patient at this unit")
    return entry, record


def _allowed(entry: Entry, user: User, role: Role | str) -> None:
    if not may_correct(author=author(entry), username=user.username, role=role):
        raise NotAllowedError("only the author or a coordinator of the unit")


def _keep(
    session: Session,
    *,
    kind: str,
    entry: Entry,
    record: CoordinationRecord,
    change: str,
    reason: str,
    user: User,
    now: datetime,
) -> None:
    session.add(
        EntryVersion(
            record_id=record.id,
            entry_kind=kind,
            entry_id=entry.id,
            change=change,
            values=snapshot(kind, entry),
            reason=reason.strip(),
            changed_by=user.username,
            changed_at=now,
        )
    )
    record.updated_by = user.username
    record.updated_at = now


def correct(
    session: Session,
    *,
    kind: str,
    entry_id: int,
    patient_id: str,
    unit_id: str,
    values: Mapping[str, object],
    reason: str,
    user: User,
    role: Role | str,
    now: datetime | None = None,
) -> Entry:
    """Correct the entry to ``values`` (only the kind's FIELDS), keeping what it
    was. The same correction twice changes nothing the second time."""
    entry, record = find(
        session, kind=kind, entry_id=entry_id, patient_id=patient_id, unit_id=unit_id
    )
    _allowed(entry, user, role)
    if entry.retracted_at is not None:
        raise InvalidEntryError("reason", "Posten är återkallad och kan inte rättas.")
    for problem in reason_problems(reason).items():
        raise InvalidEntryError(*problem)
    wanted = {name: value for name, value in values.items() if name in FIELDS[kind]}
    before = snapshot(kind, entry)
    if all(_plain(value) == before[name] for name, value in wanted.items()):
        return entry
    _keep(
        session,
        kind=kind,
        entry=entry,
        record=record,
        change=CORRECTED,
        reason=reason,
        user=user,
        now=now or utcnow(),
    )
    for name, value in wanted.items():
        setattr(entry, name, value)
    session.flush()
    return entry


def retract(
    session: Session,
    *,
    kind: str,
    entry_id: int,
    patient_id: str,
    unit_id: str,
    reason: str,
    user: User,
    role: Role | str,
    now: datetime | None = None,
) -> Entry:
    """Withdraw the entry as written in error (once; a second time changes nothing)."""
    entry, record = find(
        session, kind=kind, entry_id=entry_id, patient_id=patient_id, unit_id=unit_id
    )
    _allowed(entry, user, role)
    if entry.retracted_at is not None:
        return entry
    for problem in reason_problems(reason).items():
        raise InvalidEntryError(*problem)
    now = now or utcnow()
    _keep(
        session,
        kind=kind,
        entry=entry,
        record=record,
        change=RETRACTED,
        reason=reason,
        user=user,
        now=now,
    )
    entry.retracted_at = now
    entry.retracted_by = user.username
    entry.retract_reason = reason.strip()
    session.flush()
    return entry


def history(
    session: Session, *, patient_id: str, unit_id: str
) -> dict[tuple[str, int], list[EntryVersion]]:
    """(kind, entry id) → the earlier versions of the entries of the patient's
    record at the unit, oldest first."""
    found: dict[tuple[str, int], list[EntryVersion]] = {}
    for version in session.scalars(
        select(EntryVersion)
        .join(CoordinationRecord, CoordinationRecord.id == EntryVersion.record_id)
        .where(CoordinationRecord.patient_id == patient_id, CoordinationRecord.unit_id == unit_id)
        .order_by(EntryVersion.id)
    ):
        found.setdefault((version.entry_kind, version.entry_id), []).append(version)
    return found


def is_retracted(entry: Retractable) -> bool:
    return entry.retracted_at is not None


#: The Swedish name of each correctable field, for the record's history.
LABELS: dict[str, str] = {
    "day": "Datum",
    "way": "Kontaktsätt",
    "summary": "Sammanfattning",
    "participants": "Deltagare",
    "outcome": "Resultat",
    "text": "Innehåll",
    "planned_end": "Planerat slut",
    "responsible": "Ansvarig",
    "title": "Uppgift",
    "due": "Förfallodag",
    "valid_to": "Giltigt till",
    "note": "Anteckning",
}


def describe(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """An earlier version's values as (Swedish label, text), as a user reads them."""
    shown: list[tuple[str, str]] = []
    for name, value in values.items():
        if value is None or value == "" or value == []:
            text = "–"
        elif name == "way":
            text = Way(str(value)).label
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        shown.append((LABELS.get(name, name), text))
    return shown
