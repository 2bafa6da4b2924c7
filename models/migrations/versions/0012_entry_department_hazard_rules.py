"""Each ledger entry keeps the department it was written under (the day tally is rebuilt from it); rules that
reward finding a hazard are marked, so every one of them goes through the hazard loop

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The seed's rules for finding a hazard (models/rules.py HAZARD_FINDING); an enterprise marks its own.
HAZARD_FINDING = ("D03", "H01", "H02")


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy of a ledger of millions). Entries written before this keep the employee's
    # department of today, the best that is known of them; the day tally was filled the same way (0011).
    op.add_column("ledger_entry", sa.Column("department_id", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE ledger_entry SET department_id = COALESCE("
        "(SELECT employee.department_id FROM employee WHERE employee.id = ledger_entry.employee_id), 0)"
    )
    op.add_column("rule", sa.Column("reports_hazard", sa.Boolean(), nullable=False, server_default=sa.false()))
    rule = sa.table("rule", sa.column("code", sa.String()), sa.column("reports_hazard", sa.Boolean()))
    op.execute(rule.update().where(rule.c.code.in_(HAZARD_FINDING)).values(reports_hazard=True))


def downgrade() -> None:
    with op.batch_alter_table("rule") as batch:
        batch.drop_column("reports_hazard")
    with op.batch_alter_table("ledger_entry") as batch:
        batch.drop_column("department_id")
