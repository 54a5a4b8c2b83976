"""work queues keep their key, unique per organisation: the same queue is made once

Two requests for the same queue at once (two server processes, PostgreSQL sessions, the CLI
beside the web app) each looked the key up in `jobs`, found nothing and made a queue. The key
(haven/store/queue.py `queue_key`) is now a column of the queue with a unique index, so the
second writer meets the first's row. Existing queues get the key of the job that made them;
where two were made under one key, the first keeps it and the other none (no queue is lost).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("work_queues", sa.Column("key", sa.String(length=64), nullable=True))
    jobs = sa.table(
        "jobs",
        sa.column("id", sa.Integer()),
        sa.column("org_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("key", sa.String()),
        sa.column("state", sa.String()),
        sa.column("params", sa.JSON().with_variant(JSONB(), "postgresql")),
    )
    queues = sa.table(
        "work_queues",
        sa.column("id", sa.Integer()),
        sa.column("org_id", sa.Integer()),
        sa.column("key", sa.String()),
    )
    conn = op.get_bind()
    made = conn.execute(
        sa.select(jobs.c.org_id, jobs.c.key, jobs.c.params)
        .where(jobs.c.kind == "queue", jobs.c.state == "done")
        .order_by(jobs.c.id)
    )
    taken: set[tuple[int, str]] = set()
    keyed: set[int] = set()
    for org_id, key, params in made:
        queue_id = (params or {}).get("queue")
        if not isinstance(queue_id, int) or (org_id, key) in taken or queue_id in keyed:
            continue
        taken.add((org_id, key))
        keyed.add(queue_id)
        conn.execute(
            sa.update(queues)
            .where(queues.c.id == queue_id, queues.c.org_id == org_id)
            .values(key=key)
        )
    op.create_index("uq_work_queues_org_key", "work_queues", ["org_id", "key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_work_queues_org_key", table_name="work_queues")
    with op.batch_alter_table("work_queues") as batch:
        batch.drop_column("key")
