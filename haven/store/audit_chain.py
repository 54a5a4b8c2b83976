"""The audit log as hash chains: tamper-evident, append-only, safe under concurrent writers.

Each organisation has one chain (chain 0 holds entries without an organisation), split into
lanes. An entry's `hash` is SHA-256 over a canonical JSON serialisation of its fields, its place
(`chain`, `lane`, `seq`) and `prev_hash`, the hash of the entry before it in its lane. Editing,
deleting or reordering entries therefore breaks a lane where it happened, and `verify` names
the entry.

Entries are chained when their transaction commits (`before_commit`), after every other write
of the transaction. On PostgreSQL a transaction locks the lowest lane's head row (`audit_heads`)
that no other transaction holds (FOR UPDATE SKIP LOCKED) and opens a new lane when all are
busy: transactions of one organisation, reads included, never wait for each other's audit
lines, and the head lock is the last lock taken (no lock-order deadlocks). Without concurrency
every entry goes to lane 0, one chain as before. An entry chained while other lanes exist
records their last `seq` (`anchors`): those entries committed before it, so they must exist and
be stored before it, which orders the lanes against each other and reveals a lane cut short
together with its head. A UNIQUE (chain, lane, seq) constraint makes a fork impossible to commit
even if locking were bypassed. On SQLite the database's single writer lock serialises instead
(one lane).
"""

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from haven.store.db import STATEMENTS
from haven.store.models import AuditEntry, AuditHead

GENESIS = "0" * 64
_PENDING = "haven.audit.pending"
# More lanes than one organisation has concurrent transactions (pool size x processes) are
# never opened; past this a transaction waits for a lane, as every transaction did before.
MAX_LANES = 32
_random = random.Random()  # lane numbers only: nothing secret


def _canonical_value(value: Any) -> Any:
    """JSON values as the database gives them back: PostgreSQL's JSONB turns 100.0 into 100
    and reorders keys, so integral floats become ints here and keys are sorted on dumping."""
    if isinstance(value, dict):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if all(type(v) is str for v in value):  # e.g. a bulk import's 5,000 case ids
            return list(value)
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
    lane: int = 0,
    anchors: dict[str, int] | None = None,
) -> bytes:
    """The bytes an entry's hash covers. Format 1 for lane 0 without anchors (every entry
    before lanes); format 2 adds the lane and the anchors. Changing either needs a migration."""
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
    if lane or anchors:
        fields |= {"v": 2, "lane": lane, "anchors": {str(k): v for k, v in (anchors or {}).items()}}
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
        lane=e.lane or 0,
        anchors=e.anchors,
    )
    return hashlib.sha256(data).hexdigest()


def add(s: Session, entry: AuditEntry) -> None:
    """Queue an entry; it is chained and written when the session commits. Refused in a
    `Database.statements()` session: without a transaction the head lock would be released
    before the entry and the head are written, and two writers could fork a lane."""
    if s.info.get(STATEMENTS):
        raise RuntimeError("audit entries need a transaction: use Database.session()")
    s.info.setdefault(_PENDING, []).append(entry)


def _lock_head(s: Session, chain: int) -> AuditHead:
    if s.get_bind().dialect.name == "postgresql":
        return _lock_free_lane(s, chain)
    # SQLite, one lane. The insert comes first even when the head exists: as the transaction's
    # first write it makes SQLite take its writer lock before the head is read (pysqlite runs
    # SELECTs outside a transaction), so another process cannot append between our read and
    # our write.
    ins = sqlite_insert(AuditHead).values(chain=chain, lane=0, seq=0, hash=GENESIS)
    s.execute(ins.on_conflict_do_nothing())
    q = select(AuditHead).where(AuditHead.chain == chain, AuditHead.lane == 0).with_for_update()
    head = s.scalar(q.execution_options(populate_existing=True))
    assert head is not None
    return head


def _head(
    s: Session, chain: int, lane: int | None = None, *, skip_locked: bool
) -> AuditHead | None:
    q = select(AuditHead).where(AuditHead.chain == chain)
    q = q.where(AuditHead.lane == lane) if lane is not None else q.order_by(AuditHead.lane).limit(1)
    q = q.with_for_update(skip_locked=skip_locked)
    return s.scalar(q.execution_options(populate_existing=True))


def _lock_free_lane(s: Session, chain: int) -> AuditHead:
    """The lowest lane of the chain that no other transaction holds, locked; a new lane when
    every lane is busy. Waits only when MAX_LANES are busy, or for a transaction opening the
    same new lane at the same moment (it is committing: a short wait)."""
    while True:
        head = _head(s, chain, skip_locked=True)
        if head is not None:
            return head
        q = select(func.count(), func.max(AuditHead.lane)).where(AuditHead.chain == chain)
        lanes, last = s.execute(q).one()
        if lanes >= MAX_LANES:
            head = _head(s, chain, skip_locked=False)
            assert head is not None
            return head
        # Transactions that find every lane busy at once pick different new lanes (numbers
        # need not be contiguous), so few wait for another's insert of the same lane.
        lane = 0 if last is None else last + 1 + _random.randrange(8)
        ins = pg_insert(AuditHead).values(chain=chain, lane=lane, seq=0, hash=GENESIS)
        if s.execute(ins.on_conflict_do_nothing().returning(AuditHead.lane)).first() is not None:
            head = _head(s, chain, lane, skip_locked=False)  # ours, uncommitted: no wait
            assert head is not None
            return head
        # another transaction opened that lane first: look for a free one again


