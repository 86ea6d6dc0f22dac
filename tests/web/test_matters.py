"""Ärenden: Försäkringskassan's messages counted per patient in the work list
(column, filter, "Behöver åtgärd") and the API; a completion answers a request,
marking handled closes a question. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from rehabkoll.audit.models import AccessLog
from rehabkoll.certificates import service as certificates
from rehabkoll.certificates.models import Patient
from rehabkoll.certificates.schema import Certificate, parse_document
from rehabkoll.db.session import session_scope
from rehabkoll.exchange import matters, service, writing
from rehabkoll.exchange.models import CareMessage
from rehabkoll.exchange.safexml import schemas_dir
from rehabkoll.web import queries, worklist
from tests.factories import OTHER_PROVIDER, PROVIDER, certificate, pnr
from tests.web.conftest import FOREIGN_UNIT, UNIT, day, form_token, token_for

pytestmark = pytest.mark.skipif(
    not schemas_dir().is_dir(), reason="the shared RIVTA schemas are not here"
)

TODAY = date.today()


def cert(cert_id: str, signed: int = -10, unit: str = UNIT) -> Certificate:
    doc = parse_document(
        certificate(
            cert_id,
            patient=pnr(70),
            unit=unit,
            provider=OTHER_PROVIDER if unit == FOREIGN_UNIT else PROVIDER,
            periods=[(day(signed), day(20), 100)],
            signed_at=f"{day(signed)}T09:00:00",
        )
    )
    assert isinstance(doc, Certificate)
    return doc


def send(engine: Engine, *messages: bytes) -> list[str]:
    with session_scope(engine) as session:
        batch = certificates.start_batch(session, "test")
        items = [service.read_item(n, m) for n, m in enumerate(messages, start=1)]
        result = service.receive(session, batch, items, sender="test")
    return [r.outcome for r in result.results]


def fk(
    message_id: str, subject: str, deadline_days: int | None = None, about: str = "m-1"
) -> bytes:
    deadline = TODAY + timedelta(days=deadline_days) if deadline_days is not None else None
    return writing.send_message_to_care(
        message_id=message_id,
        cert=cert(about, unit=FOREIGN_UNIT if about == "m-foreign" else UNIT),
        subject=subject,
        sent_at=datetime.fromisoformat(f"{day(-5)}T08:00:00"),
        deadline=deadline,
        questions=["32"] if subject == "KOMPLT" else (),
    )


def row_of(engine: Engine) -> worklist.WorkRow:
    with session_scope(engine) as session:
        rows = queries.work_rows(
            session, unit_id=UNIT, as_of=TODAY, gap=5, recent=0, role="coordinator", hsa_id=None
        )
    (row,) = [r for r in rows if r.patient_id == pnr(70)]
    return row


def test_counting_is_by_subject_and_the_earliest_passed_deadline() -> None:
    # Two completions (deadlines 1 and 3 March; as of 2 March only the first is
    # passed), one question without deadline; the reminder is not counted.
    day_ = date(2026, 3, 2)
    found = matters.count(
        [
            matters.OpenMessage("p", "KOMPLT", date(2026, 3, 1)),
            matters.OpenMessage("p", "KOMPLT", date(2026, 3, 3)),
            matters.OpenMessage("p", "KONTKT", None),
            matters.OpenMessage("p", "PAMINN", date(2026, 2, 1)),
        ],
        as_of=day_,
    )
    assert found["p"] == matters.MatterCounts(2, 1, date(2026, 3, 1), date(2026, 3, 1))
    assert found["p"].text() == "Komplettering (2) · Administrativ fråga (1)"


def test_the_work_list_counts_filters_and_flags_an_overdue_completion(
    engine: Engine, data: object
) -> None:
    assert send(engine, writing.register_certificate(cert("m-1"))) == ["stored"]
    assert send(engine, fk("fk-1", "KOMPLT", deadline_days=-1), fk("fk-2", "OVRIGT")) == [
        "stored",
        "stored",
    ]
    row = row_of(engine)
    assert (row.matters.completions, row.matters.questions) == (1, 1)
    overdue = (TODAY - timedelta(days=1)).isoformat()
    assert worklist.matters_text(row.matters) == (
        f"Komplettering (1) · Administrativ fråga (1) (försenad sedan {overdue})"
    )
    assert row.attention[0] == f"Komplettering försenad sedan {overdue}"
    assert worklist.matter_matches(row.matters, "completion")
    assert not worklist.matter_matches(row.matters, "none")
    # The completion (relation KOMPLT to m-1) answers the request.
    completion = cert("m-2", signed=-1)
    send(engine, writing.register_certificate(completion, relation=("KOMPLT", "m-1")))
    row = row_of(engine)
    assert (row.matters.completions, row.matters.questions) == (0, 1)
    assert not any(a.startswith("Komplettering") for a in row.attention)
    # A coordinator marks the question handled.
    with session_scope(engine) as session:
        # Not at another unit, and not under another patient.
        for unit, patient in ((["SE0000000000-X"], pnr(70)), ([UNIT], pnr(71))):
            refused = matters.mark_handled(
                session, message_id="fk-2", patient_id=patient, unit_ids=unit, username="x"
            )
            assert refused is None
        handled = matters.mark_handled(
            session, message_id="fk-2", patient_id=pnr(70), unit_ids=[UNIT], username="koord"
        )
        assert handled is not None
        assert handled.handled_by == "koord"
    assert row_of(engine).matters == matters.NO_MATTERS


def test_the_api_carries_the_counts(app_client: TestClient, engine: Engine, data: object) -> None:
    send(engine, writing.register_certificate(cert("m-1")))
    send(engine, fk("fk-1", "KOMPLT", deadline_days=3), fk("fk-2", "AVSTMN"), fk("fk-3", "KONTKT"))
    headers = {"Authorization": f"Bearer {token_for(engine, 'koord')}"}
    rows = app_client.get(f"/api/units/{UNIT}/cases", headers=headers).json()
    (mine,) = [r for r in rows if r["patient_id"] == pnr(70)]
    assert (mine["completions"], mine["questions"], mine["matters_overdue"]) == (1, 2, False)
    others = [r for r in rows if r["patient_id"] != pnr(70)]
    assert all(r["completions"] == 0 for r in others)
    patient = app_client.get(
        f"/api/patients/{mine['patient_ref']}?unit={UNIT}", headers=headers
    ).json()
    assert (patient["completions"], patient["questions"]) == (1, 2)


def test_the_patient_page_lists_messages_and_a_coordinator_marks_one_handled(
    engine: Engine, data: object, as_user: Callable[[str], TestClient]
) -> None:
    send(engine, writing.register_certificate(cert("m-1")))
    send(engine, fk("fk-1", "KOMPLT", deadline_days=-2), fk("fk-2", "OVRIGT"))
    # The same patient has a certificate and a question at a unit the
    # coordinator does not work at.
    assert send(engine, writing.register_certificate(cert("m-foreign", unit=FOREIGN_UNIT))) == [
        "stored"
    ]
    assert send(engine, fk("fk-foreign", "OVRIGT", about="m-foreign")) == ["stored"]
    with session_scope(engine) as session:
        ref = session.get_one(Patient, pnr(70)).ref
        other_ref = session.scalars(select(Patient.ref).where(Patient.id != pnr(70))).first()
    client = as_user("koord")
    page = client.get(f"/patients/{ref}")
    assert page.status_code == 200
    assert "Ärenden från Försäkringskassan" in page.text
    assert "Vänligen komplettera intyget." in page.text
    assert "försenad" in page.text
    token = form_token(client)
    # Another patient's page with this message: not found, nothing marked.
    wrong = client.post(f"/patients/{other_ref}/matters/fk-2/handled", data={"csrf_token": token})
    assert wrong.status_code in (403, 404)
    # The right patient but another unit's message: not found, nothing marked.
    foreign = client.post(f"/patients/{ref}/matters/fk-foreign/handled", data={"csrf_token": token})
    assert foreign.status_code == 404
    done = client.post(f"/patients/{ref}/matters/fk-2/handled", data={"csrf_token": token})
    assert done.status_code == 303
    with session_scope(engine) as session:
        handled = session.get_one(CareMessage, "fk-2")
        assert handled.handled_by == "koord"
        assert session.get_one(CareMessage, "fk-foreign").handled_at is None
        assert session.get_one(CareMessage, "fk-1").handled_at is None
        logged = session.scalars(
            select(AccessLog.action).where(AccessLog.action == "matter_handled")
        ).all()
    assert logged == ["matter_handled"]
    assert "Hanterad" in client.get(f"/patients/{ref}").text


def test_messages_are_grouped_per_certificate_newest_first() -> None:
    # Certificate "b" has the newest message (3 March), so its group comes
    # first, though "a" has more; inside "a", 2 March before 1 March; the two
    # messages of 1 March (a-1, c-1) are ties between groups: "a" has a newer
    # one anyway, and "c" (only 1 March) comes last.
    def msg(message_id: str, cert_id: str, day_: int) -> CareMessage:
        return CareMessage(
            id=message_id, certificate_id=cert_id, sent_at=datetime(2026, 3, day_, 8, 0)
        )

    groups = matters.by_certificate(
        [msg("a-1", "a", 1), msg("c-1", "c", 1), msg("b-1", "b", 3), msg("a-2", "a", 2)]
    )
    assert [(cert, [m.id for m in group]) for cert, group in groups] == [
        ("b", ["b-1"]),
        ("a", ["a-2", "a-1"]),
        ("c", ["c-1"]),
    ]


def test_the_patient_page_groups_messages_per_certificate(
    engine: Engine, data: object, as_user: Callable[[str], TestClient]
) -> None:
    # m-1 gets a request (sent day -5); m-2 is signed later and gets a question
    # sent day -2: m-2's group comes first.
    send(engine, writing.register_certificate(cert("m-1")))
    send(engine, writing.register_certificate(cert("m-2", signed=-3)))
    send(
        engine,
        fk("fk-1", "KOMPLT", deadline_days=5),
        writing.send_message_to_care(
            message_id="fk-9",
            cert=cert("m-2", signed=-3),
            subject="KONTKT",
            sent_at=datetime.fromisoformat(f"{day(-2)}T08:00:00"),
            text="Ring oss.",
        ),
    )
    with session_scope(engine) as session:
        ref = session.get_one(Patient, pnr(70)).ref
    text = as_user("koord").get(f"/patients/{ref}").text
    assert text.count('class="matter-group"') == 2
    assert text.index("Intyg m-2") < text.index("Ring oss.") < text.index("Intyg m-1")
    assert text.index("Intyg m-1") < text.index("Vänligen komplettera intyget.")
