"""sealed work-queue text: comments and resolutions hold envelopes under the case's data key

The envelopes (haven/store/queuetext.py) are longer than the text they seal, so both columns
become TEXT. The migration cannot see keys: it marks every existing value with the prefix
`plain:` (text written before sealing). Such rows are read as they are and sealed by the next
`haven keys rotate`; any other value that is not an envelope is refused as altered.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LEGACY = "plain:"  # haven.store.queuetext.LEGACY, as of this revision


def upgrade() -> None:
    with op.batch_alter_table("work_item_comments") as batch:
        batch.alter_column(
            "text", existing_type=sa.String(length=4000), type_=sa.Text(), existing_nullable=False
        )
    with op.batch_alter_table("work_items") as batch:
        batch.alter_column(
            "resolution",
            existing_type=sa.String(length=1000),
            type_=sa.Text(),
            existing_nullable=True,
        )
    op.execute(f"UPDATE work_item_comments SET text = '{LEGACY}' || text")
    op.execute(
        f"UPDATE work_items SET resolution = '{LEGACY}' || resolution WHERE resolution IS NOT NULL"
    )


def downgrade() -> None:
    # Sealed text cannot be opened here (no keys), and an older Haven would show the envelope:
    # refuse rather than lose it. Text still marked as plaintext goes back as it was.
    bind = op.get_bind()
    sealed = bind.execute(
        sa.text(
            "SELECT (SELECT COUNT(*) FROM work_item_comments WHERE text NOT LIKE :p)"
            " + (SELECT COUNT(*) FROM work_items"
            "    WHERE resolution IS NOT NULL AND resolution NOT LIKE :p)"
        ),
        {"p": f"{LEGACY}%"},
    ).scalar_one()
    if sealed:
        raise RuntimeError(
            f"{sealed} work-queue comments or resolutions are sealed with their case's data "
            "key; revision 0006 stores plaintext and cannot hold them: not downgraded"
        )
    n = len(LEGACY) + 1
    op.execute(f"UPDATE work_item_comments SET text = substr(text, {n})")
    op.execute(
        f"UPDATE work_items SET resolution = substr(resolution, {n}) WHERE resolution IS NOT NULL"
    )
    with op.batch_alter_table("work_items") as batch:
        batch.alter_column(
            "resolution",
            existing_type=sa.Text(),
            type_=sa.String(length=1000),
            existing_nullable=True,
        )
    with op.batch_alter_table("work_item_comments") as batch:
        batch.alter_column(
            "text", existing_type=sa.Text(), type_=sa.String(length=4000), existing_nullable=False
        )
