"""The bulk case engine against the reference engine, and the
``build-cases`` file command on hand-worked inputs."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rehabkoll.cases import bulk, engine, vectorised
from rehabkoll.cases.engine import CertificateRecord, Period
from rehabkoll.certificates import reading
from rehabkoll.cli import app
from tests.factories import OTHER_PROVIDER, PROVIDER, certificate, period_rows, pnr, record

BASE_DAY = date(2016, 1, 1)
MARCH = ("2016-03-05", "2016-03-31", 100)
BASE_TIME = datetime(2016, 1, 1, 9, 0)
DEGREES = (25, 50, 75, 100)

Row = tuple[str, str, date, date, int, float, int, str, str]


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = bulk.connect(threads=2)
    yield connection
    connection.close()


def expected(records: list[CertificateRecord], gap: int) -> list[Row]:
    """The reference engine's cases, with the id and diagnosis of each case's
    most recently signed certificate."""
    rows = []
    for case in engine.build_cases(records, gap):
        latest = max(case.certificates, key=lambda c: c.recency)
        rows.append(
            (
                case.patient_id,
                case.care_provider_id,
                case.start,
                case.end,
                case.days,
                case.net_days,
                len(case.certificates),
                latest.id,
                latest.diagnosis,
            )
        )
    return rows


def actual(table: pa.Table) -> list[Row]:
    """The bulk engine's cases in the reference's order (patient, provider, start)."""
    return sorted(
        (
            r["patient_id"],
            r["care_provider_id"],
            r["start"],
            r["end"],
            r["days"],
            r["net_days"],
            r["certificates"],
            r["latest_certificate_id"],
            r["diagnosis"],
        )
        for r in table.to_pylist()
    )


def run_bulk(
    con: duckdb.DuckDBPyConnection, records: list[CertificateRecord], gap: int, *, shuffle: int = 0
) -> pa.Table:
    """The bulk engine on the records' periods; ``shuffle``: a seed to put the
    rows in another order first (a certificate's periods apart)."""
    rows = period_rows(records)
    if shuffle:
        random.Random(shuffle).shuffle(rows)
    table = pa.Table.from_pylist(rows, schema=bulk.PERIODS_SCHEMA)
    return bulk.build_cases_arrow(table, gap=gap, con=con)


@st.composite
def certificate_sets(draw: st.DrawFn) -> list[CertificateRecord]:
    """Certificates of a few patients at two providers: overlapping, adjacent and
    gapped, 1–5 periods each (sometimes with a gap between them), signing times
    with ties, ids whose string order differs from their number order."""
    count = draw(st.integers(min_value=1, max_value=24))
    numbers = draw(st.lists(st.integers(1, 500), min_size=count, max_size=count, unique=True))
    records = []
    for number in numbers:
        start = BASE_DAY + timedelta(days=draw(st.integers(0, 160)))
        periods = []
        for _ in range(draw(st.sampled_from((1, 1, 2, 2, 3, 3, 4, 5)))):
            end = start + timedelta(days=draw(st.integers(0, 30)))
            periods.append(Period(start, end, draw(st.sampled_from(DEGREES))))
            start = end + timedelta(days=1 + draw(st.sampled_from((0, 0, 0, 1, 3, 12))))
        records.append(
            CertificateRecord(
                id=f"c-{number}",
                patient_id=draw(st.sampled_from(("19121212-1212", "p2", "p3"))),
                care_provider_id=draw(st.sampled_from((PROVIDER, OTHER_PROVIDER))),
                unit_id="u",
                doctor_id="d",
                signed_at=BASE_TIME + timedelta(hours=draw(st.integers(0, 4))),
                periods=tuple(periods),
                diagnosis=draw(st.sampled_from(("F43.8A", "M54.5"))),
            )
        )
    return records


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=certificate_sets(), gap=st.integers(0, 90))
def test_bulk_gives_the_reference_engines_cases(
    con: duckdb.DuckDBPyConnection, records: list[CertificateRecord], gap: int
) -> None:
    assert actual(run_bulk(con, records, gap)) == expected(records, gap)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=certificate_sets(), gap=st.integers(0, 90), seed=st.integers(1, 2**32))
def test_bulk_on_rows_in_any_order_gives_the_reference_engines_cases(
    con: duckdb.DuckDBPyConnection, records: list[CertificateRecord], gap: int, seed: int
) -> None:
    """Periods of one certificate apart: the engine reads them by certificate id."""
    assert actual(run_bulk(con, records, gap, shuffle=seed)) == expected(records, gap)


