"""The coordination record per patient and unit: reading it whole, and adding to it.

Every function works inside the caller's session and never commits. Reading
never writes: a patient without a record reads as an empty record at version 0,
and the first change creates it. Callers log the access (``rehabkoll.audit``).

Concurrent edits: ``version`` grows with each change of status or plan.
``set_status`` (and ``add_plan`` when given ``expected_version``) refuse with
ConflictError when the record has moved on since the caller read it, so the
second of two people editing at once gets a conflict, not a lost update. The
other entries are only ever added, so two people adding at once lose nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.service import utcnow
from rehabkoll.certificates.models import Patient
from rehabkoll.coordination import rules
from rehabkoll.coordination.enums import (
    CONSENT_PARTIES,
    MeetingKind,
    Party,
    PlanKind,
    ReferralKind,
    Status,
    Way,
)
from rehabkoll.coordination.errors import (
    ConflictError,
    ConsentRequiredError,
    InvalidEntryError,
    NotFoundError,
)
from rehabkoll.coordination.models import (
    Consent,
    Contact,
    CoordinationRecord,
    Meeting,
    Plan,
    Referral,
    StatusChange,
    Task,
)
from rehabkoll.coordination.queries import (
    closed_records,
    closing_plans,
    consent_expiry,
    has_closing_plan,
    last_contact,
    measures_by_month,
    overdue_tasks,
    plan_kinds,
    statuses,
)
from rehabkoll.lib import formats

__all__ = [
    "MEETING_PARTIES",
    "RecordView",
    "add_consent",
    "add_contact",
    "add_meeting",
    "add_plan",
    "add_referral",
    "add_task",
    "assignee_problems",
    "closed_records",
    "closing_plans",
    "complete_task",
    "consent_expiry",
    "get_record",
    "has_closing_plan",
    "last_contact",
    "measures_by_month",
    "my_tasks",
    "overdue_tasks",
    "plan_kinds",
    "set_status",
    "statuses",
    "unit_tasks",
    "withdraw_consent",
]

RETRACTED_TASK = (
    "Uppgiften är återkallad som felaktig och kan inte markeras klar. "
    "Lägg till en ny uppgift om något ändå ska göras."
)
RETRACTED_CONSENT = (
    "Samtycket är återkallat som felaktigt registrerat och kan inte återkallas av patienten. "
    "Registrera ett nytt samtycke om patienten har gett ett."
)

#: The outside party each kind of meeting involves, whose consent it needs.
MEETING_PARTIES: dict[MeetingKind, Party] = {
    MeetingKind.RECONCILIATION: Party.FORSAKRINGSKASSAN,
    MeetingKind.TRIPARTITE: Party.EMPLOYER,
}


@dataclass(frozen=True, slots=True)
class RecordView:
    """Everything of one coordination record; every list newest first."""

    patient_id: str
    unit_id: str
    exists: bool
    status: Status | None
    version: int
    updated_by: str | None
    updated_at: datetime | None
    status_changes: list[StatusChange]
    consents: list[Consent]
    contacts: list[Contact]
    meetings: list[Meeting]
    plans: list[Plan]  # every version of every plan
    referrals: list[Referral]
    tasks: list[Task]

    def current_plan(self, kind: PlanKind | str) -> Plan | None:
        """The newest version of the plan of this kind that is not withdrawn, if any."""
        return next(
            (plan for plan in self.plans if plan.kind == kind and plan.retracted_at is None), None
        )

    @property
    def rehab_plan(self) -> Plan | None:
        return self.current_plan(PlanKind.REHAB_PLAN)

    @property
    def closing_plan(self) -> Plan | None:
        return self.current_plan(PlanKind.CLOSING_PLAN)

    def consent_covers(self, party: Party | str, day: date) -> bool:
        return any(consent.covers(party, day) for consent in self.consents)


def _check(problems: rules.Problems) -> None:
    """Refuse the entry with its first problem."""
    for field, reason in problems.items():
        raise InvalidEntryError(field, reason)


def _today(now: datetime | None) -> date:
    """The Swedish day of ``now`` (UTC, as stored)."""
    return formats.local(now or utcnow()).date()


def assignee_problems(session: Session, *, username: str, unit_id: str) -> rules.Problems:
    """Whether a task can go to ``username``: a user, enabled, of the unit."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    known = user is not None and not user.disabled
    return rules.assignee(
        username=username.strip(),
        known=known,
        of_unit=known and user is not None and unit_id in user.unit_ids,
    )


def _find(session: Session, patient_id: str, unit_id: str) -> CoordinationRecord | None:
    return session.scalar(
        select(CoordinationRecord).where(
            CoordinationRecord.patient_id == patient_id, CoordinationRecord.unit_id == unit_id
        )
    )


