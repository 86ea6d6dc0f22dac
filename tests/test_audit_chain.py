"""The access log's hash chain: every change made directly in the database —
an edited, deleted, reordered or replaced entry, or a patient of an entry
added, removed, changed or moved — is found by ``audit verify``, which names
the first entry that no longer matches; concurrent writers extend one chain;
the migration hashes the entries written before it; ``audit head`` exports a
day's head that catches even a rewrite of the whole chain."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.audit import chain
from rehabkoll.audit import cli as audit_cli
from rehabkoll.audit.models import AccessLog, AccessLogPatient
from rehabkoll.audit.service import log_access, log_event, verify
from rehabkoll.db.session import alembic_config, make_engine, session_factory, upgrade
from tests.factories import pnr

ANNA = User(id=7, username="anna", role=Role.COORDINATOR)
BO = User(id=8, username="bo", role=Role.DOCTOR)
T0 = datetime(2024, 5, 2, 8, 0)


def _app() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)
    audit_cli.register(app)
    return app


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


def write(session: Session, calls: int = 4, per_call: int = 3, start: datetime = T0) -> None:
    """``calls`` log calls (an entry each) of ``per_call`` patients each, an
    hour apart, committed; call i reads patients pnr(10 i + j)."""
    for i in range(calls):
        log_access(
            session,
            user=ANNA if i % 2 == 0 else BO,
            role="coordinator",
            unit_id="U1",
            patient_ids=[pnr(10 * i + j) for j in range(per_call)],
            action="worklist_view",
            purpose="Rehabiliteringskoordinering",
            at=start + timedelta(hours=i),
        )
        session.commit()


GUARDS = [
    f"{table}_no_{verb}"
    for table in ("access_log", "access_log_lists", "access_log_patients")
    for verb in ("update", "delete", "replace")
]


def tamper(engine: Engine, *statements: str) -> None:
    """Run SQL on the access log as someone with the database's admin rights
    would: the append-only guards and the foreign key set aside first."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside the transaction
            conn.commit()
        with conn.begin():
            if engine.dialect.name == "postgresql":
                # No trigger fires, foreign keys' neither (a superuser's setting).
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            else:
                for name in GUARDS:
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
            for statement in statements:
                conn.execute(text(statement))
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def flat(output: str) -> str:
    """The command's output without the line breaks of the terminal's width."""
    return " ".join(output.split())


def ids(session: Session) -> list[int]:
    return list(session.scalars(select(AccessLog.id).order_by(AccessLog.id)))


def patients(session: Session, entry_id: int) -> list[str]:
    """The patients of the entry's patient list."""
    query = (
        select(AccessLogPatient.patient_id)
        .join(AccessLog, AccessLog.patient_list_id == AccessLogPatient.list_id)
        .where(AccessLog.id == entry_id)
    )
    return sorted(session.scalars(query))


