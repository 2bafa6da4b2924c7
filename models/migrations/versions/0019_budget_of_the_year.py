"""Each year's budget is kept with the year: the budget set before this revision counts as this year's, so
that next January the half-year check and the money page read last year's figures against it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

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
    key = f"budget:{clock.today().year}"
    if budget is not None and connection.scalar(sa.select(setting.c.key).where(setting.c.key == key)) is None:
        connection.execute(sa.insert(setting).values(key=key, value=budget))


def downgrade() -> None:
    op.execute("DELETE FROM setting WHERE key LIKE 'budget:%'")
