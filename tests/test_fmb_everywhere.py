"""FMB outside the web pages: `rehabkoll import`'s notices and summary,
`rehabkoll cases --format json`, and the statistics report "Sjukfall över
FMB:s rekommendation" (hand-worked counts, and DuckDB against the reference)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine
from typer.testing import CliRunner

from rehabkoll.cases.engine import CertificateRecord
from rehabkoll.cli import app
from rehabkoll.db.session import make_engine, session_scope
from rehabkoll.fmb import reading, rules, service
from rehabkoll.statistics import duck, reports
from rehabkoll.statistics.query import Query, Scope
from rehabkoll.statistics.reference import case_months
from rehabkoll.statistics.source import table_of
from tests.factories import OTHER_UNIT, UNIT, pnr
from tests.fmb_data import fmb_dir
from tests.test_statistics_property import PEOPLE, certificates
from tests.test_statistics_rules import FEB, JAN, MAN, MAR, WOMAN, certificate, run, store

runner = CliRunner()


def import_fmb(engine: Engine) -> None:
    with session_scope(engine) as session:
        service.import_data(session, reading.read([str(fmb_dir())]))


def write_lines(path: Path, *docs: object) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    return path


def test_import_tells_which_certificates_go_over_and_counts_them(
    tmp_path: Path, sqlite_url: str
) -> None:
    runner.invoke(app, ["fmb", "import", str(fmb_dir()), "--db", sqlite_url])
    # M54.5 (14 days): b-1 alone is 10 days; b-2 continues the case to 20
    # days, over. F32 (186 days): 30 days, not over.
    file = write_lines(
        tmp_path / "in.jsonl",
        certificate(
            "b-1", patient=MAN, periods=[("2024-01-01", "2024-01-10", 100)], diagnosis="M54.5"
        ),
        certificate(
            "b-2", patient=MAN, periods=[("2024-01-11", "2024-01-20", 50)], diagnosis="M54.5"
        ),
        certificate(
            "w-1", patient=WOMAN, periods=[("2024-01-01", "2024-01-30", 100)], diagnosis="F32.1"
        ),
    )
    result = runner.invoke(app, ["import", str(file), "--db", sqlite_url])
    words = " ".join(result.output.split())
    assert "3 stored, 0 unchanged, 0 rejected, 2 over FMB's recommended length." in words
    # b-1 is in the 20-day case too: the case with it included is over
    assert (
        "b-2: Den totala sjukskrivningsperioden är 20 dagar och därmed längre än FMB:s "
        "rekommendation på 14 dagar för diagnosen M54.5." in words
    )
    assert "w-1" not in words
    assert MAN not in result.output  # no personnummer in the notices
    skipped = runner.invoke(
        app,
        [
            "import",
            str(write_lines(tmp_path / "b.jsonl", certificate("x", patient=pnr(9)))),
            "--db",
            sqlite_url,
            "--no-fmb-notices",
        ],
    )
    assert "over FMB" not in skipped.output


def test_cases_json_carries_fmb_max_days_code_and_over(tmp_path: Path, sqlite_url: str) -> None:
    runner.invoke(app, ["fmb", "import", str(fmb_dir()), "--db", sqlite_url])
    file = write_lines(
        tmp_path / "in.jsonl",
        # F32.1 main (186 via F32) and M54.5 secondary (14): 186 from F32.1
        certificate(
            "c-1",
            patient=WOMAN,
            periods=[("2024-01-01", "2024-07-05", 100)],
            diagnosis="F32.1",
            secondary=["M54.5"],
        ),
        certificate(
            "c-2", patient=MAN, periods=[("2024-01-01", "2024-07-06", 100)], diagnosis="F32"
        ),
        certificate(
            "c-3", patient=pnr(3), periods=[("2024-06-01", "2024-07-06", 100)], diagnosis="Z00"
        ),
    )
    runner.invoke(app, ["import", str(file), "--db", sqlite_url, "--no-fmb-notices"])
    result = runner.invoke(
        app,
        ["cases", "--unit", UNIT, "--as-of", "2024-07-01", "--format", "json", "--db", sqlite_url],
    )
    rows = {r["patient_id"]: r for r in json.loads(result.output)}
    # Jan 1 - Jul 5 2024 is 187 days (a leap year: 31+29+31+30+31+30+5): over 186
    assert {k: rows[WOMAN][k] for k in rules.JSON_KEYS} == {
        "fmb_max_days": 186,
        "fmb_code": "F32.1",
        "over_fmb": True,
    }
    # Jan 1 - Jul 6 is 188 days: over
    assert rows[MAN]["over_fmb"] is True
    assert {k: rows[pnr(3)][k] for k in rules.JSON_KEYS} == {
        "fmb_max_days": None,
        "fmb_code": None,
        "over_fmb": False,
    }


def test_exactly_186_days_is_not_over_and_187_is(tmp_path: Path, sqlite_url: str) -> None:
    runner.invoke(app, ["fmb", "import", str(fmb_dir()), "--db", sqlite_url])
    file = write_lines(
        tmp_path / "in.jsonl",
        # 2023 has no leap day: Jan 1 - Jul 5 is 186 days, Jan 1 - Jul 6 is 187
        certificate(
            "c-1", patient=WOMAN, periods=[("2023-01-01", "2023-07-05", 100)], diagnosis="F32"
        ),
        certificate(
            "c-2", patient=MAN, periods=[("2023-01-01", "2023-07-06", 100)], diagnosis="F32"
        ),
    )
    runner.invoke(app, ["import", str(file), "--db", sqlite_url, "--no-fmb-notices"])
    result = runner.invoke(
        app,
        ["cases", "--unit", UNIT, "--as-of", "2023-07-01", "--format", "json", "--db", sqlite_url],
    )
    rows = {r["patient_id"]: r for r in json.loads(result.output)}
    assert (rows[WOMAN]["days"], rows[WOMAN]["over_fmb"]) == (186, False)
    assert (rows[MAN]["days"], rows[MAN]["over_fmb"]) == (187, True)


def test_the_statistics_count_case_months_over_the_recommendation(engine: Engine) -> None:
    import_fmb(engine)
    store(
        engine,
        [
            # M54.5 (14 days): over from day 15, Jan 15; counted in January and February
            certificate(
                "m1", patient=MAN, periods=[("2024-01-01", "2024-02-10", 100)], diagnosis="M54.5"
            ),
            # F32 (186 days): 60 days, never over
            certificate(
                "w1", patient=WOMAN, periods=[("2024-01-01", "2024-02-29", 100)], diagnosis="F32"
            ),
            # J06 (14 days) at the other unit: 20 days by Jan 20, over in January
            certificate(
                "w2",
                patient=pnr(5),
                periods=[("2024-01-01", "2024-01-20", 100)],
                diagnosis="J06.9",
                unit=OTHER_UNIT,
            ),
        ],
    )
    report = run(engine, "over-fmb", "national", JAN, MAR)
    assert (
        report.title
        == "Sjukfall över FMB:s rekommendation (källa: Socialstyrelsen, FMB (2018-06-05))"
    )
    assert [(r.month, r.women, r.men) for r in report.rows] == [
        (JAN, 1, 1),
        (FEB, 0, 1),
        (MAR, 0, 0),
    ]
    chapters = run(engine, "over-fmb-chapters", "national", JAN, JAN)
    counts = {r.group: (r.women, r.men) for r in chapters.rows if r.women or r.men}
    assert counts == {"M00-M99": (0, 1), "J00-J99": (1, 0), "total": (1, 1)}
    units = run(engine, "over-fmb-units", "national", JAN, JAN)
    assert {r.group: (r.women, r.men) for r in units.rows} == {
        UNIT: (0, 1),
        OTHER_UNIT: (1, 0),
        "total": (1, 1),
    }


def test_without_fmb_the_report_says_so_and_counts_nothing(engine: Engine) -> None:
    store(
        engine,
        [
            certificate(
                "m1", patient=MAN, periods=[("2024-01-01", "2024-02-10", 100)], diagnosis="M54.5"
            )
        ],
    )
    report = run(engine, "over-fmb", "national", JAN, JAN)
    assert "ingen FMB-version är importerad" in report.title
    assert [(r.women, r.men) for r in report.rows] == [(0, 0)]


LOOKUP = {"F32": 186, "F438": 372, "M545": 14, "J06": 14, "S82": 372}


def lookup(code: str) -> int | None:
    key = rules.match(code, LOOKUP)
    return LOOKUP[key] if key else None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=certificates())
def test_the_fmb_reports_count_as_the_reference_form(records: list[CertificateRecord]) -> None:
    query = Query(Scope.parse("national"), date(2023, 10, 1), date(2024, 4, 1))
    expected = case_months(records, PEOPLE, query)
    con = duck.connect()
    duck.load(con, table_of(records, PEOPLE))
    for name in ("over-fmb", "over-fmb-chapters", "over-fmb-units"):
        spec = reports.REPORTS[name]
        got = reports.count_duck(con, query, spec, fmb=lookup)
        assert got == reports.count_reference(expected, query, spec, fmb=lookup), name


def test_a_migrated_database_has_the_fmb_tables(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        assert service.versions(session) == []
    engine.dispose()
