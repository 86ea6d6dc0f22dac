"""import_batches: which process runs an import (``owner``) and when a killed
import was found interrupted (``interrupted_at``)

Revision ID: 0006
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("interrupted_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("interrupted_at")
        batch.drop_column("owner")
