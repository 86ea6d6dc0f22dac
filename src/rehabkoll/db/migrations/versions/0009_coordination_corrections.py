"""coordination corrections: entries may be withdrawn (retracted_*), and the
values an entry had before a correction or withdrawal are kept

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = (
    "coordination_consents",
    "coordination_contacts",
    "coordination_meetings",
    "coordination_plans",
    "coordination_referrals",
    "coordination_tasks",
)


def upgrade() -> None:
    op.create_table(
        "coordination_entry_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("entry_kind", sa.String(length=20), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["coordination_records.id"],
            name=op.f("fk_coordination_entry_versions_record_id_coordination_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_entry_versions")),
    )
    op.create_index(
        op.f("ix_coordination_entry_versions_record_id"),
        "coordination_entry_versions",
        ["record_id"],
    )
    op.create_index(
        "ix_coordination_entry_versions_entry",
        "coordination_entry_versions",
        ["entry_kind", "entry_id"],
    )
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("retracted_at", sa.DateTime(), nullable=True))
            batch.add_column(sa.Column("retracted_by", sa.String(length=100), nullable=True))
            batch.add_column(sa.Column("retract_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("retract_reason")
            batch.drop_column("retracted_by")
            batch.drop_column("retracted_at")
    op.drop_index("ix_coordination_entry_versions_entry", "coordination_entry_versions")
    op.drop_index(op.f("ix_coordination_entry_versions_record_id"), "coordination_entry_versions")
    op.drop_table("coordination_entry_versions")
