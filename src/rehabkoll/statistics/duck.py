"""The statistics' counting rules, fast form: DuckDB over certificate periods.

Input is a relation of certificate periods (one row per period of an effective
certificate, the columns of ``rehabkoll.cases.bulk.PERIODS_SCHEMA`` plus sex,
birth_date and doctor_id), from the operational database
as Arrow or from a Parquet file. ``prepare`` builds, on one connection:

- ``st_certs``: the scope's certificates (start, end, patient and provider as
  one integer ``pp``, and a recency rank when a report needs one);
- ``st_cert_case``: each certificate's case (``chain_certificates``, the gap rule);
- ``st_case_periods``: the periods with their case;
- ``st_case_months``: every case in every month of the query a period covers,
  with the month's lead certificate (most recently signed covering the month),
  its degree, the last covered day, the age then, and on demand the length so
  far, certificates so far and the month's net days.

The rules are those of ``rehabkoll.statistics.reference`` (a property test
holds the two to the same report counts). No DuckDB extension is loaded.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rehabkoll.statistics.query import Query, ScopeKind

if TYPE_CHECKING:  # DuckDB is imported where it runs: the report names load without it
    import duckdb
    import pyarrow as pa

# Extra facts a report may need of each case-month (the base always has month,
# sex, lead diagnosis/unit/doctor/degree, last_day and age).
LEAD = "lead"  # diagnosis, unit, doctor and degree of the month's lead certificate
DAYS = "days"
CERTIFICATES = "certificates"
NET_DAYS = "net_days"


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that never downloads or loads an extension."""
    import duckdb

    return duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )


def load(con: duckdb.DuckDBPyConnection, source: pa.Table | Path) -> None:
    """Make ``st_periods`` the input: an Arrow table or a Parquet file."""
    if isinstance(source, Path):
        path = str(source).replace("'", "''")
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW st_periods AS SELECT * FROM read_parquet('{path}')"
        )
    else:
        con.register("st_periods_arrow", source)
        con.execute("CREATE OR REPLACE TEMP VIEW st_periods AS SELECT * FROM st_periods_arrow")


def _scope_sql(query: Query, alias: str = "") -> tuple[str, list[object]]:
    if query.scope.kind is ScopeKind.UNIT:
        return f"{alias}unit_id = ?", [query.scope.id]
    if query.scope.kind is ScopeKind.PROVIDER:
        return f"{alias}care_provider_id = ?", [query.scope.id]
    return "TRUE", []


def chain_certificates(con: duckdb.DuckDBPyConnection, *, gap: int) -> None:
    """The gap rule on ``st_certs(certificate_id, pp, cstart, cend)`` →
    ``st_cert_case``: the columns of ``st_certs`` but ``pp`` and ``cend``, and ``case_id``.

    The chaining is the bulk case engine's (``rehabkoll.cases.bulk.chain_sql``),
    so statistics and ``build-cases`` share one definition of the rule.
    """
    from rehabkoll.cases.bulk import chain_sql

    chained = chain_sql("st_certs", gap=gap, key="pp", start="cstart", end="cend")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE st_cert_case AS
        SELECT * EXCLUDE (pp, cend, case_no, cluster_no, overlapping), case_no AS case_id
        FROM {chained}
        """
    )


def prepare(con: duckdb.DuckDBPyConnection, query: Query, *, need: Collection[str] = ()) -> None:
    """Build the case-months of ``query`` on ``con`` (after ``load``)."""
    where, params = _scope_sql(query)
    first, last, end = query.first, query.last, query.window_end
    recency = LEAD in need or NET_DAYS in need
    # Certificates starting after the window cannot change a case in it (cases
    # chain in order of start), so they are left out. ``rec`` orders
    # certificates by recency (signing time, then id) as one integer.
    rec = ", row_number() OVER (ORDER BY signed_at, certificate_id) AS rec" if recency else ""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE st_certs AS
        WITH c AS (
            SELECT certificate_id, any_value(patient_id) AS patient_id,
                   any_value(care_provider_id) AS care_provider_id,
                   {"any_value(signed_at) AS signed_at," if recency else ""}
                   min(start) AS cstart, max("end") AS cend
            FROM st_periods WHERE {where}
            GROUP BY certificate_id HAVING min(start) <= ?
        ), pp AS (
            SELECT patient_id, care_provider_id, row_number() OVER () AS pp
            FROM (SELECT DISTINCT patient_id, care_provider_id FROM c)
        )
        SELECT certificate_id, pp.pp, cstart, cend {rec}
        FROM c JOIN pp USING (patient_id, care_provider_id)
        """,
        [*params, end],
    )
    chain_certificates(con, gap=query.gap)
    lead_columns = "k.rec, p.diagnosis, p.unit_id, p.doctor_id," if recency else ""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE st_case_periods AS
        SELECT k.case_id, k.cstart, {lead_columns}
               p.start, p."end", p.degree, p.sex = 'F' AS woman, p.birth_date
        FROM st_periods p JOIN st_cert_case k USING (certificate_id)
        WHERE {_scope_sql(query, "p.")[0]}
        """,
        params,
    )
    # The lead certificate of a month: the most recent covering it, and of its
    # periods in the month the latest (the key orders by rec, then start). The
    # aggregate picks the period's row number; its facts are joined after.
    key = "rec * 131072 + (start - DATE '1970-01-01')"
    lead = f"arg_max(pid, {key})" if LEAD in need else "NULL::BIGINT"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE st_case_months AS
        WITH pm AS (
            SELECT *, rowid AS pid, unnest(generate_series(
                       greatest(date_trunc('month', start), ?::DATE),
                       least(date_trunc('month', "end"), ?::DATE),
                       INTERVAL 1 MONTH))::DATE AS month
            FROM st_case_periods WHERE "end" >= ? AND start <= ?
        ), m AS (
            SELECT case_id, month, any_value(woman) AS woman,
                   any_value(birth_date) AS birth_date,
                   max(least("end", (month + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE))
                       AS last_day,
                   {lead} AS lead
            FROM pm GROUP BY case_id, month
        )
        SELECT m.case_id, m.month, m.woman, m.last_day,
               {
            "l.diagnosis, l.unit_id, l.doctor_id, l.degree,"
            if LEAD in need
            else "NULL::VARCHAR AS diagnosis, NULL::VARCHAR AS unit_id, "
            "NULL::VARCHAR AS doctor_id, NULL::INTEGER AS degree,"
        }
               year(m.last_day) - year(m.birth_date)
                 - CASE WHEN month(m.last_day) * 100 + day(m.last_day)
                             < month(m.birth_date) * 100 + day(m.birth_date) THEN 1 ELSE 0 END
                 AS age
        FROM m {"JOIN st_case_periods l ON l.rowid = m.lead" if LEAD in need else ""}
        """,
        [first, last, first, end],
    )
    if DAYS in need:
        _add_days(con)
    if CERTIFICATES in need:
        _add_certificates(con)
    if NET_DAYS in need:
        _add_net_days(con, first, end)


