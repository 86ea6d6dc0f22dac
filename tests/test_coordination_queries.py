"""The questions asked of many coordination records at once: the work list's
status, last contact, consent expiry and plan for closing, and the statistics'
closing plans, closed records and measures per month."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.coordination import service
from rehabkoll.db.session import session_factory
from tests.factories import pnr
from tests.test_coordination import add_patients

ANNA = User(username="anna", role=Role.COORDINATOR)
P1, P2, P3 = pnr(1), pnr(2), pnr(3)
ALL = [P1, P2, P3]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        add_patients(session, *ALL)
        yield session


def contact(session: Session, patient: str, unit: str, day: date, party: str = "patient") -> None:
    service.add_contact(
        session,
        patient_id=patient,
        unit_id=unit,
        day=day,
        party=party,
        way="phone",
        summary="Samtal",
        user=ANNA,
    )


def consent(session: Session, patient: str, unit: str, valid_to: date | None) -> int:
    return service.add_consent(
        session,
        patient_id=patient,
        unit_id=unit,
        parties=["employer"],
        valid_from=date(2024, 1, 1),
        valid_to=valid_to,
        user=ANNA,
    ).id


def closing_plan(session: Session, patient: str, unit: str, at: datetime) -> None:
    service.add_plan(
        session,
        patient_id=patient,
        unit_id=unit,
        kind="closing_plan",
        text="",
        planned_end=None,
        responsible="",
        user=ANNA,
        now=at,
    )


def status(session: Session, patient: str, unit: str, value: str, at: datetime) -> None:
    version = service.get_record(session, patient_id=patient, unit_id=unit).version
    service.set_status(
        session,
        patient_id=patient,
        unit_id=unit,
        status=value,
        expected_version=version,
        user=ANNA,
        now=at,
    )


def test_statuses_are_those_of_the_unit(session: Session) -> None:
    status(session, P1, "U1", "active", datetime(2024, 5, 1))
    status(session, P2, "U2", "closed", datetime(2024, 5, 1))
    contact(session, P3, "U1", date(2024, 5, 1))  # a record without a status
    assert service.statuses(session, unit_id="U1", patient_ids=ALL) == {P1: "active"}


def test_the_last_contact_counts_contacts_and_meetings_of_the_unit(session: Session) -> None:
    contact(session, P1, "U1", date(2024, 3, 1))
    contact(session, P1, "U1", date(2024, 4, 1))
    service.add_meeting(
        session,
        patient_id=P2,
        unit_id="U1",
        kind="team",
        day=date(2024, 4, 15),
        participants=[],
        outcome="",
        user=ANNA,
    )
    contact(session, P3, "U2", date(2024, 4, 20))
    assert service.last_contact(session, unit_id="U1", patient_ids=ALL) == {
        P1: date(2024, 4, 1),
        P2: date(2024, 4, 15),
    }


def test_consent_expiry_is_the_latest_end_and_open_consents_never_expire(
    session: Session,
) -> None:
    consent(session, P1, "U1", date(2024, 6, 30))
    consent(session, P1, "U1", date(2024, 8, 31))
    consent(session, P2, "U1", date(2024, 6, 30))
    consent(session, P2, "U1", None)
    withdrawn = consent(session, P3, "U1", date(2024, 6, 30))
    service.withdraw_consent(
        session, patient_id=P3, consent_id=withdrawn, unit_id="U1", on=date(2024, 3, 1), user=ANNA
    )
    assert service.consent_expiry(session, unit_id="U1", patient_ids=ALL) == {P1: date(2024, 8, 31)}


def test_has_closing_plan_is_per_unit(session: Session) -> None:
    closing_plan(session, P1, "U1", datetime(2024, 5, 1))
    closing_plan(session, P2, "U2", datetime(2024, 5, 1))
    service.add_plan(
        session,
        patient_id=P3,
        unit_id="U1",
        kind="rehab_plan",
        text="",
        planned_end=None,
        responsible="",
        user=ANNA,
    )
    assert service.has_closing_plan(session, unit_id="U1", patient_ids=ALL) == {P1}


def test_the_work_list_questions_are_one_query_each_for_1500_patients(
    engine: Engine, session: Session
) -> None:
    # Many patients, few of them with records: the cost must not grow per patient.
    ids = [pnr(i) for i in range(10, 1510)]
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        for ask in (
            service.statuses,
            service.last_contact,
            service.consent_expiry,
            service.has_closing_plan,
        ):
            statements.clear()
            ask(session, unit_id="U1", patient_ids=ids)
            assert len(statements) == 1, ask.__name__
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_closing_plans_give_the_first_day_a_plan_for_closing_was_recorded(
    session: Session,
) -> None:
    closing_plan(session, P1, "U1", datetime(2024, 5, 3, 14, 0))
    closing_plan(session, P1, "U2", datetime(2024, 4, 2, 9, 0))  # earlier, other unit
    closing_plan(session, P1, "U1", datetime(2024, 6, 1, 9, 0))  # a revision
    closing_plan(session, P2, "U1", datetime(2024, 7, 1, 9, 0))
    assert service.closing_plans(session, patient_ids=[P1, P3]) == {P1: date(2024, 4, 2)}
    assert service.closing_plans(session, patient_ids=ALL)[P2] == date(2024, 7, 1)


def test_closed_records_count_only_records_closed_now(session: Session) -> None:
    status(session, P1, "U1", "active", datetime(2024, 3, 1))
    status(session, P1, "U1", "closed", datetime(2024, 5, 3, 16, 0))
    # P2 was closed, then reopened: not closed.
    status(session, P2, "U1", "closed", datetime(2024, 4, 1))
    status(session, P2, "U1", "active", datetime(2024, 4, 10))
    status(session, P3, "U1", "declined", datetime(2024, 4, 1))
    assert service.closed_records(session, patient_ids=ALL) == {P1: date(2024, 5, 3)}


def test_measures_by_month_lists_patients_with_a_contact_meeting_or_referral(
    session: Session,
) -> None:
    contact(session, P1, "U1", date(2024, 1, 5))
    contact(session, P1, "U1", date(2024, 1, 25))  # same month: once
    service.add_referral(
        session, patient_id=P1, unit_id="U1", kind="cbt", day=date(2024, 2, 1), note="", user=ANNA
    )
    service.add_meeting(
        session,
        patient_id=P2,
        unit_id="U2",
        kind="team",
        day=date(2024, 2, 29),
        participants=[],
        outcome="",
        user=ANNA,
    )
    contact(session, P3, "U1", date(2024, 3, 1))  # after the end
    closing_plan(session, P3, "U1", datetime(2024, 2, 1))  # a plan is not a measure
    start, end = date(2024, 1, 1), date(2024, 2, 29)
    assert service.measures_by_month(session, unit_ids=None, start=start, end=end) == [
        ("U1", P1, date(2024, 1, 1)),
        ("U1", P1, date(2024, 2, 1)),
        ("U2", P2, date(2024, 2, 1)),
    ]
    assert service.measures_by_month(session, unit_ids=["U2"], start=start, end=end) == [
        ("U2", P2, date(2024, 2, 1))
    ]
    assert service.measures_by_month(session, unit_ids=[], start=start, end=end) == []
