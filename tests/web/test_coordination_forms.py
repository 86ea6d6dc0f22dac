"""The coordination record's forms keep what was typed: problems come back on
the same page, next to their field, in Swedish; conflicts only where two
people changed the same thing, shown side by side; the task lists."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, select

from rehabkoll.coordination.models import Plan, Task
from rehabkoll.db.session import session_scope
from tests.web.conftest import Data, Login, csrf_of
from tests.web.test_patient import ref_of

TODAY = date.today()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()


def send(client: TestClient, path: str, **fields: object) -> Response:
    token = csrf_of(client.get("/notice").text)
    return client.post(path, data={**fields, "csrf_token": token})


def field_error(html: str, form: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="{form}-{name}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    match = re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', html)
    return match.group(0) if match else ""


def base(engine: Engine, patient: str) -> str:
    return f"/patients/{ref_of(engine, patient)}/coordination"


def test_a_contact_in_the_future_comes_back_with_the_text_kept(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    answer = send(
        client,
        f"{base(engine, data.anna)}/contact",
        day=TOMORROW,
        party="patient",
        way="phone",
        summary="Samtal om upptrappning <viktigt>",
    )
    assert answer.status_code == 422
    html = answer.text
    assert field_error(html, "contact", "day").startswith(
        "En kontakt kan inte registreras i förväg"
    )
    # Everything typed is there again: the day, the choice, the summary (escaped).
    assert f'value="{TOMORROW}"' in tag(html, "contact-day")
    assert "Samtal om upptrappning &lt;viktigt&gt;</textarea>" in html
    assert 'aria-invalid="true" aria-describedby="contact-day-error"' in tag(html, "contact-day")
    assert "Kontakter" in html  # the record page, not an error page
    with session_scope(engine) as session:
        assert session.scalars(select(Plan)).first() is None


def test_an_empty_contact_is_refused_next_to_the_summary(
    as_user: Login, data: Data, engine: Engine
) -> None:
    answer = send(
        as_user("koord"),
        f"{base(engine, data.anna)}/contact",
        day=TODAY.isoformat(),
        party="patient",
        way="phone",
        summary="   ",
    )
    assert answer.status_code == 422
    assert field_error(answer.text, "contact", "summary") == "Skriv kort vad kontakten gällde."


def test_a_contact_without_consent_says_what_to_do_in_place(
    as_user: Login, data: Data, engine: Engine
) -> None:
    answer = send(
        as_user("koord"),
        f"{base(engine, data.anna)}/contact",
        day=TODAY.isoformat(),
        party="employer",
        way="phone",
        summary="Ringde chefen",
    )
    assert answer.status_code == 422
    assert "Registrera samtycket under Samtycke först" in field_error(
        answer.text, "contact", "party"
    )
    assert "Ringde chefen</textarea>" in answer.text


def test_a_plan_ending_in_the_past_is_refused_and_its_text_kept(
    as_user: Login, data: Data, engine: Engine
) -> None:
    answer = send(
        as_user("koord"),
        f"{base(engine, data.anna)}/plan",
        kind="closing_plan",
        text="Åter i arbete på heltid",
        planned_end=YESTERDAY,
        based_on_closing_plan=0,
        based_on_rehab_plan=0,
    )
    assert answer.status_code == 422
    assert field_error(answer.text, "plan", "planned_end").startswith(
        "Planerat slutdatum har redan passerat"
    )
    assert "Åter i arbete på heltid</textarea>" in answer.text


def test_a_task_goes_only_to_a_user_of_the_unit(as_user: Login, data: Data, engine: Engine) -> None:
    client = as_user("koord")
    path = f"{base(engine, data.anna)}/task"
    unknown = send(client, path, title="Ring FK", due=TOMORROW, assignee="nobody")
    assert unknown.status_code == 422
    assert field_error(unknown.text, "task", "assignee") == (
        "Det finns ingen användare som heter nobody."
    )
    assert 'value="Ring FK"' in tag(unknown.text, "task-title")
    # admin exists but works in no unit.
    stranger = send(client, path, title="Ring FK", due=TOMORROW, assignee="admin")
    assert stranger.status_code == 422
    assert "arbetar inte på enheten" in field_error(stranger.text, "task", "assignee")
    late = send(client, path, title="Ring FK", due=YESTERDAY, assignee="koord")
    assert late.status_code == 422
    assert "Förfallodagen har redan passerat" in field_error(late.text, "task", "due")
    assert send(client, path, title="Ring FK", due=TOMORROW, assignee="lakare").status_code == 303
    with session_scope(engine) as session:
        assert [t.assignee for t in session.scalars(select(Task))] == ["lakare"]


def test_the_record_page_shows_limits_and_a_future_default_due_date(
    as_user: Login, data: Data, engine: Engine
) -> None:
    html = as_user("koord").get(base(engine, data.anna)).text
    day = tag(html, "contact-day")
    assert f'value="{TODAY.isoformat()}"' in day
    assert f'max="{TODAY.isoformat()}"' in day  # a contact cannot be in the future
    assert 'maxlength="5000"' in html
    due = (TODAY + timedelta(days=7)).isoformat()
    assert f'value="{due}"' in tag(html, "task-due")
    assert "Journalens version" not in html


def test_a_new_status_does_not_block_a_new_plan(as_user: Login, data: Data, engine: Engine) -> None:
    # Two coordinators open the record at once (no status, no plan); one sets
    # the status, the other saves a plan: both are kept.
    client = as_user("koord")
    path = base(engine, data.anna)
    assert send(client, f"{path}/status", status="active", seen_status="").status_code == 303
    plan = send(
        client,
        f"{path}/plan",
        kind="rehab_plan",
        text="Arbetsträning två dagar i veckan",
        based_on_rehab_plan=0,
        based_on_closing_plan=0,
    )
    assert plan.status_code == 303
    html = client.get(path).text
    assert "Aktiv" in html
    assert "Arbetsträning två dagar i veckan" in html


def test_a_true_plan_conflict_shows_both_versions_with_the_users_text_kept(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    path = base(engine, data.anna)
    first = send(
        client,
        f"{path}/plan",
        kind="closing_plan",
        text="Första versionen",
        based_on_closing_plan=0,
        based_on_rehab_plan=0,
    )
    assert first.status_code == 303
    # The second writer read the page before the first plan existed.
    second = send(
        client,
        f"{path}/plan",
        kind="closing_plan",
        text="Min egen version",
        based_on_closing_plan=0,
        based_on_rehab_plan=0,
    )
    assert second.status_code == 409
    html = second.text
    conflict = html[html.index('id="plan-conflict"') :]
    assert "Första versionen" in conflict
    assert "Min egen version" in conflict  # side by side
    assert "Min egen version</textarea>" in html  # and still in the form
    with session_scope(engine) as session:
        current = session.scalars(select(Plan)).one()
    # Saving again builds on the plan now shown: accepted.
    assert f'name="based_on_closing_plan" value="{current.id}"' in html
    again = send(
        client,
        f"{path}/plan",
        kind="closing_plan",
        text="Sammanslagen version",
        based_on_closing_plan=current.id,
        based_on_rehab_plan=0,
    )
    assert again.status_code == 303


def test_the_unit_task_list_shows_every_open_task_with_the_patient(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    path = f"{base(engine, data.anna)}/task"
    assert send(client, path, title="Boka möte", due=TOMORROW, assignee="lakare").status_code == 303
    mine = client.get("/tasks").text
    assert "Boka möte" not in mine  # it is the doctor's
    unit = client.get("/tasks/unit")
    assert unit.status_code == 200
    assert "Boka möte" in unit.text
    assert data.anna in unit.text  # the personnummer beside the name
    with session_scope(engine) as session:
        task_id = session.scalars(select(Task.id)).one()
    ref = ref_of(engine, data.anna)
    done = send(client, f"/patients/{ref}/coordination/task/{task_id}/done?back=unit-tasks")
    assert done.status_code == 303
    assert done.headers["location"] == "/tasks/unit?saved=done"
    assert "Boka möte" not in client.get("/tasks/unit").text


def test_the_unit_task_list_is_for_coordinators(as_user: Login) -> None:
    assert as_user("lakare").get("/tasks/unit").status_code == 403
