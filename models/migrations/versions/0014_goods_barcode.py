"""Goods carry their barcode (EAN-13 or the supplier's code): a delivery's lines are scanned in

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite copies the goods table for the constraint (app/migrate.py turns foreign keys off around it).
    with op.batch_alter_table("goods") as batch:
        batch.add_column(sa.Column("barcode", sa.String(length=32), nullable=True))
        batch.create_unique_constraint(op.f("uq_goods_barcode"), ["barcode"])


def downgrade() -> None:
    with op.batch_alter_table("goods") as batch:
        batch.drop_constraint(op.f("uq_goods_barcode"), type_="unique")
        batch.drop_column("barcode")
