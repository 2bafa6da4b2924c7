"""Employee numbers in one form (upper case): jz0033 typed in a roster and JZ0033 at the kiosk are one person

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 08:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A number whose upper-case form another employee already has stays as it is (two people, told apart by
    # case until someone merges them); every other one takes its upper-case form, and so do the hazards
    # assigned to it.
    op.execute(
        "UPDATE hazard SET owner = 'employee:' || UPPER(SUBSTR(owner, 10)) "
        "WHERE owner LIKE 'employee:%' AND owner <> 'employee:' || UPPER(SUBSTR(owner, 10)) "
        "AND EXISTS (SELECT 1 FROM employee e WHERE 'employee:' || e.number = hazard.owner) "
        "AND NOT EXISTS (SELECT 1 FROM employee e WHERE e.number = UPPER(SUBSTR(hazard.owner, 10)))"
    )
    op.execute(
        "UPDATE employee SET number = UPPER(number) WHERE number <> UPPER(number) "
        "AND NOT EXISTS (SELECT 1 FROM employee twin WHERE twin.number = UPPER(employee.number))"
    )


def downgrade() -> None:
    pass  # the upper-case form is as good a number as the one typed: nothing to undo
