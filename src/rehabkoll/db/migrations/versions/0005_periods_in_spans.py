"""certificates: the periods live in ``certificates.spans`` only; the separate
``certificate_periods`` table goes

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("certificate_periods")


def downgrade() -> None:
    periods = op.create_table(
        "certificate_periods",
        sa.Column("certificate_id", sa.String(length=100), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("degree", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_periods_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("certificate_id", "start", name=op.f("pk_certificate_periods")),
    )
    rows = op.get_bind().execute(sa.text("SELECT id, spans FROM certificates")).all()
    op.bulk_insert(
        periods,
        [
            {
                "certificate_id": cert_id,
                "start": date.fromisoformat(start),
                "end": date.fromisoformat(end),
                "degree": int(degree),
            }
            for cert_id, spans in rows
            for start, end, degree in (span.split(" ") for span in spans.split(";"))
        ],
    )
