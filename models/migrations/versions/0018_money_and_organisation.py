"""Money and the organisation on record: a restock keeps its purchase cost, a redemption line the goods' value
at the time, a claim's step the review's due day then; the scheme's leading group and points administrators
are kept with their history

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stock_movement") as batch:
        batch.add_column(sa.Column("unit_cost_fen", sa.Integer(), nullable=True))
    with op.batch_alter_table("redemption_line") as batch:
        batch.add_column(sa.Column("unit_value_fen", sa.Integer(), nullable=True))
    with op.batch_alter_table("claim_event") as batch:  # the review's due day at each step (an objection moves it)
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    # The lines written before: the goods' value as it stands (the nearest there is to what it was then)
    op.execute(
        "UPDATE redemption_line SET unit_value_fen = "
        "(SELECT goods.value_fen FROM goods WHERE goods.id = redemption_line.goods_id)"
    )
    op.create_table(
        "org_member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("department.id"), nullable=True),
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employee.id"), nullable=True),
        sa.Column("duty", sa.String(length=200), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("org_member")
    with op.batch_alter_table("claim_event") as batch:
        batch.drop_column("due_on")
    with op.batch_alter_table("redemption_line") as batch:
        batch.drop_column("unit_value_fen")
    with op.batch_alter_table("stock_movement") as batch:
        batch.drop_column("unit_cost_fen")