def test_an_untouched_log_verifies_and_each_hash_follows_the_one_before(
    session: Session, db_url: str
) -> None:
    write(session)
    verdict = verify(session)
    assert verdict.ok, verdict.problems
    assert verdict.walk.entries == 4  # four calls of three patients: four entries
    # By hand: the first entry's hash is over its fields, its three patients
    # and 64 zeros; the second one's over its fields, patients and the first one's hash.
    first, second = session.scalars(select(AccessLog).order_by(AccessLog.id).limit(2))
    assert patients(session, first.id) == [pnr(0), pnr(1), pnr(2)]
    fields = {name: getattr(first, name) for name in chain.SHARED}
    assert first.hash == chain.entry_hash(fields, [pnr(0), pnr(1), pnr(2)], "0" * 64)
    fields2 = {name: getattr(second, name) for name in chain.SHARED}
    assert second.hash == chain.entry_hash(fields2, [pnr(10), pnr(11), pnr(12)], first.hash)
    result = CliRunner().invoke(_app(), ["audit", "verify", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "intact: 4 entries" in result.stdout


def test_an_edited_entry_is_named(session: Session, engine: Engine, db_url: str) -> None:
    write(session)
    target = ids(session)[2]
    tamper(engine, f"UPDATE access_log SET username = 'mallory' WHERE id = {target}")
    verdict = verify(session)
    assert verdict.walk.broken is not None
    assert verdict.walk.broken.id == target
    result = CliRunner().invoke(_app(), ["audit", "verify", "--db", db_url])
    assert result.exit_code == 1
    assert f"entry {target} " in flat(result.output)


def test_an_edited_time_is_found_too(session: Session, engine: Engine) -> None:
    write(session)
    target = ids(session)[0]
    later = "'2024-05-02 09:30:00'" if engine.dialect.name == "sqlite" else "'2024-05-02 09:30'"
    tamper(engine, f"UPDATE access_log SET at = {later} WHERE id = {target}")
    assert verify(session).walk.broken is not None
    assert verify(session).walk.broken.id == target  # type: ignore[union-attr]


def test_a_deleted_entry_breaks_the_next_one(session: Session, engine: Engine) -> None:
    write(session)
    all_ids = ids(session)
    tamper(engine, f"DELETE FROM access_log WHERE id = {all_ids[1]}")
    verdict = verify(session)
    assert verdict.walk.broken is not None
    assert verdict.walk.broken.id == all_ids[2]
    assert any("3 entries" in p and "counts 4" in p for p in verdict.problems)


def test_deleting_the_newest_entries_is_found_by_the_head_row(
    session: Session, engine: Engine
) -> None:
    write(session)
    last = ids(session)[-1]
    tamper(engine, f"DELETE FROM access_log WHERE id = {last}")
    verdict = verify(session)
    assert verdict.walk.broken is None  # what is left still chains ...
    assert not verdict.ok  # ... but the head row knows one more
    assert "counts 4" in verdict.problems[0]


def test_two_swapped_entries_are_found(session: Session, engine: Engine) -> None:
    write(session)
    a, b = ids(session)[1], ids(session)[3]
    # Move entry a to a free id, b to a's place, a to b's: the same rows, reordered.
    tamper(
        engine,
        f"UPDATE access_log SET id = 100000 WHERE id = {a}",
        f"UPDATE access_log SET id = {a} WHERE id = {b}",
        f"UPDATE access_log SET id = {b} WHERE id = 100000",
    )
    verdict = verify(session)
    assert verdict.walk.entries == 4
    assert verdict.walk.broken is not None
    assert verdict.walk.broken.id == a


def test_replace_into_cannot_overwrite_an_entry_on_sqlite(tmp_path: Path) -> None:
    # SQLite fires no DELETE trigger for the row REPLACE removes, so before
    # 0007 this overwrote entry 1 in place.
    url = f"sqlite:///{tmp_path / 'replace.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        write(session, calls=1, per_call=1)
    for verb in ("REPLACE INTO", "INSERT OR REPLACE INTO"):
        with engine.begin() as conn, pytest.raises(DBAPIError, match="cannot be changed"):
            conn.execute(
                text(
                    f"{verb} access_log (id, at, username, role, action, purpose, detail) "
                    "VALUES (1, '2024-01-01 00:00:00', 'mallory', 'admin', 'x', 'x', '')"
                )
            )
        with engine.begin() as conn, pytest.raises(DBAPIError, match="cannot be changed"):
            conn.execute(
                text(f"{verb} access_log_patients (list_id, patient_id) VALUES (1, :p)"),
                {"p": pnr(0)},
            )
        with engine.begin() as conn, pytest.raises(DBAPIError, match="cannot be changed"):
            conn.execute(text(f"{verb} access_log_lists (id, digest, patients) VALUES (1, 'x', 2)"))
    with session_factory(engine)() as session:
        assert session.scalar(select(AccessLog.username)) == "anna"
        assert patients(session, 1) == [pnr(0)]
        assert verify(session).ok
    engine.dispose()


def test_concurrent_writers_extend_one_chain(engine: Engine) -> None:
    """Eight threads log at once; each append waits for the head row, so the
    chain has no fork: every entry follows the one before it."""
    factory = session_factory(engine)
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            with factory() as session:
                for i in range(5):
                    log_access(
                        session,
                        user=ANNA,
                        role="coordinator",
                        unit_id=f"U{n}",
                        patient_ids=[pnr(100 * n + 10 * i + j) for j in range(4)],
                        action="patient_view",
                        purpose="vård",
                    )
                    session.commit()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with factory() as session:
        verdict = verify(session)
        assert verdict.ok, verdict.problems
        assert verdict.walk.entries == 8 * 5
        # The same patients read twice are one patient list, stored once.
        lists = {
            frozenset(pnr(100 * n + 10 * i + j) for j in range(4))
            for n in range(8)
            for i in range(5)
        }
        assert session.query(AccessLogPatient).count() == sum(len(x) for x in lists)


def test_the_migration_hashes_the_entries_written_before_it(db_url: str) -> None:
    engine = make_engine(db_url)
    config = alembic_config(db_url)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    with engine.begin() as conn:
        for i in range(3):
            conn.execute(
                text(
                    "INSERT INTO access_log (at, user_id, username, role, unit_id, patient_id, "
                    "action, purpose, detail) VALUES (:at, 7, 'anna', 'coordinator', 'U1', :p, "
                    "'patient_view', 'vård', '')"
                ),
                {"at": T0 + timedelta(minutes=i), "p": pnr(i + 1)},
            )
    upgrade(engine)
    with session_factory(engine)() as session:
        verdict = verify(session)
        assert verdict.ok, verdict.problems
        assert verdict.walk.entries == 3
        write(session, calls=1)  # new entries continue the chain
        assert verify(session).ok
    engine.dispose()


def test_an_exported_head_catches_a_rewritten_chain(
    session: Session, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    # Four calls an hour apart from 08:00 UTC on 2 May 2024 (10:00 Swedish
    # summer time), then four on 3 May: the head of 2 May is the last of day one.
    write(session, calls=4)
    write(session, calls=4, start=T0 + timedelta(days=1))
    runner = CliRunner()
    result = runner.invoke(_app(), ["audit", "head", "--date", "2024-05-02", "--db", db_url])
    assert result.exit_code == 0, result.output
    day, entry_id, _hash = result.stdout.split()
    assert (day, int(entry_id)) == ("2024-05-02", ids(session)[3])
    heads = tmp_path / "heads.txt"
    heads.write_text(result.stdout)
    assert (
        runner.invoke(_app(), ["audit", "verify", "--heads", str(heads), "--db", db_url]).exit_code
        == 0
    )

    # Someone with the database's admin rights edits an entry of 2 May and
    # recomputes every hash after it, and the head row: the chain holds again ...
    target = ids(session)[1]
    tamper(engine, f"UPDATE access_log SET username = 'mallory' WHERE id = {target}")
    rows = list(session.scalars(select(AccessLog).order_by(AccessLog.id)))
    last = chain.GENESIS
    rewritten = []
    for row in rows:
        fields = {name: getattr(row, name) for name in chain.SHARED}
        last = chain.entry_hash(fields, patients(session, row.id), last)
        rewritten.append(f"UPDATE access_log SET hash = '{last}' WHERE id = {row.id}")
    tamper(engine, *rewritten)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE access_log_chain SET last_hash = '{last}'"))
    session.expire_all()
    assert verify(session).ok
    # ... but not against the head exported before.
    result = runner.invoke(_app(), ["audit", "verify", "--heads", str(heads), "--db", db_url])
    assert result.exit_code == 1
    assert f"entry {entry_id} no longer has the hash exported" in flat(result.output)


def test_audit_head_refuses_a_day_before_the_first_entry_and_a_broken_chain(
    session: Session, engine: Engine, db_url: str
) -> None:
    write(session)
    runner = CliRunner()
    early = runner.invoke(_app(), ["audit", "head", "--date", "2024-05-01", "--db", db_url])
    assert early.exit_code == 2
    assert "no entry before the end of 2024-05-01" in flat(early.output)
    tamper(engine, f"UPDATE access_log SET detail = 'x' WHERE id = {ids(session)[0]}")
    broken = runner.invoke(
        _app(), ["audit", "head", "--date", date(2024, 5, 2).isoformat(), "--db", db_url]
    )
    assert broken.exit_code == 1
    assert "entry 1 (2024-05-02 08:00:00 UTC) does not match" in flat(broken.output)


def test_an_entry_of_one_patient_is_hashed_as_written_by_hand() -> None:
    # The fields as <length>:<text>, joined with "|", the patient, "|" and the
    # previous hash: "vård" is 4 characters (5 bytes), the detail empty.
    patient = pnr(1)
    text_ = (
        "26:2024-05-02 08:00:00.000000|1:7|4:anna|11:coordinator|2:U1|12:patient_view|"
        f"4:vård|0:|13:{patient}|" + "0" * 64
    )
    shared = {
        "at": T0,
        "user_id": 7,
        "username": "anna",
        "role": "coordinator",
        "unit_id": "U1",
        "action": "patient_view",
        "purpose": "vård",
        "detail": "",
    }
    expected = hashlib.sha256(text_.encode()).hexdigest()
    assert chain.entry_hash(shared, [patient], chain.GENESIS) == expected
    # Two patients: both, in sorted order, each as <length>:<text>.
    two = text_.replace(f"13:{patient}|", f"13:{patient}|13:{pnr(2)}|")
    assert chain.entry_hash(shared, [pnr(2), patient], chain.GENESIS) == (
        hashlib.sha256(two.encode()).hexdigest()
    )


@settings(max_examples=50, deadline=None)
@given(
    patients=st.lists(st.text(min_size=1, max_size=13), min_size=1, max_size=20, unique=True),
    detail=st.text(max_size=30),
    unit=st.none() | st.text(max_size=10),
)
def test_an_entry_hashes_its_patients_in_any_order_and_one_patient_as_before_0015(
    patients: list[str], detail: str, unit: str | None
) -> None:
    """Two forms of one rule: the log before migration 0015 hashed an entry
    per patient (chain.chain over rows with ``patient_id``); an entry of one
    patient must hash the same now, so those entries keep their hashes. And an
    entry's patients count as a set: their order does not matter, their
    membership does."""
    shared = {
        "at": T0,
        "user_id": 7,
        "username": "anna",
        "role": "coordinator",
        "unit_id": unit,
        "action": "worklist_view",
        "purpose": "vård",
        "detail": detail,
    }
    rows = [{**shared, "patient_id": p} for p in patients]
    head = chain.chain(rows, chain.GENESIS)
    previous = chain.GENESIS
    for patient, row in zip(patients, rows, strict=True):
        previous = chain.entry_hash(shared, [patient], previous)
        assert previous == row["hash"]
    assert previous == head
    one = chain.entry_hash(shared, patients, chain.GENESIS)
    assert chain.entry_hash(shared, list(reversed(patients)), chain.GENESIS) == one
    if len(patients) > 1:
        assert chain.entry_hash(shared, patients[1:], chain.GENESIS) != one


def test_an_entry_without_a_patient_joins_the_chain(session: Session) -> None:
    """Changes of agreement data are logged without a patient (log_event); a
    row added any other way, without its hash, is named by verify."""
    write(session, calls=1)
    log_event(
        session,
        user_id=None,
        username="kommandorad",
        role="cli",
        action="agreement_change",
        purpose="överenskommelsen",
        detail="import 2017",
    )
    session.commit()
    assert verify(session).ok
    session.add(
        AccessLog(at=T0, username="x", role="cli", action="agreement_change", purpose="", detail="")
    )
    session.commit()
    verdict = verify(session)
    assert verdict.walk.broken is not None
    assert verdict.walk.broken.id == max(ids(session))
