"""Corrections of the coordination record (service level, SQLite and PostgreSQL):
the original is kept, a withdrawn entry no longer counts, and who may do it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.coordination import corrections
from rehabkoll.coordination import service as coordination
from rehabkoll.coordination.enums import PlanKind
from rehabkoll.coordination.errors import InvalidEntryError, NotFoundError
from rehabkoll.coordination.models import Contact, EntryVersion
from rehabkoll.db.session import session_factory
from tests.test_coordination import P1, P2, add_patients

UNIT, OTHER_UNIT = "U1", "U2"
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 0)
KOORD = User(username="koord", role=Role.COORDINATOR)
KOORD2 = User(username="koord2", role=Role.COORDINATOR)
LAKARE = User(username="lakare", role=Role.DOCTOR)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        add_patients(session, P1, P2)
        yield session


@pytest.mark.parametrize(
    ("author", "username", "role", "allowed"),
    [
        ("koord", "koord", "coordinator", True),  # the author
        ("koord", "koord2", "coordinator", True),  # another coordinator of the unit
        ("lakare", "lakare", "doctor", True),  # a doctor who wrote it
        ("koord", "lakare", "doctor", False),  # a doctor who did not
        ("koord", "chef", "manager", False),
        ("koord", "analytiker", "analyst", False),
    ],
)
def test_who_may_correct(author: str, username: str, role: str, allowed: bool) -> None:
    assert corrections.may_correct(author=author, username=username, role=Role(role)) is allowed


def test_a_corrected_contact_keeps_the_original_in_its_history(session: Session) -> None:
    patient = P1
    koord = KOORD
    contact = coordination.add_contact(
        session,
        patient_id=patient,
        unit_id=UNIT,
        day=TODAY,
        party="patient",
        way="phone",
        summary="Samtal om återgång",
        user=koord,
        now=NOW,
    )
    # Another coordinator of the unit corrects the day and the text.
    koord2 = KOORD2
    later = NOW + timedelta(hours=2)
    values = {"day": TODAY - timedelta(days=1), "summary": "Samtal om deltid"}
    for _ in range(2):  # the same correction twice changes nothing the second time
        corrections.correct(
            session,
            kind="contact",
            entry_id=contact.id,
            patient_id=patient,
            unit_id=UNIT,
            values=values,
            reason="Fel dag",
            user=koord2,
            role=Role.COORDINATOR,
            now=later,
        )
    entry = session.get_one(Contact, contact.id)
    assert (entry.day, entry.summary) == (date(2026, 11, 19), "Samtal om deltid")
    assert entry.recorded_by == "koord"  # the author stays the author
    history = corrections.history(session, patient_id=patient, unit_id=UNIT)
    (kept,) = history["contact", contact.id]
    # The version before: the day and text as first written, way unchanged.
    assert kept.values == {"day": "2026-11-20", "way": "phone", "summary": "Samtal om återgång"}
    assert (kept.change, kept.changed_by, kept.reason) == ("corrected", "koord2", "Fel dag")
    assert corrections.describe(kept.values) == [
        ("Datum", "2026-11-20"),
        ("Kontaktsätt", "Telefon"),
        ("Sammanfattning", "Samtal om återgång"),
    ]


def test_a_doctor_who_did_not_write_it_is_refused_and_nothing_changes(session: Session) -> None:
    patient = P1
    task = coordination.add_task(
        session,
        patient_id=patient,
        unit_id=UNIT,
        title="Ring FK",
        due=None,
        assignee="koord",
        user=KOORD,
    )
    with pytest.raises(corrections.NotAllowedError):
        corrections.retract(
            session,
            kind="task",
            entry_id=task.id,
            patient_id=patient,
            unit_id=UNIT,
            reason="fel",
            user=LAKARE,
            role=Role.DOCTOR,
        )
    # Another unit or another patient: not found, whoever asks.
    with pytest.raises(NotFoundError):
        corrections.find(
            session, kind="task", entry_id=task.id, patient_id=patient, unit_id=OTHER_UNIT
        )
    other = P2
    with pytest.raises(NotFoundError):
        corrections.find(session, kind="task", entry_id=task.id, patient_id=other, unit_id=UNIT)
    assert session.scalars(select(EntryVersion)).all() == []


def test_withdrawn_entries_no_longer_count_for_the_work_list(session: Session) -> None:
    patient = P1
    koord = KOORD
    ids = [patient]
    old = coordination.add_contact(
        session,
        patient_id=patient,
        unit_id=UNIT,
        day=TODAY - timedelta(days=40),
        party="patient",
        way="phone",
        summary="Första samtalet",
        user=koord,
        now=NOW,
    )
    wrong = coordination.add_contact(
        session,
        patient_id=patient,
        unit_id=UNIT,
        day=TODAY - timedelta(days=2),
        party="patient",
        way="phone",
        summary="Fel patient",
        user=koord,
        now=NOW,
    )
    task = coordination.add_task(
        session,
        patient_id=patient,
        unit_id=UNIT,
        title="Boka möte",
        due=TODAY - timedelta(days=5),
        assignee="koord",
        user=koord,
    )
    consent = coordination.add_consent(
        session,
        patient_id=patient,
        unit_id=UNIT,
        parties=["employer"],
        valid_from=TODAY - timedelta(days=10),
        valid_to=TODAY + timedelta(days=10),
        user=koord,
    )
    plan = coordination.add_plan(
        session,
        patient_id=patient,
        unit_id=UNIT,
        kind=PlanKind.CLOSING_PLAN,
        text="Avslut",
        planned_end=None,
        responsible="",
        user=koord,
    )
    kw: dict[str, Any] = {"unit_id": UNIT, "patient_ids": ids}
    # Before: the latest contact is 2 days ago, a task overdue since 5 days,
    # the consent expires in 10 days, and there is a closing plan.
    assert coordination.last_contact(session, **kw) == {patient: TODAY - timedelta(days=2)}
    assert coordination.overdue_tasks(session, **kw, as_of=TODAY) == {
        patient: TODAY - timedelta(days=5)
    }
    assert coordination.consent_expiry(session, **kw) == {patient: TODAY + timedelta(days=10)}
    assert coordination.has_closing_plan(session, **kw) == {patient}
    for kind, entry_id in [
        ("contact", wrong.id),
        ("task", task.id),
        ("consent", consent.id),
        ("plan", plan.id),
    ]:
        corrections.retract(
            session,
            kind=kind,
            entry_id=entry_id,
            patient_id=patient,
            unit_id=UNIT,
            reason="Registrerad på fel patient",
            user=koord,
            role=Role.COORDINATOR,
        )
    # After: only the 40-day-old contact counts (so "no contact for 30
    # days" applies again), no overdue task, no consent, no closing plan.
    assert coordination.last_contact(session, **kw) == {patient: old.day}
    assert coordination.overdue_tasks(session, **kw, as_of=TODAY) == {}
    assert coordination.consent_expiry(session, **kw) == {}
    assert coordination.has_closing_plan(session, **kw) == set()
    assert coordination.my_tasks(session, username="koord") == []
    record = coordination.get_record(session, patient_id=patient, unit_id=UNIT)
    assert record.closing_plan is None
    assert not record.consent_covers("employer", TODAY)
    # A withdrawn entry cannot be corrected; withdrawing again changes nothing.
    with pytest.raises(InvalidEntryError):
        corrections.correct(
            session,
            kind="contact",
            entry_id=wrong.id,
            patient_id=patient,
            unit_id=UNIT,
            values={"summary": "x"},
            reason="r",
            user=koord,
            role=Role.COORDINATOR,
        )
    corrections.retract(
        session,
        kind="contact",
        entry_id=wrong.id,
        patient_id=patient,
        unit_id=UNIT,
        reason="igen",
        user=koord,
        role=Role.COORDINATOR,
    )
    assert len(session.scalars(select(EntryVersion)).all()) == 4


def test_a_change_without_a_reason_is_refused(session: Session) -> None:
    patient = P1
    koord = KOORD
    task = coordination.add_task(
        session,
        patient_id=patient,
        unit_id=UNIT,
        title="Ring FK",
        due=None,
        assignee="koord",
        user=koord,
    )
    with pytest.raises(InvalidEntryError) as refused:
        corrections.retract(
            session,
            kind="task",
            entry_id=task.id,
            patient_id=patient,
            unit_id=UNIT,
            reason="  ",
            user=koord,
            role=Role.COORDINATOR,
        )
    assert refused.value.field == "reason"
