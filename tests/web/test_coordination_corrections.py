"""Correcting and withdrawing entries on the record page: who may, what an id
of another patient or unit gets, the typing kept on a refusal, the history
shown and the access log naming the entry's own patient."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from rehabkoll.accounts import service as accounts
from rehabkoll.audit.details import detail_text
from rehabkoll.audit.models import AccessLog
from rehabkoll.coordination import corrections
from rehabkoll.coordination import service as coordination
from rehabkoll.coordination.errors import InvalidEntryError
from rehabkoll.coordination.models import Contact, EntryVersion, Task
from rehabkoll.db.session import session_scope
from tests.factories import OTHER_UNIT, UNIT
from tests.web.conftest import Data, Login, form_token
from tests.web.test_coordination_access import changes_logged, make_entries
from tests.web.test_patient import ref_of

TODAY = date.today()


def post(client: TestClient, engine: Engine, patient: str, path: str, **fields: object) -> int:
    url = f"/patients/{ref_of(engine, patient)}/coordination/{path}"
    answer = client.post(url, data={**fields, "csrf_token": form_token(client)})
    return answer.status_code


def contact_by(engine: Engine, username: str, patient: str) -> int:
    """A contact on the patient at UNIT, written by ``username``."""
    with session_scope(engine) as session:
        user = accounts.get_user(session, username=username)
        assert user is not None
        return coordination.add_contact(
            session,
            patient_id=patient,
            unit_id=UNIT,
            day=TODAY,
            party="patient",
            way="phone",
            summary="Samtal om återgång",
            user=user,
        ).id


def versions(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(session.scalars(select(EntryVersion)).all())


FIX = {"day": TODAY.isoformat(), "way": "meeting", "summary": "Besök om deltid", "reason": "Fel"}


def test_the_author_corrects_a_contact_and_the_page_shows_the_history(
    as_user: Login, data: Data, engine: Engine
) -> None:
    contact = contact_by(engine, "koord", data.anna)
    client = as_user("koord")
    assert post(client, engine, data.anna, f"contact/{contact}/correct", **FIX) == 303
    with session_scope(engine) as session:
        fixed = session.get_one(Contact, contact)
        assert (fixed.way, fixed.summary) == ("meeting", "Besök om deltid")
    page = client.get(f"/patients/{ref_of(engine, data.anna)}/coordination").text
    assert "Besök om deltid" in page
    assert "Visa historik" in page
    assert "Samtal om återgång" in page
    assert "Rättad" in page
    assert changes_logged(engine) == [data.anna]


def test_a_withdrawn_task_is_struck_through_and_marked_with_its_reason(
    as_user: Login, data: Data, engine: Engine
) -> None:
    tasks = make_entries(engine, data).tasks
    client = as_user("koord")
    task = tasks[data.anna, UNIT]
    reason = "Uppgiften gällde en annan patient"
    assert post(client, engine, data.anna, f"task/{task}/retract", reason=reason) == 303
    # Twice: nothing more changes, nothing more is kept.
    assert post(client, engine, data.anna, f"task/{task}/retract", reason=reason) == 303
    assert versions(engine) == 1
    with session_scope(engine) as session:
        assert session.get_one(Task, task).retracted_by == "koord"
    page = client.get(f"/patients/{ref_of(engine, data.anna)}/coordination").text
    assert f'id="task-{task}"' in page
    item = page.split(f'id="task-{task}"')[1].split("</li>")[0]
    assert "<s>" in item
    assert "Återkallad" in item
    assert reason in item
    assert "Markera klar" not in item
    assert changes_logged(engine) == [data.anna, data.anna]


def test_a_correction_that_cannot_be_saved_keeps_everything_typed(
    as_user: Login, data: Data, engine: Engine
) -> None:
    contact = contact_by(engine, "koord", data.anna)
    client = as_user("koord")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    url = f"/patients/{ref_of(engine, data.anna)}/coordination/contact/{contact}/correct"
    answer = client.post(
        url,
        data={
            "day": tomorrow,
            "way": "letter",
            "summary": "Brev med bilagor",
            "reason": "",
            "csrf_token": form_token(client),
        },
    )
    assert answer.status_code == 422
    page = answer.text
    form = f"correct-contact-{contact}"
    assert f'id="{form}-day-error"' in page
    assert "kan inte registreras i förväg" in page
    assert f'id="{form}-reason-error"' in page
    assert f'value="{tomorrow}"' in page
    assert "Brev med bilagor" in page
    assert '<details class="fix" open><summary>Rätta' in page
    assert versions(engine) == 0
    assert changes_logged(engine) == []


def test_a_doctor_who_did_not_write_it_and_a_manager_are_refused_in_swedish(
    as_user: Login, data: Data, engine: Engine
) -> None:
    contact = contact_by(engine, "koord", data.anna)
    for username in ("lakare", "chef"):
        client = as_user(username)
        url = f"/patients/{ref_of(engine, data.anna)}/coordination/contact/{contact}/retract"
        answer = client.post(url, data={"reason": "x", "csrf_token": form_token(client)})
        assert answer.status_code == 403, username
        assert "Åtkomst nekad" in answer.text
    assert versions(engine) == 0
    assert changes_logged(engine) == []


def test_a_doctor_may_correct_what_the_doctor_wrote(
    as_user: Login, data: Data, engine: Engine
) -> None:
    contact = contact_by(engine, "lakare", data.anna)
    # lakare2, another doctor, did not write it; lakare did.
    assert post(as_user("lakare2"), engine, data.anna, f"contact/{contact}/correct", **FIX) == 403
    assert post(as_user("lakare"), engine, data.anna, f"contact/{contact}/correct", **FIX) == 303
    assert versions(engine) == 1


@pytest.mark.parametrize("change", ["correct", "retract"])
def test_another_patients_or_units_entry_is_404_and_logs_nothing(
    change: str, as_user: Login, data: Data, engine: Engine
) -> None:
    tasks = make_entries(engine, data).tasks
    client = as_user("koord")  # works in UNIT now
    fields = {"title": "Ny titel", "reason": "Fel"}
    # Bertil's task through Anna's URL, and Anna's task at the other unit.
    assert (
        post(client, engine, data.anna, f"task/{tasks[data.bertil, UNIT]}/{change}", **fields)
        == 404
    )
    assert (
        post(client, engine, data.anna, f"task/{tasks[data.anna, OTHER_UNIT]}/{change}", **fields)
        == 404
    )
    # A kind that does not exist, an id that does not exist.
    assert (
        post(client, engine, data.anna, f"status/{tasks[data.anna, UNIT]}/{change}", **fields)
        == 404
    )
    assert (
        post(client, engine, data.anna, f"task/{max(tasks.values()) + 99}/{change}", **fields)
        == 404
    )
    # A protected patient's page is closed to the coordinator.
    assert (
        post(client, engine, data.cecilia, f"task/{tasks[data.cecilia, UNIT]}/{change}", **fields)
        == 403
    )
    assert versions(engine) == 0
    assert changes_logged(engine) == []
    # Bertil's task through Bertil's URL: fine, logged under Bertil.
    assert (
        post(client, engine, data.bertil, f"task/{tasks[data.bertil, UNIT]}/{change}", **fields)
        == 303
    )
    assert changes_logged(engine) == [data.bertil]
    with session_scope(engine) as session:
        detail = session.scalars(select(AccessLog.detail).order_by(AccessLog.id.desc())).first()
    assert detail is not None
    assert f"task {tasks[data.bertil, UNIT]}" in detail


def test_the_access_log_names_the_change_in_swedish() -> None:
    # What web/corrections.py writes, as the access-log pages show it.
    assert detail_text("corrected contact 12") == "Rättelse av kontakt 12"
    assert detail_text("retracted task 3") == "Återkallelse av uppgift 3"
    assert detail_text("retracted status 3") == "retracted status 3"  # no such kind: as written


def test_a_withdrawn_task_cannot_be_ticked_done_by_a_direct_post(
    as_user: Login, data: Data, engine: Engine
) -> None:
    # The page hides "Markera klar" on a withdrawn task; an old page or a
    # direct POST must not tick it either: refused in Swedish beside the task.
    task = make_entries(engine, data).tasks[data.anna, UNIT]
    client = as_user("koord")
    assert post(client, engine, data.anna, f"task/{task}/retract", reason="Fel patient") == 303
    url = f"/patients/{ref_of(engine, data.anna)}/coordination/task/{task}/done"
    answer = client.post(url, data={"csrf_token": form_token(client)})
    assert answer.status_code == 422
    # the message after the task's own item opens, before the next section
    item = answer.text.split(f'id="task-{task}"')[1].split('<section class="card"')[0]
    assert "Uppgiften är återkallad som felaktig och kan inte markeras klar" in item
    with session_scope(engine) as session:
        stored = session.get_one(Task, task)
        assert (stored.done, stored.done_by) == (False, None)
    assert changes_logged(engine) == [data.anna]  # the withdrawal only


def test_a_withdrawn_consent_cannot_be_withdrawn_by_the_patient_afterwards(
    data: Data, engine: Engine
) -> None:
    with session_scope(engine) as session:
        user = accounts.get_user(session, username="koord")
        assert user is not None
        consent = coordination.add_consent(
            session,
            patient_id=data.anna,
            unit_id=UNIT,
            parties=["employer"],
            valid_from=TODAY,
            valid_to=None,
            user=user,
        )
        corrections.retract(
            session,
            kind="consent",
            entry_id=consent.id,
            patient_id=data.anna,
            unit_id=UNIT,
            reason="Fel patient",
            user=user,
            role="coordinator",
        )
        with pytest.raises(InvalidEntryError, match="återkallat som felaktigt"):
            coordination.withdraw_consent(
                session,
                patient_id=data.anna,
                consent_id=consent.id,
                unit_id=UNIT,
                on=TODAY,
                user=user,
            )
