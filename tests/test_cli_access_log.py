"""Patient data read on the command line is in the access log as a web read
is; the command line exits non-zero for what does not exist; ``units``."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from rehabkoll.accounts import service as accounts
from rehabkoll.audit.models import AccessLog
from rehabkoll.cli import app
from rehabkoll.db.session import make_engine, session_scope
from tests.audit_helpers import patients_read
from tests.factories import UNIT, certificate, pnr

runner = CliRunner()


def imported(tmp_path: Path, url: str) -> None:
    lines = [certificate("c-1", patient=pnr(7)), certificate("c-2", patient=pnr(8))]
    file = tmp_path / "in.jsonl"
    file.write_text("".join(json.dumps(d) + "\n" for d in lines), encoding="utf-8")
    assert runner.invoke(app, ["import", str(file), "--db", url]).exit_code == 0


def log_rows(url: str) -> list[AccessLog]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        rows = list(session.scalars(select(AccessLog).order_by(AccessLog.id)))
        session.expunge_all()
    engine.dispose()
    return rows


def logged(url: str) -> list[str]:
    """Every patient named by the log's entries, in entry order."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        found = patients_read(session)
    engine.dispose()
    return found


def test_cases_logs_every_patient_listed_under_the_os_user(tmp_path: Path, sqlite_url: str) -> None:
    imported(tmp_path, sqlite_url)
    args = ["cases", "--unit", UNIT, "--as-of", "2016-02-10", "--format", "json"]
    result = runner.invoke(app, [*args, "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    rows = log_rows(sqlite_url)
    # Both patients are on the work list of 2016-02-10: one entry naming both, as the web writes.
    assert len(rows) == 1
    assert logged(sqlite_url) == sorted([pnr(7), pnr(8)])
    assert {(r.username, r.role, r.unit_id, r.action, r.purpose) for r in rows} == {
        (f"os:{getpass.getuser()}", "cli", UNIT, "worklist_view", "Administration")
    }
    assert rows[0].user_id is None


def test_patient_logs_the_read_under_the_account_given_with_as(
    tmp_path: Path, sqlite_url: str
) -> None:
    imported(tmp_path, sqlite_url)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        accounts.create_user(
            session, username="anna", role="coordinator", unit_ids=[UNIT], password="x" * 12
        )
    engine.dispose()
    args = ["patient", pnr(7), "--unit", UNIT, "--as-of", "2016-03-01", "--as", "anna"]
    result = runner.invoke(app, [*args, "--purpose", "Uppföljning", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    (row,) = log_rows(sqlite_url)
    assert (row.username, row.role, logged(sqlite_url), row.action, row.purpose) == (
        "anna",
        "coordinator",
        [pnr(7)],
        "patient_view",
        "Uppföljning",
    )
    assert row.user_id is not None


def test_unknown_unit_patient_or_user_exit_non_zero_and_log_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    imported(tmp_path, sqlite_url)
    db = ["--db", sqlite_url]
    unknown_unit = runner.invoke(app, ["cases", "--unit", "SE-NONE", *db])
    assert unknown_unit.exit_code == 2
    assert "no care unit" in unknown_unit.output
    unknown_patient = runner.invoke(app, ["patient", pnr(9), "--unit", UNIT, *db])
    assert unknown_patient.exit_code == 1
    unknown_user = runner.invoke(app, ["cases", "--unit", UNIT, "--as", "nobody", *db])
    assert unknown_user.exit_code == 2
    provider = runner.invoke(
        app,
        [
            "stats",
            "cases-per-month",
            "--scope",
            "provider:SE-NONE",
            "--from",
            "2016-01",
            "--to",
            "2016-02",
            *db,
        ],
    )
    assert provider.exit_code == 2
    assert "no care provider" in provider.output
    assert log_rows(sqlite_url) == []


def test_an_import_where_every_line_was_rejected_exits_1(tmp_path: Path, sqlite_url: str) -> None:
    file = tmp_path / "bad.jsonl"
    file.write_text(json.dumps(certificate("c-9", patient="19121212-1213")) + "\n", "utf-8")
    result = runner.invoke(app, ["import", str(file), "--db", sqlite_url])
    assert result.exit_code == 1
    assert "nothing stored" in result.output


def test_units_lists_units_and_providers(tmp_path: Path, sqlite_url: str) -> None:
    imported(tmp_path, sqlite_url)
    result = runner.invoke(app, ["units", "--format", "json", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["unit_id"] for r in rows} == {UNIT}
    assert rows[0]["provider"] == "Region Exempel"
