"""Login, logout, CSRF, the PDL notice, idle expiry and the unit switch."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from rehabkoll.accounts.models import WebSession
from rehabkoll.db.session import session_scope
from tests.factories import OTHER_UNIT, UNIT
from tests.web.conftest import PASSWORD, Data, Login, csrf_of, form_token


def test_pages_send_an_anonymous_visitor_to_the_login_page(app_client: TestClient) -> None:
    for path in ("/", "/cases", "/tasks", "/patients/whatever", "/admin/users"):
        answer = app_client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login"


def test_the_api_answers_401_json_without_a_token(app_client: TestClient) -> None:
    answer = app_client.get(f"/api/units/{UNIT}/cases")
    assert answer.status_code == 401
    assert answer.json()["detail"]
    assert (
        app_client.get(
            f"/api/units/{UNIT}/cases", headers={"Authorization": "Bearer nope"}
        ).status_code
        == 401
    )


def test_a_wrong_password_is_refused_and_repeated_failures_lock(app_client: TestClient) -> None:
    for _ in range(4):
        form = app_client.get("/login")
        answer = app_client.post(
            "/login",
            data={
                "username": "koord",
                "password": "fel-lösenord",
                "csrf_token": csrf_of(form.text),
            },
        )
        assert answer.status_code == 401
        assert "Fel användarnamn eller lösenord" in answer.text
    form = app_client.get("/login")
    answer = app_client.post(
        "/login",
        data={"username": "koord", "password": "fel-lösenord", "csrf_token": csrf_of(form.text)},
    )
    assert answer.status_code == 429
    form = app_client.get("/login")
    locked = app_client.post(
        "/login", data={"username": "koord", "password": PASSWORD, "csrf_token": csrf_of(form.text)}
    )
    assert locked.status_code == 429, "the right password does not open a locked account"


def test_the_login_form_needs_its_csrf_token(app_client: TestClient) -> None:
    app_client.get("/login")
    answer = app_client.post(
        "/login", data={"username": "koord", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert answer.status_code == 403


def test_the_session_cookie_is_httponly_and_samesite(app_client: TestClient) -> None:
    form = app_client.get("/login")
    answer = app_client.post(
        "/login", data={"username": "koord", "password": PASSWORD, "csrf_token": csrf_of(form.text)}
    )
    cookie = answer.headers["set-cookie"].lower()
    assert "rehabkoll_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_first_login_asks_to_accept_the_logging_notice(app_client: TestClient) -> None:
    form = app_client.get("/login")
    answer = app_client.post(
        "/login", data={"username": "koord", "password": PASSWORD, "csrf_token": csrf_of(form.text)}
    )
    assert answer.headers["location"] == "/notice"
    assert app_client.get("/cases").headers["location"] == "/notice"
    notice = app_client.get("/notice")
    assert "loggas" in notice.text
    assert app_client.post("/notice", data={"csrf_token": csrf_of(notice.text)}).status_code == 303
    assert app_client.get("/cases").status_code == 200


def test_every_form_post_needs_the_session_csrf_token(as_user: Login) -> None:
    client = as_user("koord")
    assert client.post("/cases/settings", data={"gap": "5", "recent": "0"}).status_code == 403
    forged = {"gap": "5", "recent": "0", "csrf_token": "forged"}
    assert client.post("/cases/settings", data=forged).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    real = {"gap": "5", "recent": "0", "csrf_token": form_token(client)}
    assert client.post("/cases/settings", data=real).status_code == 303


def test_logout_ends_the_session(as_user: Login) -> None:
    client = as_user("koord")
    cookie = client.cookies.get("rehabkoll_session")
    answer = client.post("/logout", data={"csrf_token": form_token(client)})
    assert answer.headers["location"] == "/login"
    client.cookies.set("rehabkoll_session", cookie or "")
    assert client.get("/cases").headers["location"] == "/login"


def test_an_idle_session_expires(as_user: Login, engine: Engine) -> None:
    client = as_user("koord")
    assert client.get("/cases").status_code == 200
    with session_scope(engine) as session:
        for row in session.scalars(select(WebSession)):
            row.last_seen_at -= timedelta(minutes=31)
    assert client.get("/cases").headers["location"] == "/login"


def test_a_user_switches_to_another_of_their_units(as_user: Login, data: Data) -> None:
    client = as_user("koord")
    token = form_token(client)
    answer = client.post("/unit", data={"unit_id": OTHER_UNIT, "csrf_token": token})
    assert answer.status_code == 303
    page = client.get("/cases").text
    assert "Vårdcentralen Exempel" in page
    assert data.david in page  # the other unit's patient is listed now
    assert data.bertil not in page


def test_a_unit_that_is_not_the_users_is_refused(as_user: Login) -> None:
    client = as_user("lakare")
    answer = client.post("/unit", data={"unit_id": OTHER_UNIT, "csrf_token": form_token(client)})
    assert answer.status_code == 403
