"""audit lanes: each organisation's audit chain splits into lanes appended side by side

Concurrent transactions of one organisation append to different lanes instead of queueing on
one head row (haven/store/audit_chain.py). Existing entries and heads become lane 0 of their
chain, unchanged: their hashes (format 1) still verify. `anchors` holds, for an entry chained
while other lanes existed, the other lanes' last seq at that moment.

Revision ID: 0009
Revises: 0007 (the integrator re-points this to the head on main, e.g. 0008)
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ANCHORS = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def _heads_table(lanes: bool) -> None:
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
    ]
    if lanes:
        columns.insert(
            1,
            sa.Column(
                "lane", sa.Integer(), autoincrement=False, nullable=False, server_default="0"
            ),
        )
    op.create_table(
        "audit_heads",
        *columns,
        sa.PrimaryKeyConstraint("chain", "lane") if lanes else sa.PrimaryKeyConstraint("chain"),
    )


def _copy_heads(lanes: bool) -> None:
    """Recreate audit_heads with the other primary key (a handful of rows, one per chain)."""
    conn = op.get_bind()
    old = sa.table("audit_heads", sa.column("chain"), sa.column("seq"), sa.column("hash"))
    rows = [dict(r) for r in conn.execute(sa.select(old)).mappings()]
    if not lanes:
        log = sa.table("audit_log", sa.column("lane"))
        keep = sa.select(sa.func.count()).select_from(log).where(log.c.lane != 0)
        if conn.scalar(keep):
            raise RuntimeError(
                "the audit log has entries in lanes other than 0; they cannot be downgraded"
            )
    op.drop_table("audit_heads")
    _heads_table(lanes)
    if rows:
        op.bulk_insert(
            sa.table("audit_heads", sa.column("chain"), sa.column("seq"), sa.column("hash")),
            rows,
        )


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("lane", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("anchors", _ANCHORS, nullable=True))
        batch.drop_constraint("uq_audit_chain_seq", type_="unique")
        batch.create_unique_constraint("uq_audit_chain_seq", ["chain", "lane", "seq"])
    _copy_heads(lanes=True)


def downgrade() -> None:
    _copy_heads(lanes=False)
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("uq_audit_chain_seq", type_="unique")
        batch.create_unique_constraint("uq_audit_chain_seq", ["chain", "seq"])
        batch.drop_column("anchors")
        batch.drop_column("lane")
