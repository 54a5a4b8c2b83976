"""case indexes on recommendation and designation hold assessed cases only

Both columns are NULL until a case is assessed, and the case lists filter them only by a value
(`recommendation = :value`), which a partial index `WHERE ... IS NOT NULL` answers on
PostgreSQL and SQLite alike. Without the condition every imported or unassessed case cost two
index entries of NULL (benchmarks/results/bulk-import.md).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_COLUMNS = ("recommendation", "designation")


def upgrade() -> None:
    for name in _COLUMNS:
        op.drop_index(f"ix_cases_{name}", table_name="cases")
        where = sa.text(f"{name} IS NOT NULL")
        op.create_index(
            f"ix_cases_{name}", "cases", [name], postgresql_where=where, sqlite_where=where
        )


def downgrade() -> None:
    for name in _COLUMNS:
        op.drop_index(f"ix_cases_{name}", table_name="cases")
        op.create_index(f"ix_cases_{name}", "cases", [name])