def _find_or_create(
    session: Session, patient_id: str, unit_id: str, user: User, now: datetime
) -> CoordinationRecord:
    record = _find(session, patient_id, unit_id)
    if record is None:
        if session.get(Patient, patient_id) is None:
            raise NotFoundError("no such patient")
        # Two people may make the first change of a record at the same moment:
        # the insert that comes second does nothing (no error, so the session
        # stays usable), and both go on with the one record.
        insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
        session.execute(
            insert(CoordinationRecord)
            .values(
                patient_id=patient_id,
                unit_id=unit_id,
                status=None,
                version=0,
                created_by=user.username,
                created_at=now,
                updated_by=user.username,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["patient_id", "unit_id"])
        )
        record = _find(session, patient_id, unit_id)
        assert record is not None
    record.updated_by = user.username
    record.updated_at = now
    return record


def _bump(
    session: Session,
    record: CoordinationRecord,
    expected_version: int | None,
    user: User,
    now: datetime,
    status: Status | None = None,
) -> int:
    """Move the record to the next version, if it is still at ``expected_version``
    (any version when None), in one conditional UPDATE."""
    values: dict[str, object] = {
        "version": CoordinationRecord.version + 1,
        "updated_by": user.username,
        "updated_at": now,
    }
    if status is not None:
        values["status"] = status
    query = update(CoordinationRecord).where(CoordinationRecord.id == record.id)
    if expected_version is not None:
        query = query.where(CoordinationRecord.version == expected_version)
    result = session.execute(query.values(values).execution_options(synchronize_session=False))
    session.refresh(record)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(current_version=record.version)
    return record.version


def get_record(session: Session, *, patient_id: str, unit_id: str) -> RecordView:
    """The whole record of the patient at the unit (empty, version 0, if none yet)."""
    record = _find(session, patient_id, unit_id)
    if record is None:
        return RecordView(
            patient_id=patient_id,
            unit_id=unit_id,
            exists=False,
            status=None,
            version=0,
            updated_by=None,
            updated_at=None,
            status_changes=[],
            consents=[],
            contacts=[],
            meetings=[],
            plans=[],
            referrals=[],
            tasks=[],
        )
    rid = record.id

    def rows(query: Select[*tuple[Any, ...]]) -> list[Any]:
        return list(session.scalars(query))

    return RecordView(
        patient_id=patient_id,
        unit_id=unit_id,
        exists=True,
        status=record.status,
        version=record.version,
        updated_by=record.updated_by,
        updated_at=record.updated_at,
        status_changes=rows(
            select(StatusChange)
            .where(StatusChange.record_id == rid)
            .order_by(StatusChange.version.desc())
        ),
        consents=rows(
            select(Consent)
            .where(Consent.record_id == rid)
            .order_by(Consent.valid_from.desc(), Consent.id.desc())
        ),
        contacts=rows(
            select(Contact)
            .where(Contact.record_id == rid)
            .order_by(Contact.day.desc(), Contact.id.desc())
        ),
        meetings=rows(
            select(Meeting)
            .where(Meeting.record_id == rid)
            .order_by(Meeting.day.desc(), Meeting.id.desc())
        ),
        plans=rows(select(Plan).where(Plan.record_id == rid).order_by(Plan.id.desc())),
        referrals=rows(
            select(Referral)
            .where(Referral.record_id == rid)
            .order_by(Referral.day.desc(), Referral.id.desc())
        ),
        tasks=rows(
            select(Task)
            .where(Task.record_id == rid)
            .order_by(Task.done, Task.due.asc().nulls_last(), Task.id.desc())
        ),
    )


def set_status(
    session: Session,
    *,
    patient_id: str,
    unit_id: str,
    status: Status | str,
    expected_version: int,
    user: User,
    now: datetime | None = None,
) -> int:
    """Set the record's status, if the record is still at ``expected_version``
    (0 for a record not yet created); returns the new version."""
    status = Status(status)
    now = now or utcnow()
    record = _find(session, patient_id, unit_id)
    if record is None and expected_version != 0:
        raise ConflictError(current_version=0)
    if record is None:
        record = _find_or_create(session, patient_id, unit_id, user, now)
    version = _bump(session, record, expected_version, user, now, status=status)
    session.add(
        StatusChange(
            record_id=record.id,
            status=status,
            version=version,
            changed_by=user.username,
            changed_at=now,
        )
    )
    session.flush()
    return version


def _parties(parties: Collection[Party | str]) -> list[str]:
    try:
        chosen = {Party(party) for party in parties}
    except ValueError as error:
        raise InvalidEntryError("parties", "Välj parter ur listan.") from error
    if not chosen:
        raise InvalidEntryError("parties", "Kryssa i minst en part som samtycket gäller.")
    if not chosen <= CONSENT_PARTIES:
        raise InvalidEntryError("parties", "Ett samtycke gäller bara parter utanför vården.")
    return sorted(str(party) for party in chosen)


