"""`rehabkoll demo` (what `make demo` runs), without serving."""

from __future__ import annotations

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
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "Generated" not in again.output  # the second run reuses the database
