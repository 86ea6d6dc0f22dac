"""Admin changes accounts after they exist: role, units, name, a password
reset the user must replace, an account enabled again; and what is refused."""

from __future__ import annotations

from sqlalchemy import Engine

from rehabkoll.accounts import service as accounts
from rehabkoll.db.session import session_scope
from tests.factories import OTHER_UNIT, UNIT
from tests.web.conftest import Login, csrf_of, form_token, login


def test_an_admin_changes_role_units_and_name(as_user: Login, engine: Engine) -> None:
    client = as_user("admin")
    page = client.get("/admin/users/koord")
    assert page.status_code == 200
    answer = client.post(
        "/admin/users/koord",
        data={
            "role": "manager",
            "units": [UNIT, OTHER_UNIT],
            "full_name": "Karin Koordinatorsson",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert answer.status_code == 303
    with session_scope(engine) as session:
        user = accounts.get_user(session, username="koord")
        assert user is not None
        assert (user.role.value, user.unit_ids, user.full_name) == (
            "manager",
            sorted([UNIT, OTHER_UNIT]),
            "Karin Koordinatorsson",
        )
    assert "Karin Koordinatorsson" in client.get("/admin/users").text


def test_a_unit_not_in_the_register_is_refused_and_the_typing_kept(
    as_user: Login, engine: Engine
) -> None:
    client = as_user("admin")
    page = client.get("/admin/users/koord")
    answer = client.post(
        "/admin/users/koord",
        data={
            "role": "coordinator",
            "units": [UNIT],
            "unit_extra": "SE-FINNS-INTE",
            "full_name": "Nytt Namn",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert answer.status_code == 422
    assert "finns inte i registret" in answer.text
    assert 'value="Nytt Namn"' in answer.text  # what was typed is kept
    assert 'value="SE-FINNS-INTE"' in answer.text
    with session_scope(engine) as session:
        user = accounts.get_user(session, username="koord")
        assert user is not None
        assert user.full_name is None  # nothing saved


def test_a_username_outside_the_safe_set_is_refused(as_user: Login, engine: Engine) -> None:
    client = as_user("admin")
    token = form_token(client, "/admin/users")
    for bad in ("<script>", "anna lind", "å", "-x", "a" * 65):
        answer = client.post(
            "/admin/users",
            data={
                "username": bad,
                "role": "coordinator",
                "units": [UNIT],
                "password": "ett-långt-lösenord",
                "csrf_token": token,
            },
        )
        assert answer.status_code == 422, bad
        assert "får bara innehålla" in answer.text
    with session_scope(engine) as session:
        assert accounts.get_user(session, username="anna lind") is None


def test_a_reset_password_must_be_changed_at_the_next_login(
    as_user: Login, app_client: object
) -> None:
    admin = as_user("admin")
    page = admin.get("/admin/users/koord")
    answer = admin.post(
        "/admin/users/koord/password",
        data={"password": "tillfälligt-123", "csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 303
    admin.post("/logout", data={"csrf_token": form_token(admin, "/admin/users")})
    user = login(admin, "koord", "tillfälligt-123")
    assert user.get("/cases").headers["location"] == "/account/password"
    form = user.get("/account/password")
    mismatch = user.post(
        "/account/password",
        data={"password": "mitt-eget-lösen", "repeated": "annat", "csrf_token": csrf_of(form.text)},
    )
    assert mismatch.status_code == 422
    assert "inte lika" in mismatch.text
    done = user.post(
        "/account/password",
        data={
            "password": "mitt-eget-lösen",
            "repeated": "mitt-eget-lösen",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert done.status_code == 303
    assert user.get("/cases").status_code == 200


def test_an_admin_enables_a_disabled_account(as_user: Login, engine: Engine) -> None:
    client = as_user("admin")
    token = form_token(client, "/admin/users")
    client.post("/admin/users/koord/disable", data={"csrf_token": token})
    assert "Aktivera kontot igen" in client.get("/admin/users/koord").text
    assert client.post("/admin/users/koord/enable", data={"csrf_token": token}).status_code == 303
    with session_scope(engine) as session:
        user = accounts.get_user(session, username="koord")
        assert user is not None
        assert not user.disabled
    client.post("/logout", data={"csrf_token": token})
    login(client, "koord")  # with the old password again


def test_only_an_admin_changes_accounts(as_user: Login) -> None:
    client = as_user("koord")
    token = form_token(client)
    assert client.get("/admin/users/lakare").status_code == 403
    for path in (
        "/admin/users/lakare",
        "/admin/users/lakare/password",
        "/admin/users/lakare/enable",
    ):
        answer = client.post(
            path, data={"role": "admin", "password": "x" * 12, "csrf_token": token}
        )
        assert answer.status_code == 403, path


def test_an_unknown_user_is_404(as_user: Login) -> None:
    assert as_user("admin").get("/admin/users/finnsinte").status_code == 404
