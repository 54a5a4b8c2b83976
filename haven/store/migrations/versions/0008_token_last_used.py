"""token idle timeout: when each bearer token or web session was last used

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _has_column() -> bool:
    columns = sa.inspect(op.get_bind()).get_columns("api_tokens")
    return any(c["name"] == "last_used_at" for c in columns)


def upgrade() -> None:
    if not _has_column():  # kept by a SQLite downgrade (below)
        with op.batch_alter_table("api_tokens") as batch:
            batch.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # On SQLite dropping a column rebuilds the table, which a later downgrade step that refuses
    # (0007 while sealed text exists) could not undo; older code ignores the extra nullable
    # column, so SQLite keeps it.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_column("api_tokens", "last_used_at")
