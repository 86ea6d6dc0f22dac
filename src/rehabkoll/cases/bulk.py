"""The case engine, bulk form (sjukfallsmotor i bulk): every case of every
patient and care provider from millions of certificates, with DuckDB reading
and NumPy computing.

The rules are those of ``rehabkoll.cases.engine`` (docs/cases.md); property
tests (tests/test_bulk.py) hold the two forms to the same cases, with the
input rows in any order.

Using it
--------
The input is a table of certificate periods: one row per period of an
effective certificate (not test, revoked or replaced), with the columns of
``PERIOD_COLUMNS`` (``PERIODS_SCHEMA``)::

    certificate_id, patient_id, care_provider_id, unit_id, signed_at,
    start, end, degree, diagnosis

- ``build_cases_arrow(periods, gap=5)``: a ``pyarrow.Table`` of periods in, a
  ``pyarrow.Table`` of cases out.
- ``build_cases_file(input, output, gap=5)``: the ``build-cases`` command:
  certificate JSON Lines or a Parquet file of periods in, Parquet out.
- ``chain_sql("certs", gap=5, key="pp", start="cstart", end="cend")``: only
  the chaining step as SQL, for a relation with one row per certificate, to
  use inside larger DuckDB queries (the statistics do): every column of it
  plus ``case_no`` (a case number unique over the whole input),
  ``cluster_no`` and ``overlapping`` (the certificate's span overlaps another
  of its case).

The cases have the columns of ``CASE_COLUMNS``, in no particular row order:
``case_id``, ``patient_id``, ``care_provider_id``, ``start``, ``end``,
``days``, ``net_days``, ``certificates`` (how many), and of the case's most
recently signed certificate (ties on ``signed_at`` go to the larger id)
``diagnosis``, ``unit_id`` and ``latest_certificate_id``.

How it works
------------
1. DuckDB reads the periods once, in input order, as integers: a hash of the
   certificate id, two hashes of (patient, provider), signing time, start,
   end and degree (``_scan_sql``), streamed batch by batch into NumPy arrays
   (``_fetch``). A period out of range stops it with a message naming its
   certificate.
2. NumPy (``rehabkoll.cases.vectorised``) splits the periods into 16 parts by
   their pair's hash, so that every case lies in one part, and computes the
   parts two at a time in two threads: in each, it takes the runs of one
   certificate id as certificates, orders them by patient-provider pair and
   start, chains them, and counts days and net days. If some certificate's
   periods do not lie next to each other, DuckDB reads them again ordered by
   id, numbered by the id's rank.
3. Where signing times tie and recency decides, DuckDB looks up the tied
   certificates' ids (``_id_ranks``; rare; the threads take turns).
4. One DuckDB query joins each case's figures to the labels (patient,
   provider, diagnosis, unit, id) of its lead certificate's first period, by
   row number (Parquet's ``file_row_number``, a table's ``rowid``), and
   writes the Parquet output as it goes (``_cases_query``).

Patient-provider pairs are told apart by 96 bits of two 64-bit hashes of
different texts: two of ten million pairs share them with a chance below
10^-15. Two neighbouring periods of different certificates would be taken for
one certificate only if the 64-bit hashes of their ids and their signing
times to the microsecond both matched.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console

from rehabkoll.cases import vectorised
from rehabkoll.cases.engine import DEFAULT_GAP, check_gap

if TYPE_CHECKING:
    from rehabkoll.certificates.schema import Certificate

CASE_COLUMNS = (
    "case_id",
    "patient_id",
    "care_provider_id",
    "start",
    "end",
    "days",
    "net_days",
    "certificates",
    "diagnosis",
    "unit_id",
    "latest_certificate_id",
)
PERIODS_SCHEMA = pa.schema(
    [
        ("certificate_id", pa.string()),
        ("patient_id", pa.string()),
        ("care_provider_id", pa.string()),
        ("unit_id", pa.string()),
        ("signed_at", pa.timestamp("us")),
        ("start", pa.date32()),
        ("end", pa.date32()),
        ("degree", pa.int8()),
        ("diagnosis", pa.string()),
    ]
)
"""The periods table, the one format that ``build-cases``, ``rehabkoll synth
--format parquet`` and the statistics share (synth adds sex, birth_date and
doctor_id after these)."""
PERIOD_COLUMNS = tuple(PERIODS_SCHEMA.names)


class InputFormatError(ValueError):
    """The input is neither certificate JSON Lines nor a Parquet file of
    periods, or holds a period the engine cannot take."""


# --------------------------------------------------------------------------- SQL

_DAY0 = "DATE '1900-01-01'"
_LOW32 = 4294967295


def _source(periods: str, *, checked: bool = False, row: str | None = None) -> str:
    """The periods with the types the engine relies on. ``checked``: a period
    out of range stops the query with a message naming its certificate.
    ``row``: a column of ``periods`` numbering its rows, kept as ``rk_row``."""
    numbered = f"{row} AS rk_row, " if row else ""
    typed = f"""(
        SELECT {numbered}certificate_id::VARCHAR AS certificate_id,
               patient_id::VARCHAR AS patient_id,
               care_provider_id::VARCHAR AS care_provider_id, unit_id::VARCHAR AS unit_id,
               diagnosis::VARCHAR AS diagnosis, signed_at::TIMESTAMP AS signed_at,
               start::DATE AS start, "end"::DATE AS "end", degree::INTEGER AS degree
        FROM {periods})"""
    if not checked:
        return typed
    return f"""(
        SELECT * REPLACE (
            CASE WHEN start >= {_DAY0} AND "end" >= start AND "end" - start < 65536
                      AND degree BETWEEN 0 AND 100 AND signed_at IS NOT NULL
                 THEN degree
                 ELSE error('build-cases: certificate ' || coalesce(certificate_id, '?')
                            || ' has a period out of range: ' || coalesce(start::VARCHAR, '?')
                            || ' to ' || coalesce("end"::VARCHAR, '?') || ' at '
                            || coalesce(degree::VARCHAR, '?') || ' %') END AS degree)
        FROM {typed})"""


def chain_sql(
    certificates: str,
    *,
    gap: int = DEFAULT_GAP,
    key: str = "key",
    start: str = "start",
    end: str = "end",
) -> str:
    """The gap rule as SQL over ``certificates``, one row per certificate with
    the columns ``key`` (patient and provider as one non-negative integer below
    2^96, such as a BIGINT), ``start`` and ``end`` (dates from 1900 on) and any
    others: every column plus ``case_no``, ``cluster_no`` and ``overlapping``.
    The statistics chain their certificates with it, inside larger queries.

    Sorted by key and start, a certificate starts a new case when its start lies
    more than ``gap`` + 1 days after the latest end so far of its key, and a new
    cluster when it starts after that end; ``overlapping`` marks the
    certificates that share their cluster with another. The same steps as
    ``vectorised.chain``, as streaming window functions (``OVER ()``, evaluated
    in the order of the input; see "Order preservation" in the DuckDB manual).
    """
    gap = check_gap(gap)
    k, s, e = f'"{key}"', f'"{start}"', f'"{end}"'
    # Streaming windows over the sorted rows (OVER ()): the previous row's end
    # tagged with its key, their running maximum (the latest end so far, of the
    # same key when the tag matches), then the flags and their running sums.
    reaching = f"""(
        SELECT * EXCLUDE (rk_previous),
               max(rk_previous) OVER (ROWS UNBOUNDED PRECEDING) AS rk_reach
        FROM (SELECT *, lag(({k}::UHUGEINT << 32) | ({e} - {_DAY0})::UHUGEINT) OVER ()
                          AS rk_previous
              FROM (SELECT * FROM {certificates} ORDER BY {k}, {s})))"""
    flagged = f"""(
        SELECT * EXCLUDE (rk_latest_end),
               rk_latest_end IS NULL OR {s} > rk_latest_end + {gap + 1} AS rk_new_case,
               rk_latest_end IS NULL OR {s} > rk_latest_end AS rk_new_cluster
        FROM (SELECT * EXCLUDE (rk_reach),
                     CASE WHEN (rk_reach >> 32) = {k}::UHUGEINT
                          THEN {_DAY0} + (rk_reach & {_LOW32}::UHUGEINT)::INTEGER END
                       AS rk_latest_end
              FROM {reaching}))"""
    return f"""(
        SELECT * EXCLUDE (rk_new_case, rk_new_cluster, rk_next_new_cluster),
               NOT (rk_new_cluster AND rk_next_new_cluster) AS overlapping
        FROM (SELECT *,
                     sum(rk_new_case::INTEGER) OVER (ROWS UNBOUNDED PRECEDING)::BIGINT AS case_no,
                     sum(rk_new_cluster::INTEGER) OVER (ROWS UNBOUNDED PRECEDING)::BIGINT
                       AS cluster_no,
                     lead(rk_new_cluster, 1, true) OVER () AS rk_next_new_cluster
              FROM {flagged}))"""


def _scan_sql(periods: str, *, row: str, by_id: bool) -> str:
    """Step 1: the periods as integers for ``vectorised``, in input order;
    ``by_id``: ordered by certificate id instead, numbered by its rank, with
    row numbers."""
    number, numbered, order = "hash(certificate_id)", "", ""
    if by_id:
        number = "dense_rank() OVER (ORDER BY certificate_id)::UBIGINT"
        numbered, order = "rk_row::BIGINT AS row, ", " ORDER BY certificate_id, rk_row"
    return f"""
