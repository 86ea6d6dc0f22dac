"""Admin pages: users and the access-log search."""

from __future__ import annotations

from sqlalchemy import Engine

from rehabkoll.accounts import service as accounts
from rehabkoll.db.session import session_scope
from tests.factories import UNIT
from tests.web.conftest import Data, Login, form_token
from tests.web.test_patient import ref_of


def test_an_admin_adds_and_disables_a_user(as_user: Login, engine: Engine) -> None:
    client = as_user("admin")
    assert "koord" in client.get("/admin/users").text
    token = form_token(client, "/admin/users")
    added = client.post(
        "/admin/users",
        data={
            "username": "ny",
            "role": "coordinator",
            "units": [UNIT],
            "password": "ett-långt-lösenord",
            "csrf_token": token,
        },
    )
    assert added.status_code == 303
    assert client.post("/admin/users/ny/disable", data={"csrf_token": token}).status_code == 303
    with session_scope(engine) as session:
        user = accounts.get_user(session, username="ny")
        assert user is not None
        assert user.disabled


def test_only_an_admin_manages_users(as_user: Login) -> None:
    client = as_user("koord")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    token = form_token(client)
    answer = client.post("/admin/users/lakare/disable", data={"csrf_token": token})
    assert answer.status_code == 403


def test_the_audit_search_finds_who_read_a_patient(
    as_user: Login, data: Data, engine: Engine, app_client: object
) -> None:
    reader = as_user("koord")
    reader.get(f"/patients/{ref_of(engine, data.anna)}")
    reader.post("/logout", data={"csrf_token": form_token(reader)})
    admin = as_user("admin")
    token = form_token(admin, "/admin/audit")
    found = admin.post("/admin/audit", data={"patient": data.anna, "csrf_token": token})
    assert found.status_code == 200
    assert "koord" in found.text
    assert "Patient visad" in found.text
    assert "<caption>1 loggposter" in found.text
