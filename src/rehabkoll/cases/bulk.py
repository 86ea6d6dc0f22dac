"""The case engine, bulk form (sjukfallsmotor i bulk): every case of every
patient and care provider from millions of certificates, in DuckDB.

The rules are those of ``rehabkoll.cases.engine`` (docs/cases.md); a property
test (tests/test_bulk.py) holds the two forms to the same cases.

Using it
--------
The input is a table, view or registered Arrow table of certificate periods:
one row per period of an effective certificate (not test, revoked or
replaced), with the columns of ``PERIOD_COLUMNS`` (``PERIODS_SCHEMA``)::

    certificate_id, patient_id, care_provider_id, unit_id, signed_at,
    start, end, degree, diagnosis

- ``build_cases_arrow(periods, gap=5)``: a ``pyarrow.Table`` of periods in, a
  ``pyarrow.Table`` of cases out.
- ``build_cases_relation(con, "periods", gap=5)``: the cases of the table or
  view ``periods`` as a lazy relation on your connection, to filter, join or
  aggregate further in DuckDB; ``cases_sql`` gives the same as SQL text.
- ``chain_sql("certs", gap=5, key="pp", start="cstart", end="cend")``: only
  the chaining step, for a relation with one row per certificate: every column
  of it plus ``case_no`` (a case number unique over the whole input),
  ``cluster_no`` and ``overlapping`` (the certificate's span overlaps another
  of its case).
- ``build_cases_file(input, output, gap=5)``: the ``build-cases`` command:
  certificate JSON Lines or a Parquet file of periods in, Parquet out.

The cases have the columns of ``CASE_COLUMNS``, in no particular row order:
``case_id``, ``patient_id``, ``care_provider_id``, ``start``, ``end``,
``days``, ``net_days``, ``certificates`` (how many), and of the case's most
recently signed certificate (ties on ``signed_at`` go to the larger id)
``diagnosis``, ``unit_id`` and ``latest_certificate_id``.

How it works
------------
1. One row per certificate (hash aggregate over the periods): its periods
   packed into integers (the first, the last and their sum, from which a third
   is recovered), days and degree-weighted days, and a 96-bit hash of
   (patient, provider) as ``who``.
2. ``chain_sql``: the certificates sorted by ``who`` and start, then streaming
   window functions over that order (``OVER ()``, evaluated in the order of
   the input; see "Order preservation" in the DuckDB manual): the latest end so
   far of the same patient and provider (a running maximum of the previous
   row's end tagged with its ``who``, so that it never carries over to the
   next pair), from it the flags "starts a new case" (``start > latest end +
   gap + 1``) and "overlaps no earlier certificate", and running sums of the
   flags as case and cluster numbers. This is the only serial step.
3. Days and net days: a certificate whose span overlaps no other certificate
   of its case adds its own days and weighted days. Only clusters of
   overlapping certificates (here about one certificate in six) are resolved
   in detail: their periods are cut at every start and end into pieces, and
   each piece takes the degree of the most recently signed period covering it
   (recency as a small integer per cluster, so a plain integer maximum).
   No day is ever expanded into a row.
4. One hash aggregate per case; the case's labels (patient, provider,
   diagnosis, unit) are read from its latest certificate by one join with the
   periods: on certificate id and start, or where the periods have row
   numbers (``build_cases_file``: Parquet's ``file_row_number``, a table's
   ``rowid``) on the row number alone, about twice as fast.

Patient-provider pairs are told apart by that 96-bit hash (built from two 64-bit
hashes of different texts): two of ten million pairs share one with a chance
below 10^-15.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console

from rehabkoll.cases.engine import DEFAULT_GAP, check_gap
from rehabkoll.certificates.reading import parsed_chunks
from rehabkoll.certificates.schema import Certificate, FieldError

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
    """The input is neither certificate JSON Lines nor a Parquet file of periods."""


# --------------------------------------------------------------------------- SQL

_DAY0 = "DATE '1900-01-01'"
# One period in a BIGINT: start day (bits 28-), length - 1 (bits 8-27), degree (bits 0-7).
_PACK = f'(((start - {_DAY0}) << 28) | (("end" - start) << 8) | degree)'
# Sums over a certificate's periods in a HUGEINT: weighted days (bits 64-),
# days (bits 32-63), number of periods (bits 0-31).
_TALLY = (
    '(((("end" - start + 1) * degree)::HUGEINT << 64)'
    ' | (("end" - start + 1)::HUGEINT << 32) | 1::HUGEINT)'
)
_LOW32 = 4294967295


def _first_day(packed: str) -> str:
    return f"({_DAY0} + ({packed} >> 28)::INTEGER)"


def _last_day(packed: str) -> str:
    return f"({_DAY0} + (({packed} >> 28) + (({packed} >> 8) & 1048575))::INTEGER)"


def _source(periods: str, *, checked: bool = False, row: str | None = None) -> str:
    """The periods with the types the query relies on. ``checked``: a period the
    packing below cannot hold stops the query with a message. ``row``: a column
    of ``periods`` numbering its rows, kept as ``rk_row``."""
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

    Sorted by key and start, a certificate starts a new case when its start lies
    more than ``gap`` + 1 days after the latest end so far of its key, and a new
    cluster when it starts after that end; ``overlapping`` marks the
    certificates that share their cluster with another.
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


def _chained_sql(periods: str, *, gap: int, row: str | None = None) -> str:
    """Steps 1 and 2: one row per certificate with its case and cluster numbers
    (and with ``row``, see ``_cases_from_chained_sql``, the number of one of its
    period rows as ``p_row``). The chaining relies on DuckDB keeping the sorted
    order (``preserve_insertion_order``)."""
    spans = (
        f'(SELECT *, {_first_day("p_first")} AS start, {_last_day("p_last")} AS "end"'
        " FROM certificates)"
    )
    chained = chain_sql(spans, gap=gap, key="who")
    return f"""
