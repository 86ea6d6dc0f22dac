"""Benchmark of the statistics reports (issue 5).

Targets: every report for one region of 300,000 insured over 5 years in at
most 2 s each; ``cases-per-month`` nationally over 3 years of the
6.3-million-insured country in at most 20 s. Each figure is one whole report
as ``rehabkoll stats REPORT --periods FILE`` runs it (read the Parquet file,
chain the cases, count, suppress), without the interpreter's start-up.

The data comes from the synthetic model, written once into benchmarks/data/:

    rehabkoll synth --insured 300000 --years 5 --end-date 2025-12-31 --seed 1 \\
        --format parquet --out benchmarks/data/statistics-region-300k-5y.parquet
    rehabkoll synth --country --years 3 --end-date 2025-12-31 --seed 1 \\
        --format parquet --out benchmarks/data/statistics-country-3y.parquet

    .venv/bin/python -m benchmarks.bench_statistics [--repeat 3] [--skip-country]

``coordination`` reads the coordination records of the database, not the
periods, and is not part of this benchmark.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from rehabkoll.statistics import reports, service
from rehabkoll.statistics.query import Query, Scope

DATA = Path(__file__).parent / "data"
REGION = DATA / "statistics-region-300k-5y.parquet"
COUNTRY = DATA / "statistics-country-3y.parquet"
END = "2025-12-31"
REGION_INSURED = 300_000
REGION_LIMIT, COUNTRY_LIMIT = 2.0, 20.0


def synth(path: Path, *args: str) -> None:
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("rehabkoll")),
        "synth",
        *args,
        "--end-date",
        END,
        "--seed",
        "1",
        "--format",
        "parquet",
        "--out",
        str(path),
    ]
    print("generating:", " ".join(command[1:]), flush=True)
    subprocess.run(command, check=True)


def provider_of(path: Path) -> str:
    rows = (
        duckdb.connect()
        .execute(
            f"SELECT care_provider_id, count(*) FROM read_parquet('{path}') "
            "GROUP BY 1 ORDER BY 2 DESC"
        )
        .fetchall()
    )
    return str(rows[0][0])


def timed(
    name: str, query: Query, path: Path, repeat: int, population: dict[tuple[int, str], int]
) -> list[float]:
    """Wall-clock seconds of each run; the CPU seconds of the last go to CPU[name]."""
    times = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        service.run(name, query, periods=path, population=population)
        times.append(time.perf_counter() - start)
        CPU[name] = time.process_time() - cpu
    return times


CPU: dict[str, float] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-country", action="store_true")
    args = parser.parse_args()
    synth(REGION, "--insured", str(REGION_INSURED), "--years", "5")
    provider = provider_of(REGION)
    query = Query(Scope.parse(f"provider:{provider}"), date(2021, 1, 1), date(2025, 12, 1))
    # Rates: the region's insured, half women, half men, every year.
    population = {
        (year, sex): REGION_INSURED // 2 for year in range(2021, 2026) for sex in ("F", "M")
    }
    print(f"cpus {os.cpu_count()}, duckdb {duckdb.__version__}, load {os.getloadavg()[0]:.1f}")
    print(f"region: {REGION.name}, provider:{provider}, 2021-01 – 2025-12")
    failed = False
    for name in (*reports.REPORTS, "rates"):
        times = timed(name, query, REGION, args.repeat, population)
        best, median = min(times), statistics.median(times)
        ok = best <= REGION_LIMIT
        failed |= not ok
        verdict = "ok" if ok else "SLOW"
        print(
            f"  {name:24s} best {best:5.2f} s  median {median:5.2f} s  "
            f"cpu {CPU[name]:5.2f} s  {verdict}"
        )
    if not args.skip_country:
        synth(COUNTRY, "--country", "--years", "3")
        national = Query(Scope.parse("national"), date(2023, 1, 1), date(2025, 12, 1))
        times = timed("cases-per-month", national, COUNTRY, max(1, args.repeat - 1), population)
        best = min(times)
        ok = best <= COUNTRY_LIMIT
        failed |= not ok
        print(f"country: {COUNTRY.name}, national, 2023-01 – 2025-12")
        runs = ", ".join(f"{t:.2f}" for t in times)
        verdict = "ok" if ok else "SLOW"
        print(
            f"  cases-per-month          best {best:5.2f} s  runs {runs}  "
            f"cpu {CPU['cases-per-month']:5.2f} s  {verdict}"
        )
    print(f"load after: {os.getloadavg()[0]:.1f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
