"""risk: the doctor's own view of a risk shown (läkarens egen bedömning)

Revision ID: 0017
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_opinions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(length=13), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("case_start", sa.Date(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=False),
        sa.Column("given_days", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("opinion", sa.String(length=20), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("doctor_hsa_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_risk_opinions_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["model_version"],
            ["risk_models.version"],
            name=op.f("fk_risk_opinions_model_version_risk_models"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_opinions")),
    )
    op.create_index(
        "ix_risk_opinions_patient_unit",
        "risk_opinions",
        ["patient_id", "unit_id", "case_start"],
    )


def downgrade() -> None:
    op.drop_index("ix_risk_opinions_patient_unit", table_name="risk_opinions")
    op.drop_table("risk_opinions")
