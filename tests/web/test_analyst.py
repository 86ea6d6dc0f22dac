"""The analyst (the region's samordnare or analytiker): statistics of their
units' care providers and of the nation, and no patient data anywhere."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from rehabkoll.audit.models import AccessLog
from rehabkoll.db.session import session_scope
from tests.factories import OTHER_PROVIDER, PROVIDER, UNIT
from tests.web.conftest import PASSWORD, Data, Login, csrf_of, form_token, token_for
from tests.web.test_patient import ref_of


def log_rows(engine: Engine, username: str) -> int:
    with session_scope(engine) as session:
        count = select(func.count()).select_from(AccessLog).where(AccessLog.username == username)
        return session.scalar(count) or 0


def post_login(client: TestClient, username: str) -> str:
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
    )
    assert answer.status_code == 303
    return str(answer.headers["location"])


def test_an_analyst_starts_at_the_statistics(app_client: TestClient) -> None:
    assert post_login(app_client, "analytiker") == "/notice"
    accepted = app_client.post("/notice", data={"csrf_token": form_token(app_client)})
    assert accepted.headers["location"] == "/statistics"
    assert app_client.get("/").headers["location"] == "/statistics"
    app_client.post("/logout", data={"csrf_token": form_token(app_client)})
    assert post_login(app_client, "analytiker") == "/statistics"


def test_the_menu_shows_an_analyst_statistik_and_no_patient_pages(as_user: Login) -> None:
    page = as_user("analytiker").get("/statistics")
    assert page.status_code == 200
    assert 'href="/statistics"' in page.text
    assert "Analytiker" in page.text
    for link in ('href="/cases"', 'href="/tasks"', ">Översikt<", 'href="/admin/users"'):
        assert link not in page.text, link


def test_the_menu_shows_statistik_to_a_manager_but_not_to_an_admin(as_user: Login) -> None:
    assert 'href="/statistics"' in as_user("chef").get("/").text
    admin = as_user("admin").get("/admin/users")
    assert admin.status_code == 200
    assert 'href="/statistics"' not in admin.text


def test_an_analyst_gets_no_work_list_no_tasks_and_no_overview(
    as_user: Login, engine: Engine
) -> None:
    client = as_user("analytiker")
    for path in ("/cases", "/cases/export.xlsx", "/tasks"):
        assert client.get(path).status_code == 403, path
    token = form_token(client)
    answer = client.post("/cases/settings", data={"gap": "5", "recent": "0", "csrf_token": token})
    assert answer.status_code == 403
    assert log_rows(engine, "analytiker") == 0


def test_an_analyst_opens_no_patient_and_no_coordination_record(
    as_user: Login, data: Data, engine: Engine
) -> None:
    client = as_user("analytiker")
    base = f"/patients/{ref_of(engine, data.anna)}"
    for path in (base, f"{base}/print", f"{base}/coordination"):
        assert client.get(path).status_code == 403, path
    token = form_token(client)
    answer = client.post(
        f"{base}/coordination/status", data={"status": "active", "version": 0, "csrf_token": token}
    )
    assert answer.status_code == 403
    assert log_rows(engine, "analytiker") == 0


def test_an_analyst_gets_403_from_the_patient_api(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    headers = {"Authorization": f"Bearer {token_for(engine, 'analytiker')}"}
    assert app_client.get(f"/api/units/{UNIT}/cases", headers=headers).status_code == 403
    ref = ref_of(engine, data.anna)
    answer = app_client.get(f"/api/patients/{ref}?unit={UNIT}", headers=headers)
    assert answer.status_code == 403
    assert log_rows(engine, "analytiker") == 0


def test_an_analyst_opens_the_provider_and_the_national_statistics(as_user: Login) -> None:
    client = as_user("analytiker")
    index = client.get("/statistics")
    assert index.status_code == 200
    assert "Som analytiker" in index.text
    provider = client.get(f"/statistics/report/cases-per-month?scope=provider:{PROVIDER}")
    assert provider.status_code == 200
    assert "Exakta tal" in provider.text
    assert f'value="provider:{PROVIDER}" selected' in provider.text
    assert 'value="national"' in provider.text
    national = client.get("/statistics/report/cases-per-month?scope=national")
    assert national.status_code == 200
    assert "Med röjandeskydd" in national.text
    assert client.get("/statistics/lengths-by-sex?scope=national").status_code == 200


def test_an_analyst_sees_only_the_care_providers_of_their_units(as_user: Login) -> None:
    # The other provider's unit is in the database, but not one of the analyst's.
    page = as_user("analytiker").get(
        f"/statistics/report/cases-per-month?scope=provider:{OTHER_PROVIDER}"
    )
    assert page.status_code == 200
    assert f"provider:{OTHER_PROVIDER}" not in page.text
    assert f'value="provider:{PROVIDER}" selected' in page.text


def test_an_analyst_gets_no_unit_pdf_and_an_admin_no_statistics(as_user: Login) -> None:
    assert as_user("analytiker").get("/statistics/unit-report.pdf").status_code == 403
    admin = as_user("admin")
    assert admin.get("/statistics").status_code == 403
    assert admin.get("/statistics/report/cases-per-month?scope=national").status_code == 403
