"""The risk in the JSON API: every case object carries ``risk``; ``POST
/api/risk/score`` scores one certificate's features and stores nothing. On
SQLite and PostgreSQL; another unit's cases and patients stay out of reach."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from rehabkoll.audit.models import AccessLog
from rehabkoll.certificates.models import Certificate, Patient
from rehabkoll.db.session import session_scope
from rehabkoll.risk.models import StoredRiskModel
from tests.audit_helpers import reads
from tests.factories import OTHER_UNIT, UNIT
from tests.risk_helpers import store_model
from tests.web.conftest import Data
from tests.web.test_api import bearer
from tests.web.test_patient import ref_of

pytestmark = pytest.mark.postgres

RISK_KEYS = {
    "probability",
    "category",
    "model_version",
    "question",
    "given_days",
    "lasted",
    "reason",
}
BODY: dict[str, Any] = {
    "age": 44,
    "sex": "M",
    "diagnosis": "M54.5",
    "degree": 50,
    "occupation": ["CURRENT_JOB"],
    "unit_kind": "other",
}


def _rows(client: TestClient, engine: Engine, unit: str = UNIT) -> dict[str, dict[str, Any]]:
    answer = client.get(f"/api/units/{unit}/cases", headers=bearer(engine, "koord"))
    assert answer.status_code == 200
    return {r["patient_id"]: r for r in answer.json()}


def test_every_case_object_carries_its_risk(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    version = store_model(engine)
    rows = _rows(app_client, engine)
    for row in rows.values():
        assert set(row["risk"]) == RISK_KEYS
    # Bertil: 20 days before today to 10 days after: 21 days covered today, so
    # "more than 90 days?" re-estimated after 15 days (the largest Y passed).
    bertil = rows[data.bertil]["risk"]
    assert bertil["question"] == ">90 dagar"
    assert bertil["given_days"] == 15
    assert bertil["lasted"] == 21
    assert bertil["model_version"] == version
    assert 0 < bertil["probability"] < 1
    assert bertil["category"] in {"Måttlig risk", "Hög risk", "Mycket hög risk"}
    assert bertil["reason"] is None
    # Anna: 100 days before today: 101 covered, past day 90, so "more than 180
    # days?" given more than 90.
    anna = rows[data.anna]["risk"]
    assert (anna["question"], anna["given_days"], anna["lasted"]) == (">180 dagar", 90, 101)
    assert anna["probability"] is not None


def test_without_a_model_the_risk_says_why(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    risk = _rows(app_client, engine)[data.bertil]["risk"]
    assert risk["probability"] is None
    assert risk["category"] is None
    assert risk["model_version"] is None
    assert risk["reason"] == "Ingen riskmodell är tränad"


def test_the_patient_carries_the_risk_and_the_read_is_logged(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    store_model(engine)
    ref = ref_of(engine, data.bertil)
    answer = app_client.get(f"/api/patients/{ref}?unit={UNIT}", headers=bearer(engine, "koord"))
    assert answer.status_code == 200
    (case,) = answer.json()["cases"]
    assert case["risk"]["question"] == ">90 dagar"
    assert (
        case["risk"]["probability"] == _rows(app_client, engine)[data.bertil]["risk"]["probability"]
    )
    with session_scope(engine) as session:
        logged = [e.action for e, p in reads(session) if p == data.bertil]
    assert "api_patient" in logged


def test_another_units_cases_and_patients_are_out_of_reach(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    store_model(engine)
    # lakare works at UNIT only: OTHER_UNIT's list, and David (OTHER_UNIT only)
    # through either unit, are refused, and nothing of them is logged.
    headers = bearer(engine, "lakare")
    assert app_client.get(f"/api/units/{OTHER_UNIT}/cases", headers=headers).status_code == 403
    david = ref_of(engine, data.david)
    for unit in (UNIT, OTHER_UNIT):
        answer = app_client.get(f"/api/patients/{david}?unit={unit}", headers=headers)
        assert answer.status_code in (403, 404)
        assert "risk" not in answer.text
    with session_scope(engine) as session:
        assert not [e for e, p in reads(session) if p == data.david]
    # The coordinator of both units sees David's case with its risk at OTHER_UNIT only.
    assert data.david not in _rows(app_client, engine)
    assert _rows(app_client, engine, OTHER_UNIT)[data.david]["risk"]["model_version"] == 1


def _counts(engine: Engine) -> tuple[int, int, int]:
    with session_scope(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(Certificate)) or 0,
            session.scalar(select(func.count()).select_from(Patient)) or 0,
            session.scalar(select(func.count()).select_from(StoredRiskModel)) or 0,
        )


def test_scoring_a_certificates_features_stores_nothing_and_logs_no_patient(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    store_model(engine)
    before = _counts(engine)
    answer = app_client.post("/api/risk/score", json=BODY, headers=bearer(engine, "lakare"))
    assert answer.status_code == 200, answer.text
    out = answer.json()
    # days_lasted defaults to 15: the day-15 question, from the main model.
    assert out["risk"]["question"] == ">90 dagar"
    assert out["risk"]["given_days"] == 14
    assert 0 < out["risk"]["probability"] < 1
    assert out["estimates"] == [
        {"question": ">90 dagar", "given_days": 14, "probability": out["risk"]["probability"]}
    ]
    assert len(out["explanation"]) <= 3
    assert out["diagnosis_cases"] > 0  # M54 is among the training cases
    assert _counts(engine) == before
    with session_scope(engine) as session:
        entries = session.execute(
            select(AccessLog.action, AccessLog.patient_list_id, AccessLog.detail).where(
                AccessLog.username == "lakare"
            )
        ).all()
    assert [tuple(e) for e in entries] == [
        ("api_risk_score", None, "Riskberäkning utan patient, modellversion 1")
    ]


def test_scoring_answers_the_question_of_the_days_lasted(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    store_model(engine)
    headers = bearer(engine, "lakare")

    def risk(days: int) -> dict[str, Any]:
        answer = app_client.post(
            "/api/risk/score", json={**BODY, "days_lasted": days}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json()["risk"])

    assert (risk(40)["question"], risk(40)["given_days"]) == (">90 dagar", 30)
    assert (risk(130)["question"], risk(130)["given_days"]) == (">180 dagar", 120)
    assert (risk(200)["question"], risk(200)["given_days"]) == (">365 dagar", 180)
    past = risk(400)
    assert past["probability"] is None
    assert past["reason"] == "Sjukfallet har passerat 365 dagar"


def test_the_same_features_score_as_the_case_does(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    # Bertil: a man, M54.5 at 50 %, current job, no earlier cases; his age and
    # unit kind as the case's day-15 features have them; 21 days lasted.
    store_model(engine)
    case = _rows(app_client, engine)[data.bertil]["risk"]
    with session_scope(engine) as session:
        from rehabkoll.cases import service as cases_service
        from rehabkoll.risk import service
        from tests.web.conftest import TODAY

        rows = cases_service.work_list(session, unit_id=UNIT, as_of=TODAY)
        (mine,) = [
            c.features
            for c in service.day15_rows(session, rows, unit_id=UNIT, as_of=TODAY)
            if c.patient_id == data.bertil
        ]
    assert mine is not None
    body = {
        **BODY,
        "age": mine["age"],
        "unit_kind": mine["unit_kind"],
        "latest_previous_days_12m": mine["previous_long_days"],
        "days_lasted": 21,
    }
    scored = app_client.post("/api/risk/score", json=body, headers=bearer(engine, "lakare"))
    assert scored.json()["risk"]["probability"] == case["probability"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({k: v for k, v in BODY.items() if k != "age"}, "age"),
        ({**BODY, "age": 12}, "age"),
        ({**BODY, "sex": "X"}, "sex"),
        ({**BODY, "diagnosis": "U99.9"}, "diagnosis"),  # the right shape, not on the list
        ({**BODY, "diagnosis": "nonsense"}, "diagnosis"),
        ({**BODY, "secondary_diagnoses": ["F32.1", "Ö1"]}, "secondary_diagnoses.1"),
        ({**BODY, "degree": 60}, "degree"),
        ({**BODY, "occupation": []}, "occupation"),
        ({**BODY, "patient": "19121212-1212"}, "patient"),
        ([BODY], "(body)"),
    ],
)
def test_bad_input_names_the_field(
    app_client: TestClient, data: Data, engine: Engine, body: Any, field: str
) -> None:
    answer = app_client.post("/api/risk/score", json=body, headers=bearer(engine, "lakare"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert "19121212" not in answer.text


def test_who_may_score(app_client: TestClient, data: Data, engine: Engine) -> None:
    assert app_client.post("/api/risk/score", json=BODY).status_code == 401
    for username in ("chef", "analytiker", "admin"):
        answer = app_client.post("/api/risk/score", content=b"{", headers=bearer(engine, username))
        assert answer.status_code == 403  # the role, before the body is read
    not_json = app_client.post("/api/risk/score", content=b"{", headers=bearer(engine, "koord"))
    assert not_json.status_code == 400
    assert not_json.json()["field"] == "(body)"
    # Without a model: 200 with the reason, and the log says no model.
    empty = app_client.post("/api/risk/score", json=BODY, headers=bearer(engine, "koord"))
    assert empty.status_code == 200
    assert empty.json()["risk"]["reason"] == "Ingen riskmodell är tränad"
