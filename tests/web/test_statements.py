"""The page Läkarutlåtanden: the unit's statements of the last three years,
a doctor's own only, filters, every patient shown logged, never in a case.
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from rehabkoll.audit.models import AccessLog
from rehabkoll.certificates import service as certificates
from rehabkoll.certificates.models import Certificate as StoredCertificate
from rehabkoll.certificates.schema import Certificate, parse_document
from rehabkoll.db.session import session_scope
from rehabkoll.exchange import service, writing
from rehabkoll.exchange.safexml import schemas_dir
from tests.audit_helpers import patients_read
from tests.factories import DOCTOR, OTHER_UNIT, certificate, pnr
from tests.web.conftest import DOCTOR_2, UNIT, Data, day, form_token

pytestmark = pytest.mark.skipif(
    not schemas_dir().is_dir(), reason="the shared RIVTA schemas are not here"
)

Login = Callable[[str], TestClient]


def statement(
    cert_id: str,
    patient: str,
    *,
    doctor: str = DOCTOR,
    unit: str = UNIT,
    signed: int = -30,
    form: str = "LUSE",
    diagnosis: str = "F32.1",
) -> bytes:
    doc = parse_document(
        certificate(
            cert_id,
            patient=patient,
            doctor=doctor,
            unit=unit,
            diagnosis=diagnosis,
            periods=[(day(signed), day(signed + 10), 100)],
            signed_at=f"{day(signed)}T10:00:00",
        )
    )
    assert isinstance(doc, Certificate)
    return writing.register_certificate(doc, form=form, version="1.0")


def seed(engine: Engine) -> None:
    messages = [
        statement("s-1", pnr(80), doctor=DOCTOR),
        statement("s-2", pnr(81), doctor=DOCTOR_2, form="LUAE_NA", diagnosis="M54.5"),
        statement("s-old", pnr(82), signed=-4 * 366),  # older than three years
        statement("s-other", pnr(83), unit=OTHER_UNIT),
    ]
    with session_scope(engine) as session:
        batch = certificates.start_batch(session, "test")
        items = [service.read_item(n, m) for n, m in enumerate(messages, start=1)]
        result = service.receive(session, batch, items, sender="test")
    assert [r.outcome for r in result.results] == ["stored"] * 4


def logged(engine: Engine, username: str) -> list[str]:
    with session_scope(engine) as session:
        return sorted(
            patients_read(
                session, AccessLog.username == username, AccessLog.action == "statements_view"
            )
        )


def test_a_coordinator_sees_the_units_statements_of_three_years_and_reads_are_logged(
    engine: Engine, data: Data, as_user: Login
) -> None:
    seed(engine)
    page = as_user("koord").get("/statements")
    assert page.status_code == 200
    assert pnr(80) in page.text
    assert pnr(81) in page.text
    assert pnr(82) not in page.text  # four years old
    assert pnr(83) not in page.text  # another unit
    assert "FK 7801" in page.text
    assert logged(engine, "koord") == [pnr(80), pnr(81)]
    with session_scope(engine) as session:  # statements never become certificates (cases)
        assert session.get(StoredCertificate, "s-1") is None


def test_a_doctor_sees_their_own(engine: Engine, data: Data, as_user: Login) -> None:
    seed(engine)
    page = as_user("lakare").get("/statements")
    assert pnr(80) in page.text
    assert pnr(81) not in page.text
    assert logged(engine, "lakare") == [pnr(80)]


def test_filters_are_posted_and_narrow_the_list(engine: Engine, data: Data, as_user: Login) -> None:
    seed(engine)
    client = as_user("koord")
    token = form_token(client)
    by_form = client.post("/statements", data={"csrf_token": token, "form": "LUAE_NA"})
    assert pnr(81) in by_form.text
    assert pnr(80) not in by_form.text
    by_text = client.post("/statements", data={"csrf_token": token, "text": pnr(80)})
    assert pnr(80) in by_text.text
    assert pnr(81) not in by_text.text
    by_chapter = client.post("/statements", data={"csrf_token": token, "chapter": "M"})
    assert pnr(81) in by_chapter.text
    assert pnr(80) not in by_chapter.text
    without_token = client.post("/statements", data={"form": "LUSE"})
    assert without_token.status_code == 403


def test_roles_without_patient_data_get_no_statements(
    engine: Engine, data: Data, as_user: Login
) -> None:
    seed(engine)
    for user in ("chef", "analytiker"):
        page = as_user(user).get("/statements")
        assert page.status_code in (303, 403), user
        assert pnr(80) not in page.text


def test_the_patient_tab_shows_the_statements_to_those_who_see_them(
    engine: Engine, data: Data, as_user: Login
) -> None:
    seed(engine)
    from rehabkoll.certificates.models import Patient

    with session_scope(engine) as session:
        refs = {p: session.get_one(Patient, p).ref for p in (pnr(80), pnr(81), pnr(83))}
    koord = as_user("koord")
    # A patient with a statement and no case at the unit: opened from the list.
    page = koord.get(f"/patients/{refs[pnr(80)]}/statements")
    assert page.status_code == 200
    assert "FK 7800 Sjukersättning" in page.text
    assert "s-1" in page.text
    # Another unit's patient, with nothing at this unit: out of reach.
    assert koord.get(f"/patients/{refs[pnr(83)]}/statements").status_code == 403
    # A doctor opens their own statement's patient, not a colleague's.
    doctor = as_user("lakare")
    assert doctor.get(f"/patients/{refs[pnr(80)]}/statements").status_code == 200
    assert doctor.get(f"/patients/{refs[pnr(81)]}/statements").status_code == 403
    assert pnr(80) in logged(engine, "lakare")
    assert pnr(81) not in logged(engine, "lakare")