def add_consent(
    session: Session,
    *,
    patient_id: str,
    unit_id: str,
    parties: Collection[Party | str],
    valid_from: date,
    valid_to: date | None,
    user: User,
    note: str = "",
    now: datetime | None = None,
) -> Consent:
    """Record the patient's consent (samtycke) to contacts with ``parties``."""
    chosen = _parties(parties)
    _check(rules.consent(valid_from=valid_from, valid_to=valid_to))
    now = now or utcnow()
    record = _find_or_create(session, patient_id, unit_id, user, now)
    consent = Consent(
        record_id=record.id,
        parties=chosen,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note,
        recorded_by=user.username,
        recorded_at=now,
    )
    session.add(consent)
    session.flush()
    return consent


def _owner(
    session: Session, record_id: int | None, patient_id: str, unit_id: str
) -> CoordinationRecord | None:
    """The record ``record_id`` if it is this patient's at this unit, else None.

    An entry is reached through its patient: an entry id of another patient
    (or of another unit) must not be changed through this patient's page, and
    would be logged against the wrong patient if it were."""
    record = session.get(CoordinationRecord, record_id) if record_id is not None else None
    if record is None or record.unit_id != unit_id or record.patient_id != patient_id:
        return None
    return record


def withdraw_consent(
    session: Session,
    *,
    patient_id: str,
    consent_id: int,
    unit_id: str,
    on: date,
    user: User,
    now: datetime | None = None,
) -> Consent:
    """The patient withdraws a consent from ``on``: it covers only the days before.
    NotFoundError unless the consent is this patient's at this unit."""
    consent = session.get(Consent, consent_id)
    record = _owner(session, consent.record_id if consent else None, patient_id, unit_id)
    if consent is None or record is None:
        raise NotFoundError("no such consent of this patient at this unit")
    if consent.withdrawn_on is not None:
        raise InvalidEntryError("withdrawn_on", "Samtycket är redan återkallat.")
    if consent.retracted_at is not None:
        raise InvalidEntryError("withdrawn_on", RETRACTED_CONSENT)
    now = now or utcnow()
    consent.withdrawn_on = on
    consent.withdrawn_by = user.username
    consent.withdrawn_at = now
    record.updated_by = user.username
    record.updated_at = now
    session.flush()
    return consent


def _require_consent(session: Session, record_id: int | None, party: Party, day: date) -> None:
    if party not in CONSENT_PARTIES:
        return
    consents = (
        session.scalars(select(Consent).where(Consent.record_id == record_id)).all()
        if record_id is not None
        else []
    )
    if not any(consent.covers(party, day) for consent in consents):
        raise ConsentRequiredError(party.label)


def add_contact(
    session: Session,
    *,
    patient_id: str,
    unit_id: str,
    day: date,
    party: Party | str,
    way: Way | str,
    summary: str,
    user: User,
    now: datetime | None = None,
    today: date | None = None,
) -> Contact:
    """Record a contact. One with an outside party (employer, Försäkringskassan,
    Arbetsförmedlingen, social services) needs a consent covering that party on
    ``day``, else ConsentRequiredError. Not in the future, not empty."""
    party, way = Party(party), Way(way)
    _check(rules.contact(day=day, summary=summary, today=today or _today(now)))
    existing = _find(session, patient_id, unit_id)
    _require_consent(session, existing.id if existing else None, party, day)
    now = now or utcnow()
    record = _find_or_create(session, patient_id, unit_id, user, now)
    contact = Contact(
        record_id=record.id,
        day=day,
        party=party,
        way=way,
        summary=summary,
        recorded_by=user.username,
        recorded_at=now,
    )
    session.add(contact)
    session.flush()
    return contact


def add_meeting(
    session: Session,
    *,
    patient_id: str,
    unit_id: str,
    kind: MeetingKind | str,
    day: date,
    participants: Sequence[str],
    outcome: str,
    user: User,
    now: datetime | None = None,
) -> Meeting:
    """Record a meeting. An avstämningsmöte involves Försäkringskassan and a
    trepartssamtal the employer, so each needs a consent covering that party."""
    kind = MeetingKind(kind)
    existing = _find(session, patient_id, unit_id)
    party = MEETING_PARTIES.get(kind)
    if party is not None:
        _require_consent(session, existing.id if existing else None, party, day)
    now = now or utcnow()
    record = _find_or_create(session, patient_id, unit_id, user, now)
    meeting = Meeting(
        record_id=record.id,
        kind=kind,
        day=day,
        participants=[p.strip() for p in participants if p.strip()],
        outcome=outcome,
        recorded_by=user.username,
        recorded_at=now,
    )
    session.add(meeting)
    session.flush()
    return meeting


