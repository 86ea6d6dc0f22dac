"""The coordination record: entries, consent rule, conflicts, logging, roles."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.web.conftest import Data, Login, csrf_of
from tests.web.test_patient import actions, ref_of

TODAY = date.today().isoformat()


def post(client: TestClient, path: str, **fields: object) -> int:
    token = csrf_of(client.get("/notice").text)  # the session's token; reading it logs nothing
    status: int = client.post(path, data={**fields, "csrf_token": token}).status_code
    return status


def test_a_coordinator_records_consent_contact_meeting_and_closing_plan(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    base = f"/patients/{ref_of(engine, data.anna)}/coordination"
    assert post(client, f"{base}/status", status="active", version=0) == 303
    assert (
        post(client, f"{base}/consent", parties=["employer", "forsakringskassan"], valid_from=TODAY)
        == 303
    )
    assert (
        post(client, f"{base}/contact", day=TODAY, party="employer", way="phone", summary="Samtal")
        == 303
    )
    assert (
        post(
            client,
            f"{base}/meeting",
            kind="reconciliation",
            day=TODAY,
            participants="Patient, FK-handläggare",
            outcome="Plan",
        )
        == 303
    )
    assert (
        post(
            client,
            f"{base}/plan",
            kind="closing_plan",
            version=1,
            text="Åter i arbete",
            planned_end=TODAY,
            responsible="koord",
        )
        == 303
    )
    assert post(client, f"{base}/referral", kind="cbt", day=TODAY) == 303
    assert post(client, f"{base}/task", title="Ring arbetsgivaren", due=TODAY) == 303
    page = client.get(base).text
    for text in (
        "Arbetsgivare",
        "Samtal",
        "Avstämningsmöte",
        "Åter i arbete",
        "KBT",
        "Ring arbetsgivaren",
        "Aktiv",
    ):
        assert text in page
    logged = actions(engine, data.anna)
    assert logged.count("coordination_create") == 5  # consent, contact, meeting, referral, task
    assert logged.count("coordination_update") == 2  # status, plan
    work_list = client.get("/cases").text
    assert "Aktiv" in work_list
    tasks = client.get("/tasks").text
    assert "Ring arbetsgivaren" in tasks


def test_a_contact_with_an_outside_party_needs_consent(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    base = f"/patients/{ref_of(engine, data.anna)}/coordination"
    status = post(client, f"{base}/contact", day=TODAY, party="employer", way="phone", summary="x")
    assert status == 422
    assert (
        post(client, f"{base}/contact", day=TODAY, party="patient", way="phone", summary="x") == 303
    )


def test_a_stale_status_change_is_a_conflict_not_a_lost_update(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    base = f"/patients/{ref_of(engine, data.anna)}/coordination"
    token = csrf_of(client.get(base).text)
    # Both forms were read while the record had no status (seen_status "").
    first = client.post(
        f"{base}/status", data={"status": "active", "seen_status": "", "csrf_token": token}
    )
    assert first.status_code == 303
    stale = client.post(
        f"{base}/status", data={"status": "closed", "seen_status": "", "csrf_token": token}
    )
    assert stale.status_code == 409
    assert "Någon annan sparade en annan status medan du skrev" in stale.text
    assert "Aktiv" in client.get(base).text


def test_a_doctor_reads_but_does_not_change_the_record(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("lakare")
    base = f"/patients/{ref_of(engine, data.anna)}/coordination"
    page = client.get(base)
    assert page.status_code == 200
    assert "Registrera kontakt" not in page.text
    token = csrf_of(page.text)
    answer = client.post(
        f"{base}/status", data={"status": "active", "version": 0, "csrf_token": token}
    )
    assert answer.status_code == 403


def test_a_consent_running_out_puts_the_case_in_needs_attention(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("koord")
    base = f"/patients/{ref_of(engine, data.bertil)}/coordination"
    soon = (date.today() + timedelta(days=5)).isoformat()
    assert (
        post(client, f"{base}/consent", parties=["employer"], valid_from=TODAY, valid_to=soon)
        == 303
    )
    page = client.get("/cases?view=attention").text
    assert data.bertil in page
    assert "Samtycket upphör om 5\u00a0dagar" in page  # a non-breaking space
    # Anna is listed for another reason (day 90 passed without an assessment),
    # never for a consent: she has none.
    anna_row = page[page.index(data.anna) :].split("</tr>")[0]
    assert "Samtycket" not in anna_row


def test_reading_the_record_is_logged(as_user: Login, data: Data, engine: Engine) -> None:
    as_user("koord").get(f"/patients/{ref_of(engine, data.anna)}/coordination")
    assert actions(engine, data.anna) == ["patient_view"]


def test_entries_name_their_author_by_name_not_account(
    as_user: Login, data: Data, engine: Engine
) -> None:
    # The coordinator's account is "koord"; once the admin has given the
    # account a name, the record shows that name as the contact's author.
    from sqlalchemy import update

    from rehabkoll.accounts.models import User
    from rehabkoll.db.session import session_scope

    with session_scope(engine) as session:
        session.execute(
            update(User).where(User.username == "koord").values(full_name="Kim Exempel")
        )
    client = as_user("koord")
    base = f"/patients/{ref_of(engine, data.anna)}/coordination"
    assert post(client, f"{base}/consent", parties=["employer"], valid_from=TODAY) == 303
    assert (
        post(client, f"{base}/contact", day=TODAY, party="employer", way="phone", summary="Samtal")
        == 303
    )
    page = client.get(base).text
    assert "Kim Exempel" in page
