"""A hazard's owner is kept as who they are ("staff:wang" or "employee:E00070"), so any employee can rectify

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE hazard SET owner = 'staff:' || owner WHERE owner IS NOT NULL AND owner NOT LIKE '%:%'")


def downgrade() -> None:
    op.execute("UPDATE hazard SET owner = substr(owner, 7) WHERE owner LIKE 'staff:%'")
    op.execute("UPDATE hazard SET owner = NULL WHERE owner LIKE 'employee:%'")