def many_pairs(seed: int, count: int) -> list[CertificateRecord]:
    """``count`` certificates of 200 patients at two providers, drawn like
    ``certificate_sets``: enough pairs to fill every part of the engine."""
    draw = random.Random(seed)
    records = []
    for number in range(count):
        start = BASE_DAY + timedelta(days=draw.randint(0, 700))
        periods = []
        for _ in range(draw.choice((1, 1, 2, 3))):
            end = start + timedelta(days=draw.randint(0, 40))
            periods.append(Period(start, end, draw.choice(DEGREES)))
            start = end + timedelta(days=draw.choice((1, 1, 2, 9)))
        records.append(
            CertificateRecord(
                id=f"c-{number}",
                patient_id=f"p{draw.randint(1, 200)}",
                care_provider_id=draw.choice((PROVIDER, OTHER_PROVIDER)),
                unit_id="u",
                doctor_id="d",
                signed_at=BASE_TIME + timedelta(hours=draw.randint(0, 2000)),
                periods=tuple(periods),
                diagnosis=draw.choice(("F43.8A", "M54.5")),
            )
        )
    return records


@pytest.mark.parametrize("bits", [1, 4, 8])
@pytest.mark.parametrize("shuffle", [0, 7])
def test_bulk_gives_the_same_cases_in_any_number_of_parts(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch, bits: int, shuffle: int
) -> None:
    """About 400 pairs spread over 2, 16 and 256 parts, computed two at a
    time, give the reference engine's cases, with rows in order and apart."""
    records = many_pairs(seed=bits, count=3000)
    monkeypatch.setattr(bulk, "_PART_BITS", bits)
    assert actual(run_bulk(con, records, 5, shuffle=shuffle)) == expected(records, 5)


def test_chain_sql_numbers_each_certificates_case(con: duckdb.DuckDBPyConnection) -> None:
    # Key 1: gap 5 chains 10 Jan → 16 Jan, not → 23 Jan; key 2 never joins key 1.
    certs = pa.table(
        {
            "id": ["a", "b", "c", "d", "e"],
            "pp": [1, 1, 1, 2, 1],
            "cstart": [
                date(2016, 1, 1),
                date(2016, 1, 16),
                date(2016, 2, 7),
                date(2016, 1, 2),
                date(2016, 1, 5),
            ],
            "cend": [
                date(2016, 1, 10),
                date(2016, 1, 31),
                date(2016, 2, 9),
                date(2016, 1, 3),
                date(2016, 1, 8),
            ],
        }
    )
    con.register("test_certs", certs)
    try:
        rows = con.sql(
            f"SELECT id, case_no, overlapping FROM "
            f"{bulk.chain_sql('test_certs', gap=5, key='pp', start='cstart', end='cend')} "
            "ORDER BY id"
        ).fetchall()
    finally:
        con.unregister("test_certs")
    case = {row[0]: row[1] for row in rows}
    assert case["a"] == case["b"] == case["e"]
    assert len({case["a"], case["c"], case["d"]}) == 3
    assert {row[0] for row in rows if row[2]} == {"a", "e"}


def test_a_period_out_of_range_is_an_error(con: duckdb.DuckDBPyConnection) -> None:
    rows = period_rows([record("c-1", [("2016-01-10", "2016-01-01", 100)])])
    table = pa.Table.from_pylist(rows, schema=bulk.PERIODS_SCHEMA)
    with pytest.raises(duckdb.Error, match="c-1 has a period out of range"):
        bulk.build_cases_arrow(table, gap=5, con=con)


def test_arrow_form_on_overlapping_certificates() -> None:
    # c-1 (100 %, 1–14 Feb) and the later-signed c-2 (50 %, 10–20 Feb): days 20;
    # net: 9 days at 100 % then 11 at 50 % = 14.5.
    records = [
        record("c-1", [("2016-02-01", "2016-02-14", 100)], signed_at="2016-02-01T10:00:00"),
        record("c-2", [("2016-02-10", "2016-02-20", 50)], signed_at="2016-02-10T10:00:00"),
    ]
    table = pa.Table.from_pylist(period_rows(records), schema=bulk.PERIODS_SCHEMA)
    cases = bulk.build_cases_arrow(table, gap=5).to_pylist()
    assert len(cases) == 1
    case = cases[0]
    assert case["days"] == 20
    assert case["net_days"] == 14.5
    assert case["certificates"] == 2
    assert case["latest_certificate_id"] == "c-2"
    assert set(cases[0]) == set(bulk.CASE_COLUMNS)


