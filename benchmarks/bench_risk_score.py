"""Benchmark of scoring a unit's work list with the risk model (issue 17).

Target: under 50 ms for a unit's work list on the project's 2-core machine.
Measured: ``risk.service.score_rows`` for the busiest units of a synthetic
region, given the work list's rows (the page has them already): the day-15
features of every listed case (a few set-based queries), one NumPy pass per
stored model (main, re-estimates, horizons after day 90), categories and
explanations. The model is in the process's cache (``service.current``), as
in a running web server; the first call, which loads and compiles it, is
timed apart. Both CPU time (``time.process_time``: this process's own work,
what a shared machine's load does not inflate much) and wall time are
printed, with the machine's state (benchmarks.machine).

The database is made once into benchmarks/data/ (about 1 minute):

    rehabkoll synth --insured 20000 --years 5 --end-date 2025-12-31 --seed 7 --out region.jsonl
    rehabkoll import region.jsonl --db sqlite:///benchmarks/data/risk-20000.db
    rehabkoll risk train --as-of 2025-06-30 --seed 1 --db sqlite:///benchmarks/data/risk-20000.db

    .venv/bin/python -m benchmarks.bench_risk_score [--repeat 20] [--db URL] [--as-of DATE]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from benchmarks import machine
from rehabkoll.cases import service as cases_service
from rehabkoll.db.session import make_engine, session_scope
from rehabkoll.risk import service

DATA = Path(__file__).parent / "data"
DB = DATA / "risk-20000.db"
LIMIT_MS = 50.0


def _run(*args: str) -> None:
    command = [str(Path(sys.executable).with_name("rehabkoll")), *args]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def prepare(path: Path) -> str:
    url = f"sqlite:///{path}"
    if path.is_file():
        return url
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        region = Path(folder) / "region.jsonl"
        _run(
            "synth",
            *("--insured", "20000", "--years", "5", "--end-date", "2025-12-31", "--seed", "7"),
            *("--out", str(region)),
        )
        _run("import", str(region), "--db", url)
    _run("risk", "train", "--as-of", "2025-06-30", "--seed", "1", "--db", url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", default=None, help="Default: benchmarks/data/risk-20000.db")
    parser.add_argument("--as-of", default="2025-12-01")
    parser.add_argument("--units", type=int, default=3, help="The busiest N units.")
    args = parser.parse_args()
    url = args.db or prepare(DB)
    as_of = date.fromisoformat(args.as_of)
    print(machine.describe())
    engine = make_engine(url)
    with session_scope(engine) as session:
        units = [
            str(u)
            for (u,) in session.execute(
                text(
                    "SELECT unit_id FROM certificates GROUP BY unit_id "
                    "ORDER BY count(*) DESC LIMIT :n"
                ),
                {"n": args.units},
            )
        ]
        began = time.perf_counter()
        loaded, _ = service.current(session)
        print(
            f"model version {loaded.version}: loaded and compiled in "
            f"{1000 * (time.perf_counter() - began):.0f} ms (once per process)"
        )
        for unit in units:
            rows = cases_service.work_list(session, unit_id=unit, as_of=as_of)
            cpu, wall = [], []
            for _ in range(args.repeat):
                c, w = time.process_time(), time.perf_counter()
                scored = service.score_rows(session, rows, unit_id=unit, as_of=as_of)
                cpu.append(1000 * (time.process_time() - c))
                wall.append(1000 * (time.perf_counter() - w))
            scored_n = sum(1 for s in scored.values() if s.current is not None)
            verdict = "met" if statistics.median(cpu) < LIMIT_MS else "NOT met"
            print(
                f"{unit}: {len(rows)} cases ({scored_n} with a probability): "
                f"CPU median {statistics.median(cpu):.1f} ms (min {min(cpu):.1f}, "
                f"max {max(cpu):.1f}), wall median {statistics.median(wall):.1f} ms "
                f"(min {min(wall):.1f}); target {LIMIT_MS:.0f} ms {verdict}"
            )
    print(machine.describe())


if __name__ == "__main__":
    main()
