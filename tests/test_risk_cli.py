"""risk train, evaluate and score against a database (SQLite, and PostgreSQL
when it is there), on a small region made in the test."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from rehabkoll.cli import app
from tests.factories import UNIT, certificate, pnr

runner = CliRunner()
pytestmark = pytest.mark.postgres


def _region(path: Path) -> Path:
    """400 patients, one case each, starting every other day from 2022-01-01;
    F32 cases last 120 days with chance 0.7, M54 cases with chance 0.2, else
    30 days. Half the patients (i % 4 is 1 or 2: women and men alike) also had
    a 10-day case 300 days earlier, too short to be in the population itself."""
    rng = np.random.default_rng(11)
    docs = []
    for i in range(400):
        start = date(2022, 1, 1) + timedelta(days=2 * i)
        code = "F32.1" if i % 3 else "M54.5"
        long = rng.random() < (0.7 if code == "F32.1" else 0.2)
        end = start + timedelta(days=119 if long else 29)
        patient = pnr(i, born=f"19{60 + i % 40}0101", woman=i % 2 == 0)
        docs.append(
            certificate(
                f"c{i}",
                patient=patient,
                periods=[(start.isoformat(), end.isoformat(), 100)],
                signed_at=f"{start.isoformat()}T09:00:00",
                diagnosis=code,
            )
        )
        if i % 4 in (1, 2):
            before = start - timedelta(days=300)
            docs.append(
                certificate(
                    f"e{i}",
                    patient=patient,
                    periods=[(before.isoformat(), (before + timedelta(days=9)).isoformat(), 100)],
                    signed_at=f"{before.isoformat()}T09:00:00",
                    diagnosis=code,
                )
            )
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def test_train_evaluate_score(tmp_path: Path, db_url: str) -> None:
    imported = runner.invoke(app, ["import", str(_region(tmp_path / "r.jsonl")), "--db", db_url])
    assert imported.exit_code == 0, imported.output

    trained = runner.invoke(
        app, ["risk", "train", "--as-of", "2023-01-01", "--seed", "3", "--db", db_url]
    )
    assert trained.exit_code == 0, trained.output
    assert "Risk model version 1 stored" in trained.output
    # Cases starting up to 2022-12-31; those still open and at most 90 days long
    # on 2023-01-01 are censored and left out, not counted as short.
    assert "still open left out" in trained.output

    evaluated = runner.invoke(
        app,
        [
            "risk",
            "evaluate",
            "--from",
            "2023-01-02",
            "--to",
            "2023-03-06",
            "--as-of",
            "2024-06-01",
            "--db",
            db_url,
        ],
    )
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.output)
    assert {"n", "auc", "brier", "ece", "model_version", "by_sex"} <= set(report)
    assert report["model_version"] == 1
    assert report["temporal"] is True
    # Started 2023-01-02..2023-03-06 (day 366..430 after 2022-01-01): the cases
    # of i = 183..214 (day 2i), 32 of them; the 10-day earlier cases never reach day 15.
    assert report["n"] == 32
    assert report["by_sex"]["F"]["n"] + report["by_sex"]["M"]["n"] == 32
    assert set(report["by_sex"]["F"]) >= {"n", "auc", "ece"}
    # The diagnosis separates the outcomes (0.7 against 0.2): better than chance.
    assert report["auc"] > 0.6

    page = runner.invoke(
        app,
        [
            "risk",
            "evaluate",
            "--from",
            "2023-01-02",
            "--to",
            "2023-03-06",
            "--as-of",
            "2024-06-01",
            "--format",
            "html",
            "--out",
            str(tmp_path / "r.html"),
            "--db",
            db_url,
        ],
    )
    assert page.exit_code == 0, page.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    assert "Kvinnor" in html

    scored = runner.invoke(
        app,
        [
            "risk",
            "score",
            "--unit",
            UNIT,
            "--as-of",
            "2023-03-01",
            "--format",
            "json",
            "--db",
            db_url,
        ],
    )
    assert scored.exit_code == 0, scored.output
    rows = json.loads(scored.output)
    assert rows
    assert all(r["model_version"] == 1 for r in rows)
    for row in rows:
        assert row["category"] in {"Måttlig risk", "Hög risk", "Mycket hög risk", None}
        assert len(row["explanation"]) <= 3
        # Re-estimates only for the days the case has passed on 2023-03-01.
        lasted = (date(2023, 3, 1) - date.fromisoformat(row["start"])).days + 1
        assert all(lasted > int(y) for y in row["later"])
    assert any(row["later"] for row in rows)

    def mean(code: str) -> float:
        # The day-15 estimate (the first), whatever question the case's day asks now.
        found = [r["estimates"][0]["probability"] for r in rows if r["diagnosis"] == code]
        return float(sum(found) / len(found))

    assert mean("F32") > mean("M54")
    assert {r["diagnosis_average"] for r in rows if r["diagnosis"] == "F32"} != {
        r["diagnosis_average"] for r in rows if r["diagnosis"] == "M54"
    }
    # Every patient scored is in the access log.
    with create_engine(db_url).connect() as con:
        logged = con.execute(
            text(
                "SELECT count(*) FROM access_log_patients p JOIN access_log e "
                "ON e.patient_list_id = p.list_id WHERE e.detail LIKE 'rehabkoll risk score%'"
            )
        ).scalar_one()
    assert logged == len(rows)
    # Training and evaluating read every patient of their cases: each one
    # entry naming them, by the operating-system user, as on the web.
    with create_engine(db_url).connect() as con:
        bulk = con.execute(
            text(
                "SELECT e.action, e.role, count(p.patient_id) FROM access_log e "
                "JOIN access_log_patients p ON p.list_id = e.patient_list_id "
                "WHERE e.action IN ('risk_train', 'risk_evaluate') GROUP BY e.id, e.action, e.role "
                "ORDER BY e.id"
            )
        ).all()
    # One training, then an entry per report (this test evaluates twice).
    entries = [(action, role) for action, role, _n in bulk]
    assert entries[0] == ("risk_train", "cli")
    assert len(entries) > 1
    assert set(entries[1:]) == {("risk_evaluate", "cli")}
    assert all(n > 0 for _a, _r, n in bulk)


def test_score_without_a_model_says_so(tmp_path: Path, db_url: str) -> None:
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(certificate("c1")) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["import", str(one), "--db", db_url]).exit_code == 0
    refused = runner.invoke(app, ["risk", "train", "--db", db_url])
    assert refused.exit_code == 2
    assert "nothing stored" in refused.output
    result = runner.invoke(app, ["risk", "score", "--unit", UNIT, "--db", db_url])
    assert result.exit_code == 2
    assert "no risk model stored" in result.output


def test_bad_scope_is_named(db_url: str) -> None:
    result = runner.invoke(app, ["risk", "train", "--scope", "unit:x", "--db", db_url])
    assert result.exit_code == 2
    assert "--scope" in result.output
