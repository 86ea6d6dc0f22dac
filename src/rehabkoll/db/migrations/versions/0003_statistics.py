"""statistics: the insured population, cohorts and their members

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "population",
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("age_from", sa.Integer(), nullable=False),
        sa.Column("age_to", sa.Integer(), nullable=False),
        sa.Column("insured", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "provider_id", "year", "sex", "age_from", name=op.f("pk_population")
        ),
    )
    op.create_table(
        "cohorts",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("min_days", sa.Integer(), nullable=False),
        sa.Column("gap", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cohorts")),
    )
    op.create_table(
        "cohort_members",
        sa.Column("cohort", sa.String(length=100), nullable=False),
        sa.Column("patient_id", sa.String(length=13), nullable=False),
        sa.Column("care_provider_id", sa.String(length=64), nullable=False),
        sa.Column("case_start", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort"],
            ["cohorts.name"],
            name=op.f("fk_cohort_members_cohort_cohorts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "cohort", "patient_id", "care_provider_id", name=op.f("pk_cohort_members")
        ),
    )


def downgrade() -> None:
    op.drop_table("cohort_members")
    op.drop_table("cohorts")
    op.drop_table("population")
