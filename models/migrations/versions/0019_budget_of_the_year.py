"""Each year's budget is kept with the year: the budget set before this revision counts for the year it was
last set in, so that next January the half-year check and the money page read last year's figures against it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from models import clock

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.Text))
    budget = connection.scalar(sa.select(setting.c.value).where(setting.c.key == "year_budget_yuan"))
    # The year it was set in, by the audit log (an upgrade in January must not file last year's as this one's).
    audit = sa.table(
        "audit_entry", sa.column("at", sa.DateTime), sa.column("entity", sa.String), sa.column("entity_id", sa.String)
    )
    changed = connection.scalar(
        sa.select(sa.func.max(audit.c.at)).where(audit.c.entity == "setting", audit.c.entity_id == "year_budget_yuan")
    )
    if isinstance(changed, str):  # SQLite hands back the text it keeps
        changed = dt.datetime.fromisoformat(changed)
    key = f"budget:{clock.local_year(changed) if changed else clock.today().year}"
    if budget is not None and connection.scalar(sa.select(setting.c.key).where(setting.c.key == key)) is None:
        connection.execute(sa.insert(setting).values(key=key, value=budget))


def downgrade() -> None:
    op.execute("DELETE FROM setting WHERE key LIKE 'budget:%'")
