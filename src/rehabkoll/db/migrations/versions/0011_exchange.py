"""exchange: the archive of received RIVTA messages, what a RIVTA certificate
adds (type, version, relation, smittbärarpenning), Försäkringskassan's messages
to care, and the doctors' statements (läkarutlåtanden)

Revision ID: 0011
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("interaction", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("xml_gzip", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_index("ix_exchange_messages_document_id", "exchange_messages", ["document_id"])
    op.create_table(
        "exchange_certificates",
        sa.Column("certificate_id", sa.String(length=100), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=10), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=True),
        sa.Column("related_id", sa.String(length=100), nullable=True),
        sa.Column("infection_carrier", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificates.id"]),
        sa.PrimaryKeyConstraint("certificate_id"),
    )
    op.create_index("ix_exchange_certificates_related_id", "exchange_certificates", ["related_id"])
    op.create_table(
        "care_messages",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("certificate_id", sa.String(length=100), nullable=False),
        sa.Column("patient_id", sa.String(length=13), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=True),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("heading", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("questions", sa.String(length=100), nullable=False),
        sa.Column("reminds", sa.String(length=100), nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.Column("handled_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("certificate_id", "patient_id", "unit_id"):
        op.create_index(f"ix_care_messages_{column}", "care_messages", [column])
    op.create_table(
        "statements",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("form", sa.String(length=10), nullable=False),
        sa.Column("version", sa.String(length=10), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("patient_id", sa.String(length=13), nullable=False),
        sa.Column("doctor_id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("care_provider_id", sa.String(length=64), nullable=False),
        sa.Column("diagnosis", sa.String(length=10), nullable=False),
        sa.Column("secondary_diagnoses", sa.String(length=100), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["care_provider_id"], ["care_providers.id"]),
        sa.ForeignKeyConstraint(["doctor_id"], ["doctors.id"]),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_statements_unit_signed", "statements", ["unit_id", "signed_at"])


def downgrade() -> None:
    op.drop_table("statements")
    op.drop_table("care_messages")
    op.drop_table("exchange_certificates")
    op.drop_table("exchange_messages")
