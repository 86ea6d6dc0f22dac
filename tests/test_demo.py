"""`rehabkoll demo` (what `make demo` runs), without serving."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from rehabkoll.cli import app

runner = CliRunner()


def test_demo_generates_imports_and_creates_users_then_reuses_its_database(
    tmp_path: Path,
) -> None:
    args = ["demo", "--dir", str(tmp_path), "--insured", "2000", "--no-serve"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "0 rejected" in first.output
    assert "ongoing cases today" in first.output
    for user in ("koordinator", "doktor", "chef", "analytiker", "admin"):
        assert user in first.output
    # Försäkringskassan's messages and statements came through the SOAP
    # endpoints' function: open Ärenden (one overdue) and statements at the unit.
    # Without the national schemas (the shared reference data) the demo says so.
    if "RIVTA messages not posted" not in first.output:
        assert "0 refused" in first.output
        with sqlite3.connect(tmp_path / "rehabkoll-demo.db") as db:
            open_completions, overdue = db.execute(
                "SELECT count(*), sum(deadline < date('now')) FROM care_messages "
                "WHERE subject = 'KOMPLT' AND answered_by IS NULL AND handled_at IS NULL"
            ).fetchone()
            # The posted ones (the region has its own LUSE statements too).
            statements = db.execute(
                "SELECT count(*) FROM statements WHERE id LIKE 'demo-utl-%'"
            ).fetchone()[0]
            archived = db.execute(
                "SELECT count(*) FROM exchange_messages WHERE sender = 'soap:demo-integration'"
            ).fetchone()[0]
            # The region came in as RIVTA XML (archived as received), and every
            # patient has the name the population register gave.
            region = db.execute(
                "SELECT count(*) FROM exchange_messages WHERE sender LIKE 'import:%'"
            ).fetchone()[0]
            certificates = db.execute("SELECT count(*) FROM certificates").fetchone()[0]
            nameless = db.execute("SELECT count(*) FROM patients WHERE name = ''").fetchone()[0]
        assert "names from the population register" in first.output
        assert region >= certificates > 100
        assert nameless == 0
        assert open_completions >= 1
        assert overdue >= 1
        assert statements >= 1
        assert archived >= open_completions + statements
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "Generated" not in again.output  # the second run reuses the database
    # FMB from the shared reference data, once: the second run finds the same build
    if "FMB not loaded" not in first.output:
        assert "439 typical cases, 116 diagnosis entries (stored)" in first.output
        assert "439 typical cases, 116 diagnosis entries (unchanged)" in again.output