def _add_days(con: duckdb.DuckDBPyConnection) -> None:
    """Length so far: calendar days in the union of the case's periods up to the
    month's last day. Periods merge into islands; the island holding last_day
    (found by an ASOF join) gives the days of the islands before it plus its own."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE st_islands AS
        WITH o AS (
            SELECT case_id, start, "end",
                   max("end") OVER (PARTITION BY case_id ORDER BY start, "end"
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
            FROM st_case_periods
        ), n AS (
            SELECT case_id, start, "end",
                   sum(CASE WHEN prev IS NULL OR start > prev + 1 THEN 1 ELSE 0 END)
                       OVER (PARTITION BY case_id ORDER BY start, "end"
                             ROWS UNBOUNDED PRECEDING) AS island
            FROM o
        ), i AS (
            SELECT case_id, min(start) AS istart, max("end") AS iend
            FROM n GROUP BY case_id, island
        )
        SELECT case_id, istart, iend,
               coalesce(sum(iend - istart + 1) OVER (PARTITION BY case_id ORDER BY istart
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
        FROM i
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE st_case_months AS
        SELECT m.*, (i.before + (m.last_day - i.istart) + 1)::INTEGER AS days
        FROM st_case_months m ASOF JOIN st_islands i
          ON m.case_id = i.case_id AND m.last_day >= i.istart
        """
    )


def _add_certificates(con: duckdb.DuckDBPyConnection) -> None:
    """Certificates so far: the case's certificates starting on or before last_day."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE st_case_months AS
        WITH c AS (
            SELECT case_id, cstart,
                   count(*) OVER (PARTITION BY case_id ORDER BY cstart
                                  RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto
            FROM st_cert_case
        )
        SELECT m.*, c.upto::INTEGER AS certificates
        FROM st_case_months m ASOF JOIN c
          ON m.case_id = c.case_id AND m.last_day >= c.cstart
        """
    )


def _add_net_days(con: duckdb.DuckDBPyConnection, first: date, end: date) -> None:
    """The month's net days: its covered days, each weighted by the degree of the
    most recently signed certificate covering it. The case's time line is cut at
    every period start, every day after a period end and every month start into
    segments no period starts or ends inside; each covered segment takes the
    degree of the most recent period covering it."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE st_case_months AS
        WITH p AS (
            SELECT case_id, greatest(start, ?::DATE) AS start, least("end", ?::DATE) AS "end",
                   degree, rec
            FROM st_case_periods WHERE "end" >= ? AND start <= ?
        ), cuts AS (
            SELECT case_id, start AS pt FROM p
            UNION SELECT case_id, "end" + 1 FROM p
            UNION SELECT case_id, month FROM st_case_months
        ), seg AS (
            SELECT case_id, pt AS s,
                   lead(pt) OVER (PARTITION BY case_id ORDER BY pt) - 1 AS e
            FROM cuts
        ), covered AS (
            SELECT seg.case_id, seg.s, any_value(seg.e) AS e,
                   arg_max(p.degree, p.rec) AS degree
            FROM seg JOIN p ON seg.case_id = p.case_id AND p.start <= seg.s AND p."end" >= seg.e
            WHERE seg.e IS NOT NULL
            GROUP BY seg.case_id, seg.s
        ), net AS (
            SELECT case_id, date_trunc('month', s)::DATE AS month,
                   sum((e - s + 1) * degree) / 100.0 AS net_days
            FROM covered GROUP BY ALL
        )
        SELECT m.*, coalesce(net.net_days, 0) AS net_days
        FROM st_case_months m LEFT JOIN net USING (case_id, month)
        """,
        [first, end, first, end],
    )
