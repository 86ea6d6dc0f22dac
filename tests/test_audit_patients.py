"""One access, one entry: a read of many patients (a work list of 1,500) is one
entry of the hash chain naming a patient list, stored once and named again by
every later read of the same patients, so a repeated read writes a few pages
of SQLite's write-ahead log, not megabytes; every patient is still found by a
search by patient and in their log extract; the entry's hash covers its
patients, so a patient added to a list, removed, changed or moved, or an
entry pointed at another list, is named by ``audit verify``; migration 0015
carries the entries of the older shape (one patient an entry) forward
without changing a hash."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rehabkoll.audit import chain, search
from rehabkoll.audit.models import AccessLog, AccessLogChain, AccessLogList, AccessLogPatient
from rehabkoll.audit.service import head, log_access, verify
from rehabkoll.db.session import alembic_config, make_engine, session_factory, upgrade
from tests.factories import pnr
from tests.test_audit_chain import ANNA, T0, _app, flat, ids, patients, tamper, write

WORK_LIST = [pnr(i % 500, born=f"19{60 + i // 500}0101") for i in range(1500)]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """The statements sent to the database inside the block (an executemany is one)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _read_work_list(session: Session, at: datetime) -> None:
    log_access(
        session,
        user=ANNA,
        role="coordinator",
        unit_id="U1",
        patient_ids=WORK_LIST,
        action="api_worklist",
        purpose="Rehabiliteringskoordinering",
        at=at,
    )
    session.flush()


def test_a_work_list_of_1500_patients_is_one_chained_entry_found_under_each_patient(
    engine: Engine, session: Session, db_url: str
) -> None:
    session.connection()  # the transaction begun before counting
    with counting(engine) as first:
        started = time.perf_counter()
        _read_work_list(session, T0)
        elapsed = time.perf_counter() - started
    with counting(engine) as again:
        _read_work_list(session, T0 + timedelta(minutes=1))  # the same patients again
    session.commit()
    # First read: lock the head, look the list up, store it and its 1,500
    # patients (one executemany; PostgreSQL's driver may send it as two
    # batched statements), the entry, move the head. The second read finds
    # the list: lock, look up, the entry, the head.
    assert len(first) <= 7, first
    assert len(again) == 4, again
    assert elapsed < 2.0  # typically 10-30 ms; very generous for a shared, loaded machine
    assert session.scalar(select(func.count()).select_from(AccessLog)) == 2
    assert session.scalar(select(func.count()).select_from(AccessLogList)) == 1
    assert session.scalar(select(func.count()).select_from(AccessLogPatient)) == 1500
    assert head(session)[1] == 2
    verdict = verify(session)
    assert verdict.ok, verdict.problems
    assert verdict.walk.entries == 2

    later, earlier = ids(session)[1], ids(session)[0]
    rows = search.every(session, search.Filters())
    known = search.names(session, rows)
    for patient in WORK_LIST:
        found = search.every(session, search.Filters(patient_id=patient))
        assert [(e.id, e.patient_id, e.patients) for e in found] == [
            (later, patient, 1500),
            (earlier, patient, 1500),
        ]
        # The patient's extract (as the admin page makes it) has both reads.
        extract = search.extract_csv(found, known).decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(extract), delimiter=";"))[1:]
        assert [(line[5], line[6]) for line in lines] == [(patient, "Arbetslista via API")] * 2
    # The command line's extract too, for the first and the last of the list.
    for patient in (WORK_LIST[0], WORK_LIST[-1]):
        result = CliRunner().invoke(
            _app(), ["audit", "--patient", patient, "--format", "json", "--db", db_url]
        )
        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)
        assert [(s["patient_id"], s["patients_in_entry"]) for s in shown] == [(patient, 1500)] * 2
    # The admin search without a patient shows each entry once, with the number.
    assert [r.patient_text for r in rows] == ["1\u00a0500\u00a0patienter"] * 2


