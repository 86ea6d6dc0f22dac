"""Storage benchmarks of the foundation (issue 2, section 6).

- import: certificates per second into a fresh database, validation included
  (the `rehabkoll import` command's own code path, in process);
- work list: one unit's work list (pågående sjukfall) from a database of
  ``--certificates`` certificates, median of repeated runs.

    .venv/bin/python -m benchmarks.bench_storage --certificates 1000000
    .venv/bin/python -m benchmarks.bench_storage --certificates 1000000 --reuse
    scripts/with-postgres.sh .venv/bin/python -m benchmarks.bench_storage \
        --certificates 1000000 --postgres

Work lists remember decoded periods across calls; the second work list figure
is the same call with that memory cleared before each one.

``--steps`` also times a work list's steps: the two queries alone, loading
(the queries and building the certificate records) and the case engine.

``--reuse`` measures the work list on the database of an earlier run (SQLite
file, or the PostgreSQL database REHABKOLL_TEST_POSTGRES_URL names, when it
already holds the certificates) instead of importing again.

Writes data under benchmarks/data/ (not committed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, text

from benchmarks.certgen import certificate_lines
from benchmarks.machine import describe
from rehabkoll.cases import engine as case_engine
from rehabkoll.cases import service as cases
from rehabkoll.certificates import models, service
from rehabkoll.db.session import make_engine, session_scope, upgrade

DATA = Path(__file__).parent / "data"
AS_OF = date(2026, 11, 1)
GENERATION = 2
"""Bumped when ``certgen`` changes the data, so that files and databases of an
earlier generation are not reused. 2: nothing signed after AS_OF."""


def ensure_file(count: int, units: int) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"certificates-{count}-{units}-g{GENERATION}.jsonl"
    if not path.exists():
        with path.open("w", encoding="utf-8") as out:
            for line in certificate_lines(count, units=units, end=AS_OF):
                out.write(line + "\n")
    return path


def import_file(url: str, path: Path) -> tuple[int, float]:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    with path.open("rb") as stream:
        _, result = service.import_stream(engine, stream, source=str(path))
    stored = result.stored
    elapsed = time.perf_counter() - started
    engine.dispose()
    return stored, elapsed


def work_list_times(
    url: str, unit: str, runs: int, *, afresh: bool = False
) -> tuple[int, list[float]]:
    """Seconds per work list call; ``afresh``: each call decodes every
    certificate's periods again, as the first call of a process does."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        # As autovacuum would after a bulk import: planner statistics, and the
        # visibility map that lets the work list read from the index alone.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    times = []
    rows = 0
    for _ in range(runs + 1):
        if afresh:
            cases._periods.cache_clear()
        started = time.perf_counter()
        with session_scope(engine) as session:
            rows = len(cases.work_list(session, unit_id=unit, as_of=AS_OF))
        times.append(time.perf_counter() - started)
    engine.dispose()
    return rows, times[1:]  # the first run warms caches and the connection pool


def web_work_list_times(url: str, unit: str, runs: int) -> tuple[int, list[float]]:
    """Seconds per work list as the page builds it (``web.queries.unit_list``:
    the cases, the patients' and doctors' facts and every column's values,
    FMB's among them), its memory of built lists cleared before each call."""
    from rehabkoll.web import queries

    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    times = []
    rows = 0
    for _ in range(runs + 1):
        queries._CACHE.clear()
        started = time.perf_counter()
        with session_scope(engine) as session:
            listing = queries.unit_list(session, unit_id=unit, as_of=AS_OF, gap=5, recent=0)
            rows = len(listing.rows)
        times.append(time.perf_counter() - started)
    engine.dispose()
    return rows, times[1:]  # the first run warms caches (FMB's catalogue among them)


def work_list_steps(url: str, unit: str, runs: int) -> dict[str, float]:
    """Median milliseconds of a work list's steps, each timed on its own."""
    engine = make_engine(url)
    params = {"unit": unit, "since": AS_OF.isoformat(), "as_of": AS_OF.isoformat()}
    listed = (
        cases._LISTED_SQL_POSTGRESQL if engine.dialect.name == "postgresql" else cases._LISTED_SQL
    )
    steps: dict[str, list[float]] = {"queries": [], "loading": [], "engine": []}
    for run in range(runs + 1):
        with session_scope(engine) as session:
            provider = session.scalar(
                text("SELECT care_provider_id FROM units WHERE id = :unit"), {"unit": unit}
            )
            began = time.perf_counter()
            for sql in (cases._REACHING, listed):
                for _ in cases._rows(session, sql, params):
                    pass
            queried = time.perf_counter()
            records = cases._work_list_records(
                session, unit_id=unit, provider=provider, params=params
            )
            loaded = time.perf_counter()
            case_engine.work_list(records, unit_id=unit, as_of=AS_OF)
            done = time.perf_counter()
        if run:  # the first warms caches
            steps["queries"].append(queried - began)
            steps["loading"].append(loaded - queried)
            steps["engine"].append(done - loaded)
    engine.dispose()
    return {name: statistics.median(times) * 1000 for name, times in steps.items()}


def busiest_unit(url: str) -> str:
    """The unit with the most certificates: the one whose work list is timed."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        unit = session.scalar(
            select(models.Certificate.unit_id)
            .group_by(models.Certificate.unit_id)
            .order_by(func.count().desc())
        )
    engine.dispose()
    if unit is None:
        raise SystemExit(f"no certificates in {url.split('@')[-1]}: run bench_storage first")
    return unit


def _already_imported(url: str, count: int) -> bool:
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return False
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM certificates")).scalar_one()
    except Exception:  # no database or no table yet
        return False
    finally:
        engine.dispose()
    return bool(stored >= count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--certificates", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=12)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", action="store_true", help="use REHABKOLL_TEST_POSTGRES_URL")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the database of an earlier run when it holds the certificates",
    )
    parser.add_argument("--steps", action="store_true", help="also time a work list's steps")
    args = parser.parse_args()

    print(describe())
    path = ensure_file(args.certificates, args.units)
    if args.postgres:
        url = os.environ["REHABKOLL_TEST_POSTGRES_URL"]
    else:
        db = DATA / f"bench-{args.certificates}-g{GENERATION}.db"
        url = f"sqlite:///{db}"
    if args.reuse and _already_imported(url, args.certificates):
        print(f"import: skipped, reusing the database of an earlier run ({url.split('@')[-1]})")
        upgrade(make_engine(url))  # an earlier run's database may predate a migration
    else:
        if not args.postgres:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        stored, elapsed = import_file(url, path)
        rate = stored / elapsed
        print(f"import: {stored:,} certificates in {elapsed:.1f} s = {rate:,.0f} per second")

    unit = busiest_unit(url)
    rows, times = work_list_times(url, unit, args.runs)
    median = statistics.median(times) * 1000
    print(
        f"work list of {unit}: {rows:,} ongoing cases; median {median:.0f} ms,"
        f" max {max(times) * 1000:.0f} ms over {len(times)} runs"
    )
    _, times = work_list_times(url, unit, args.runs, afresh=True)
    print(
        f"work list, periods decoded afresh in each call: median"
        f" {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )
    if args.steps:
        steps = work_list_steps(url, unit, args.runs)
        print("steps, medians: " + ", ".join(f"{k} {v:.1f} ms" for k, v in steps.items()))


if __name__ == "__main__":
    main()
