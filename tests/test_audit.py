"""The access log: one entry per access naming each patient read, searchable
by patient, and impossible to change or delete, whatever the client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest
import typer
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.audit import cli as audit_cli
from rehabkoll.audit import search
from rehabkoll.audit.models import AccessLog, AccessLogPatient, Action
from rehabkoll.audit.service import log_access
from rehabkoll.db.session import session_factory
from tests.factories import pnr

ANNA = User(id=7, username="anna", role=Role.COORDINATOR)
BO = User(id=8, username="bo", role=Role.DOCTOR)
T0 = datetime(2024, 5, 2, 8, 0)


def _app() -> typer.Typer:
    # Only this capability's commands, as rehabkoll.cli registers them.
    app = typer.Typer()
    app.callback()(lambda: None)
    audit_cli.register(app)
    return app


def entries(session: Session, *, limit: int | None = None, **filters: object) -> list[search.Entry]:
    return search.every(session, search.Filters(**filters), limit=limit)  # type: ignore[arg-type]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


def test_a_read_is_one_entry_with_who_what_where_and_why_naming_each_patient_once(
    session: Session,
) -> None:
    log_access(
        session,
        user=ANNA,
        role=Role.COORDINATOR,
        unit_id="U1",
        patient_ids=[pnr(1), pnr(2), pnr(1)],
        action=Action.WORKLIST_VIEW,
        purpose="vård och behandling",
        detail="gap=5",
        at=T0,
    )
    session.commit()
    (first,) = entries(session)
    assert (first.patients, first.patient_id, first.patient_text) == (2, None, "2\u00a0patienter")
    for patient in (pnr(1), pnr(2)):
        (found,) = entries(session, patient_id=patient)
        assert (found.id, found.patient_id) == (first.id, patient)
    assert (first.at, first.user_id, first.username, first.role, first.unit_id) == (
        T0,
        7,
        "anna",
        "coordinator",
        "U1",
    )
    assert (first.action, first.purpose, first.detail) == (
        "worklist_view",
        "vård och behandling",
        "gap=5",
    )


def test_nothing_is_logged_for_an_empty_list(session: Session) -> None:
    log_access(
        session,
        user=ANNA,
        role="coordinator",
        unit_id="U1",
        patient_ids=[],
        action="api_worklist",
        purpose="",
    )
    assert entries(session) == []


def test_an_unknown_action_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="not a valid Action"):
        log_access(
            session,
            user=ANNA,
            role="coordinator",
            unit_id="U1",
            patient_ids=[pnr(1)],
            action="peek",
            purpose="",
        )


def test_entries_filter_by_patient_user_unit_and_time(session: Session) -> None:
    def log(user: User, unit: str, patient: str, at: datetime) -> None:
        log_access(
            session,
            user=user,
            role=user.role,
            unit_id=unit,
            patient_ids=[patient],
            action="patient_view",
            purpose="vård",
            at=at,
        )

    log(ANNA, "U1", pnr(1), datetime(2024, 5, 1, 9))
    log(BO, "U1", pnr(1), datetime(2024, 5, 2, 9))
    log(ANNA, "U2", pnr(2), datetime(2024, 5, 3, 9))
    session.commit()

    def who(**filters: object) -> list[tuple[str, str | None]]:
        return [(r.username, r.patient_id) for r in entries(session, **filters)]  # type: ignore[arg-type]

    # Newest first.
    assert who(patient_id=pnr(1)) == [("bo", pnr(1)), ("anna", pnr(1))]
    assert who(username="anna") == [("anna", pnr(2)), ("anna", pnr(1))]
    assert who(unit_id="U2") == [("anna", pnr(2))]
    assert who(since=datetime(2024, 5, 2), until=datetime(2024, 5, 3)) == [("bo", pnr(1))]
    assert who(limit=1) == [("anna", pnr(2))]


def _one_entry(engine: Engine) -> None:
    with session_factory(engine)() as session:
        log_access(
            session,
            user=ANNA,
            role="coordinator",
            unit_id="U1",
            patient_ids=[pnr(1)],
            action="export",
            purpose="vård",
        )
        session.commit()


@pytest.mark.parametrize(
    "statement",
    [
        update(AccessLog).values(username="mallory"),
        delete(AccessLog),
        update(AccessLogPatient).values(patient_id="19121212-1212"),
        delete(AccessLogPatient),
    ],
    ids=["update", "delete", "update patient", "delete patient"],
)
def test_the_database_refuses_to_change_or_delete_entries(
    engine: Engine, statement: object
) -> None:
    _one_entry(engine)
    with engine.connect() as conn, pytest.raises(DBAPIError, match="cannot be changed"):
        conn.execute(statement)  # type: ignore[call-overload]
    with session_factory(engine)() as session:
        (entry,) = entries(session, patient_id=pnr(1))
        assert entry.username == "anna"


def test_the_database_refuses_to_change_entries_through_the_orm(engine: Engine) -> None:
    _one_entry(engine)
    with session_factory(engine)() as session:
        (entry,) = session.scalars(select(AccessLog))
        entry.purpose = "something else"
        with pytest.raises(DBAPIError):
            session.commit()


def test_the_database_refuses_plain_sql_too(engine: Engine) -> None:
    _one_entry(engine)
    with engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("DELETE FROM access_log WHERE 1 = 1"))
    with engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("DELETE FROM access_log_patients WHERE 1 = 1"))
    if engine.dialect.name == "postgresql":
        for table in ("access_log", "access_log_patients"):
            with engine.connect() as conn, pytest.raises(DBAPIError):
                conn.execute(text(f"TRUNCATE {table} CASCADE"))


def test_the_audit_command_lists_who_read_a_patient(db_url: str, engine: Engine) -> None:
    with session_factory(engine)() as session:
        for user, patient in ((ANNA, pnr(1)), (BO, pnr(1)), (BO, pnr(2))):
            log_access(
                session,
                user=user,
                role=user.role,
                unit_id="U1",
                patient_ids=[patient],
                action="patient_view",
                purpose="vård och behandling",
            )
        session.commit()
    runner = CliRunner()
    # The number may be given without the hyphen.
    result = runner.invoke(
        _app(), ["audit", "--patient", pnr(1).replace("-", ""), "--format", "json", "--db", db_url]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted(r["username"] for r in rows) == ["anna", "bo"]
    assert {r["patient_id"] for r in rows} == {pnr(1)}

    table = runner.invoke(_app(), ["audit", "--patient", pnr(1), "--db", db_url])
    assert table.exit_code == 0, table.output
    assert "anna" in table.stdout
    assert "2 entries." in table.stdout


def test_the_audit_command_rejects_a_bad_number_without_repeating_it(db_url: str) -> None:
    result = CliRunner().invoke(_app(), ["audit", "--patient", "19800101-0000", "--db", db_url])
    assert result.exit_code == 2
    assert "check digit" in result.output
    assert "19800101-0000" not in result.output
