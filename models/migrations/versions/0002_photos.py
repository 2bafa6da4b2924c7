"""Photos: uploads checked by content and re-encoded (claims now, hazard reports later).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:09:27.890319
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_type", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo")),
    )
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.create_index("ix_photo_owner", ["owner_type", "owner_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_index("ix_photo_owner")

    op.drop_table("photo")
