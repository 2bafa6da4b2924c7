"""Sessions that end on the server, print jobs on a lease, anonymous rewards as bearer vouchers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): the tables that refer to these are left alone.
    op.add_column("staff_user", sa.Column("session_token", sa.String(length=32), nullable=True))
    op.add_column("employee", sa.Column("reporter_token", sa.String(length=32), nullable=True))
    op.add_column("kiosk", sa.Column("visit_token", sa.String(length=32), nullable=True))
    op.add_column("print_job", sa.Column("claimed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("print_job", "claimed_at")
    op.drop_column("kiosk", "visit_token")
    op.drop_column("employee", "reporter_token")
    op.drop_column("staff_user", "session_token")
