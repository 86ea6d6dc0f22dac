"""Correcting and withdrawing coordination entries through the JSON API: the
same rights as the record page (the author or a coordinator of the unit),
another patient's or unit's entry answers 404 and changes and logs nothing,
bad input is refused naming the field, the history is kept and shown."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from rehabkoll.coordination.models import Contact, EntryVersion, Task
from rehabkoll.db.session import session_scope
from tests.audit_helpers import reads
from tests.factories import OTHER_UNIT, UNIT
from tests.web.conftest import Data
from tests.web.test_api import bearer
from tests.web.test_coordination_access import changes_logged, make_entries
from tests.web.test_coordination_corrections import contact_by
from tests.web.test_patient import ref_of

TODAY = date.today()


def url(engine: Engine, patient: str, path: str, unit: str = UNIT) -> str:
    return f"/api/patients/{ref_of(engine, patient)}/coordination/{path}?unit={unit}"


def versions(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(session.scalars(select(EntryVersion)).all())


def test_the_author_corrects_a_contact_and_the_history_keeps_the_old_text(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    contact = contact_by(engine, "koord", data.anna)
    # Only the summary changes; the day and the way stay as they were.
    answer = app_client.post(
        url(engine, data.anna, f"contact/{contact}/correct"),
        json={"reason": "Fel i sammanfattningen", "values": {"summary": "Besök om deltid"}},
        headers=bearer(engine, "koord"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["values"] == {
        "day": TODAY.isoformat(),
        "way": "phone",
        "summary": "Besök om deltid",
    }
    assert body["retracted"] is False
    [old] = body["history"]
    assert old["change"] == "corrected"
    assert old["values"]["summary"] == "Samtal om återgång"
    assert (old["reason"], old["changed_by"]) == ("Fel i sammanfattningen", "koord")
    with session_scope(engine) as session:
        assert session.get_one(Contact, contact).summary == "Besök om deltid"
    assert changes_logged(engine) == [data.anna]
    # The same correction again changes nothing and keeps nothing more.
    again = app_client.post(
        url(engine, data.anna, f"contact/{contact}/correct"),
        json={"reason": "Fel i sammanfattningen", "values": {"summary": "Besök om deltid"}},
        headers=bearer(engine, "koord"),
    )
    assert again.status_code == 200
    assert versions(engine) == 1
    # The patient's record names each entry's id, for the caller to correct it.
    record = app_client.get(
        f"/api/patients/{ref_of(engine, data.anna)}?unit={UNIT}", headers=bearer(engine, "koord")
    ).json()["coordination"]
    assert {"id": contact, "retracted": False}.items() <= record["contacts"][0].items()


def test_a_withdrawn_task_is_marked_in_the_record_and_cannot_be_corrected(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    task = make_entries(engine, data).tasks[data.anna, UNIT]
    headers = bearer(engine, "koord")
    path = url(engine, data.anna, f"task/{task}/retract")
    answer = app_client.post(path, json={"reason": "Fel patient"}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["retracted"] is True
    assert answer.json()["retract_reason"] == "Fel patient"
    # Twice: nothing more changes.
    assert app_client.post(path, json={"reason": "Fel patient"}, headers=headers).status_code == 200
    assert versions(engine) == 1
    with session_scope(engine) as session:
        assert session.get_one(Task, task).retracted_by == "koord"
    record = app_client.get(
        f"/api/patients/{ref_of(engine, data.anna)}?unit={UNIT}", headers=headers
    ).json()["coordination"]
    assert [t["retracted"] for t in record["tasks"] if t["id"] == task] == [True]
    refused = app_client.post(
        url(engine, data.anna, f"task/{task}/correct"),
        json={"reason": "Ny titel", "values": {"title": "Ring chefen"}},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.json()["reason"] == "Posten är återkallad och kan inte rättas."
    # One entry with its history, read through the API, is logged as a read.
    read = app_client.get(url(engine, data.anna, f"task/{task}"), headers=headers)
    assert read.status_code == 200
    assert [v["change"] for v in read.json()["history"]] == ["retracted"]
    with session_scope(engine) as session:
        last, patient = reads(session)[-1]
        assert (last.action, patient) == ("api_patient", data.anna)


def test_only_the_author_or_a_coordinator_may_change_an_entry(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    contact = contact_by(engine, "lakare", data.anna)
    fix = {"reason": "Fel", "values": {"summary": "Rättad"}}
    path = url(engine, data.anna, f"contact/{contact}/correct")
    # lakare2, another doctor, did not write it; a manager sees no patients.
    for username in ("lakare2", "chef"):
        answer = app_client.post(path, json=fix, headers=bearer(engine, username))
        assert answer.status_code == 403, username
    assert versions(engine) == 0
    assert changes_logged(engine) == []
    # lakare wrote it; koord coordinates the unit.
    assert app_client.post(path, json=fix, headers=bearer(engine, "lakare")).status_code == 200
    fix["values"] = {"summary": "Rättad igen"}
    assert app_client.post(path, json=fix, headers=bearer(engine, "koord")).status_code == 200
    assert versions(engine) == 2


@pytest.mark.parametrize("change", ["correct", "retract"])
def test_another_patients_or_units_entry_is_404_and_changes_and_logs_nothing(
    change: str, app_client: TestClient, data: Data, engine: Engine
) -> None:
    tasks = make_entries(engine, data).tasks
    headers = bearer(engine, "koord")  # coordinator of both units
    body = (
        {"reason": "Fel", "values": {"title": "Ny titel"}}
        if change == "correct"
        else {"reason": "Fel"}
    )

    def post(patient: str, task: int, unit: str = UNIT, kind: str = "task") -> int:
        path = url(engine, patient, f"{kind}/{task}/{change}", unit)
        return app_client.post(path, json=body, headers=headers).status_code

    # Bertil's task through Anna, Anna's task at the other unit through this one,
    # a task id that does not exist, a consent's id asked as a task's.
    assert post(data.anna, tasks[data.bertil, UNIT]) == 404
    assert post(data.anna, tasks[data.anna, OTHER_UNIT]) == 404
    assert post(data.anna, max(tasks.values()) + 99) == 404
    # A kind that is not one: refused by the path's schema.
    assert post(data.anna, tasks[data.anna, UNIT], kind="status") == 422
    # A unit that is not the caller's, and a protected patient: 403.
    assert (
        app_client.post(
            url(engine, data.anna, f"task/{tasks[data.anna, UNIT]}/{change}", "SE0000000000-XXXX"),
            json=body,
            headers=headers,
        ).status_code
        == 403
    )
    assert post(data.cecilia, tasks[data.cecilia, UNIT]) == 403
    assert versions(engine) == 0
    assert changes_logged(engine) == []
    # Bertil's task through Bertil: changed, logged under Bertil.
    assert post(data.bertil, tasks[data.bertil, UNIT]) == 200
    assert changes_logged(engine) == [data.bertil]


def test_bad_input_is_refused_naming_the_field(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    contact = contact_by(engine, "koord", data.anna)
    headers = bearer(engine, "koord")
    path = url(engine, data.anna, f"contact/{contact}/correct")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    cases = [
        # (body, field, part of the reason)
        ({"reason": "Fel", "values": {"day": tomorrow}}, "values.day", "i förväg"),
        ({"reason": "Fel", "values": {"day": "2026-02-30"}}, "values.day", "calendar"),
        ({"reason": "Fel", "values": {"way": "pigeon"}}, "values.way", "ways of contact"),
        ({"reason": "Fel", "values": {"title": "x"}}, "values.title", "cannot be corrected"),
        ({"reason": " ", "values": {"summary": "x"}}, "reason", "anledningen sparas"),
        ({"values": {"summary": "x"}}, "reason", "required"),
        ({"reason": "Fel"}, "values", "required"),
        ({"reason": "Fel", "values": {}, "extra": 1}, "extra", "unknown field"),
    ]
    for body, field, reason in cases:
        answer = app_client.post(path, json=body, headers=headers)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["field"] == field, (body, answer.json())
        assert reason in answer.json()["reason"], (body, answer.json())
    not_json = app_client.post(path, content=b"{nej", headers=headers)
    assert not_json.status_code == 400
    assert versions(engine) == 0
    assert changes_logged(engine) == []


def test_the_openapi_document_describes_the_corrections(app_client: TestClient) -> None:
    document = app_client.get("/api/openapi.json").json()
    base = "/api/patients/{patient_ref}/coordination/{kind}/{entry_id}"
    for path, method in ((base, "get"), (f"{base}/correct", "post"), (f"{base}/retract", "post")):
        operation = document["paths"][path][method]
        assert {"403", "404", "422"} <= set(operation["responses"]), path
        assert operation["security"], path
    body = document["paths"][f"{base}/correct"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert schema["required"] == ["reason", "values"]
    assert "contact: day, way, summary" in schema["properties"]["values"]["description"]