def test_reading_the_same_work_list_again_writes_a_few_pages_of_the_wal(tmp_path: Path) -> None:
    """The cause of the unbounded write-ahead log under load: each read of a
    1,500-patient work list wrote 1,500 rows, whose index by patient put them
    on 1,500 different pages (measured: 0.6 MB of log a read after 10 reads,
    7.6-10 MB after 400, with an entry or a patient row per patient). Now a
    read of a list stored before writes the entry and the head: a few pages."""
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    migrated = make_engine(url)
    upgrade(migrated)
    migrated.dispose()
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _no_automatic_checkpoints(dbapi: Any, _record: Any) -> None:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "wal_autocheckpoint=0"):
            dbapi.execute(f"PRAGMA {pragma}")

    wal = tmp_path / "wal.db-wal"
    with session_factory(engine)() as session:
        for n in range(20):
            _read_work_list(session, T0 + timedelta(minutes=n))
            session.commit()
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        assert wal.stat().st_size == 0
        for n in range(10):
            _read_work_list(session, T0 + timedelta(hours=1, minutes=n))
            session.commit()
    per_read = wal.stat().st_size / 10
    assert per_read < 50_000, per_read  # about 4 pages of 4 KiB, with frame headers
    engine.dispose()


def _write_shared(session: Session) -> None:
    """Entries 1-2: reads of their own patients; 3-5: one work list of
    pnr(50..52) read three times (one list, named by three entries)."""
    write(session, calls=2)
    for n in range(3):
        log_access(
            session,
            user=ANNA,
            role="coordinator",
            unit_id="U1",
            patient_ids=[pnr(50), pnr(51), pnr(52)],
            action="worklist_view",
            purpose="vård",
            at=T0 + timedelta(days=1, minutes=n),
        )
        session.commit()


def _list_of(session: Session, entry_id: int) -> int:
    found = session.scalar(select(AccessLog.patient_list_id).where(AccessLog.id == entry_id))
    assert found is not None
    return found


@pytest.mark.parametrize("change", ["remove", "add", "change", "move", "point"])
def test_a_patient_removed_added_changed_or_moved_or_a_list_swapped_is_named(
    session: Session, engine: Engine, db_url: str, change: str
) -> None:
    _write_shared(session)
    entries = ids(session)
    first, second = _list_of(session, entries[0]), _list_of(session, entries[1])
    shared = _list_of(session, entries[2])
    theirs = patients(session, entries[2])
    statements = {
        # A patient taken off the work list read three times.
        "remove": [
            f"DELETE FROM access_log_patients WHERE list_id = {shared} "
            f"AND patient_id = '{theirs[0]}'"
        ],
        "add": [
            f"INSERT INTO access_log_patients (list_id, patient_id) VALUES ({shared}, '{pnr(99)}')"
        ],
        "change": [
            f"UPDATE access_log_patients SET patient_id = '{pnr(99)}' "
            f"WHERE list_id = {shared} AND patient_id = '{theirs[1]}'"
        ],
        # A patient of the second entry made to look read by the first instead.
        "move": [
            f"UPDATE access_log_patients SET list_id = {first} "
            f"WHERE list_id = {second} AND patient_id = '{pnr(10)}'"
        ],
        # The third entry made to name the first one's patients.
        "point": [f"UPDATE access_log SET patient_list_id = {first} WHERE id = {entries[2]}"],
    }[change]
    tamper(engine, *statements)
    verdict = verify(session)
    assert verdict.walk.broken is not None
    # The first entry naming a changed list, or the entry changed.
    assert verdict.walk.broken.id == (entries[0] if change == "move" else entries[2])
    if change != "point":  # the list no longer matches its digest either
        assert any("no longer match the list's digest" in p for p in verdict.problems)
    result = CliRunner().invoke(_app(), ["audit", "verify", "--db", db_url])
    assert result.exit_code == 1
    assert "does not match" in flat(result.output)


def test_an_entry_naming_a_list_that_does_not_exist_is_named(
    session: Session, engine: Engine
) -> None:
    write(session)
    target = ids(session)[1]
    tamper(engine, f"UPDATE access_log SET patient_list_id = 12345 WHERE id = {target}")
    verdict = verify(session)
    assert verdict.walk.broken is not None
    assert verdict.walk.broken.id == target


def test_the_foreign_key_refuses_a_patient_of_no_list(session: Session) -> None:
    write(session, calls=1)
    session.add(AccessLogPatient(list_id=12345, patient_id=pnr(1)))
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        session.commit()


# --- migration 0015 ------------------------------------------------------------


