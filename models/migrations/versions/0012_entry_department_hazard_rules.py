"""Each ledger entry keeps the department it was written under (the day tally is rebuilt from it); rules that
reward finding a hazard are marked, so every one of them goes through the hazard loop

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

figures = importlib.import_module("models.migrations.versions.0011_figures_sources")  # its fill_tally()

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The seed's rules for finding a hazard (models/rules.py HAZARD_FINDING); an enterprise marks its own.
HAZARD_FINDING = ("D03", "H01", "H02")


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy of a ledger of millions). Entries written before this keep the employee's
    # department of today, the best that is known of them (0011 filled the tally the same way a day before);
    # the tally is then summed afresh from them, so that it and the ledger agree from here on.
    op.add_column("ledger_entry", sa.Column("department_id", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE ledger_entry SET department_id = COALESCE("
        "(SELECT employee.department_id FROM employee WHERE employee.id = ledger_entry.employee_id), 0)"
    )
    op.execute("DELETE FROM ledger_tally")
    figures.fill_tally(sa.text("SELECT created_at, kind, department_id, amount FROM ledger_entry"))
    op.add_column("rule", sa.Column("reports_hazard", sa.Boolean(), nullable=False, server_default=sa.false()))
    rule = sa.table(
        "rule",
        sa.column("code", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("reports_hazard", sa.Boolean()),
    )
    op.execute(rule.update().where(rule.c.code.in_(HAZARD_FINDING), rule.c.kind == "earn").values(reports_hazard=True))
    # An anonymous report taken down by staff was recorded as the staff member's: it is the reporter's, anonymous.
    op.execute(
        "UPDATE hazard_event SET actor = 'anonymous' WHERE action = 'reported' AND hazard_id IN ("
        "SELECT id FROM hazard WHERE reporter_id IS NULL AND source = 'report' AND entered_by IS NOT NULL"
        " AND entered_by = hazard_event.actor)"
    )


def downgrade() -> None:
    with op.batch_alter_table("rule") as batch:
        batch.drop_column("reports_hazard")
    with op.batch_alter_table("ledger_entry") as batch:
        batch.drop_column("department_id")