def add_plan(
    session: Session,
    *,
    patient_id: str,
    unit_id: str,
    kind: PlanKind | str,
    text: str,
    planned_end: date | None,
    responsible: str,
    user: User,
    expected_version: int | None = None,
    now: datetime | None = None,
    today: date | None = None,
) -> Plan:
    """Record a new version of the rehabilitation plan or the plan for closing;
    earlier versions are kept; with ``today`` (the day a user makes it) its
    planned end may not have passed. With ``expected_version`` it refuses (ConflictError)
    when the record moved on since the caller read it. The record's version grows."""
    kind = PlanKind(kind)
    if today is not None:
        _check(rules.plan(planned_end=planned_end, today=today))
    now = now or utcnow()
    record = _find(session, patient_id, unit_id)
    if record is None and expected_version not in (None, 0):
        raise ConflictError(current_version=0)
    if record is None:
        record = _find_or_create(session, patient_id, unit_id, user, now)
    _bump(session, record, expected_version, user, now)
    plan = Plan(
        record_id=record.id,
        kind=kind,
        text=text,
        planned_end=planned_end,
        responsible=responsible,
        recorded_by=user.username,
        recorded_at=now,
    )
    session.add(plan)
    session.flush()
    return plan


def add_referral(
    session: Session,
    *,
    patient_id: str,
    unit_id: str,
    kind: ReferralKind | str,
    day: date,
    note: str,
    user: User,
    now: datetime | None = None,
) -> Referral:
    """Record a referral (multimodal rehabilitation, CBT, physiotherapy, occupational health)."""
    kind = ReferralKind(kind)
    now = now or utcnow()
    record = _find_or_create(session, patient_id, unit_id, user, now)
    referral = Referral(
        record_id=record.id,
        kind=kind,
        day=day,
        note=note,
        recorded_by=user.username,
        recorded_at=now,
    )
    session.add(referral)
    session.flush()
    return referral


def add_task(
    session: Session,
    *,
    patient_id: str,
    unit_id: str,
    title: str,
    due: date | None,
    assignee: str,
    user: User,
    now: datetime | None = None,
    today: date | None = None,
) -> Task:
    """Add a task on the record for ``assignee`` (a username: where people
    type it, check it with ``assignee_problems`` first). With ``today`` (the
    day a user creates it) it may not be due before that day."""
    _check(rules.task(title=title, due=due if today else None, today=today or _today(now)))
    now = now or utcnow()
    record = _find_or_create(session, patient_id, unit_id, user, now)
    task = Task(
        record_id=record.id,
        title=title.strip(),
        due=due,
        assignee=assignee,
        done=False,
        created_by=user.username,
        created_at=now,
    )
    session.add(task)
    session.flush()
    return task


def complete_task(
    session: Session,
    *,
    patient_id: str,
    task_id: int,
    unit_id: str,
    user: User,
    now: datetime | None = None,
) -> Task:
    """Tick a task of this patient at this unit done (done once; a second tick
    changes nothing). NotFoundError unless the task is this patient's at this unit;
    InvalidEntryError for a withdrawn task (it stays as it was withdrawn)."""
    task = session.get(Task, task_id)
    if task is None or _owner(session, task.record_id, patient_id, unit_id) is None:
        raise NotFoundError("no such task of this patient at this unit")
    if task.retracted_at is not None:
        raise InvalidEntryError("done", RETRACTED_TASK)
    if not task.done:
        now = now or utcnow()
        task.done = True
        task.done_by = user.username
        task.done_at = now
        task.record.updated_by = user.username
        task.record.updated_at = now
        session.flush()
    return task


def my_tasks(
    session: Session, *, username: str, unit_id: str | None = None, include_done: bool = False
) -> list[Task]:
    """The tasks assigned to ``username`` (in one unit, if given), open ones by due date.
    Each task's ``record`` (patient and unit) is loaded with it."""
    query = (
        select(Task).join(Task.record).where(Task.assignee == username, Task.retracted_at.is_(None))
    )
    if unit_id is not None:
        query = query.where(CoordinationRecord.unit_id == unit_id)
    if not include_done:
        query = query.where(Task.done.is_(False))
    query = query.order_by(Task.done, Task.due.asc().nulls_last(), Task.id)
    return list(session.scalars(query).unique())


def unit_tasks(session: Session, *, unit_id: str) -> list[Task]:
    """Every open task of the unit's records, by due date (undated last)."""
    query = (
        select(Task)
        .join(Task.record)
        .where(
            CoordinationRecord.unit_id == unit_id,
            Task.done.is_(False),
            Task.retracted_at.is_(None),
        )
        .order_by(Task.due.asc().nulls_last(), Task.id)
    )
    return list(session.scalars(query).unique())
