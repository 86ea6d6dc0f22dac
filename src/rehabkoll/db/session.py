"""Engines and sessions. The schema is owned by the Alembic migrations in
``rehabkoll/db/migrations``; ``open_database`` brings a database up to date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from rehabkoll.config import get_settings
from rehabkoll.db import wal
from rehabkoll.db.errors import protect

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 10000


def database_url(url: str | None = None) -> str:
    """The URL given, else REHABKOLL_DATABASE_URL, else the embedded SQLite file."""
    return url or get_settings().database_url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, foreign_keys: bool = True) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Read the file through memory mapping (up to SQLite's default ceiling of
    # just under 2 GiB) rather than a read call per page: a work list touches
    # thousands of index pages, a quarter faster this way.
    cursor.execute("PRAGMA mmap_size=2147418112")
    cursor.close()


def make_engine(url: str) -> Engine:
    """The engine of a command or the web server: REHABKOLL_DB_POOL_SIZE
    connections at most (no overflow), each asked for with a wait of at most
    REHABKOLL_DB_WAIT_SECONDS (then sqlalchemy.exc.TimeoutError, a 503 on the
    web). The web server lets no more requests in at once than there are
    connections (rehabkoll.web.admission), so a request never waits for one
    while holding another.

    hide_parameters: no value of a statement (personnummer, names) in an
    error's text or a traceback; ``db.errors.protect`` scrubs what the server
    adds."""
    settings = get_settings()
    pool = {
        "pool_size": settings.db_pool_size,
        "max_overflow": 0,
        "pool_timeout": settings.db_wait_seconds,
    }
    if url.startswith("sqlite"):
        engine = create_engine(url, hide_parameters=True, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        wal.keep_small(
            engine, limit_mb=settings.sqlite_wal_limit_mb, busy_timeout_ms=BUSY_TIMEOUT_MS
        )
    else:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True, **pool)
    protect(engine)
    return engine


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _driver_transactions_off(dbapi_connection: Any, record: Any) -> None:
    # Python's sqlite3 would commit before each DDL statement on its own; with
    # its transaction handling off, SQLAlchemy's BEGIN (below) holds everything.
    dbapi_connection.isolation_level = None
    # Foreign keys off while tables are rebuilt (SQLite's documented procedure
    # for schema changes, which batch migrations follow); checked at the end.
    _sqlite_pragmas(dbapi_connection, record, foreign_keys=False)


def _begin_immediate(connection: Connection) -> None:
    # IMMEDIATE: the write lock at once, so a second process migrating at the
    # same moment waits and then finds the work done.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def migration_engine(url: str) -> Engine:
    """An engine whose transactions hold DDL too (SQLAlchemy's recipe for
    pysqlite: the driver's own transaction handling off, BEGIN emitted on
    ``begin``), so that a migration killed half-way leaves the database as it
    was before it. PostgreSQL's DDL is transactional already."""
    engine = create_engine(url, poolclass=NullPool, hide_parameters=True)
    protect(engine)  # data migrations move patient data too
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _driver_transactions_off)
        event.listen(engine, "begin", _begin_immediate)
    return engine


def _in_memory(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")


def upgrade(engine: Engine) -> None:
    """Run every migration not yet applied, all in one transaction: a kill
    half-way leaves the schema as it was, and the next run starts again."""
    url = engine.url.render_as_string(hide_password=False)
    config = alembic_config(url)
    # An in-memory database is the engine's own connection and dies with the process.
    migrating = engine if _in_memory(engine) else migration_engine(url)
    try:
        with migrating.begin() as connection:
            config.attributes["connection"] = connection
            before = MigrationContext.configure(connection).get_current_revision()
            command.upgrade(config, "head")
            after = MigrationContext.configure(connection).get_current_revision()
            if migrating.dialect.name == "sqlite" and after != before:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise RuntimeError(f"a migration broke a foreign key of table {broken[0]}")
    finally:
        if migrating is not engine:
            migrating.dispose()


@lru_cache(maxsize=8)
def open_database(url: str | None = None) -> Engine:
    """An engine for the database, its schema brought up to date (once per process)."""
    engine = make_engine(database_url(url))
    upgrade(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back otherwise."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
