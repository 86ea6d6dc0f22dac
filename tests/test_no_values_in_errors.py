"""No personnummer or name in an error's text, a traceback or a log, when the
database refuses something. Before issue 13 SQLAlchemy printed every
statement's parameters with its error, and PostgreSQL's detail line repeats
the row's values (``Key (id)=(19800101-…) already exists``)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import traceback
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError

from rehabkoll.certificates import models
from rehabkoll.db.session import make_engine, session_scope
from tests.factories import certificate, pnr

NAME = "Hemliga Patientsson"


def patient_row(number: str) -> dict[str, object]:
    return {
        "id": number,
        "ref": "r-" + number[-4:],
        "name": NAME,
        "birth_date": date(1980, 1, 1),
        "sex": "F",
        "protected": False,
    }


@pytest.mark.postgres
def test_a_refused_statement_shows_neither_its_values_nor_the_rows(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    number = pnr(1)
    with session_scope(engine) as session:
        session.execute(insert(models.Patient), [patient_row(number)])
    caplog.set_level(logging.DEBUG)
    with pytest.raises(IntegrityError) as info, session_scope(engine) as session:
        # The same personnummer again: a unique violation, whose PostgreSQL
        # detail line names the key's value.
        session.execute(insert(models.Patient), [{**patient_row(number), "ref": "other"}])
    told = "".join(traceback.format_exception(info.value)) + caplog.text
    assert NAME not in told
    assert number not in told
    assert number.replace("-", "") not in told
    assert "hidden" in told or "values not shown" in told  # it still says what went wrong


def test_an_import_the_database_fails_prints_no_patient_data(
    tmp_path: Path, sqlite_url: str
) -> None:
    # A trigger that refuses every certificate stands in for any database
    # failure; the import runs as a user runs it, in a process of its own.
    number = pnr(5)
    with make_engine(sqlite_url).begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON certificates "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
    file = tmp_path / "one.jsonl"
    doc = certificate("c-1", patient=number)
    doc["patient"]["name"] = NAME
    file.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "rehabkoll", "import", str(file), "--db", sqlite_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    told = run.stdout + run.stderr
    assert "refused it" in told, told
    assert number not in told
    assert NAME not in told


def test_every_engine_the_code_makes_hides_its_parameters() -> None:
    # An engine made without hide_parameters prints a failing statement's
    # values (personnummer, names) with its error; backup/service.py had two.
    import ast

    source = Path(__file__).resolve().parents[1] / "src" / "rehabkoll"
    bare = []
    for path in sorted(source.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "create_engine"
                and not any(k.arg == "hide_parameters" for k in node.keywords)
                and not any(k.arg is None for k in node.keywords)  # **options: checked there
            ):
                bare.append(f"{path.relative_to(source)}:{node.lineno}")
    assert bare == []
