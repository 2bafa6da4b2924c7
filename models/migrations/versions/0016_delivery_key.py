"""A delivery's stock movements carry the key of the form that posted them: a double tap posts it once

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 09:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stock_movement") as batch:
        batch.add_column(sa.Column("request_key", sa.String(length=32), nullable=True))
    op.create_index("ix_stock_movement_request_key", "stock_movement", ["request_key"])


def downgrade() -> None:
    op.drop_index("ix_stock_movement_request_key", table_name="stock_movement")
    with op.batch_alter_table("stock_movement") as batch:
        batch.drop_column("request_key")
