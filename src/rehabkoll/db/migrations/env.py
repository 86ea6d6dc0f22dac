"""Alembic environment: runs on the connection handed in by rehabkoll.db.session.upgrade,
or on the URL in the config when run by the alembic command itself."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from rehabkoll.db.models import metadata
from rehabkoll.db.session import migration_engine

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = migration_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _migrate(conn)
    engine.dispose()


def _migrate(connection: Connection) -> None:
    # transactional_ddl: every migration of the run in the caller's one
    # transaction, SQLite too (see rehabkoll.db.session.migration_engine).
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
