"""Backup and restore round trip of a realistic database: the storage
benchmark's certificates (default a million) and an access log of work lists
read (default 100 reads of the busiest unit's list), then ``backup`` and
``restore`` timed, with the file's size.

    .venv/bin/python -m benchmarks.bench_backup --certificates 1000000
    scripts/with-postgres.sh .venv/bin/python -m benchmarks.bench_backup \
        --certificates 1000000 --postgres

Writes data under benchmarks/data/ (not committed); with --postgres it uses
REHABKOLL_TEST_POSTGRES_URL's server, creating and dropping its databases.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, select, text

from benchmarks.bench_storage import AS_OF, DATA, GENERATION, busiest_unit, ensure_file
from benchmarks.machine import describe
from rehabkoll.accounts.models import User
from rehabkoll.audit.service import log_access
from rehabkoll.backup.service import backup, restore
from rehabkoll.cases import service as cases
from rehabkoll.certificates import service
from rehabkoll.certificates.models import Certificate
from rehabkoll.db.session import make_engine, session_factory, upgrade


def _fill(url: str, path: Path, reads: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        present = session.scalar(select(Certificate.id).limit(1)) is not None
    if not present:
        started = time.perf_counter()
        with path.open("rb") as stream:
            _, result = service.import_stream(engine, stream, source=str(path))
        print(f"import: {result.stored:,} certificates in {time.perf_counter() - started:.0f} s")
        unit = busiest_unit(url)
        with session_factory(engine)() as session:
            rows = cases.work_list(session, unit_id=unit, as_of=AS_OF)
            ids = [r.patient_id for r in rows]
            user = User(id=1, username="koordinator", role="coordinator")
            for _ in range(reads):
                log_access(
                    session,
                    user=user,
                    role="coordinator",
                    unit_id=unit,
                    patient_ids=ids,
                    action="worklist_view",
                    purpose="Rehabiliteringskoordinering",
                )
                session.commit()
        print(f"access log: {reads} work lists of {len(ids):,} rows")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--certificates", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=12)
    parser.add_argument("--reads", type=int, default=100)
    parser.add_argument("--postgres", action="store_true", help="use REHABKOLL_TEST_POSTGRES_URL")
    args = parser.parse_args()
    print(describe())
    path = ensure_file(args.certificates, args.units)
    DATA.mkdir(exist_ok=True)
    admin = None
    if args.postgres:
        base = os.environ["REHABKOLL_TEST_POSTGRES_URL"]
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        source_name = f"backup_bench_{args.certificates}_g{GENERATION}"
        target_name = f"restore_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": source_name}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{source_name}"'))
            conn.execute(text(f'CREATE DATABASE "{target_name}"'))
        prefix = base.rsplit("/", 1)[0]
        url, target_url = f"{prefix}/{source_name}", f"{prefix}/{target_name}"
    else:
        url = f"sqlite:///{DATA / f'backup-{args.certificates}-g{GENERATION}.db'}"
        restored = DATA / "restored.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{restored}{suffix}").unlink(missing_ok=True)
        target_url = f"sqlite:///{restored}"
    _fill(url, path, args.reads)
    archive = DATA / ("backup-pg.tar" if args.postgres else "backup-sqlite.tar")
    started = time.perf_counter()
    manifest = backup(url, archive)
    made = time.perf_counter() - started
    rows = sum(manifest.tables.values())
    print(
        f"backup: {made:.1f} s, {archive.stat().st_size / 1e6:,.0f} MB, {rows:,} rows"
        f" ({manifest.tables.get('certificates', 0):,} certificates,"
        f" {manifest.access_log_entries:,} access log entries)"
    )
    started = time.perf_counter()
    result = restore(archive, target_url)
    print(
        f"restore (counts, hash chain of {result.verified_entries:,} entries, migrate):"
        f" {time.perf_counter() - started:.1f} s"
    )
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{target_name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