SELECT {numbered}{number} AS certificate,
       -- patient and provider: two hashes of different texts, 96 bits kept
       hash(patient_id, care_provider_id) AS who_high,
       (hash(care_provider_id || '|' || patient_id) >> 32)::UINTEGER AS who_low,
       epoch_us(signed_at) AS signed,
       (start - DATE '1970-01-01')::INTEGER AS start,
       ("end" - DATE '1970-01-01')::INTEGER AS "end",
       degree::SMALLINT AS degree
FROM {_source(periods, checked=True, row=row)}{order}"""


_PART_BITS = 4
"""The periods are computed in 2^4 parts by their pairs' hash, two parts at a
time (``vectorised.parts``): on 10 M certificates, a part's arrays of a few
MB stay in the processor's cache."""


class _Part(NamedTuple):
    """The cases of one part, and the input row of each case's lead."""

    cases: vectorised.Cases
    lead_rows: npt.NDArray[np.int64]


def _computed_parts(
    con: duckdb.DuckDBPyConnection, periods: str, *, gap: int, row: str
) -> list[_Part]:
    """The cases of every part of ``periods``, two parts at a time in two
    threads. Read in input order (``row`` then numbers the rows 0, 1, … in
    that order, as Parquet's file_row_number and a new table's rowid do); if a
    certificate's periods lie apart there, read again ordered by certificate
    id."""
    ((rows,),) = con.sql(f"SELECT count(*) FROM {periods}").fetchall()
    turn = threading.Lock()  # the threads take turns with the connection

    def id_ranks(tied_rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        with turn:
            return _id_ranks(con, periods, row=row, rows=tied_rows)

    for by_id in (False, True):
        read = vectorised.Periods(**_fetch(con, _scan_sql(periods, row=row, by_id=by_id), rows))
        parts = _parts_of(read, gap=gap, exact=by_id, id_ranks=id_ranks)
        if parts is not None:
            return parts
        del read  # before reading again
    raise AssertionError("read by id, the certificates are always runs")


def _parts_of(
    periods: vectorised.Periods,
    *,
    gap: int,
    exact: bool,
    id_ranks: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int64]],
) -> list[_Part] | None:
    """The cases of each part of ``periods``, two parts at a time; None if a
    certificate's periods lie apart (not ``exact``: read by hash)."""

    def compute(where: npt.NDArray[np.int64]) -> _Part | None:
        part = vectorised.part(periods, where)
        return _part_cases(part, gap=gap, exact=exact, id_ranks=id_ranks)

    with ThreadPoolExecutor(max_workers=2) as pool:
        computed = list(pool.map(compute, vectorised.parts(periods, _PART_BITS)))
    parts = [part for part in computed if part is not None]
    return parts if len(parts) == len(computed) else None


