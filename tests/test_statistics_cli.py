"""The `rehabkoll stats` and `rehabkoll population` commands."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.roles import Role
from rehabkoll.cli import app
from rehabkoll.coordination import service as coordination
from rehabkoll.db.session import make_engine, session_scope
from rehabkoll.statistics.query import Scope
from rehabkoll.statistics.source import periods_table
from tests.factories import OTHER_UNIT, PROVIDER, UNIT, pnr
from tests.test_statistics_rules import certificate, store

runner = CliRunner()


@pytest.fixture
def db(sqlite_url: str) -> str:
    engine = make_engine(sqlite_url)
    docs = [
        certificate(f"w{i}", patient=pnr(10 + i), periods=[("2024-01-10", "2024-02-20", 50)])
        for i in range(6)
    ]
    docs += [
        certificate(
            f"m{i}",
            patient=pnr(40 + i, woman=False),
            unit=OTHER_UNIT,
            diagnosis="M54.5",
            periods=[("2024-02-01", "2024-02-29", 100)],
        )
        for i in range(2)
    ]
    store(engine, docs)
    engine.dispose()
    return sqlite_url


def stats(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["stats", *args])
    return result.exit_code, result.output


def test_json_rows_per_month(db: str) -> None:
    code, out = stats(
        "cases-per-month",
        "--scope",
        f"provider:{PROVIDER}",
        "--from",
        "2024-01",
        "--to",
        "2024-03",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0, out
    assert json.loads(out) == [
        {"month": "2024-01", "women": 6, "men": 0, "total": 6, "suppressed": False},
        {"month": "2024-02", "women": 6, "men": 2, "total": 8, "suppressed": False},
        {"month": "2024-03", "women": 0, "men": 0, "total": 0, "suppressed": False},
    ]


def test_national_output_is_suppressed(db: str) -> None:
    code, out = stats(
        "diagnosis-groups",
        "--scope",
        "national",
        "--from",
        "2024-02",
        "--to",
        "2024-02",
        "--format",
        "csv",
        "--db",
        db,
    )
    assert code == 0, out
    rows = {
        r["group"]: (r["women"], r["men"], r["total"]) for r in csv.DictReader(io.StringIO(out))
    }
    # Women 6 and men 2 (<5), one group each. The men's 2 shows again in the
    # total row, where 8 − 6 would give it away: the women's total is withheld,
    # and with it a cell of the women's column and of the total column.
    assert rows["psychiatric"] == ("x", "0", "x")
    assert rows["musculoskeletal"] == ("0", "<5", "<5")
    assert rows["total"] == ("x", "<5", "8")


def test_a_table_for_people_and_excel_for_download(db: str, tmp_path: Path) -> None:
    code, out = stats(
        "units",
        "--scope",
        f"provider:{PROVIDER}",
        "--from",
        "2024-02",
        "--to",
        "2024-02",
        "--db",
        db,
    )
    assert code == 0, out
    assert "Vårdcentralen Exempel" in out
    target = tmp_path / "units.xlsx"
    code, out = stats(
        "units",
        "--scope",
        f"provider:{PROVIDER}",
        "--from",
        "2024-02",
        "--to",
        "2024-02",
        "--format",
        "xlsx",
        "--output",
        str(target),
        "--db",
        db,
    )
    assert code == 0, out
    sheet = load_workbook(target).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert ["2024-02", "Totalt", 6, 2, 8, 3] in values  # 6 women per 2 men: 3 per man


def test_the_chapter_drill_down_counts_three_character_categories(db: str) -> None:
    code, out = stats(
        "diagnosis-chapters",
        "--scope",
        f"provider:{PROVIDER}",
        "--from",
        "2024-02",
        "--to",
        "2024-02",
        "--chapter",
        "M",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0, out
    assert [(r["group"], r["total"]) for r in json.loads(out)] == [("M54", 2), ("total", 2)]


def test_doctors_for_a_unit_or_a_provider_but_not_national(db: str) -> None:
    # A unit's manager sees the unit's own doctors; per-doctor figures are never published.
    code, out = stats(
        "doctors", "--scope", f"unit:{UNIT}", "--from", "2024-02", "--to", "2024-02", "--db", db
    )
    assert code == 0, out
    code, out = stats(
        "doctors", "--scope", "national", "--from", "2024-02", "--to", "2024-02", "--db", db
    )
    assert code == 2
    assert "not national" in out


def test_a_parquet_file_of_periods_instead_of_the_database(db: str, tmp_path: Path) -> None:
    engine = make_engine(db)
    with session_scope(engine) as session:
        pq.write_table(periods_table(session, Scope.parse("national")), tmp_path / "p.parquet")
    engine.dispose()
    code, out = stats(
        "degrees",
        "--scope",
        f"unit:{UNIT}",
        "--from",
        "2024-01",
        "--to",
        "2024-01",
        "--periods",
        str(tmp_path / "p.parquet"),
        "--format",
        "json",
    )
    assert code == 0, out
    assert {r["group"]: r["women"] for r in json.loads(out)}["50"] == 6


def test_rates_per_thousand_insured(db: str, tmp_path: Path) -> None:
    population = tmp_path / "population.csv"
    population.write_text(
        "provider_id,year,sex,age_from,age_to,insured\n"
        f"{PROVIDER},2024,F,16,40,1000\n{PROVIDER},2024,F,41,64,1000\n"
        f"{PROVIDER},2024,M,16,64,1000\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["population", "import", str(population), "--db", db])
    assert result.exit_code == 0, result.output
    code, out = stats(
        "rates",
        "--scope",
        f"provider:{PROVIDER}",
        "--from",
        "2024-01",
        "--to",
        "2024-01",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0, out
    rows = {r["group"]: r for r in json.loads(out)}
    assert rows["cases_per_1000"]["women"] == 3.0  # 6 of 2,000
    # Net days: 22 days at 50 % for each of 6 women = 66 per 2,000 women.
    assert rows["net_days_per_1000"]["women"] == 33.0
    assert rows["net_days_per_1000"]["total"] == 22.0  # 66 per 3,000
    code, out = stats(
        "rates",
        "--scope",
        f"provider:{PROVIDER}",
        "--from",
        "2023-12",
        "--to",
        "2024-01",
        "--db",
        db,
    )
    assert code == 2
    assert "2023" in out


def test_coordination_patients_per_unit(db: str) -> None:
    engine = make_engine(db)
    with session_scope(engine) as session:
        user = accounts.create_user(
            session,
            username="k",
            role=Role.COORDINATOR,
            unit_ids=[UNIT],
            password="ett långt lösenord 123",
        )
        for patient in (pnr(10), pnr(11)):
            coordination.add_contact(
                session,
                patient_id=patient,
                unit_id=UNIT,
                day=date(2024, 2, 5),
                party="patient",
                way="phone",
                summary="Samtal",
                user=user,
                now=datetime(2024, 2, 5, 9),
            )
    engine.dispose()
    code, out = stats(
        "coordination",
        "--scope",
        f"unit:{UNIT}",
        "--from",
        "2024-02",
        "--to",
        "2024-02",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0, out
    rows = json.loads(out)
    assert rows[0] == {
        "month": "2024-02",
        "group": UNIT,
        "women": 2,
        "men": 0,
        "total": 2,
        "suppressed": False,
    }


def test_bad_input_is_refused_with_a_reason(db: str) -> None:
    code, out = stats("nosuch", "--scope", "national", "--from", "2024-01", "--to", "2024-01")
    assert code == 2
    assert "no report" in out
    code, out = stats(
        "cases-per-month", "--scope", "region", "--from", "2024-01", "--to", "2024-01"
    )
    assert code == 2
    code, out = stats(
        "cases-per-month", "--scope", "national", "--from", "2024-03", "--to", "2024-01"
    )
    assert code == 2
