"""Benchmark of ``build-cases``: the bulk case engine against a plain DuckDB sort.

Generates (once, deterministically) a Parquet file of the periods of
10 million certificates, then measures in one run

(a) DuckDB sorting those periods by patient and start into a Parquet file, and
(b) ``build_cases_file`` on the same file,

and prints both times and their ratio. The targets (issue 2, section 6): (b) at
most 10 s on a 2-core machine and at most 3 × (a).

    .venv/bin/python -m benchmarks.bench_build_cases [--certificates 10000000]
    .venv/bin/python -m benchmarks.bench_build_cases --steps

``--steps`` times the build's steps instead, wall and CPU time over both
cores: the scan into NumPy, the parts, and the label lookup with the write.

The data: about 3.3 million chains of 1–30 certificates (most chains short),
two chains in five sharing a patient; 1–3 periods per certificate (100 % then
less), 75 % of certificates continuing the day after the previous one ends,
10 % overlapping it, 15 % after a gap of 1–40 days, 1 % with a gap between
their own periods; 21 care providers, a patient now and then at a second one;
the file in signing order, as an export from the database would be.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from benchmarks.machine import describe
from rehabkoll.cases import bulk
from rehabkoll.cases.bulk import build_cases_file

DATA = Path(__file__).parent / "data"
DIAGNOSES = ("F43.8A", "F32.9", "F41.1", "M54.5", "M75.1", "S82.6", "C50.9", "G43.9", "F33.1")
MEAN_CHAIN = 3.04  # mean certificates per chain of the distribution below

# Uniform [0, 1) from the hash of a row key and a salt: deterministic for a seed,
# whatever the number of threads.
_U = "(hash({key}, {seed}, '{salt}') % 1000003) / 1000003.0"


def _u(key: str, salt: str, seed: int) -> str:
    return _U.format(key=key, salt=salt, seed=seed)


def generate(path: Path, certificates: int, *, seed: int = 7) -> None:
    """Write the periods of ``certificates`` certificates to ``path`` (Parquet)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chains = int(certificates / MEAN_CHAIN * 1.1) + 10
    diagnoses = "[" + ", ".join(f"'{d}'" for d in DIAGNOSES) + "]"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
        CREATE TEMP TABLE chains AS
        SELECT i AS chain,
               i * 3 // 5 AS patient,
               least(30, 1 + floor(-ln(1 - {_u("i", "len", seed)}) * 2.5))::INT AS len,
               CASE WHEN {_u("i", "away", seed)} < 0.08
                    THEN hash(i, {seed}, 'other') % 21
                    ELSE hash(i * 3 // 5, {seed}, 'home') % 21 END AS provider,
               (hash(i, {seed}, 'unit') % 150)::INT AS unit,
               {diagnoses}[1 + (hash(i, {seed}, 'dia') % {len(DIAGNOSES)})::INT] AS diagnosis,
               DATE '2014-01-01' + (hash(i, {seed}, 'start') % 3650)::INT AS chain_start
        FROM range({chains}) t(i)
    """)
    con.execute(f"""
        CREATE TEMP TABLE certs AS
        WITH c AS (
            SELECT chain, patient, provider, unit, diagnosis, chain_start, k,
                   chain * 32 + k AS key,
                   1 + ({_u("chain * 32 + k", "np", seed)} >= 0.6)::INT
                     + ({_u("chain * 32 + k", "np", seed)} >= 0.9)::INT AS n,
                   7 + (hash(chain * 32 + k, {seed}, 'l1') % 38)::INT AS l1,
                   7 + (hash(chain * 32 + k, {seed}, 'l2') % 38)::INT AS l2,
                   7 + (hash(chain * 32 + k, {seed}, 'l3') % 60)::INT AS l3,
                   CASE WHEN {_u("chain * 32 + k", "ig", seed)} < 0.01
                        THEN 1 + (hash(chain * 32 + k, {seed}, 'igl') % 20)::INT
                        ELSE 0 END AS inner_gap,
                   {_u("chain * 32 + k", "off", seed)} AS u_off
            FROM chains, unnest(range(len)) r(k)
        ), sized AS (
            SELECT *,
                   l1 + CASE WHEN n >= 2 THEN inner_gap + l2 ELSE 0 END
                      + CASE WHEN n >= 3 THEN l3 ELSE 0 END AS span,
                   CASE WHEN u_off < 0.75 THEN 1
                        WHEN u_off < 0.85 THEN -(hash(key, {seed}, 'ov') % 10)::INT
                        WHEN u_off < 0.95 THEN 2 + (hash(key, {seed}, 'g') % 5)::INT
                        ELSE 7 + (hash(key, {seed}, 'g') % 35)::INT END AS step
            FROM c
        )
        SELECT *,
               chain_start + coalesce(sum(span - 1 + step) OVER (
                   PARTITION BY chain ORDER BY k
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::INT AS cert_start
        FROM sized
    """)
    con.execute(f"""
        COPY (
            WITH numbered AS (
                SELECT *,
                       cert_start - (hash(key, {seed}, 'sd') % 4)::INT
                         + INTERVAL 8 HOUR
                         + to_seconds((hash(key, {seed}, 'st') % 36000)::BIGINT) AS signed_at
                FROM certs
                QUALIFY row_number() OVER (ORDER BY chain, k) <= {certificates}
            ), ided AS (
                SELECT *, row_number() OVER (ORDER BY signed_at, key) AS seq FROM numbered
            ), periods AS (
                SELECT ided.*, j,
                       cert_start
                         + CASE WHEN j >= 1 THEN l1 + inner_gap ELSE 0 END
                         + CASE WHEN j >= 2 THEN l2 ELSE 0 END AS start,
                       [l1, l2, l3][j + 1] AS len
                FROM ided, unnest(range(n)) r(j)
            )
            SELECT 'c-' || lpad(seq::VARCHAR, 9, '0') AS certificate_id,
                   strftime(DATE '1940-01-01' + (patient % 25000)::INT, '%Y%m%d')
                     || '-' || lpad((patient // 25000)::VARCHAR, 4, '0') AS patient_id,
                   'SE23210000' || lpad(provider::VARCHAR, 2, '0') || '-0001' AS care_provider_id,
                   'SE23210000' || lpad(provider::VARCHAR, 2, '0') || '-U'
                     || lpad(unit::VARCHAR, 4, '0') AS unit_id,
                   signed_at::TIMESTAMP AS signed_at,
                   start,
                   start + len - 1 AS "end",
                   CASE WHEN j > 0 THEN [25, 50, 50, 75, 100][
                            1 + (hash(key, j, {seed}, 'dg') % 5)::INT]
                        ELSE [100, 100, 100, 100, 100, 100, 100, 50, 50, 25, 75][
                            1 + (hash(key, {seed}, 'dg') % 11)::INT] END::TINYINT AS degree,
                   diagnosis
            FROM periods
            ORDER BY seq, j
        ) TO '{path}' (FORMAT parquet)
    """)
    con.close()


def time_sort(source: Path, target: Path) -> float:
    """(a): DuckDB sorting the periods by patient and start into Parquet (all cores,
    as the build uses)."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    began = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{source}') ORDER BY patient_id, start) "
        f"TO '{target}' (FORMAT parquet)"
    )
    elapsed = time.perf_counter() - began
    con.close()
    return elapsed


def time_build(source: Path, target: Path, *, gap: int) -> tuple[float, str]:
    """(b): the bulk case engine on the same file."""
    began = time.perf_counter()
    summary = build_cases_file(source, target, gap=gap)
    return time.perf_counter() - began, summary


def time_steps(source: Path, target: Path, *, gap: int) -> dict[str, tuple[float, float]]:
    """The build's steps, (wall, CPU) seconds each, timed by wrapping bulk's
    scan (``_fetch``) and its computing of the parts (``_computed_parts``,
    which calls the scan); the rest is the label lookup with the write."""
    clocks: dict[str, tuple[float, float]] = {}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            result = function(*args, **kwargs)
            clocks[name] = (time.perf_counter() - wall, time.process_time() - cpu)
            return result

        return run

    fetch, compute = bulk._fetch, bulk._computed_parts
    bulk._fetch, bulk._computed_parts = timed("scan", fetch), timed("scan and parts", compute)
    try:
        timed("build", build_cases_file)(source, target, gap=gap)
    finally:
        bulk._fetch, bulk._computed_parts = fetch, compute
    (scan, scan_cpu), (both, both_cpu) = clocks["scan"], clocks["scan and parts"]
    build, build_cpu = clocks["build"]
    return {
        "scan": (scan, scan_cpu),
        "parts": (both - scan, both_cpu - scan_cpu),
        "lookup and write, the rest": (build - both, build_cpu - both_cpu),
        "build-cases": (build, build_cpu),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=10_000_000)
    parser.add_argument("--gap", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the median counts")
    parser.add_argument("--steps", action="store_true", help="time the build's steps instead")
    args = parser.parse_args()

    source = DATA / f"periods-{args.certificates}.parquet"
    if not source.exists():
        began = time.perf_counter()
        generate(source, args.certificates)
        print(f"generated {source} in {time.perf_counter() - began:.1f} s")
    con = duckdb.connect()
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{source}')").fetchone()
    con.close()
    print(f"{source}: {rows[0] if rows else 0:,} periods of {args.certificates:,} certificates")

    print(f"before: {describe()}")
    if args.steps:
        for _ in range(args.repeat):
            os.sync()
            timings = time_steps(source, DATA / "cases.parquet", gap=args.gap)
            print("  ".join(f"{k}: {w:.2f} s (CPU {c:.2f} s)" for k, (w, c) in timings.items()))
        print(f"after: {describe()}")
        return
    sorts: list[float] = []
    builds: list[float] = []
    summary = ""
    for _ in range(args.repeat):
        # each timing starts with the disk flushed of the one before's output
        os.sync()
        sorts.append(time_sort(source, DATA / "sorted.parquet"))
        os.sync()
        elapsed, summary = time_build(source, DATA / "cases.parquet", gap=args.gap)
        builds.append(elapsed)
    sort_time, build_time = statistics.median(sorts), statistics.median(builds)
    print(summary)
    print(f"(a) DuckDB sort by patient, start: {sort_time:.2f} s  (runs: {_fmt(sorts)})")
    print(f"(b) build-cases:                   {build_time:.2f} s  (runs: {_fmt(builds)})")
    print(f"ratio (b)/(a): {build_time / sort_time:.2f}  (targets: (b) ≤ 10 s, ratio ≤ 3)")
    print(f"after: {describe()} (other processes slow both timings alike)")


def _fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