WITH certificates AS (
    SELECT certificate_id,
           any_value(signed_at) AS signed_at,
           -- patient and provider: two 64-bit hashes of different texts, 96 bits kept
           any_value((hash(patient_id, care_provider_id)::UHUGEINT << 32)
                     | (hash(care_provider_id || '|' || patient_id) >> 32)::UHUGEINT) AS who,
           min({_PACK}) AS p_first,
           max({_PACK}) AS p_last,
           sum({_PACK})::BIGINT AS p_sum,
           sum({_TALLY}) AS tally{", min(rk_row) AS p_row" if row else ""}
    FROM {_source(periods, checked=True, row=row)}
    GROUP BY certificate_id
)
SELECT certificate_id, signed_at, case_no, cluster_no, overlapping,
       p_first, p_last, p_sum, tally{", p_row" if row else ""}
FROM {chained}"""


def _cases_from_chained_sql(chained: str, periods: str, *, row: str | None = None) -> str:
    """Steps 3 and 4 over ``chained`` (``_chained_sql``): the common table
    expressions after ``WITH`` and the final ``SELECT`` of the cases. Nothing
    here depends on row order, so DuckDB may run it without preserving any.

    The labels of a case's latest certificate come from its first period,
    found by certificate id and start; or, with ``row`` (a column numbering the
    rows of ``periods``, such as ``file_row_number`` of ``read_parquet``, which
    ``chained`` then carries as ``p_row``), from one of its periods found by row
    number, a join on one integer and about twice as fast. Patient, provider,
    diagnosis and unit belong to the certificate, so every period has the same.
    """
    if row:
        locate, match = "p_row", "p.rk_row = c.latest.at"
    else:
        locate = _first_day("p_first")
        match = "p.certificate_id = c.latest.id AND p.start = c.latest.at"
    return f"""cases AS (
    SELECT case_no,
           min(p_first) AS p_first,
           max({_last_day("p_last")}) AS "end",
           sum(CASE WHEN overlapping THEN 0 ELSE tally END) AS tally,
           count(*) AS certificates,
           max({{'signed_at': signed_at, 'id': certificate_id, 'at': {locate}}}) AS latest
    FROM {chained} GROUP BY case_no
), cluster_certificates AS MATERIALIZED (
    -- rec: the certificate's recency within its cluster (signing time, then id)
    -- as a small integer, so that a piece's degree is a plain integer maximum
    SELECT case_no, cluster_no, p_first, p_last, p_sum,
           (tally & {_LOW32})::INTEGER AS period_count,
           row_number() OVER (PARTITION BY cluster_no ORDER BY signed_at, certificate_id) AS rec,
           certificate_id
    FROM {chained} WHERE overlapping
), cluster_periods AS MATERIALIZED (
    -- up to three periods come back from the packed integers, more from the input
    SELECT case_no, cluster_no, rec,
           {_first_day("packed")} AS start, {_last_day("packed")} AS "end",
           (packed & 255)::INTEGER AS degree
    FROM (
        SELECT case_no, cluster_no, rec,
               unnest(CASE period_count WHEN 1 THEN [p_first] WHEN 2 THEN [p_first, p_last]
                      ELSE [p_first, p_sum - p_first - p_last, p_last] END) AS packed
        FROM cluster_certificates WHERE period_count <= 3)
    UNION ALL
    SELECT c.case_no, c.cluster_no, c.rec, p.start, p."end", p.degree
    FROM {_source(periods)} p JOIN cluster_certificates c USING (certificate_id)
    WHERE c.period_count > 3
), pieces AS (
    -- each cluster cut at every period start and end + 1
    SELECT * FROM (
        SELECT cluster_no, x AS lo, lead(x) OVER () AS hi, lead(cluster_no) OVER () AS next
        FROM (
            SELECT cluster_no, x FROM (
                SELECT cluster_no, start AS x FROM cluster_periods
                UNION ALL
                SELECT cluster_no, "end" + 1 AS x FROM cluster_periods)
            ORDER BY cluster_no, x))
    WHERE next = cluster_no AND hi > lo
), pieces_degree AS (
    -- the degree of the most recent period covering the piece: degree < 256
    -- rides in the low byte under the recency
    SELECT any_value(p.case_no) AS case_no, s.hi - s.lo AS days,
           (max(p.rec * 256 + p.degree) & 255)::INTEGER AS degree
    FROM pieces s
    JOIN cluster_periods p ON p.cluster_no = s.cluster_no AND p.start <= s.lo AND s.lo <= p."end"
    GROUP BY s.cluster_no, s.lo, s.hi
), clusters AS (
    SELECT case_no, sum(days) AS days, sum(days * degree) AS weighted
    FROM pieces_degree GROUP BY case_no
), labelled AS (
    SELECT c.*, p.patient_id, p.care_provider_id, p.diagnosis, p.unit_id
    FROM {_source(periods, row=row)} p JOIN cases c ON {match}
)
SELECT l.case_no AS case_id, l.patient_id, l.care_provider_id,
       {_first_day("l.p_first")} AS start, l."end",
       (((l.tally >> 32) & {_LOW32}) + coalesce(k.days, 0))::INTEGER AS days,
       ((l.tally >> 64) + coalesce(k.weighted, 0))::BIGINT / 100.0 AS net_days,
       l.certificates::INTEGER AS certificates,
       l.diagnosis, l.unit_id, l.latest.id AS latest_certificate_id
