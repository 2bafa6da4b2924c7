"""An employee's number can be corrected: the numbers they had are kept, so history written under them still
names them

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 12:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employee_number_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employee.id"), nullable=False),
        sa.Column("old", sa.String(length=32), nullable=False),
        sa.Column("new", sa.String(length=32), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_employee_number_change_old", "employee_number_change", ["old"])


def downgrade() -> None:
    op.drop_index("ix_employee_number_change_old", table_name="employee_number_change")
    op.drop_table("employee_number_change")
