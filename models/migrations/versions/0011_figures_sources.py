"""The ledger summed by day for the authorities' figures, hazards from every source, acceptance of major hazards,
deductions owed

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models import ledger

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_tally",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "kind", "department_id", name=op.f("pk_ledger_tally")),
    )
    _fill_tally()
    op.create_table(
        "hazard_acceptance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=False),
        sa.Column("accepted_by", sa.String(length=200), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("standard", sa.Text(), nullable=False),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hazard_id"], ["hazard.id"], name=op.f("fk_hazard_acceptance_hazard_id_hazard")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_acceptance")),
        sa.UniqueConstraint("hazard_id", name=op.f("uq_hazard_acceptance_hazard_id")),
    )
    # SQLite copies the hazard table for the foreign key (app/migrate.py turns foreign keys off around it).
    with op.batch_alter_table("hazard") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("found_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("entered_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("supervised", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("regulator_reported_on", sa.Date(), nullable=True))
        batch.create_foreign_key(op.f("fk_hazard_department_id_department"), "department", ["department_id"], ["id"])
    op.execute("UPDATE hazard SET channel = 'poster' WHERE source = 'report'")
    op.add_column("claim", sa.Column("owed_points", sa.Integer(), nullable=True))


def _fill_tally() -> None:
    """Sum the ledger so far by the plant's day, kind and the employee's department (read in batches)."""
    query = sa.text(
        "SELECT e.created_at, e.kind, p.department_id, e.amount FROM ledger_entry e"
        " JOIN employee p ON p.id = e.employee_id"
    )
    fill_tally(query)


def fill_tally(query: sa.TextClause) -> None:
    """Fill the empty day tally from ``query``'s (created_at, kind, department_id, amount) rows."""
    rows = op.get_bind().execute(
        query.columns(
            sa.column("created_at", sa.DateTime()),
            sa.column("kind", sa.String()),
            sa.column("department_id", sa.Integer()),
            sa.column("amount", sa.Integer()),
        ).execution_options(yield_per=20_000)
    )
    totals = ledger.sum_by_day(rows)
    if totals:
        tally = sa.table(
            "ledger_tally",
            sa.column("day", sa.Date()),
            sa.column("kind", sa.String()),
            sa.column("department_id", sa.Integer()),
            sa.column("entries", sa.Integer()),
            sa.column("points", sa.BigInteger()),
        )
        op.bulk_insert(tally, ledger.tally_rows(totals))


def downgrade() -> None:
    op.drop_column("claim", "owed_points")
    with op.batch_alter_table("hazard") as batch:
        batch.drop_constraint(op.f("fk_hazard_department_id_department"), type_="foreignkey")
        batch.drop_column("regulator_reported_on")
        batch.drop_column("supervised")
        batch.drop_column("department_id")
        batch.drop_column("entered_by")
        batch.drop_column("found_by")
        batch.drop_column("channel")
    op.drop_table("hazard_acceptance")
    op.drop_table("ledger_tally")
