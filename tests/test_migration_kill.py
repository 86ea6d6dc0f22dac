"""A migration killed at any moment leaves the database as it was before it:
the next command migrates it in full and the database works (SQLite, the
default, whose driver would otherwise commit each DDL statement on its own)."""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from argon2 import PasswordHasher
from sqlalchemy import Engine, event, text

from rehabkoll.accounts import service as accounts
from rehabkoll.db.session import (
    alembic_config,
    make_engine,
    migration_engine,
    session_scope,
    upgrade,
)

HEAD_TABLES = ("users", "access_log", "coordination_records", "cohorts")


def statements_of(prepare: Callable[[str], None], url: str) -> int:
    """How many SQL statements ``upgrade`` runs on a database prepared so."""
    prepare(url)
    count = 0

    def one(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(Engine, "before_cursor_execute", one)
    try:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
    finally:
        event.remove(Engine, "before_cursor_execute", one)
    return count


def killed_upgrade(url: str, moment: int | None) -> None:
    """``upgrade`` in a child process that SIGKILLs itself before its
    ``moment``-th SQL statement (None: as it commits)."""
    pid = os.fork()
    if pid == 0:  # the child: no cleanup of any kind, as under kill -9
        seen = 0

        def before_statement(*_: object) -> None:
            nonlocal seen
            seen += 1
            if seen == moment:
                os.kill(os.getpid(), signal.SIGKILL)

        def before_commit(*_: object) -> None:
            if moment is None:
                os.kill(os.getpid(), signal.SIGKILL)

        event.listen(Engine, "before_cursor_execute", before_statement)
        event.listen(Engine, "commit", before_commit)
        try:
            upgrade(make_engine(url))
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status), status
    assert os.WTERMSIG(status) == signal.SIGKILL, status


def at_revision(revision: str) -> Callable[[str], None]:
    def prepare(url: str) -> None:
        engine = migration_engine(url)
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.execute(text("INSERT INTO care_providers (id, name) VALUES ('P', 'R')"))
            connection.execute(
                text("INSERT INTO units (id, name, care_provider_id) VALUES ('U', 'V', 'P')")
            )
        engine.dispose()

    return prepare


def new_database(url: str) -> None:
    """Nothing: the first migration of a new database."""


def works(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)  # the next command brings it up to date ...
    with engine.connect() as connection:
        tables = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert set(HEAD_TABLES) <= tables
    with session_scope(engine) as session:  # ... and it works
        accounts.create_user(
            session, username="efter", role="admin", unit_ids=[], password="lösenord-efter-kill"
        )
    with session_scope(engine) as session:
        assert accounts.get_user(session, username="efter") is not None
    engine.dispose()


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: the default ones cost half a second per hash."""
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """Memory-backed when the machine has /dev/shm: a kill -9 keeps what the
    process wrote either way (the kernel holds it), and the many small
    databases skip the disk's fsyncs, which would take most of the time."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="rehabkoll-kill-") as name:
        yield Path(name)


@pytest.mark.parametrize(
    ("prepare", "kept_units"),
    [(new_database, 0), (at_revision("0004"), 1)],
    ids=["first-migration", "upgrade-from-0004"],
)
def test_a_migration_killed_at_any_statement_leaves_a_database_that_upgrades_and_works(
    folder: Path, prepare: Callable[[str], None], kept_units: int
) -> None:
    total = statements_of(prepare, f"sqlite:///{folder / 'count.db'}")
    # Every statement of a short upgrade; a spread of about 9 of the first
    # migration's (62 statements today), first and last included; and the commit.
    step = max(1, total // 8)
    moments: list[int | None] = [*range(1, total + 1, step), total, None]
    for n, moment in enumerate(moments):
        url = f"sqlite:///{folder / f'kill-{n}.db'}"
        prepare(url)
        killed_upgrade(url, moment)
        works(url)
        engine = make_engine(url)
        with engine.connect() as connection:
            units = connection.execute(text("SELECT count(*) FROM units")).scalar_one()
        engine.dispose()
        assert units == kept_units, (moment, units)
