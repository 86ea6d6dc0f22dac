"""Importing protected identity (skyddad personuppgift) from the patient register."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from rehabkoll.certificates.models import Patient
from rehabkoll.db.session import session_factory
from rehabkoll.patients import cli as patients_cli
from rehabkoll.patients.service import import_register
from tests.factories import pnr
from tests.test_coordination import add_patients

KNOWN, OTHER, NEW = pnr(1), pnr(2), pnr(3)


def lines(*objects: object) -> list[tuple[int, str]]:
    return [(n, o if isinstance(o, str) else json.dumps(o)) for n, o in enumerate(objects, start=1)]


def flags(engine: Engine) -> dict[str, tuple[bool, str]]:
    with session_factory(engine)() as session:
        rows = session.execute(select(Patient.id, Patient.protected, Patient.name))
        return {row.id: (row.protected, row.name) for row in rows}


def test_it_sets_and_clears_the_flag_of_known_patients(engine: Engine) -> None:
    with session_factory(engine)() as session:
        add_patients(session, KNOWN, OTHER)
        result = import_register(
            session,
            lines({"id": KNOWN, "protected": True}, {"id": OTHER, "protected": False}),
        )
        session.commit()
    assert (result.updated, result.unchanged, result.rejected) == (1, 1, 0)
    assert flags(engine)[KNOWN] == (True, "Test Testsson")
    with session_factory(engine)() as session:
        result = import_register(session, lines({"id": KNOWN, "protected": False}))
        session.commit()
    assert result.updated == 1
    assert flags(engine)[KNOWN][0] is False


def test_an_unknown_protected_patient_gets_a_row_without_a_name(engine: Engine) -> None:
    # So that the protection holds from the patient's first certificate on.
    with session_factory(engine)() as session:
        result = import_register(
            session,
            lines(
                {"id": NEW.replace("-", ""), "protected": True},
                {"id": pnr(4), "protected": False},
            ),
        )
        session.commit()
    assert (result.created, result.unknown) == (1, 1)
    assert flags(engine) == {NEW: (True, "")}


def test_bad_lines_are_rejected_with_line_field_and_reason(engine: Engine) -> None:
    with session_factory(engine)() as session:
        result = import_register(
            session,
            lines(
                "not json",
                [1, 2],
                {"id": "19800101-0000", "protected": True},
                {"id": KNOWN, "protected": "yes"},
                {"id": KNOWN, "protected": True, "name": "x"},
                {"protected": True},
                "",
            ),
        )
    assert [(e.line, e.field) for e in result.errors] == [
        (1, "(line)"),
        (2, "(line)"),
        (3, "id"),
        (4, "protected"),
        (5, "name"),
        (6, "id"),
    ]
    assert all("19800101" not in str(e) for e in result.errors)


def test_the_import_command_reports_counts_and_rejections(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    with session_factory(engine)() as session:
        add_patients(session, KNOWN)
    register = tmp_path / "register.jsonl"
    register.write_text(
        json.dumps({"id": KNOWN, "protected": True})
        + "\n"
        + json.dumps({"id": "19800101-0000", "protected": True})
        + "\n"
    )
    app = typer.Typer()
    app.callback()(lambda: None)
    patients_cli.register(app)
    result = CliRunner().invoke(app, ["patients", "import", str(register), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.stdout
    assert "1 rejected" in result.stdout
    assert "line 2: id: the check digit is wrong" in result.output
    assert "19800101-0000" not in result.output
    assert flags(engine)[KNOWN][0] is True
    strict = CliRunner().invoke(
        app, ["patients", "import", str(register), "--strict", "--db", db_url]
    )
    assert strict.exit_code == 1
