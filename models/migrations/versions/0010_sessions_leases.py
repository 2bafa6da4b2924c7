"""Sessions that end on the server, print jobs on a lease, anonymous rewards as bearer vouchers, a sealed ledger

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
    # The chain's head is sealed with a key the database does not hold (`mart db upgrade` seals it once).
    op.add_column("ledger_head", sa.Column("seal", sa.String(length=64), nullable=True))
    # A claim code pays like a voucher: its redemptions name nobody, and what it spent is filed under a keyed
    # hash of the code, with no time. (SQLite copies the redemption table for this: app/migrate.py turns the
    # foreign keys off around it, as SQLite asks.)
    with op.batch_alter_table("redemption") as batch:
        batch.alter_column("employee_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("bearer_check", sa.String(length=64), nullable=True))
    op.create_table(
        "reward_spend",
        sa.Column("code_mac", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("code_mac", name=op.f("pk_reward_spend")),
    )


def downgrade() -> None:
    op.drop_column("ledger_head", "seal")
    op.drop_table("reward_spend")
    if op.get_bind().execute(sa.text("SELECT COUNT(*) FROM redemption WHERE employee_id IS NULL")).scalar():
        raise RuntimeError("Claim codes have paid for goods: the schema before 0010 cannot hold those redemptions.")
    with op.batch_alter_table("redemption") as batch:
        batch.drop_column("bearer_check")
        batch.alter_column("employee_id", existing_type=sa.Integer(), nullable=False)
    op.drop_column("print_job", "claimed_at")
    op.drop_column("kiosk", "visit_token")
    op.drop_column("employee", "reporter_token")
    op.drop_column("staff_user", "session_token")
