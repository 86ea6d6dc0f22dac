"""access log: one entry per access naming a patient list, stored once
(``access_log_lists``, its patients in ``access_log_patients``); each existing
entry's patient becomes a list of one, and ``access_log.patient_id`` is
dropped. The new tables are append-only like the log.

An entry of one patient hashes exactly as before (``rehabkoll.audit.chain``),
so no existing hash changes: the chain written before this migration still
verifies after it, and heads exported before it still match.

Revision ID: 0015
Revises: 0017
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0017"
branch_labels = None
depends_on = None

_REFUSAL = "access_log entries cannot be changed or deleted"
_NEW = ("access_log_lists", "access_log_patients")


def _sqlite_guards(table: str, key: str) -> list[str]:
    """As for access_log (0002, 0007): no UPDATE, no DELETE, and no INSERT that
    would replace a row (REPLACE fires no DELETE trigger)."""
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
        f"""CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
        WHEN EXISTS (SELECT 1 FROM {table} WHERE {key})
        BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
    ]


def _postgres_guards(table: str) -> list[str]:
    # access_log_refuse() is the function of 0002.
    return [
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION access_log_refuse()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse()""",
    ]


def _guards(postgres: bool) -> list[str]:
    if postgres:
        return [s for table in _NEW for s in _postgres_guards(table)]
    return [
        *_sqlite_guards("access_log_lists", "id = NEW.id OR digest = NEW.digest"),
        *_sqlite_guards(
            "access_log_patients", "list_id = NEW.list_id AND patient_id = NEW.patient_id"
        ),
    ]


def _guard_of_access_log(postgres: bool, *, on: bool) -> None:
    """The guard against UPDATE on access_log stands aside while the entries
    get their list (inside this migration's transaction)."""
    if postgres:
        op.execute(
            f"ALTER TABLE access_log {'ENABLE' if on else 'DISABLE'} TRIGGER access_log_no_change"
        )
    elif on:
        op.execute(
            f"""CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
            BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"""
        )
    else:
        op.execute("DROP TRIGGER access_log_no_update")


def _lists_of_one(bind: Any, postgres: bool) -> None:
    """A list of one for each patient of the existing entries (ids 1, 2, …)."""
    # Imported here: the digest is the one the application looks lists up by.
    from rehabkoll.audit.chain import list_digest

    lists = sa.table(
        "access_log_lists", sa.column("id"), sa.column("digest"), sa.column("patients")
    )
    members = sa.table("access_log_patients", sa.column("list_id"), sa.column("patient_id"))
    patients = [
        str(p)
        for p in bind.execute(
            sa.text(
                "SELECT DISTINCT patient_id FROM access_log WHERE patient_id IS NOT NULL "
                "ORDER BY patient_id"
            )
        ).scalars()
    ]
    for start in range(0, len(patients), 5000):
        chunk = list(enumerate(patients[start : start + 5000], start + 1))
        bind.execute(
            lists.insert(),
            [{"id": n, "digest": list_digest([p]), "patients": 1} for n, p in chunk],
        )
        bind.execute(members.insert(), [{"list_id": n, "patient_id": p} for n, p in chunk])
    if postgres and patients:
        bind.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('access_log_lists', 'id'), :n)"),
            {"n": len(patients)},
        )


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    key = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "access_log_lists",
        sa.Column("id", key, autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("patients", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_lists")),
        sa.UniqueConstraint("digest", name=op.f("uq_access_log_lists_digest")),
    )
    op.create_table(
        "access_log_patients",
        sa.Column("list_id", key, nullable=False),
        sa.Column("patient_id", sa.String(length=13), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["access_log_lists.id"],
            name=op.f("fk_access_log_patients_list_id_access_log_lists"),
        ),
        sa.PrimaryKeyConstraint("list_id", "patient_id", name=op.f("pk_access_log_patients")),
        sqlite_with_rowid=False,
    )
    _lists_of_one(bind, postgres)
    op.create_index(
        "ix_access_log_patients_patient_id_list_id",
        "access_log_patients",
        ["patient_id", "list_id"],
    )
    op.execute(
        f"ALTER TABLE access_log ADD COLUMN patient_list_id {'BIGINT' if postgres else 'INTEGER'}"
    )
    _guard_of_access_log(postgres, on=False)
    op.execute(
        "UPDATE access_log SET patient_list_id = (SELECT p.list_id FROM access_log_patients p "
        "WHERE p.patient_id = access_log.patient_id) WHERE patient_id IS NOT NULL"
    )
    _guard_of_access_log(postgres, on=True)
    op.drop_index("ix_access_log_patient_at", table_name="access_log")
    # A change of the table's definition, not of its rows: no row trigger fires.
    op.execute("ALTER TABLE access_log DROP COLUMN patient_id")
    op.create_index("ix_access_log_patient_list_id_at", "access_log", ["patient_list_id", "at"])
    for statement in _guards(postgres):
        op.execute(statement)


def downgrade() -> None:
    """Back to one patient in each entry: possible only while no entry names
    several patients (the log is never split into new entries)."""
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    several = bind.execute(
        sa.text(
            "SELECT count(*) FROM access_log e JOIN access_log_lists l "
            "ON l.id = e.patient_list_id WHERE l.patients > 1"
        )
    ).scalar_one()
    if several:
        raise RuntimeError(
            f"cannot downgrade below 0015: {several} access-log entries name several "
            "patients, and the older schema holds one patient an entry"
        )
    op.add_column("access_log", sa.Column("patient_id", sa.String(length=13), nullable=True))
    _guard_of_access_log(postgres, on=False)
    op.execute(
        "UPDATE access_log SET patient_id = (SELECT p.patient_id FROM access_log_patients p "
        "WHERE p.list_id = access_log.patient_list_id)"
    )
    _guard_of_access_log(postgres, on=True)
    op.drop_index("ix_access_log_patient_list_id_at", table_name="access_log")
    op.execute("ALTER TABLE access_log DROP COLUMN patient_list_id")
    op.create_index("ix_access_log_patient_at", "access_log", ["patient_id", "at"])
    if postgres:
        for table in _NEW:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_change ON {table}")
    op.drop_table("access_log_patients")
    op.drop_table("access_log_lists")
