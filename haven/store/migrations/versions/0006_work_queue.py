"""work queue: saved impact runs, their work items and comments (haven/store/queue.py)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "work_queues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("pack", sa.String(length=64), nullable=False),
        sa.Column("pack_version_before", sa.String(length=64), nullable=False),
        sa.Column("pack_version_after", sa.String(length=64), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_queues_org_id", "work_queues", ["org_id"])
    op.create_table(
        "work_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("case_ref", sa.String(length=200), nullable=False),
        sa.Column("case_version", sa.Integer(), nullable=False),
        sa.Column("case_status", sa.String(length=32), nullable=False),
        sa.Column("next_step", sa.String(length=32), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["assigned_to"], ["users.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["closed_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["queue_id"], ["work_queues.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("queue_id", "case_id"),
    )
    op.create_index("ix_work_items_queue_id", "work_items", ["queue_id"])
    op.create_index("ix_work_items_case_id", "work_items", ["case_id"])
    op.create_table(
        "work_item_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["work_items.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_work_item_comments_item_id", "work_item_comments", ["item_id"])
    op.create_index("ix_work_item_comments_case_id", "work_item_comments", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_work_item_comments_case_id", table_name="work_item_comments")
    op.drop_index("ix_work_item_comments_item_id", table_name="work_item_comments")
    op.drop_table("work_item_comments")
    op.drop_index("ix_work_items_case_id", table_name="work_items")
    op.drop_index("ix_work_items_queue_id", table_name="work_items")
    op.drop_table("work_items")
    op.drop_index("ix_work_queues_org_id", table_name="work_queues")
    op.drop_table("work_queues")
