"""audit chain: hash-chain the audit log (haven/store/audit_chain.py) and keep each chain's head

Existing entries are chained in id order, one chain per organisation.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import hashlib
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _canonical_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _hash(row: dict[str, Any]) -> str:
    """Format 1 of haven.store.audit_chain.canonical, frozen here as this migration wrote it."""
    at: datetime = row["at"]
    detail = row["detail"]
    if isinstance(detail, str):
        detail = json.loads(detail)
    fields = {
        "v": 1,
        "chain": row["chain"],
        "seq": row["seq"],
        "prev": row["prev_hash"],
        "at": at.isoformat(timespec="microseconds"),
        "org": row["org_id"],
        "user": row["user_id"],
        "action": row["action"],
        "outcome": row["outcome"],
        "case": row["case_ref"],
        "detail": _canonical_value(detail or {}),
    }
    data = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def upgrade() -> None:
    op.create_table(
        "audit_heads",
        sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain"),
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("chain", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    log = sa.table(
        "audit_log",
        *(
            sa.column(c)
            for c in ("id", "org_id", "user_id", "action", "outcome", "case_ref", "chain")
        ),
        sa.column("at", sa.DateTime()),
        sa.column("detail", sa.JSON()),
        sa.column("seq", sa.Integer()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    heads = sa.table("audit_heads", sa.column("chain"), sa.column("seq"), sa.column("hash"))
    conn = op.get_bind()
    tails: dict[int, tuple[int, str]] = {}
    for row in conn.execute(sa.select(log).order_by(log.c.id)).mappings().all():
        chain = row["org_id"] or 0
        seq, prev = tails.get(chain, (0, GENESIS))
        values = {**row, "chain": chain, "seq": seq + 1, "prev_hash": prev}
        digest = _hash(values)
        conn.execute(
            log.update()
            .where(log.c.id == row["id"])
            .values(chain=chain, seq=seq + 1, prev_hash=prev, hash=digest)
        )
        tails[chain] = (seq + 1, digest)
    for chain, (seq, digest) in sorted(tails.items()):
        conn.execute(heads.insert().values(chain=chain, seq=seq, hash=digest))

    with op.batch_alter_table("audit_log") as batch:
        for name in ("chain", "seq"):
            batch.alter_column(name, existing_type=sa.Integer(), nullable=False)
        for name in ("prev_hash", "hash"):
            batch.alter_column(name, existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_audit_chain_seq", ["chain", "seq"])


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("uq_audit_chain_seq", type_="unique")
        for name in ("hash", "prev_hash", "seq", "chain"):
            batch.drop_column(name)
    op.drop_table("audit_heads")