def _anchors(s: Session, chain: int, lane: int) -> dict[str, int] | None:
    """The other lanes' last seq, as committed now (a plain read: it waits for nobody)."""
    q = select(AuditHead.lane, AuditHead.seq).where(
        AuditHead.chain == chain, AuditHead.lane != lane, AuditHead.seq > 0
    )
    seen = {str(other): seq for other, seq in s.execute(q)}
    return seen or None


# -- the common case on PostgreSQL in two statements -------------------------------------------
# A transaction appending one entry to a chain (every API request) locks the lowest free lane
# and reads the other lanes' last seq in one statement, then inserts the entry and moves the
# head in another: two round trips instead of four and no ORM unit of work. Same locks, same
# order, same rows as the general path below, which serves everything else (no free lane,
# several entries, SQLite). Built once, so SQLAlchemy compiles them once.
_lane = (
    select(AuditHead.lane, AuditHead.seq, AuditHead.hash)
    .where(AuditHead.chain == bindparam("chain"))
    .order_by(AuditHead.lane)
    .limit(1)
    .with_for_update(skip_locked=True)
    .cte("lane")
)
_other = aliased(AuditHead)
_LOCK_FREE_LANE_WITH_ANCHORS = select(
    _lane.c.lane,
    _lane.c.seq,
    _lane.c.hash,
    select(func.json_object_agg(_other.lane, _other.seq))
    .where(_other.chain == bindparam("chain"), _other.lane != _lane.c.lane, _other.seq > 0)
    .scalar_subquery(),
)
_ENTRY_COLUMNS = (
    "at",
    "org_id",
    "user_id",
    "action",
    "outcome",
    "case_ref",
    "detail",
    "chain",
    "lane",
    "seq",
    "prev_hash",
    "hash",
    "anchors",
)
_log = AuditEntry.__table__.c
_new_entry = (
    insert(AuditEntry)
    .values({c: bindparam(f"e_{c}", type_=_log[c].type) for c in _ENTRY_COLUMNS})
    .returning(AuditEntry.id)
    .cte("new_entry")
)
_APPEND_AND_MOVE_HEAD = (
    update(AuditHead)
    .where(AuditHead.chain == bindparam("h_chain"), AuditHead.lane == bindparam("h_lane"))
    .values(seq=bindparam("h_seq"), hash=bindparam("h_hash"))
    .add_cte(_new_entry)
    .returning(select(_new_entry.c.id).scalar_subquery())
)


def _append_one(s: Session, e: AuditEntry) -> bool:
    """Chain and write one entry in two statements (PostgreSQL); False if no lane was free
    (the caller takes the general path, which opens one)."""
    # On the session's connection (its transaction), not through Session.execute: these are
    # Core statements on no loaded object, and the ORM's bulk-UPDATE path (compile state,
    # synchronising the identity map) cost more CPU than the rest of the append.
    conn = s.connection()
    found = conn.execute(_LOCK_FREE_LANE_WITH_ANCHORS, {"chain": e.chain}).first()
    if found is None:
        return False
    lane, seq, prev_hash, anchors = found
    e.lane, e.anchors = lane, ({str(k): int(v) for k, v in anchors.items()} if anchors else None)
    e.seq, e.prev_hash = seq + 1, prev_hash
    e.hash = entry_hash(e)
    params = {f"e_{c}": getattr(e, c) for c in _ENTRY_COLUMNS}
    params |= {"h_chain": e.chain, "h_lane": lane, "h_seq": e.seq, "h_hash": e.hash}
    e.id = conn.execute(_APPEND_AND_MOVE_HEAD, params).scalar_one()
    return True


def chain_pending(s: Session) -> None:
    """Link the session's queued entries to their chains (called before commit)."""
    pending: list[AuditEntry] = s.info.pop(_PENDING, [])
    if not pending:
        return
    s.flush()  # every other write takes its locks first; the head lock comes last
    for e in pending:
        e.chain = e.org_id or 0
    postgresql = s.get_bind().dialect.name == "postgresql"
    for chain in sorted({e.chain for e in pending}):  # one lock order for every transaction
        run = [e for e in pending if e.chain == chain]
        if postgresql and len(run) == 1 and _append_one(s, run[0]):
            continue
        head = _lock_head(s, chain)
        anchors = _anchors(s, chain, head.lane)  # read before our ids are drawn
        for e in pending:
            if e.chain == chain:
                e.lane, e.anchors = head.lane, anchors
                anchors = None  # the run's first entry orders the whole run
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
    entry_id: int | None  # None: the lane as a whole (e.g. its end)
    message: str
    lane: int = 0

    def __str__(self) -> str:
        where = f"entry {self.entry_id}" if self.entry_id is not None else "end of chain"
        lane = f" lane {self.lane}" if self.lane else ""
        return f"chain {self.chain}{lane}, {where}: {self.message}"


