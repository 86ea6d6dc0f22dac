"""agreement: agreements per year with parts, instalments and conditions; the
regions' population on key dates; region coordinators; evidence, decisions and
published allocations

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement_region_providers",
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "region", "provider_id", name=op.f("pk_agreement_region_providers")
        ),
    )
    op.create_table(
        "agreements",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("signed", sa.Date(), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=True),
        sa.Column("key_date", sa.Date(), nullable=False),
        sa.Column("unearned", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_agreements")),
    )
    op.create_table(
        "region_population",
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("key_date", sa.Date(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("region", "key_date", name=op.f("pk_region_population")),
    )
    op.create_table(
        "agreement_allocations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"],
            ["agreements.year"],
            name=op.f("fk_agreement_allocations_year_agreements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_allocations")),
    )
    op.create_table(
        "agreement_conditions",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("asks", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"],
            ["agreements.year"],
            name=op.f("fk_agreement_conditions_year_agreements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("year", "number", name=op.f("pk_agreement_conditions")),
    )
    op.create_table(
        "agreement_coordinators",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_agreement_coordinators_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agreement_coordinators")),
    )
    op.create_table(
        "agreement_decisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column(
            "corrects_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["agreement_decisions.id"],
            name=op.f("fk_agreement_decisions_corrects_id_agreement_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["year"],
            ["agreements.year"],
            name=op.f("fk_agreement_decisions_year_agreements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_decisions")),
    )
    op.create_table(
        "agreement_evidence",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("links", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"],
            ["agreements.year"],
            name=op.f("fk_agreement_evidence_year_agreements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_evidence")),
        sa.UniqueConstraint(
            "year",
            "condition",
            "region",
            "version",
            name=op.f("uq_agreement_evidence_year_condition_region_version"),
        ),
    )
    op.create_table(
        "agreement_parts",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("condition", sa.String(length=20), nullable=True),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("variable", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["year"],
            ["agreements.year"],
            name=op.f("fk_agreement_parts_year_agreements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("year", "part_id", name=op.f("pk_agreement_parts")),
    )
    op.create_table(
        "agreement_instalments",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["year", "part_id"],
            ["agreement_parts.year", "agreement_parts.part_id"],
            name=op.f("fk_agreement_instalments_year_agreement_parts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "year", "part_id", "position", name=op.f("pk_agreement_instalments")
        ),
    )


def downgrade() -> None:
    op.drop_table("agreement_instalments")
    op.drop_table("agreement_parts")
    op.drop_table("agreement_evidence")
    op.drop_table("agreement_decisions")
    op.drop_table("agreement_coordinators")
    op.drop_table("agreement_conditions")
    op.drop_table("agreement_allocations")
    op.drop_table("region_population")
    op.drop_table("agreements")
    op.drop_table("agreement_region_providers")