def test_arrow_form_on_no_periods_gives_no_cases() -> None:
    empty = pa.Table.from_pylist([], schema=bulk.PERIODS_SCHEMA)
    assert bulk.build_cases_arrow(empty, gap=5).num_rows == 0


# ------------------------------------------------------------- the file command


def write_jsonl(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
        encoding="utf-8",
    )
    return path


def read_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of an output file by patient, provider and start (rows come unordered)."""
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return sorted(rows, key=lambda c: (c["patient_id"], c["care_provider_id"], c["start"]))


@pytest.mark.parametrize("chunk_lines", [2000, 2], ids=["one chunk", "validated elsewhere"])
def test_build_cases_file_from_json_lines_leaves_out_test_revoked_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_lines: int
) -> None:
    # Two lines a chunk: all but the first are validated by two other processes.
    monkeypatch.setattr(reading, "CHUNK_LINES", chunk_lines)
    anna, bo = pnr(1), pnr(2, woman=False)
    source = write_jsonl(
        tmp_path / "certificates.jsonl",
        [
            # Anna: c-1 then c-2 four days after it ends: one case, 1 Feb – 4 Mar.
            certificate("c-1", patient=anna, periods=[("2016-02-01", "2016-02-14", 100)]),
            certificate(
                "c-2",
                patient=anna,
                periods=[("2016-02-19", "2016-02-28", 50), ("2016-02-29", "2016-03-04", 25)],
                signed_at="2016-02-18T09:00:00",
                diagnosis="M54.5",
            ),
            # A test certificate and a revoked one would bridge to a later case.
            certificate(
                "c-3", patient=anna, periods=[("2016-03-05", "2016-03-31", 100)], test=True
            ),
            certificate("c-4", patient=anna, periods=[("2016-03-05", "2016-03-31", 100)]),
            {"revokes": "c-4", "revoked_at": "2016-03-06T08:00:00"},
            certificate("c-5", patient=anna, periods=[("2016-04-15", "2016-04-30", 100)]),
            # Bo: c-6 replaced by c-7; c-8 replaced by a test certificate stays.
            certificate("c-6", patient=bo, periods=[("2016-01-01", "2016-03-31", 100)]),
            certificate(
                "c-7", patient=bo, periods=[("2016-01-01", "2016-01-20", 100)], replaces="c-6"
            ),
            certificate("c-8", patient=bo, periods=[("2016-06-01", "2016-06-10", 75)]),
            certificate(
                "c-9",
                patient=bo,
                periods=[("2016-06-01", "2016-06-30", 100)],
                replaces="c-8",
                test=True,
            ),
            "{not json",
            certificate("c-10", patient="19121212-1213"),  # bad check digit
        ],
    )
    target = tmp_path / "cases.parquet"

    summary = bulk.build_cases_file(source, target, gap=5)

    cases = read_cases(target)
    assert [
        (c["patient_id"], c["start"], c["end"], c["days"], c["net_days"], c["certificates"])
        for c in cases
    ] == [
        (anna, date(2016, 2, 1), date(2016, 3, 4), 29, 14 + 5 + 1.25, 2),
        (anna, date(2016, 4, 15), date(2016, 4, 30), 16, 16.0, 1),
        (bo, date(2016, 1, 1), date(2016, 1, 20), 20, 20.0, 1),
        (bo, date(2016, 6, 1), date(2016, 6, 10), 10, 7.5, 1),
    ]
    assert cases[0]["diagnosis"] == "M54.5"
    assert cases[0]["latest_certificate_id"] == "c-2"
    assert len({c["case_id"] for c in cases}) == 4
    assert summary.startswith("4 cases from 5 certificates")
    assert "2 invalid" in summary
    assert str(target) in summary


def test_a_revocation_before_its_certificate_does_not_count(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "c.jsonl",
        [{"revokes": "c-1", "revoked_at": "2016-01-01T08:00:00"}, certificate("c-1")],
    )
    target = tmp_path / "cases.parquet"
    bulk.build_cases_file(source, target, gap=5)
    assert [c["certificates"] for c in read_cases(target)] == [1]


@pytest.mark.parametrize("apart", [False, True], ids=["in order", "periods apart"])
def test_build_cases_file_from_parquet_periods(tmp_path: Path, apart: bool) -> None:
    records = [
        # One case by gap 5: c-2 starts 6 days after c-1 ends (5 uncovered days).
        record("c-1", [("2016-01-01", "2016-01-10", 100)], patient="p1"),
        record(
            "c-2",
            [("2016-01-16", "2016-01-20", 50), ("2016-01-21", "2016-01-31", 50)],
            patient="p1",
        ),
        # Another provider: never chained with the above.
        record("c-3", [("2016-01-11", "2016-01-15", 100)], patient="p1", provider=OTHER_PROVIDER),
        # Gap 6: two cases.
        record("c-4", [("2016-01-01", "2016-01-10", 100)], patient="p2"),
        record("c-5", [("2016-01-17", "2016-01-20", 100)], patient="p2"),
    ]
    rows = period_rows(records)
    if apart:  # c-2's second period last: the engine reads the file again by id
        rows.append(rows.pop(2))
    source = tmp_path / "periods.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=bulk.PERIODS_SCHEMA), source)
    target = tmp_path / "cases.parquet"

    summary = bulk.build_cases_file(source, target, gap=5)

    assert tuple(pq.read_schema(target).names) == bulk.CASE_COLUMNS
    assert [
        (c["patient_id"], c["care_provider_id"], c["start"], c["end"], c["days"], c["net_days"])
        for c in read_cases(target)
    ] == [
        ("p1", PROVIDER, date(2016, 1, 1), date(2016, 1, 31), 26, 18.0),
        ("p1", OTHER_PROVIDER, date(2016, 1, 11), date(2016, 1, 15), 5, 5.0),
        ("p2", PROVIDER, date(2016, 1, 1), date(2016, 1, 10), 10, 10.0),
        ("p2", PROVIDER, date(2016, 1, 17), date(2016, 1, 20), 4, 4.0),
    ]
    assert summary.startswith("4 cases from 5 certificates in ")


def test_build_cases_file_rejects_parquet_without_the_period_columns(tmp_path: Path) -> None:
    source = tmp_path / "other.parquet"
    pq.write_table(pa.table({"x": [1]}), source)
    with pytest.raises(bulk.InputFormatError, match="missing: certificate_id"):
        bulk.build_cases_file(source, tmp_path / "cases.parquet", gap=5)


def test_build_cases_file_checks_the_gap(tmp_path: Path) -> None:
    with pytest.raises(engine.InvalidSettingError):
        bulk.build_cases_file(tmp_path / "x", tmp_path / "y", gap=91)


def test_build_cases_file_names_the_certificate_with_a_period_out_of_range(
    tmp_path: Path,
) -> None:
    # c-2's period ends before it starts; c-1 is fine, but nothing is written.
    records = [
        record("c-1", [("2016-01-01", "2016-01-10", 100)]),
        record("c-2", [("2016-02-10", "2016-02-01", 100)]),
    ]
    source = tmp_path / "periods.parquet"
    pq.write_table(pa.Table.from_pylist(period_rows(records), schema=bulk.PERIODS_SCHEMA), source)
    target = tmp_path / "cases.parquet"
    with pytest.raises(bulk.InputFormatError, match="certificate c-2 has a period out of range"):
        bulk.build_cases_file(source, target, gap=5)
    assert not target.exists()


def test_build_cases_file_refuses_a_certificate_of_too_many_periods(tmp_path: Path) -> None:
    # One day each, none overlapping: the format allows 20 periods, the engine 300.
    first = date(2016, 1, 1)
    days = [first + timedelta(days=2 * k) for k in range(vectorised.MAX_PERIODS + 1)]
    periods = [(d.isoformat(), d.isoformat(), 100) for d in days]
    source = tmp_path / "periods.parquet"
    rows = period_rows([record("c-1", periods)])
    pq.write_table(pa.Table.from_pylist(rows, schema=bulk.PERIODS_SCHEMA), source)
    with pytest.raises(bulk.InputFormatError, match=r"301 periods; .* at most 300"):
        bulk.build_cases_file(source, tmp_path / "cases.parquet", gap=5)


def test_build_cases_command_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    source = tmp_path / "other.parquet"
    pq.write_table(pa.table({"x": [1]}), source)
    result = CliRunner().invoke(
        app, ["build-cases", "--input", str(source), "--output", str(tmp_path / "c.parquet")]
    )
    assert result.exit_code == 2
    said = " ".join(result.output.split())  # the console wraps long lines
    assert said.startswith("Error: --input:")
    assert "missing: certificate_id" in said
    assert "Traceback" not in said
