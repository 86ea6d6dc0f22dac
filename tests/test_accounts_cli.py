"""The ``users`` commands."""

from __future__ import annotations

import pytest
import typer
from argon2 import PasswordHasher
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from rehabkoll.accounts import cli as accounts_cli
from rehabkoll.accounts import service
from rehabkoll.accounts.roles import Role
from rehabkoll.db.session import session_factory

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


def run(db_url: str, *args: str, stdin: str | None = None) -> Result:
    app = typer.Typer()
    app.callback()(lambda: None)
    accounts_cli.register(app)
    return CliRunner().invoke(app, ["users", *args, "--db", db_url], input=stdin)


def test_users_add_reads_the_password_from_stdin(db_url: str, engine: Engine) -> None:
    result = run(
        db_url,
        "add",
        "doktor",
        "--role",
        "doctor",
        "--unit",
        "U1",
        "--unit",
        "U2",
        "--hsa-id",
        "HSA-D1",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with session_factory(engine)() as session:
        user = service.authenticate(session, username="doktor", password=PASSWORD)
        assert (user.role, user.hsa_id, user.unit_ids) == (Role.DOCTOR, "HSA-D1", ["U1", "U2"])


def test_users_add_refuses_short_passwords_and_missing_stdin(db_url: str) -> None:
    short = run(db_url, "add", "a", "--role", "admin", "--password-stdin", stdin="short\n")
    assert short.exit_code == 2
    assert "at least 10 characters" in short.output
    without = run(db_url, "add", "a", "--role", "admin")
    assert without.exit_code == 2
    assert "--password-stdin" in without.output


def test_users_add_wants_a_unit_and_a_doctors_hsa_id(db_url: str) -> None:
    no_unit = run(db_url, "add", "k", "--role", "coordinator", "--password-stdin", stdin=PASSWORD)
    assert no_unit.exit_code == 2
    no_hsa = run(
        db_url, "add", "d", "--role", "doctor", "--unit", "U1", "--password-stdin", stdin=PASSWORD
    )
    assert no_hsa.exit_code == 2


def test_users_add_takes_an_analyst_with_the_units_of_their_care_provider(
    db_url: str, engine: Engine
) -> None:
    no_unit = run(db_url, "add", "a", "--role", "analyst", "--password-stdin", stdin=PASSWORD)
    assert no_unit.exit_code == 2
    assert "needs at least one --unit" in no_unit.output
    added = run(
        db_url, "add", "a", "--role", "analyst", "--unit", "U1", "--password-stdin", stdin=PASSWORD
    )
    assert added.exit_code == 0, added.output
    with session_factory(engine)() as session:
        user = service.get_user(session, username="a")
        assert user is not None
        assert (user.role, user.unit_ids) == (Role.ANALYST, ["U1"])


def test_users_add_refuses_a_taken_username(db_url: str) -> None:
    args = ("add", "admin", "--role", "admin", "--password-stdin")
    assert run(db_url, *args, stdin=PASSWORD).exit_code == 0
    again = run(db_url, *args, stdin=PASSWORD)
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_users_token_prints_a_working_token(db_url: str, engine: Engine) -> None:
    run(
        db_url,
        "add",
        "k",
        "--role",
        "coordinator",
        "--unit",
        "U1",
        "--password-stdin",
        stdin=PASSWORD,
    )
    result = run(db_url, "token", "k")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    with session_factory(engine)() as session:
        user = service.user_for_token(session, token=token)
        assert user is not None
        assert user.username == "k"
    assert run(db_url, "token", "nobody").exit_code == 2


def test_users_list_and_disable(db_url: str, engine: Engine) -> None:
    run(
        db_url,
        "add",
        "k",
        "--role",
        "coordinator",
        "--unit",
        "U1",
        "--password-stdin",
        stdin=PASSWORD,
    )
    run(
        db_url,
        "add",
        "chef",
        "--role",
        "manager",
        "--unit",
        "U1",
        "--password-stdin",
        stdin=PASSWORD,
    )
    listed = run(db_url, "list")
    assert listed.exit_code == 0, listed.output
    assert "chef" in listed.stdout
    assert "manager" in listed.stdout
    disabled = run(db_url, "disable", "k")
    assert disabled.exit_code == 0, disabled.output
    assert "disabled" in run(db_url, "list").stdout
    with session_factory(engine)() as session:
        user = service.get_user(session, username="k")
        assert user is not None
        assert user.disabled
    assert run(db_url, "disable", "nobody").exit_code == 2
    assert run(db_url, "token", "k").exit_code == 2