FROM labelled l LEFT JOIN clusters k USING (case_no)
"""


def cases_sql(periods: str, *, gap: int = DEFAULT_GAP, row: str | None = None) -> str:
    """SQL for the cases (``CASE_COLUMNS``) of the periods in table or view
    ``periods``; ``row``: a column of ``periods`` numbering its rows, which
    makes the query faster (``_cases_from_chained_sql``)."""
    return (
        f"WITH chained AS MATERIALIZED ({_chained_sql(periods, gap=gap, row=row)}\n), "
        + _cases_from_chained_sql("chained", periods, row=row)
    )


def connect(*, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB set up for the bulk engine (never loads an extension)."""
    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    con.execute("SET enable_progress_bar = false")
    # The streaming window functions rely on DuckDB keeping the sorted order.
    con.execute("SET preserve_insertion_order = true")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def build_cases_relation(
    con: duckdb.DuckDBPyConnection, periods: str, *, gap: int = DEFAULT_GAP
) -> duckdb.DuckDBPyRelation:
    """The cases of table or view ``periods`` as a lazy relation on ``con``."""
    return con.sql(cases_sql(periods, gap=gap))


def build_cases_arrow(
    periods: pa.Table, *, gap: int = DEFAULT_GAP, con: duckdb.DuckDBPyConnection | None = None
) -> pa.Table:
    """Every case of the periods in an Arrow table (columns ``PERIOD_COLUMNS``)."""
    db = connect() if con is None else con
    name = "rehabkoll_bulk_periods"
    db.register(name, periods)
    try:
        return build_cases_relation(db, name, gap=gap).to_arrow_table()
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
    row = con.execute("SELECT count(*) FROM rehabkoll_jsonl_effective").fetchone()
    report.effective = int(row[0]) if row else 0
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
            # labels by row number: Parquet's file_row_number, the table's rowid
            query = cases_sql(source, gap=gap, row=row_column)
            con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet)")
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