def _part_cases(
    periods: vectorised.Periods,
    *,
    gap: int,
    exact: bool,
    id_ranks: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int64]],
) -> _Part | None:
    """Steps 2 and 3 for one part; None if a certificate's periods lie apart
    (not ``exact``: read by hash)."""
    heads = vectorised.run_heads(periods, exact=exact)
    certs = vectorised.ordered(periods, heads, check=not exact)
    if certs is None:
        return None
    chained = vectorised.chain(certs, gap)
    tied = vectorised.tied(certs, chained)
    rank = vectorised.recency_rank(len(certs.start), tied, id_ranks(certs.row(tied)))
    return _Part(
        cases=vectorised.figures(periods, certs, chained, rank),
        lead_rows=certs.row(vectorised.leads(chained, rank)),
    )


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, rows: int) -> dict[str, npt.NDArray[Any]]:
    """The integer columns of the query's ``rows`` rows as NumPy arrays, filled
    batch by batch as DuckDB streams them: half the memory of a whole Arrow
    table and its copy, and each batch's memory is used again by the next."""
    reader = con.sql(sql).to_arrow_reader(_FETCH_BATCH)
    columns = {
        field.name: np.empty(rows, dtype=field.type.to_pandas_dtype()) for field in reader.schema
    }
    at = 0
    for batch in reader:
        for name, values in zip(batch.schema.names, batch.columns, strict=True):
            columns[name][at : at + batch.num_rows] = values.to_numpy()
        at += batch.num_rows
    if at != rows:
        raise AssertionError(f"the scan gave {at} rows of {rows}")
    return columns


