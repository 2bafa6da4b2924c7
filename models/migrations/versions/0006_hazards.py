"""Places, their posters and hazard reports

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:49:03.604639
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("risk", sa.String(length=8), nullable=False),
        sa.Column("checklist", sa.Text(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["place.id"], name=op.f("fk_place_parent_id_place")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
        sa.UniqueConstraint("token", name=op.f("uq_place_token")),
    )
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "place_retired_token",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], name=op.f("fk_place_retired_token_place_id_place")),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_place_retired_token")),
    )
    op.create_table(
        "hazard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("checklist", sa.Text(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("claim_code_hash", sa.String(length=64), nullable=True),
        sa.Column("follow_hash", sa.String(length=64), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("verify_due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("me_too", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("verified_by", sa.String(length=64), nullable=True),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("verify_note", sa.String(length=500), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(length=8), nullable=True),
        sa.Column("within_duties", sa.Boolean(), nullable=False),
        sa.Column("reward_points", sa.Integer(), nullable=True),
        sa.Column("reward", sa.String(length=16), nullable=False),
        sa.Column("reward_claim_id", sa.Integer(), nullable=True),
        sa.Column("reward_collected_at", sa.DateTime(), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("funds", sa.String(length=100), nullable=True),
        sa.Column("contingency_plan", sa.Text(), nullable=True),
        sa.Column("acceptance_standard", sa.Text(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=True),
        sa.Column("rectified_at", sa.DateTime(), nullable=True),
        sa.Column("rectification_note", sa.Text(), nullable=True),
        sa.Column("reinspected_by", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["duplicate_of_id"], ["hazard.id"], name=op.f("fk_hazard_duplicate_of_id_hazard")),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], name=op.f("fk_hazard_place_id_place")),
        sa.ForeignKeyConstraint(["reporter_id"], ["employee.id"], name=op.f("fk_hazard_reporter_id_employee")),
        sa.ForeignKeyConstraint(["reward_claim_id"], ["claim.id"], name=op.f("fk_hazard_reward_claim_id_claim")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard")),
        sa.UniqueConstraint("claim_code_hash", name=op.f("uq_hazard_claim_code_hash")),
        sa.UniqueConstraint("follow_hash", name=op.f("uq_hazard_follow_hash")),
        sa.UniqueConstraint("number", name=op.f("uq_hazard_number")),
    )
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.create_index("ix_hazard_place_status", ["place_id", "status"], unique=False)
        batch_op.create_index("ix_hazard_status", ["status"], unique=False)

    op.create_table(
        "hazard_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["hazard_id"], ["hazard.id"], name=op.f("fk_hazard_event_hazard_id_hazard")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_event")),
    )
    with op.batch_alter_table("hazard_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazard_event_hazard_id"), ["hazard_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hazard_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazard_event_hazard_id"))

    op.drop_table("hazard_event")
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.drop_index("ix_hazard_status")
        batch_op.drop_index("ix_hazard_place_status")

    op.drop_table("hazard")
    op.drop_table("place_retired_token")
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_parent_id"))

    op.drop_table("place")
