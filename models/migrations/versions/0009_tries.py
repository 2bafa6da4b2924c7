"""Tries at a secret counted in one table (PIN, claim code, pairing code), not on the employee row

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tries",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("scope", "subject", name=op.f("pk_tries")),
    )
    # Wrong tries so far move to the new table; a PIN locked now stays locked until its lock runs out (a count
    # far past any limit is what a lock is in the new table).
    op.execute(
        "INSERT INTO tries (scope, subject, failures, locked_until) "
        "SELECT 'pin', CAST(id AS VARCHAR(64)), "
        "CASE WHEN pin_locked_until IS NOT NULL THEN 1000 ELSE pin_failures END, pin_locked_until FROM employee "
        "WHERE pin_failures > 0 OR pin_locked_until IS NOT NULL"
    )
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ has it): the employee table is not copied, so the tables
    # that refer to it are left alone.
    op.drop_column("employee", "pin_locked_until")
    op.drop_column("employee", "pin_failures")


def downgrade() -> None:
    op.add_column("employee", sa.Column("pin_failures", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("employee", sa.Column("pin_locked_until", sa.DateTime(), nullable=True))
    op.drop_table("tries")
