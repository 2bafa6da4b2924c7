"""Kiosks: registered devices paired with a browser by a one-time code.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:43:38.346741
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "kiosk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("printer_uri", sa.String(length=200), nullable=True),
        sa.Column("paper_mm", sa.String(length=4), nullable=True),
        sa.Column("pairing_hash", sa.String(length=64), nullable=True),
        sa.Column("pairing_expires_at", sa.DateTime(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("paired_at", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk")),
        sa.UniqueConstraint("name", name=op.f("uq_kiosk_name")),
    )
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kiosk_token_hash"), ["token_hash"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kiosk_token_hash"))

    op.drop_table("kiosk")
