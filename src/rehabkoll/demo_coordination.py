"""The demo's coordination records: what a unit's coordinators would have
written by now, so that the work list, "Behöver åtgärd", the tasks and the
overview look like a working unit's (synthetic, invented text only).

Per ongoing case, decided by a random generator seeded with the patient's id
(the same demo, the same records):

- cases shorter than 15 days have no record yet;
- of the longer ones, 80 % have a status (mostly Aktiv), a contact with the
  patient within the last four weeks (one in ten active cases has none for
  over 30 days), and a contact or meeting after each milestone passed (one in
  ten misses the latest);
- every case over 365 days has a record, and 95 % of them a plan for closing;
- about one record in six has an open task: overdue, due today or later.

Written once: a unit that already has coordination records is left alone.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.cases.engine import CaseRow
from rehabkoll.coordination import service as coordination
from rehabkoll.coordination.enums import Party, PlanKind, Status
from rehabkoll.coordination.models import CoordinationRecord

MILESTONES = (90, 180, 365)
SUMMARIES = (
    "Samtal om hur veckan har gått och om sömnen.",
    "Uppföljande samtal: orkar promenera dagligen, vill prova arbetsträning.",
    "Pratade om kontakten med arbetsgivaren och vad som behövs inför återgång.",
    "Kort avstämning inför läkarbesöket.",
)
TASKS = (
    "Boka avstämningsmöte med Försäkringskassan",
    "Ring patienten om arbetsträningen",
    "Kontakta arbetsgivaren om anpassade arbetsuppgifter",
    "Följ upp remissen till fysioterapeut",
)


def _at(day: date) -> datetime:
    """A moment of the day, naive UTC as stored."""
    return datetime.combine(day, time(9, 0))


def seed_unit(
    session: Session, *, unit_id: str, rows: Sequence[CaseRow], user: User, today: date
) -> int:
    """Write the demo records of the unit's ongoing cases; how many were written."""
    existing = session.scalar(
        select(func.count())
        .select_from(CoordinationRecord)
        .where(CoordinationRecord.unit_id == unit_id)
    )
    if existing:
        return 0
    written = 0
    for row in rows:
        if row.recently_ended:
            continue
        day = max(row.days - max(row.days_left, 0), 0)  # the case's day today
        rng = random.Random(f"demo-coordination:{row.patient_id}")
        if day < 15 or (day <= 365 and rng.random() >= 0.8):
            continue
        written += 1
        _record(session, rng, row, day, user, today)
    return written


def _record(
    session: Session, rng: random.Random, row: CaseRow, day: int, user: User, today: date
) -> None:
    start = today - timedelta(days=day - 1)
    first = start + timedelta(days=min(day - 1, rng.randint(5, 12)))
    pid, uid = row.patient_id, row.unit_id
    status = rng.choices(
        (Status.ACTIVE, Status.CONTACTED, Status.FOLLOW_UP, Status.MEDICAL_REHAB),
        weights=(60, 15, 15, 10),
    )[0]
    coordination.set_status(
        session,
        patient_id=pid,
        unit_id=uid,
        status=Status.CONTACTED,
        expected_version=0,
        user=user,
        now=_at(first),
    )
    contacts = [first]
    for milestone in MILESTONES:
        if day >= milestone and not (milestone == _latest(day) and rng.random() < 0.1):
            contacts.append(start + timedelta(days=milestone - 1 + rng.randint(0, 6)))
    quiet = status is Status.ACTIVE and rng.random() < 0.1
    latest = today - timedelta(days=rng.randint(35, 60) if quiet else rng.randint(1, 27))
    if latest > contacts[-1]:
        contacts.append(latest)
    for when in sorted({min(d, today) for d in contacts}):
        coordination.add_contact(
            session,
            patient_id=pid,
            unit_id=uid,
            day=when,
            party=Party.PATIENT,
            way=rng.choice(("phone", "meeting", "video")),
            summary=rng.choice(SUMMARIES),
            user=user,
            now=_at(when),
        )
    record_version = 1
    if status is not Status.CONTACTED:
        coordination.set_status(
            session,
            patient_id=pid,
            unit_id=uid,
            status=status,
            expected_version=record_version,
            user=user,
            now=_at(contacts[0] + timedelta(days=1)),
        )
        record_version += 1
    if day > 365 and rng.random() < 0.95:
        coordination.add_plan(
            session,
            patient_id=pid,
            unit_id=uid,
            kind=PlanKind.CLOSING_PLAN,
            text="Successiv återgång i arbete: 50 % i sex veckor, därefter 75 %.",
            planned_end=today + timedelta(days=rng.randint(30, 120)),
            responsible=user.username,
            user=user,
            now=_at(today - timedelta(days=rng.randint(5, 60))),
        )
    if rng.random() < 1 / 6:
        due = today + timedelta(days=rng.choice((-6, -2, 0, 0, 3, 7, 14)))
        coordination.add_task(
            session,
            patient_id=pid,
            unit_id=uid,
            title=rng.choice(TASKS),
            due=due,
            assignee=user.username,
            user=user,
            now=_at(min(due, today) - timedelta(days=7)),
        )


def _latest(day: int) -> int:
    return max((m for m in MILESTONES if m <= day), default=0)
