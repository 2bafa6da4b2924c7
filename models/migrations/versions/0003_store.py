"""The store: goods, stock movements, redemptions and their lines.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:30:11.139233
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "goods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "category",
            sa.Enum("daily", "protective", "special", name="goodscategory", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("value_fen", sa.Integer(), nullable=False),
        sa.Column("price_override", sa.Integer(), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("low_stock", sa.Integer(), nullable=False),
        sa.Column("picture", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_goods_stock_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods")),
    )
    op.create_table(
        "stock_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goods_id", sa.Integer(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("stock_after", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["goods_id"], ["goods.id"], name=op.f("fk_stock_movement_goods_id_goods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movement")),
    )
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.create_index("ix_stock_movement_goods", ["goods_id", "id"], unique=False)

    op.create_table(
        "redemption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("cart_digest", sa.String(length=64), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("kiosk", sa.String(length=64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("confirmed", "handed_out", "cancelled", name="redemptionstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("handed_out_at", sa.DateTime(), nullable=True),
        sa.Column("handed_out_by", sa.String(length=64), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_by", sa.String(length=64), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_redemption_employee_id_employee")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemption")),
        sa.UniqueConstraint("number", name=op.f("uq_redemption_number")),
        sa.UniqueConstraint("request_key", name=op.f("uq_redemption_request_key")),
    )
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_redemption_employee_id"), ["employee_id"], unique=False)

    op.create_table(
        "redemption_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("redemption_id", sa.Integer(), nullable=False),
        sa.Column("goods_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["goods_id"], ["goods.id"], name=op.f("fk_redemption_line_goods_id_goods")),
        sa.ForeignKeyConstraint(
            ["redemption_id"], ["redemption.id"], name=op.f("fk_redemption_line_redemption_id_redemption")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemption_line")),
    )
    with op.batch_alter_table("redemption_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_redemption_line_redemption_id"), ["redemption_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("redemption_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redemption_line_redemption_id"))

    op.drop_table("redemption_line")
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redemption_employee_id"))

    op.drop_table("redemption")
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_movement_goods")

    op.drop_table("stock_movement")
    op.drop_table("goods")
