"""The patient page: who may open whom, what is logged, other units on request."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from rehabkoll.audit.models import AccessLogPatient
from rehabkoll.certificates.models import Patient
from rehabkoll.db.session import session_scope
from tests.audit_helpers import reads
from tests.factories import OTHER_UNIT
from tests.web.conftest import Data, Login, form_token


def ref_of(engine: Engine, patient_id: str) -> str:
    with session_scope(engine) as session:
        ref = session.scalar(select(Patient.ref).where(Patient.id == patient_id))
        assert ref is not None
        return ref


def actions(engine: Engine, patient_id: str) -> list[str]:
    with session_scope(engine) as session:
        return [
            entry.action for entry, _ in reads(session, AccessLogPatient.patient_id == patient_id)
        ]


def test_a_coordinator_opens_a_patient_by_reference_and_it_is_logged(
    as_user: Login, data: Data, engine: Engine
) -> None:
    page = as_user("koord").get(f"/patients/{ref_of(engine, data.anna)}")
    assert page.status_code == 200
    assert data.anna in page.text
    assert "Dag 30" in page.text, "milestones on the timeline"
    assert "Dag 90" in page.text
    assert page.text.count('<svg class="timeline timeline-wide"') == 1
    assert actions(engine, data.anna) == ["patient_view"]


def test_the_cases_are_newest_first_with_their_certificates(
    as_user: Login, data: Data, engine: Engine
) -> None:
    page = as_user("koord").get(f"/patients/{ref_of(engine, data.anna)}").text
    assert "(100 %)" in page
    assert "(50 %)" in page
    assert "J06.9" not in page, "another unit's certificate is not shown unasked"


def test_other_units_certificates_appear_only_when_asked_and_are_logged(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    ref = ref_of(engine, data.anna)
    page = client.get(f"/patients/{ref}?other_unit={OTHER_UNIT}")
    assert page.status_code == 200
    assert "J06.9" in page.text
    assert actions(engine, data.anna) == ["patient_view", "other_unit_view"]


def test_a_unit_of_another_care_provider_is_refused(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    answer = client.get(f"/patients/{ref_of(engine, data.anna)}?other_unit=SE2321000032-U009")
    assert answer.status_code == 403


def test_a_doctor_cannot_open_another_doctors_patient(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("lakare")
    assert client.get(f"/patients/{ref_of(engine, data.bertil)}").status_code == 403
    assert client.get(f"/patients/{ref_of(engine, data.anna)}").status_code == 200
    assert actions(engine, data.bertil) == []


def test_a_protected_patient_opens_only_for_the_signing_doctor(
    as_user: Login, data: Data, engine: Engine
) -> None:
    ref = ref_of(engine, data.cecilia)
    assert as_user("koord").get(f"/patients/{ref}").status_code == 403


def test_the_signing_doctor_sees_a_protected_patient_masked(
    as_user: Login, data: Data, engine: Engine
) -> None:
    page = as_user("lakare").get(f"/patients/{ref_of(engine, data.cecilia)}")
    assert page.status_code == 200
    assert "Skyddad personuppgift" in page.text
    assert data.cecilia not in page.text


def test_a_patient_of_another_unit_is_refused(as_user: Login, data: Data, engine: Engine) -> None:
    client = as_user("koord")
    assert client.get(f"/patients/{ref_of(engine, data.david)}").status_code == 403
    client.post("/unit", data={"unit_id": OTHER_UNIT, "csrf_token": form_token(client)})
    assert client.get(f"/patients/{ref_of(engine, data.david)}").status_code == 200


def test_a_manager_opens_no_patient(as_user: Login, data: Data, engine: Engine) -> None:
    assert as_user("chef").get(f"/patients/{ref_of(engine, data.anna)}").status_code == 403


def test_an_unknown_reference_is_not_found(as_user: Login) -> None:
    assert as_user("koord").get("/patients/no-such-ref").status_code == 404


def test_uvicorn_style_paths_never_hold_a_personnummer(
    app_client: TestClient, as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    page = client.get(f"/patients/{ref_of(engine, data.anna)}").text
    for href in re.findall(r'(?:href|action)="([^"]+)"', page):
        assert data.anna not in href
        assert data.anna.replace("-", "") not in href


def test_the_print_view_is_logged_as_a_print(as_user: Login, data: Data, engine: Engine) -> None:
    page = as_user("koord").get(f"/patients/{ref_of(engine, data.anna)}/print")
    assert page.status_code == 200
    assert "Skriv ut" in page.text
    assert actions(engine, data.anna) == ["print"]


def test_a_synthetic_personnummer_is_marked_on_the_patient_page(
    as_user: Login, data: Data, engine: Engine
) -> None:
    # The test data's numbers are synthetic (month of birth + 20): the page says so.
    page = as_user("koord").get(f"/patients/{ref_of(engine, data.anna)}").text
    head = page.split('<header class="patient-head">', 1)[1].split("</header>", 1)[0]
    assert data.anna in head
    assert ">syntetiskt</span>" in head
