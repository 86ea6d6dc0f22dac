"""The coordination record: versions and conflicts, consent for outside contacts,
history kept, plans, referrals and tasks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.certificates.models import Patient
from rehabkoll.coordination import service
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
from rehabkoll.db.session import session_factory
from rehabkoll.lib.personnummer import parse
from tests.factories import pnr

P1 = pnr(1)
P2 = pnr(2)
UNIT = "U1"
ANNA = User(username="anna", role=Role.COORDINATOR)
BO = User(username="bo", role=Role.COORDINATOR)
DAY = date(2024, 5, 2)


def add_patients(session: Session, *ids: str) -> None:
    for i, patient_id in enumerate(ids):
        number = parse(patient_id)
        session.add(
            Patient(
                id=patient_id,
                ref=f"ref-{i}-{patient_id[-4:]}",
                name="Test Testsson",
                birth_date=number.birth_date,
                sex=str(number.sex),
                protected=False,
            )
        )
    session.commit()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        add_patients(session, P1, P2)
        yield session


def test_a_patient_without_a_record_reads_as_empty_at_version_0(session: Session) -> None:
    view = service.get_record(session, patient_id=P1, unit_id=UNIT)
    assert not view.exists
    assert view.version == 0
    assert view.status is None
    assert view.contacts == []
    assert view.closing_plan is None


def test_setting_the_status_moves_the_version_and_keeps_the_history(session: Session) -> None:
    v1 = service.set_status(
        session, patient_id=P1, unit_id=UNIT, status=Status.CONTACTED, expected_version=0, user=ANNA
    )
    v2 = service.set_status(
        session, patient_id=P1, unit_id=UNIT, status="active", expected_version=v1, user=BO
    )
    session.commit()
    view = service.get_record(session, patient_id=P1, unit_id=UNIT)
    assert (v1, v2) == (1, 2)
    assert view.status is Status.ACTIVE
    assert view.status.label == "Aktiv"
    assert view.version == 2
    assert view.updated_by == "bo"
    # Nothing overwritten: both changes are there, with their authors.
    assert [(c.status, c.changed_by) for c in view.status_changes] == [
        (Status.ACTIVE, "bo"),
        (Status.CONTACTED, "anna"),
    ]


def test_a_stale_version_is_a_conflict_not_a_lost_update(session: Session) -> None:
    service.set_status(
        session, patient_id=P1, unit_id=UNIT, status="contacted", expected_version=0, user=ANNA
    )
    session.commit()
    # Anna and Bo both read version 1; Bo saves first.
    service.set_status(
        session, patient_id=P1, unit_id=UNIT, status="active", expected_version=1, user=BO
    )
    session.commit()
    with pytest.raises(ConflictError) as conflict:
        service.set_status(
            session, patient_id=P1, unit_id=UNIT, status="declined", expected_version=1, user=ANNA
        )
    session.rollback()
    assert conflict.value.current_version == 2
    assert service.get_record(session, patient_id=P1, unit_id=UNIT).status is Status.ACTIVE


def test_a_conflict_between_two_connections(engine: Engine, session: Session) -> None:
    # Two separate sessions (two users' requests) working from the same version.
    service.set_status(
        session, patient_id=P1, unit_id=UNIT, status="contacted", expected_version=0, user=ANNA
    )
    session.commit()
    factory = session_factory(engine)
    with factory() as first, factory() as second:
        version = service.get_record(first, patient_id=P1, unit_id=UNIT).version
        assert service.get_record(second, patient_id=P1, unit_id=UNIT).version == version
        first.rollback()
        second.rollback()
        service.set_status(
            first, patient_id=P1, unit_id=UNIT, status="active", expected_version=version, user=ANNA
        )
        first.commit()
        with pytest.raises(ConflictError):
            service.set_status(
                second,
                patient_id=P1,
                unit_id=UNIT,
                status="follow_up",
                expected_version=version,
                user=BO,
            )
        second.rollback()


def test_a_first_status_with_a_nonzero_version_is_a_conflict(session: Session) -> None:
    with pytest.raises(ConflictError):
        service.set_status(
            session, patient_id=P1, unit_id=UNIT, status="active", expected_version=3, user=ANNA
        )


def test_a_record_for_an_unknown_patient_is_refused(session: Session) -> None:
    with pytest.raises(NotFoundError):
        service.add_referral(
            session,
            patient_id=pnr(99),
            unit_id=UNIT,
            kind="cbt",
            day=DAY,
            note="",
            user=ANNA,
        )


def test_a_contact_with_the_patient_needs_no_consent(session: Session) -> None:
    contact = service.add_contact(
        session,
        patient_id=P1,
        unit_id=UNIT,
        day=DAY,
        party=Party.PATIENT,
        way=Way.PHONE,
        summary="Första samtal",
        user=ANNA,
    )
    assert contact.recorded_by == "anna"
    assert service.get_record(session, patient_id=P1, unit_id=UNIT).exists


@pytest.mark.parametrize("party", sorted(CONSENT_PARTIES))
def test_a_contact_with_an_outside_party_needs_a_consent(session: Session, party: Party) -> None:
    with pytest.raises(ConsentRequiredError) as refused:
        service.add_contact(
            session,
            patient_id=P1,
            unit_id=UNIT,
            day=DAY,
            party=party,
            way=Way.PHONE,
            summary="Samtal",
            user=ANNA,
        )
    assert P1 not in str(refused.value)


def test_a_consent_covers_its_parties_on_its_days_only(session: Session) -> None:
    service.add_consent(
        session,
        patient_id=P1,
        unit_id=UNIT,
        parties=[Party.EMPLOYER, "forsakringskassan"],
        valid_from=date(2024, 5, 1),
        valid_to=date(2024, 10, 31),
        user=ANNA,
    )

    def contact(party: str, day: date) -> None:
        service.add_contact(
            session,
            patient_id=P1,
            unit_id=UNIT,
            day=day,
            party=party,
            way="email",
            summary="Samtal",
            user=ANNA,
        )

    contact("employer", date(2024, 5, 1))
    contact("forsakringskassan", date(2024, 10, 31))
    with pytest.raises(ConsentRequiredError):
        contact("employer", date(2024, 11, 1))  # after it ran out
    with pytest.raises(ConsentRequiredError):
        contact("employer", date(2024, 4, 30))  # before it began
    with pytest.raises(ConsentRequiredError):
        contact("arbetsformedlingen", date(2024, 6, 1))  # a party it does not cover
    # A consent at one unit does not cover the patient's record at another.
    with pytest.raises(ConsentRequiredError):
        service.add_contact(
            session,
            patient_id=P1,
            unit_id="U2",
            day=DAY,
            party="employer",
            way="phone",
            summary="Samtal",
            user=ANNA,
        )


def test_a_withdrawn_consent_covers_only_the_days_before(session: Session) -> None:
    consent = service.add_consent(
        session,
        patient_id=P1,
        unit_id=UNIT,
        parties=["employer"],
        valid_from=date(2024, 1, 1),
        valid_to=None,
        user=ANNA,
    )
    service.withdraw_consent(
        session, patient_id=P1, consent_id=consent.id, unit_id=UNIT, on=date(2024, 6, 1), user=BO
    )
    view = service.get_record(session, patient_id=P1, unit_id=UNIT)
    assert view.consent_covers("employer", date(2024, 5, 31))
    assert not view.consent_covers("employer", date(2024, 6, 1))
    assert view.consents[0].withdrawn_by == "bo"
    with pytest.raises(NotFoundError):
        service.withdraw_consent(
            session,
            patient_id=P1,
            consent_id=consent.id,
            unit_id="U2",
            on=date(2024, 6, 1),
            user=BO,
        )


def test_a_consent_must_name_outside_parties_and_a_sane_period(session: Session) -> None:
    def consent(parties: list[str], valid_to: date | None = None) -> None:
        service.add_consent(
            session,
            patient_id=P1,
            unit_id=UNIT,
            parties=parties,
            valid_from=DAY,
            valid_to=valid_to,
            user=ANNA,
        )

    with pytest.raises(InvalidEntryError):
        consent([])
    with pytest.raises(InvalidEntryError):
        consent(["patient"])
    with pytest.raises(InvalidEntryError):
        consent(["the neighbour"])
    with pytest.raises(InvalidEntryError):
        consent(["employer"], valid_to=date(2024, 1, 1))


def test_meetings_with_outside_parties_need_their_consent(session: Session) -> None:
    def meeting(kind: MeetingKind) -> None:
        service.add_meeting(
            session,
            patient_id=P1,
            unit_id=UNIT,
            kind=kind,
            day=DAY,
            participants=["Anna", "Handläggare FK"],
            outcome="",
            user=ANNA,
        )

    meeting(MeetingKind.TEAM)  # within the care team: no consent needed
    with pytest.raises(ConsentRequiredError):
        meeting(MeetingKind.RECONCILIATION)  # avstämningsmöte: Försäkringskassan
    with pytest.raises(ConsentRequiredError):
        meeting(MeetingKind.TRIPARTITE)  # trepartssamtal: the employer
    service.add_consent(
        session,
        patient_id=P1,
        unit_id=UNIT,
        parties=["forsakringskassan", "employer"],
        valid_from=DAY,
        valid_to=None,
        user=ANNA,
    )
    meeting(MeetingKind.RECONCILIATION)
    meeting(MeetingKind.TRIPARTITE)
    view = service.get_record(session, patient_id=P1, unit_id=UNIT)
    assert len(view.meetings) == 3
    assert view.meetings[0].participants == ["Anna", "Handläggare FK"]


def test_a_revised_plan_keeps_the_earlier_version(session: Session) -> None:
    first = service.add_plan(
        session,
        patient_id=P1,
        unit_id=UNIT,
        kind=PlanKind.CLOSING_PLAN,
        text="Åter i arbete 50 %",
        planned_end=date(2024, 9, 1),
        responsible="anna",
        user=ANNA,
        expected_version=0,
    )
    service.add_plan(
        session,
        patient_id=P1,
        unit_id=UNIT,
        kind="closing_plan",
        text="Åter i arbete 100 %",
        planned_end=date(2024, 10, 1),
        responsible="anna",
        user=BO,
        expected_version=1,
    )
    view = service.get_record(session, patient_id=P1, unit_id=UNIT)
    assert view.version == 2
    assert view.closing_plan is not None
    assert view.closing_plan.text == "Åter i arbete 100 %"
    assert view.rehab_plan is None
    assert [p.id for p in view.plans][-1] == first.id
    with pytest.raises(ConflictError):
        service.add_plan(
            session,
            patient_id=P1,
            unit_id=UNIT,
            kind="rehab_plan",
            text="",
            planned_end=None,
            responsible="",
            user=ANNA,
            expected_version=1,
        )


def test_referrals_are_recorded(session: Session) -> None:
    service.add_referral(
        session,
        patient_id=P1,
        unit_id=UNIT,
        kind=ReferralKind.MULTIMODAL,
        day=DAY,
        note="MMR",
        user=ANNA,
    )
    (referral,) = service.get_record(session, patient_id=P1, unit_id=UNIT).referrals
    assert referral.kind is ReferralKind.MULTIMODAL
    assert referral.kind.label == "Multimodal rehabilitering"


def test_my_tasks_lists_open_tasks_by_due_date_and_completing_one_is_recorded(
    session: Session,
) -> None:
    def task(title: str, due: date | None, assignee: str = "anna", patient: str = P1) -> int:
        return service.add_task(
            session,
            patient_id=patient,
            unit_id=UNIT,
            title=title,
            due=due,
            assignee=assignee,
            user=BO,
        ).id

    later = task("Ring arbetsgivaren", date(2024, 6, 1))
    sooner = task("Boka avstämningsmöte", date(2024, 5, 10), patient=P2)
    undated = task("Läs in journal", None)
    task("Not Anna's", date(2024, 5, 1), assignee="bo")
    session.commit()
    assert [t.id for t in service.my_tasks(session, username="anna")] == [sooner, later, undated]
    assert service.my_tasks(session, username="anna")[0].patient_id == P2
    done = service.complete_task(
        session,
        patient_id=P2,
        task_id=sooner,
        unit_id=UNIT,
        user=ANNA,
        now=datetime(2024, 5, 9, 9, 0),
    )
    assert (done.done, done.done_by) == (True, "anna")
    assert [t.id for t in service.my_tasks(session, username="anna")] == [later, undated]
    assert len(service.my_tasks(session, username="anna", include_done=True)) == 3
    with pytest.raises(NotFoundError):
        service.complete_task(session, patient_id=P1, task_id=later, unit_id="U2", user=ANNA)


def test_labels_in_swedish_are_accepted_as_values() -> None:
    assert MeetingKind("avstamningsmote") is MeetingKind.RECONCILIATION
    assert Way("e-post") is Way.EMAIL
    assert Status("Lämnas utan åtgärd") is Status.NO_ACTION
    assert Party("Försäkringskassan") is Party.FORSAKRINGSKASSAN
    with pytest.raises(ValueError, match="not a valid"):
        Status("finished")
