"""The JSON API: the work list, one patient, certificate intake."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from rehabkoll.audit.models import AccessLog
from rehabkoll.cases.engine import JSON_KEYS
from rehabkoll.certificates.models import Certificate
from rehabkoll.db.session import session_scope
from tests.audit_helpers import patients_read
from tests.factories import OTHER_UNIT, UNIT, certificate, pnr
from tests.web.conftest import Data, day, signed, token_for
from tests.web.test_patient import actions, ref_of


def bearer(engine: Engine, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(engine, username)}"}


def test_the_work_list_has_the_foundation_keys_plus_ref_and_status(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    answer = app_client.get(f"/api/units/{UNIT}/cases", headers=bearer(engine, "koord"))
    assert answer.status_code == 200
    rows = answer.json()
    assert {r["patient_id"] for r in rows} == {data.anna, data.bertil}
    for row in rows:
        assert set(JSON_KEYS) | {"patient_ref", "status"} <= set(row)
        assert data.anna not in row["patient_ref"]
    with session_scope(engine) as session:
        logged = session.scalars(select(AccessLog.action).where(AccessLog.username == "koord"))
        assert list(logged) == ["api_worklist"]  # one entry for the call, naming both
        assert sorted(patients_read(session)) == sorted([data.anna, data.bertil])


def test_the_work_list_takes_as_of_gap_and_recent(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    headers = bearer(engine, "koord")
    recent = app_client.get(f"/api/units/{UNIT}/cases?recent=7", headers=headers).json()
    assert data.erik in {r["patient_id"] for r in recent}
    past = app_client.get(f"/api/units/{UNIT}/cases?as_of={day(-90)}", headers=headers).json()
    assert {r["patient_id"] for r in past} == {data.anna}
    bad = app_client.get(f"/api/units/{UNIT}/cases?gap=91", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["field"] == "gap"


def test_a_doctor_gets_only_their_rows(app_client: TestClient, data: Data, engine: Engine) -> None:
    rows = app_client.get(f"/api/units/{UNIT}/cases", headers=bearer(engine, "lakare2")).json()
    assert {r["patient_id"] for r in rows} == {data.bertil}


def test_a_unit_that_is_not_the_users_is_forbidden(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    answer = app_client.get(f"/api/units/{OTHER_UNIT}/cases", headers=bearer(engine, "lakare"))
    assert answer.status_code == 403
    manager = app_client.get(f"/api/units/{UNIT}/cases", headers=bearer(engine, "chef"))
    assert manager.status_code == 403


def test_one_patient_with_cases_and_coordination_record(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    ref = ref_of(engine, data.anna)
    answer = app_client.get(f"/api/patients/{ref}?unit={UNIT}", headers=bearer(engine, "koord"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["patient_ref"] == ref
    assert body["cases"][0]["start"] == day(-100)
    assert body["coordination"]["version"] == 0
    assert actions(engine, data.anna) == ["api_patient"]


def test_a_patient_out_of_reach_is_forbidden(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    headers = bearer(engine, "lakare")
    bertil = ref_of(engine, data.bertil)
    assert app_client.get(f"/api/patients/{bertil}?unit={UNIT}", headers=headers).status_code == 403
    cecilia = ref_of(engine, data.cecilia)
    coord = bearer(engine, "koord")
    assert app_client.get(f"/api/patients/{cecilia}?unit={UNIT}", headers=coord).status_code == 403
    assert app_client.get(f"/api/patients/nope?unit={UNIT}", headers=coord).status_code == 404


def count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Certificate)) or 0


def test_certificate_intake_validates_stores_once_and_revokes(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    headers = bearer(engine, "admin")
    before = count(engine)
    doc = certificate(
        "api-1", patient=pnr(9), periods=[(day(-3), day(10), 100)], signed_at=signed(-3)
    )
    first = app_client.post("/api/certificates", json=doc, headers=headers)
    assert first.status_code == 201
    assert first.json() == {"id": "api-1", "stored": 1, "unchanged": 0, "notices": []}
    again = app_client.post("/api/certificates", json=doc, headers=headers)
    assert again.status_code == 200
    assert again.json()["unchanged"] == 1
    assert count(engine) == before + 1
    bad = app_client.post(
        "/api/certificates",
        json={**doc, "id": "api-2", "diagnosis": {"code": "X"}},
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "diagnosis.code"
    assert bad.json()["reason"]
    revoke = app_client.post(
        "/api/certificates/api-1/revoke", json={"revoked_at": f"{day(0)}T10:00:00"}, headers=headers
    )
    assert revoke.status_code == 200
    assert revoke.json()["stored"] == 1
    unknown = app_client.post(
        "/api/certificates/none/revoke", json={"revoked_at": f"{day(0)}T10:00:00"}, headers=headers
    )
    assert unknown.status_code == 404


def test_certificate_intake_needs_an_admin_token(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    doc = certificate(
        "api-3", patient=pnr(9), periods=[(day(-3), day(10), 100)], signed_at=signed(-3)
    )
    assert app_client.post("/api/certificates", json=doc).status_code == 401
    refused = app_client.post("/api/certificates", json=doc, headers=bearer(engine, "koord"))
    assert refused.status_code == 403


def test_the_openapi_document_lists_the_api(app_client: TestClient) -> None:
    paths = app_client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/units/{unit_id}/cases",
        "/api/patients/{patient_ref}",
        "/api/certificates",
        "/api/certificates/{certificate_id}/revoke",
    } <= set(paths)
