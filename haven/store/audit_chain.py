"""The audit log as hash chains: tamper-evident, append-only, safe under concurrent writers.

Each organisation has one chain (chain 0 holds entries without an organisation). An entry's
`hash` is SHA-256 over a canonical JSON serialisation of its fields, its place in the chain
(`chain`, `seq`) and `prev_hash`, the hash of the entry before it. Editing, deleting or
reordering entries therefore breaks the chain where it happened, and `verify` names the entry.

Entries are chained when their transaction commits (`before_commit`), after every other write
of the transaction: the chain's head row (`audit_heads`) is locked FOR UPDATE for the commit
only, so writers of one organisation queue briefly and other locks are never taken after it
(no lock-order deadlocks). A UNIQUE (chain, seq) constraint makes a fork impossible to commit
even if locking were bypassed. On SQLite the database's single writer lock serialises instead.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from haven.store.models import AuditEntry, AuditHead

GENESIS = "0" * 64
_PENDING = "haven.audit.pending"


def _canonical_value(value: Any) -> Any:
    """JSON values as the database gives them back: PostgreSQL's JSONB turns 100.0 into 100
    and reorders keys, so integral floats become ints here and keys are sorted on dumping."""
    if isinstance(value, dict):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical(
    *,
    chain: int,
    seq: int,
    prev_hash: str,
    at: datetime,
    org_id: int | None,
    user_id: int | None,
    action: str,
    outcome: str,
    case_ref: str | None,
    detail: dict[str, Any] | None,
) -> bytes:
    """The bytes an entry's hash covers (format 1: changing it needs a migration)."""
    fields = {
        "v": 1,
        "chain": chain,
        "seq": seq,
        "prev": prev_hash,
        "at": at.isoformat(timespec="microseconds"),
        "org": org_id,
        "user": user_id,
        "action": action,
        "outcome": outcome,
        "case": case_ref,
        "detail": _canonical_value(detail or {}),
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(e: AuditEntry) -> str:
    data = canonical(
        chain=e.chain,
        seq=e.seq,
        prev_hash=e.prev_hash,
        at=e.at,
        org_id=e.org_id,
        user_id=e.user_id,
        action=e.action,
        outcome=e.outcome,
        case_ref=e.case_ref,
        detail=e.detail,
    )
    return hashlib.sha256(data).hexdigest()


def add(s: Session, entry: AuditEntry) -> None:
    """Queue an entry; it is chained and written when the session commits."""
    s.info.setdefault(_PENDING, []).append(entry)


def _lock_head(s: Session, chain: int) -> AuditHead:
    # The insert comes first even when the head exists: as the transaction's first write it
    # makes SQLite take its writer lock before the head is read (pysqlite runs SELECTs outside
    # a transaction), so another process cannot append between our read and our write.
    dialect = s.get_bind().dialect.name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(AuditHead)
    s.execute(ins.values(chain=chain, seq=0, hash=GENESIS).on_conflict_do_nothing())
    q = select(AuditHead).where(AuditHead.chain == chain).with_for_update()
    head = s.scalar(q.execution_options(populate_existing=True))
    assert head is not None
    return head


def chain_pending(s: Session) -> None:
    """Link the session's queued entries to their chains (called before commit)."""
    pending: list[AuditEntry] = s.info.pop(_PENDING, [])
    if not pending:
        return
    s.flush()  # every other write takes its locks first; the head lock comes last
    for e in pending:
        e.chain = e.org_id or 0
    for chain in sorted({e.chain for e in pending}):  # one lock order for every transaction
        head = _lock_head(s, chain)
        for e in pending:
            if e.chain == chain:
                e.seq, e.prev_hash = head.seq + 1, head.hash
                e.hash = entry_hash(e)
                s.add(e)
                s.flush()  # ids in seq order
                head.seq, head.hash = e.seq, e.hash
    s.flush()


@event.listens_for(Session, "before_commit")
def _chain_on_commit(s: Session) -> None:
    chain_pending(s)


@event.listens_for(Session, "after_rollback")
def _discard_on_rollback(s: Session) -> None:
    s.info.pop(_PENDING, None)


# -- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    chain: int
    entry_id: int | None  # None: the chain as a whole (e.g. its end)
    message: str

    def __str__(self) -> str:
        where = f"entry {self.entry_id}" if self.entry_id is not None else "end of chain"
        return f"chain {self.chain}, {where}: {self.message}"


@dataclass
class Report:
    entries: int = 0
    chains: dict[int, tuple[int, str]] = field(default_factory=dict)  # chain -> (seq, hash)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _entries(s: Session) -> Iterator[AuditEntry]:
    q = select(AuditEntry).order_by(AuditEntry.chain, AuditEntry.seq, AuditEntry.id)
    yield from s.scalars(q.execution_options(yield_per=1000))


def verify(s: Session) -> Report:
    """Walk every chain in order and name each entry that was edited, deleted or moved."""
    report = Report()
    heads = {h.chain: h for h in s.scalars(select(AuditHead))}
    prev: AuditEntry | None = None
    prev_hash = GENESIS
    prev_seq, prev_id = 0, 0

    def close(chain: int) -> None:
        head = heads.pop(chain, None)
        last_seq = prev_seq
        report.chains[chain] = (last_seq, prev_hash)
        if head is None:
            report.findings.append(Finding(chain, None, "the chain's head record is missing"))
        elif head.seq > last_seq:
            report.findings.append(
                Finding(
                    chain,
                    None,
                    f"deleted: the chain ends at seq {last_seq} but {head.seq} entries were "
                    f"written (entries {last_seq + 1}..{head.seq} are missing)",
                )
            )
        elif head.seq < last_seq or head.hash != prev_hash:
            report.findings.append(
                Finding(chain, None, f"the head record (seq {head.seq}) does not match the log")
            )

    for e in _entries(s):
        report.entries += 1
        if prev is None or e.chain != prev.chain:
            if prev is not None:
                close(prev.chain)
            prev_hash, prev_seq, prev_id = GENESIS, 0, 0
        recorded_hash = e.hash
        if entry_hash(e) != recorded_hash:
            report.findings.append(
                Finding(e.chain, e.id, f"edited: its content does not match its hash (seq {e.seq})")
            )
        if e.chain != (e.org_id or 0):
            report.findings.append(
                Finding(e.chain, e.id, f"moved: it belongs to organisation {e.org_id}")
            )
        if e.seq == prev_seq:
            report.findings.append(
                Finding(e.chain, e.id, f"forked: a second entry with seq {e.seq} (after {prev_id})")
            )
        elif e.seq > prev_seq + 1:
            gap = (
                f"seq {prev_seq + 1}"
                if e.seq == prev_seq + 2
                else f"seq {prev_seq + 1}..{e.seq - 1}"
            )
            report.findings.append(
                Finding(e.chain, e.id, f"deleted: the entries before it ({gap}) are missing")
            )
        elif e.prev_hash != prev_hash:
            report.findings.append(
                Finding(
                    e.chain,
                    e.id,
                    f"broken link: it does not follow entry {prev_id} (edited or replaced)",
                )
            )
        if e.id < prev_id:
            report.findings.append(
                Finding(
                    e.chain,
                    e.id,
                    f"reordered: seq {e.seq} is stored before entry {prev_id} (seq {prev_seq})",
                )
            )
        prev, prev_hash, prev_seq, prev_id = e, recorded_hash, e.seq, e.id
    if prev is not None:
        close(prev.chain)
    for chain, head in sorted(heads.items()):  # heads of chains whose entries are all gone
        if head.seq > 0:
            report.findings.append(
                Finding(chain, None, f"deleted: all {head.seq} entries of this chain are missing")
            )
    return report
