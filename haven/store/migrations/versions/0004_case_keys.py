"""case keys: one data key per case, sealed by its organisation's key (haven/store/datakeys.py)

Case content and stored assessments are encrypted inside their existing JSON columns, so no
other table changes; rows written before this revision stay readable as they are, and
`haven keys rotate` encrypts them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_keys",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("wrapped", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_index("ix_case_keys_kid", "case_keys", ["kid"])


def downgrade() -> None:
    # Dropping the data keys would make every encrypted case unreadable: refuse instead.
    if op.get_bind().execute(sa.text("SELECT count(*) FROM case_keys")).scalar():
        raise RuntimeError(
            "case_keys holds data keys of encrypted cases: downgrading would destroy them"
        )
    op.drop_index("ix_case_keys_kid", table_name="case_keys")
    op.drop_table("case_keys")
