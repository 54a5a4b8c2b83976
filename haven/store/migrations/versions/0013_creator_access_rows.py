"""every case's creator holds an access row: the one way a scoped user sees a case

Creating a case has always written its creator's `assigned` row (`repo.create_case` and the
bulk import; only the scoped roles may create). The scoped filter no longer also asks
`created_by = user`, so any case whose creator has no row (written by other means) gets one
here, as `assigned`, dated when the case was created. Downgrade leaves the rows: they only
restate what `created_by` gave before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO case_access (case_id, user_id, kind, created_at)"
        " SELECT c.id, c.created_by, 'assigned', c.created_at FROM cases c"
        " WHERE c.created_by IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM case_access a WHERE a.case_id = c.id AND a.user_id = c.created_by)"
    )


def downgrade() -> None:
    pass
