"""Covering indexes for the year's figures on the ledger

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 19:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE INDEX (no batch mode): a large ledger is indexed in place, never copied.
    op.create_index("ix_ledger_entry_year_kind", "ledger_entry", ["year", "kind", "amount"])
    op.create_index("ix_ledger_entry_kind_created", "ledger_entry", ["kind", "created_at", "employee_id", "amount"])


def downgrade() -> None:
    op.drop_index("ix_ledger_entry_kind_created", table_name="ledger_entry")
    op.drop_index("ix_ledger_entry_year_kind", table_name="ledger_entry")