_FETCH_BATCH = 1 << 20


def _id_ranks(
    con: duckdb.DuckDBPyConnection, periods: str, *, row: str, rows: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The rank (from 1) of the certificate ids at ``rows`` among themselves."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    con.register("rehabkoll_bulk_tied", pa.table({"row": rows}))
    try:
        ids = dict(
            con.sql(
                f"SELECT rk_row, certificate_id FROM {_source(periods, row=row)} "
                "WHERE rk_row IN (SELECT row FROM rehabkoll_bulk_tied)"
            ).fetchall()
        )
    finally:
        con.unregister("rehabkoll_bulk_tied")
    rank = {certificate_id: n for n, certificate_id in enumerate(sorted(ids.values()), start=1)}
    return np.array([rank[ids[int(r)]] for r in rows], dtype=np.int64)


@contextmanager
def _cases_query(
    con: duckdb.DuckDBPyConnection, periods: str, *, gap: int, row: str
) -> Iterator[str]:
    """A query on ``con`` for the cases (``CASE_COLUMNS``) of ``periods``,
    valid inside the block: the engine's figures with the labels of each
    case's lead certificate, which DuckDB finds by row number as it goes."""
    gap = check_gap(gap)
    parts = _computed_parts(con, periods, gap=gap, row=row)
    cases = vectorised.joined([part.cases for part in parts])
    lead_rows = np.concatenate([part.lead_rows for part in parts])
    del parts

    def day(days: npt.NDArray[np.int64]) -> pa.Array:
        return pa.array(days.astype("datetime64[D]"), type=pa.date32())

    figures = pa.table(
        {
            "rk_lead_row": lead_rows,
            "case_id": pa.array(np.arange(1, len(lead_rows) + 1), type=pa.int64()),
            "start": day(cases.start),
            "end": day(cases.end),
            "days": pa.array(cases.days, type=pa.int32()),
            "net_days": pa.array(cases.weighted / 100.0, type=pa.float64()),
            "certificates": pa.array(cases.certificates, type=pa.int32()),
        }
    )
    con.register("rehabkoll_bulk_figures", figures)
    try:
        yield f"""
            SELECT f.case_id, p.patient_id, p.care_provider_id, f.start, f."end", f.days,
                   f.net_days, f.certificates, p.diagnosis, p.unit_id,
                   p.certificate_id AS latest_certificate_id
            FROM {_source(periods, row=row)} p
            JOIN rehabkoll_bulk_figures f ON p.rk_row = f.rk_lead_row"""
    finally:
        con.unregister("rehabkoll_bulk_figures")


def connect(*, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB set up for the bulk engine (never loads an extension)."""
    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    con.execute("SET enable_progress_bar = false")
    # The input order must hold: periods of a certificate next to each other,
    # and chain_sql's streaming windows.
    con.execute("SET preserve_insertion_order = true")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def build_cases_arrow(
    periods: pa.Table, *, gap: int = DEFAULT_GAP, con: duckdb.DuckDBPyConnection | None = None
) -> pa.Table:
    """Every case of the periods in an Arrow table (columns ``PERIOD_COLUMNS``)."""
    db = connect() if con is None else con
    name = "rehabkoll_bulk_periods"
    numbered = periods.append_column(
        "rk_input_row", pa.array(np.arange(periods.num_rows), type=pa.int64())
    )
    db.register(name, numbered)
    try:
        with _cases_query(db, name, gap=gap, row="rk_input_row") as query:
            return db.sql(query).to_arrow_table()
    finally:
        db.unregister(name)
        if con is None:
            db.close()


# ---------------------------------------------------------------- file command


@dataclass
class JsonlReport:
    """What reading certificate JSON Lines found."""

    lines: int = 0
    invalid: int = 0
    certificates: int = 0
    effective: int = 0

    @property
    def left_out(self) -> int:
        """Certificates that are test, revoked, replaced or repeated."""
        return self.certificates - self.effective


_PERIOD_FIELDS = (*PERIODS_SCHEMA.names, "line")
_BATCH = 50_000


def read_jsonl(
    con: duckdb.DuckDBPyConnection, path: Path, *, on_bytes: Callable[[int], None] | None = None
) -> JsonlReport:
    """Read certificate JSON Lines into the table ``rehabkoll_jsonl_input`` on
    ``con``: the periods of the effective certificates only.

    Every line is read as an import reads it (``certificates.reading``; from
    the second chunk on in two other processes while this one collects the
    values); invalid lines are
    counted and skipped (``rehabkoll import`` names them). As
    in an import, the first line with an id counts, a revocation applies to a
    certificate on an earlier line, and a certificate replaced by one that is
    neither test nor revoked leaves the cases.
    """
    # Here, not at the top: a Parquet input needs none of the validation.
    from rehabkoll.certificates.reading import parsed_chunks
    from rehabkoll.certificates.schema import FieldError

    report = JsonlReport()
    periods: list[pa.RecordBatch] = []
    heads: list[pa.RecordBatch] = []
    revocations: list[pa.RecordBatch] = []
    columns: dict[str, list[Any]] = {name: [] for name in _PERIOD_FIELDS}
    head: dict[str, list[Any]] = {"id": [], "line": [], "replaces": [], "test": []}
    revoked: dict[str, list[Any]] = {"id": [], "line": []}

    def flush() -> None:
        if columns["line"]:
            periods.append(pa.RecordBatch.from_pydict(columns, schema=_PERIODS_WITH_LINE))
            for values in columns.values():
                values.clear()
        if head["id"]:
            heads.append(pa.RecordBatch.from_pydict(head, schema=_HEADS))
            for values in head.values():
                values.clear()
        if revoked["id"]:
            revocations.append(pa.RecordBatch.from_pydict(revoked, schema=_REVOCATIONS))
            for values in revoked.values():
                values.clear()

    with path.open("rb") as stream:
        # Validated by two other processes while this one collects the values.
        for parsed, consumed in parsed_chunks(stream, _periods_of, workers=2):
            if on_bytes is not None:
                on_bytes(consumed)
            for number, document in parsed:
                report.lines += 1
                if isinstance(document, FieldError):
                    report.invalid += 1
                elif isinstance(document, _Periods):
                    report.certificates += 1
                    _add_certificate(columns, head, document, number)
                else:
                    revoked["id"].append(document.revokes)
                    revoked["line"].append(number)
            if len(columns["line"]) >= _BATCH:
                flush()
    flush()
    con.register("rehabkoll_jsonl_periods", pa.Table.from_batches(periods, _PERIODS_WITH_LINE))
    con.register("rehabkoll_jsonl_heads", pa.Table.from_batches(heads, _HEADS))
    con.register("rehabkoll_jsonl_revocations", pa.Table.from_batches(revocations, _REVOCATIONS))
    con.execute(_EFFECTIVE_SQL)
    ((effective,),) = con.sql("SELECT count(*) FROM rehabkoll_jsonl_effective").fetchall()
    report.effective = int(effective)
    return report


_PERIODS_WITH_LINE = PERIODS_SCHEMA.append(pa.field("line", pa.int64()))
_HEADS = pa.schema(
    [("id", pa.string()), ("line", pa.int64()), ("replaces", pa.string()), ("test", pa.bool_())]
)
_REVOCATIONS = pa.schema([("id", pa.string()), ("line", pa.int64())])
_EFFECTIVE_SQL = """
CREATE OR REPLACE TEMP VIEW rehabkoll_jsonl_effective AS
WITH firsts AS (
    SELECT id, min(line) AS line FROM rehabkoll_jsonl_heads GROUP BY id
), certs AS (
    SELECT h.* FROM rehabkoll_jsonl_heads h JOIN firsts USING (id, line)
), revoked AS (
    SELECT DISTINCT r.id FROM rehabkoll_jsonl_revocations r JOIN certs c
      ON c.id = r.id AND c.line < r.line
), live AS (
    SELECT * FROM certs WHERE NOT test AND id NOT IN (SELECT id FROM revoked)
)
SELECT id, line FROM live
WHERE id NOT IN (SELECT replaces FROM live WHERE replaces IS NOT NULL);

CREATE OR REPLACE TEMP TABLE rehabkoll_jsonl_input AS
SELECT p.* EXCLUDE (line) FROM rehabkoll_jsonl_periods p
JOIN rehabkoll_jsonl_effective e ON p.certificate_id = e.id AND p.line = e.line;
"""


class _Periods(NamedTuple):
    """What the bulk engine keeps of a valid certificate: its periods and the
    fields of ``PERIODS_SCHEMA``, and what decides whether it counts."""

    id: str
    replaces: str | None
    test: bool
    patient_id: str
    care_provider_id: str
    unit_id: str
    signed_at: datetime
    diagnosis: str
    periods: tuple[tuple[date, date, int], ...]


def _periods_of(cert: Certificate) -> _Periods:
    return _Periods(
        cert.id,
        cert.replaces,
        cert.test,
        cert.patient.id,
        cert.care_provider.id,
        cert.unit.id,
        cert.signed_at,
        cert.diagnosis.code,
        tuple((p.start, p.end, p.degree) for p in cert.periods),
    )


def _add_certificate(
    columns: dict[str, list[Any]], head: dict[str, list[Any]], cert: _Periods, line: int
) -> None:
    head["id"].append(cert.id)
    head["line"].append(line)
    head["replaces"].append(cert.replaces)
    head["test"].append(cert.test)
    for start, end, degree in cert.periods:
        columns["certificate_id"].append(cert.id)
        columns["patient_id"].append(cert.patient_id)
        columns["care_provider_id"].append(cert.care_provider_id)
        columns["unit_id"].append(cert.unit_id)
        columns["signed_at"].append(cert.signed_at)
        columns["start"].append(start)
        columns["end"].append(end)
        columns["degree"].append(degree)
        columns["diagnosis"].append(cert.diagnosis)
        columns["line"].append(line)


def _is_parquet(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4) == b"PAR1"


def _check_parquet_columns(path: Path) -> None:
    names = set(pq.read_schema(path).names)
    missing = [name for name in PERIOD_COLUMNS if name not in names]
    if missing:
        raise InputFormatError(
            f"{path}: a Parquet input needs the period columns {', '.join(PERIOD_COLUMNS)};"
            f" missing: {', '.join(missing)}"
        )


@contextmanager
def _status(console: Console | None, message: str) -> Iterator[None]:
    if console is None:
        yield
        return
    with console.status(message):
        yield


def build_cases_file(input_file: Path, output_file: Path, *, gap: int) -> str:
    """Build every case of the certificates in ``input_file`` (certificate JSON
    Lines, or a Parquet file of periods) into the Parquet file ``output_file``;
    returns a one-line summary."""
    check_gap(gap)
    began = time.perf_counter()
    console = Console(stderr=True) if sys.stderr.isatty() else None
    con = connect()
    try:
        note = ""
        if _is_parquet(input_file):
            _check_parquet_columns(input_file)
            source = f"read_parquet('{_quote(input_file)}', file_row_number = true)"
            row_column = "file_row_number"
        else:
            report = _read_jsonl_with_progress(con, input_file, console)
            source, row_column = "rehabkoll_jsonl_input", "rowid"
            parts = []
            if report.left_out:
                parts.append(f"{report.left_out:,} test, revoked or replaced left out")
            if report.invalid:
                parts.append(f"{report.invalid:,} invalid lines skipped")
            note = f" ({'; '.join(parts)})" if parts else ""
        target = _quote(output_file)
        with _status(console, "Chaining certificates into cases…"):
            # rows numbered by Parquet's file_row_number, the table's rowid
            try:
                with _cases_query(con, source, gap=gap, row=row_column) as query:
                    con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet)")
            except (duckdb.InvalidInputException, ValueError) as error:
                # a period out of range (DuckDB's error()), too many periods
                message = str(error).removeprefix("Invalid Input Error: ")
                raise InputFormatError(f"{input_file}: {message}") from None
        row = con.execute(
            f"SELECT count(*), coalesce(sum(certificates), 0) FROM read_parquet('{target}')"
        ).fetchone()
    finally:
        con.close()
    cases, certificates = (int(row[0]), int(row[1])) if row else (0, 0)
    elapsed = time.perf_counter() - began
    return (
        f"{cases:,} cases from {certificates:,} certificates{note}"
        f" in {elapsed:.1f} s → {output_file}"
    )


def _read_jsonl_with_progress(
    con: duckdb.DuckDBPyConnection, path: Path, console: Console | None
) -> JsonlReport:
    if console is None:
        return read_jsonl(con, path)
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    progress = Progress(
        "Reading certificates",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    with progress:
        task = progress.add_task("read", total=path.stat().st_size)
        return read_jsonl(con, path, on_bytes=lambda n: progress.advance(task, n))


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
