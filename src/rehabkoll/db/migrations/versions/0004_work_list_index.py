"""work list: the unit-and-patient index covers what chaining reads

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COVERING = ["unit_id", "patient_id", "effective", "signed_at", "id", "spans"]


def upgrade() -> None:
    op.drop_index("ix_certificates_unit_patient", table_name="certificates")
    op.create_index("ix_certificates_unit_patient", "certificates", _COVERING, unique=False)


def downgrade() -> None:
    op.drop_index("ix_certificates_unit_patient", table_name="certificates")
    op.create_index(
        "ix_certificates_unit_patient", "certificates", ["unit_id", "patient_id"], unique=False
    )
