"""case indexes: two that repeated a unique constraint's first column dropped, one added on
case_access(user_id)

`ix_cases_org_id` repeated the first column of the unique (org_id, ref) constraint and
`ix_case_versions_case_id` the first column of the unique (case_id, version) one: each query
and foreign-key check on org_id or case_id can use the constraint's index, so both were only
upkeep (two index entries per imported case: benchmarks/results/bulk-import.md). Listing the
cases of an officer or advocate asks `case_access` for the user's cases, which its primary key
(case_id, user_id) cannot answer without reading the whole table: `ix_case_access_user_id`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_cases_org_id", table_name="cases")
    op.drop_index("ix_case_versions_case_id", table_name="case_versions")
    op.create_index("ix_case_access_user_id", "case_access", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_case_access_user_id", table_name="case_access")
    op.create_index("ix_case_versions_case_id", "case_versions", ["case_id"])
    op.create_index("ix_cases_org_id", "cases", ["org_id"])
