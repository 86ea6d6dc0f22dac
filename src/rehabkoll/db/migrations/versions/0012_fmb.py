"""fmb: versioned tables of Socialstyrelsen's recommended sick-leave lengths

Revision ID: 0012
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fmb_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("in_force_from", sa.Date(), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("typical_cases", sa.Integer(), nullable=False),
        sa.Column("diagnoses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fmb_versions")),
        sa.UniqueConstraint("built_at", name=op.f("uq_fmb_versions_built_at")),
    )
    op.create_index(
        op.f("ix_fmb_versions_in_force_from"), "fmb_versions", ["in_force_from"], unique=False
    )
    op.create_table(
        "fmb_typical_cases",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("max_value", sa.String(length=20), nullable=True),
        sa.Column("max_unit", sa.String(length=10), nullable=True),
        sa.Column("max_days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["fmb_versions.id"],
            name=op.f("fk_fmb_typical_cases_version_id_fmb_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "id", name=op.f("pk_fmb_typical_cases")),
    )
    op.create_table(
        "fmb_diagnoses",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("symptoms", sa.Text(), nullable=False),
        sa.Column("rehabilitation", sa.Text(), nullable=False),
        sa.Column("functional_impairment", sa.Text(), nullable=False),
        sa.Column("activity_limitation", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["fmb_versions.id"],
            name=op.f("fk_fmb_diagnoses_version_id_fmb_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "id", name=op.f("pk_fmb_diagnoses")),
    )


def downgrade() -> None:
    op.drop_table("fmb_diagnoses")
    op.drop_table("fmb_typical_cases")
    op.drop_index(op.f("ix_fmb_versions_in_force_from"), table_name="fmb_versions")
    op.drop_table("fmb_versions")