@dataclass
class Report:
    entries: int = 0
    chains: dict[int, tuple[int, str]] = field(
        default_factory=dict
    )  # chain -> lane 0's (seq, hash)
    lanes: dict[tuple[int, int], tuple[int, str]] = field(default_factory=dict)  # every lane
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _entries(s: Session) -> Iterator[AuditEntry]:
    q = select(AuditEntry).order_by(
        AuditEntry.chain, AuditEntry.lane, AuditEntry.seq, AuditEntry.id
    )
    yield from s.scalars(q.execution_options(yield_per=1000))


Place = tuple[int, int, int]  # chain, lane, seq


def _anchored(s: Session) -> dict[Place, list[int]]:
    """Each (chain, lane, seq) some entry anchors, with the ids of the entries anchoring it."""
    wanted: dict[Place, list[int]] = {}
    q = select(AuditEntry.id, AuditEntry.chain, AuditEntry.anchors).where(
        AuditEntry.anchors.is_not(None)
    )
    for entry_id, chain, anchors in s.execute(q.execution_options(yield_per=1000)):
        for lane, seq in (anchors or {}).items():
            wanted.setdefault((chain, int(lane), int(seq)), []).append(entry_id)
    return wanted


def verify(s: Session) -> Report:
    """Walk every lane of every chain in order and name each entry that was edited, deleted or
    moved; check that every anchored entry exists and was stored before the entry anchoring it."""
    report = Report()
    heads = {(h.chain, h.lane): h for h in s.scalars(select(AuditHead))}
    wanted = _anchored(s)
    prev: AuditEntry | None = None
    prev_hash = GENESIS
    prev_seq, prev_id = 0, 0

    def close(chain: int, lane: int) -> None:
        head = heads.pop((chain, lane), None)
        last_seq = prev_seq
        report.lanes[(chain, lane)] = (last_seq, prev_hash)
        if lane == 0:
            report.chains[chain] = (last_seq, prev_hash)
        if head is None:
            report.findings.append(Finding(chain, None, "the chain's head record is missing", lane))
        elif head.seq > last_seq:
            report.findings.append(
                Finding(
                    chain,
                    None,
                    f"deleted: the chain ends at seq {last_seq} but {head.seq} entries were "
                    f"written (entries {last_seq + 1}..{head.seq} are missing)",
                    lane,
                )
            )
        elif head.seq < last_seq or head.hash != prev_hash:
            report.findings.append(
                Finding(
                    chain, None, f"the head record (seq {head.seq}) does not match the log", lane
                )
            )

    for e in _entries(s):
        report.entries += 1
        lane = e.lane
        if prev is None or (e.chain, lane) != (prev.chain, prev.lane):
            if prev is not None:
                close(prev.chain, prev.lane)
            prev_hash, prev_seq, prev_id = GENESIS, 0, 0
        recorded_hash = e.hash

        def problem(message: str, e: AuditEntry = e, lane: int = lane) -> None:
            report.findings.append(Finding(e.chain, e.id, message, lane))

        if entry_hash(e) != recorded_hash:
            problem(f"edited: its content does not match its hash (seq {e.seq})")
        if e.chain != (e.org_id or 0):
            problem(f"moved: it belongs to organisation {e.org_id}")
        if e.seq == prev_seq:
            problem(f"forked: a second entry with seq {e.seq} (after {prev_id})")
        elif e.seq > prev_seq + 1:
            gap = (
                f"seq {prev_seq + 1}"
                if e.seq == prev_seq + 2
                else f"seq {prev_seq + 1}..{e.seq - 1}"
            )
            problem(f"deleted: the entries before it ({gap}) are missing")
        elif e.prev_hash != prev_hash:
            problem(f"broken link: it does not follow entry {prev_id} (edited or replaced)")
        if e.id < prev_id:
            problem(f"reordered: seq {e.seq} is stored before entry {prev_id} (seq {prev_seq})")
        for later in wanted.pop((e.chain, lane, e.seq), []):
            if later < e.id:
                problem(
                    f"reordered: entry {later} was chained after it (it anchors lane {lane} "
                    f"at seq {e.seq}) but is stored before it"
                )
        prev, prev_hash, prev_seq, prev_id = e, recorded_hash, e.seq, e.id
    if prev is not None:
        close(prev.chain, prev.lane)
    for (chain, lane), head in sorted(heads.items()):  # heads of lanes whose entries are all gone
        if head.seq > 0:
            report.findings.append(
                Finding(
                    chain, None, f"deleted: all {head.seq} entries of this chain are missing", lane
                )
            )
    for (chain, lane, seq), anchoring in sorted(wanted.items()):  # anchored entries now gone
        for entry_id in anchoring:
            report.findings.append(
                Finding(
                    chain,
                    entry_id,
                    f"deleted: it anchors lane {lane} at seq {seq}, which is missing",
                )
            )
    return report
