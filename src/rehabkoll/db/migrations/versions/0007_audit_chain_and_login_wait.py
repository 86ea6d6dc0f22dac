"""access log: a hash chain (``access_log.hash``, the head in
``access_log_chain``), every existing entry hashed; on SQLite an INSERT that
would replace an existing entry is refused. users: ``login_wait_until``, the
time before which no new login attempt is checked.

Revision ID: 0007
Revises: 0013
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0013"
branch_labels = None
depends_on = None

_REFUSAL = "access_log entries cannot be changed or deleted"

# REPLACE INTO / INSERT OR REPLACE delete the old row without firing a DELETE
# trigger (unless recursive triggers are on), so the append-only guard of 0002
# did not see them: refuse any insert whose id is taken, before it happens.
_SQLITE_NO_REPLACE = f"""CREATE TRIGGER access_log_no_replace BEFORE INSERT ON access_log
WHEN EXISTS (SELECT 1 FROM access_log WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"""
_SQLITE_NO_UPDATE = f"""CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"""


def _hash_existing(bind: Any) -> tuple[str, int]:
    """Give every existing entry its hash, in id order; the head and the count."""
    # Imported here: the chain's definition is the one the application uses.
    from rehabkoll.audit.chain import GENESIS, chain

    log = sa.table(
        "access_log",
        sa.column("id"),
        sa.column("at", sa.DateTime()),
        sa.column("user_id"),
        sa.column("username"),
        sa.column("role"),
        sa.column("unit_id"),
        sa.column("patient_id"),
        sa.column("action"),
        sa.column("purpose"),
        sa.column("detail"),
        sa.column("hash"),
    )
    head, count, after = GENESIS, 0, -1
    while True:
        rows = [
            dict(r._mapping)
            for r in bind.execute(
                sa.select(log).where(log.c.id > after).order_by(log.c.id).limit(5000)
            )
        ]
        if not rows:
            return head, count
        head = chain(rows, head)
        bind.execute(
            log.update().where(log.c.id == sa.bindparam("b_id")).values(hash=sa.bindparam("b_h")),
            [{"b_id": r["id"], "b_h": r["hash"]} for r in rows],
        )
        count += len(rows)
        after = rows[-1]["id"]


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.add_column("users", sa.Column("login_wait_until", sa.DateTime(), nullable=True))
    op.add_column("access_log", sa.Column("hash", sa.String(length=64), nullable=True))
    chain_table = op.create_table(
        "access_log_chain",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_chain")),
    )
    # The guard against UPDATE stands aside while the existing entries get
    # their hash, inside this migration's transaction.
    if postgres:
        op.execute("ALTER TABLE access_log DISABLE TRIGGER access_log_no_change")
    else:
        op.execute("DROP TRIGGER access_log_no_update")
    head, count = _hash_existing(bind)
    if postgres:
        op.execute("ALTER TABLE access_log ENABLE TRIGGER access_log_no_change")
    else:
        op.execute(_SQLITE_NO_UPDATE)
        op.execute(_SQLITE_NO_REPLACE)
    op.bulk_insert(chain_table, [{"id": 1, "last_hash": head, "entries": count}])


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if not postgres:
        op.execute("DROP TRIGGER IF EXISTS access_log_no_replace")
    op.drop_table("access_log_chain")
    op.drop_column("access_log", "hash")
    op.drop_column("users", "login_wait_until")