def _before_0015(db_url: str) -> Engine:
    """The database taken back to the schema before 0015 (one patient an entry)."""
    engine = make_engine(db_url)
    config = alembic_config(db_url)
    revision = ScriptDirectory.from_config(config).get_revision("0015")
    assert revision is not None
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, str(revision.down_revision))
    return engine


OLD_ROWS = [
    # (minutes after T0, user, patient or None): the old log wrote a row per patient.
    (0, "anna", pnr(1)),
    (0, "anna", pnr(2)),
    (1, "bo", pnr(1)),
    (2, "kommandorad", None),  # an entry of no patient (a change of agreement data)
]


def _write_old_shape(engine: Engine) -> tuple[int, str]:
    """Entries as the log before 0015 wrote them, hashed as it hashed them
    (chain.chain over rows with ``patient_id``); the last id and its hash."""
    rows: list[dict[str, Any]] = [
        {
            "at": T0 + timedelta(minutes=minutes),
            "user_id": None,
            "username": user,
            "role": "coordinator",
            "unit_id": "U1",
            "patient_id": patient,
            "action": "patient_view",
            "purpose": "vård",
            "detail": "",
        }
        for minutes, user, patient in OLD_ROWS
    ]
    last = chain.chain(rows, chain.GENESIS)
    with engine.begin() as conn:
        for row in rows:
            conn.execute(
                text(
                    "INSERT INTO access_log (at, user_id, username, role, unit_id, patient_id, "
                    "action, purpose, detail, hash) VALUES (:at, :user_id, :username, :role, "
                    ":unit_id, :patient_id, :action, :purpose, :detail, :hash)"
                ),
                row,
            )
        conn.execute(
            text("UPDATE access_log_chain SET last_hash = :h, entries = :n WHERE id = 1"),
            {"h": last, "n": len(rows)},
        )
        last_id = conn.execute(text("SELECT max(id) FROM access_log")).scalar_one()
    return int(last_id), last


def test_the_migration_moves_each_entrys_patient_and_keeps_every_hash(db_url: str) -> None:
    engine = _before_0015(db_url)
    last_id, last_hash = _write_old_shape(engine)
    upgrade(engine)
    with session_factory(engine)() as session:
        # No hash changed: the chain verifies, and a head exported before still matches.
        verdict = verify(session, expected={last_id: last_hash})
        assert verdict.ok, verdict.problems
        assert verdict.walk.entries == 4
        assert "patient_id" not in {
            c["name"] for c in inspect(session.connection()).get_columns("access_log")
        }
        # Each patient is found by search, with the entries they were in.
        found = search.every(session, search.Filters(patient_id=pnr(1)))
        assert [(e.username, e.patient_id, e.patients) for e in found] == [
            ("bo", pnr(1), 1),
            ("anna", pnr(1), 1),
        ]
        everything = search.every(session, search.Filters())
        assert [e.patients for e in everything] == [0, 1, 1, 1]
        # New entries continue the chain after the old ones.
        write(session, calls=1, start=T0 + timedelta(hours=1))
        assert verify(session, expected={last_id: last_hash}).ok
        assert session.scalar(select(AccessLogChain.entries)) == 5
    engine.dispose()


def test_the_guards_hold_on_the_migrated_table(db_url: str) -> None:
    engine = _before_0015(db_url)
    _write_old_shape(engine)
    upgrade(engine)
    for statement in (
        "UPDATE access_log_patients SET patient_id = 'x'",
        "DELETE FROM access_log_patients",
    ):
        with engine.begin() as conn, pytest.raises(Exception, match="cannot be changed"):
            conn.execute(text(statement))
    engine.dispose()


def test_a_downgrade_keeps_one_patient_entries_and_refuses_entries_of_several(
    db_url: str,
) -> None:
    engine = _before_0015(db_url)
    _write_old_shape(engine)
    upgrade(engine)
    engine.dispose()
    engine = _before_0015(db_url)  # back again: each entry names at most one patient
    with engine.connect() as conn:
        back = conn.execute(text("SELECT patient_id FROM access_log ORDER BY id")).scalars().all()
    assert back == [pnr(1), pnr(2), pnr(1), None]
    upgrade(engine)
    with session_factory(engine)() as session:
        assert verify(session).ok
        write(session, calls=1, start=datetime(2024, 6, 1))  # one entry of three patients
    with pytest.raises(RuntimeError, match="1 access-log entries name several patients"):
        _before_0015(db_url)
    engine.dispose()
