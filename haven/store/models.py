"""SQLAlchemy 2 models. Case content is never overwritten: each edit adds a case version."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Json = JSON().with_variant(JSONB(), "postgresql")
# A JSON column where Python's None is SQL NULL (not the JSON value null).
JsonOrNull = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ApiToken(Base):
    """Bearer tokens: only a SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)
    # For the idle timeout (haven/store/auth.py); None until first used after issue.
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class CaseRecord(Base):
    """One case per organisation and reference; its content lives in CaseVersion rows."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("org_id", "ref"),
        # Filters ask for a value (`= :value`), which only assessed cases have: the indexes
        # hold those only, not an entry for every imported or unassessed case (0012).
        *(
            Index(
                f"ix_cases_{name}",
                name,
                postgresql_where=text(f"{name} IS NOT NULL"),
                sqlite_where=text(f"{name} IS NOT NULL"),
            )
            for name in ("recommendation", "designation")
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (org_id, ref) constraint's index serves org_id (0011).
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    ref: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    # Denormalised from the current version and the latest assessment, for filtering.
    nationality: Mapped[str] = mapped_column(String(2), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    recommendation: Mapped[str | None] = mapped_column(String(32))
    designation: Mapped[str | None] = mapped_column(String(32))
    # Space-separated flag codes of the latest assessment, with a leading and trailing space so
    # that `LIKE '% code %'` matches whole codes only.
    flags: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CaseVersion(Base):
    __tablename__ = "case_versions"
    __table_args__ = (UniqueConstraint("case_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (case_id, version) constraint's index serves it (0011).
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    version: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CaseAccess(Base):
    """Officers and advocates see only cases assigned or shared with them."""

    __tablename__ = "case_access"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    # Indexed: listing a user's cases asks for theirs (the primary key leads with case_id).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # assigned | shared
    created_at: Mapped[datetime]


class StoredAssessment(Base):
    """Enough to reproduce an assessment: case version, as-of date, pack id and version."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case_version: Mapped[int]
    as_of: Mapped[date]
    pack: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[str] = mapped_column(String(64))
    recommendation: Mapped[str] = mapped_column(String(32))
    result: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AuditEntry(Base):
    """Append-only: who did what, when, to which case (reads of case content included)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_org_at", "org_id", "at"),
        # a fork cannot commit
        UniqueConstraint("chain", "lane", "seq", name="uq_audit_chain_seq"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # ok | denied
    case_ref: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # Hash chain (haven/store/audit_chain.py): one chain per organisation (0: no organisation),
    # split into lanes that concurrent transactions append to side by side; `hash` is SHA-256
    # over this entry's fields and `prev_hash`, the previous entry's hash in its lane.
    chain: Mapped[int]
    lane: Mapped[int] = mapped_column(server_default="0")
    seq: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The other lanes' last seq when this entry was chained ({lane: seq}); None with one lane.
    anchors: Mapped[dict[str, int] | None] = mapped_column(JsonOrNull)


class AuditHead(Base):
    """The last entry of each lane of an audit chain. Appending locks this row, so concurrent
    writers (threads or processes) take another lane instead of forking this one; it also
    reveals entries deleted from the end of the log."""

    __tablename__ = "audit_heads"
    chain: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    lane: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, server_default="0")
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class LoginThrottle(Base):
    """Failed logins per username and per client address (haven/store/throttle.py), in the
    database so that every app process counts the same. `key` is a SHA-256 of the username or
    address: a password typed into the username field is never stored in clear."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    window_start: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class CaseKey(Base):
    """The case's data key, sealed (AES-256-GCM) by its organisation's key `kid`, which lives in
    the key file, never here (haven/store/keys.py). Deleting this row crypto-shreds the case."""

    __tablename__ = "case_keys"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id"), primary_key=True, autoincrement=False
    )
    kid: Mapped[str] = mapped_column(String(64), index=True)
    wrapped: Mapped[str] = mapped_column(String(200))  # base64 of nonce || ciphertext + tag
    created_at: Mapped[datetime]


class WorkQueue(Base):
    """A saved impact run (haven/store/queue.py): the refused cases whose outcome improved
    between two dates (or under a draft pack), as work items; those refused on or after the
    later date are kept as rows in state `decided_after`, counted and named, never worked."""

    __tablename__ = "work_queues"
    # One queue per key: two requests for the same queue at once make one (the second meets
    # the first's row here). Queues made before keys were kept have none (NULLs never clash).
    __table_args__ = (Index("uq_work_queues_org_key", "org_id", "key", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    from_date: Mapped[date]
    to_date: Mapped[date]
    pack: Mapped[str] = mapped_column(String(64))
    pack_version_before: Mapped[str] = mapped_column(String(64))
    pack_version_after: Mapped[str] = mapped_column(String(64))
    cases: Mapped[int]  # how many cases were re-assessed
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the queue depends on, hashed (haven/store/queue.py queue_key; a job's key).
    key: Mapped[str | None] = mapped_column(String(64))


class WorkItem(Base):
    """One case to act on: what improved, the rules that changed, the suggested next step."""

    __tablename__ = "work_items"
    __table_args__ = (UniqueConstraint("queue_id", "case_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("work_queues.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case_ref: Mapped[str] = mapped_column(String(200))
    case_version: Mapped[int]
    case_status: Mapped[str] = mapped_column(String(32))
    next_step: Mapped[str] = mapped_column(String(32))
    urgent: Mapped[bool]
    detail: Mapped[dict[str, Any]] = mapped_column(Json)  # haven.queue.Item, as JSON
    state: Mapped[str] = mapped_column(String(16))  # open | closed | decided_after
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Sealed with the case's data key (haven/store/queuetext.py), like the comments.
    resolution: Mapped[str | None] = mapped_column(Text)


class WorkItemComment(Base):
    __tablename__ = "work_item_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id"), index=True)
    # The comment is about the case: shredding the case (keyops.shred_case) deletes it too.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    # An envelope under the case's data key (haven/store/queuetext.py); at most 4000
    # characters before sealing (the API and the CLI check).
    text: Mapped[str] = mapped_column(Text)


class Job(Base):
    """Long work for the web app (haven/store/jobs.py): an impact run or a queue creation, its
    progress, and its result kept under `key` (pack version, dates or draft, caseload version,
    who may see it), sealed with the organisation's key."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_org_key", "org_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))  # impact | queue
    key: Mapped[str] = mapped_column(String(64))  # sha256 of what the result depends on
    params: Mapped[dict[str, Any]] = mapped_column(Json)  # from, to, draft: to show and re-run
    # queued | running | done | failed | cancelled | interrupted
    state: Mapped[str] = mapped_column(String(16), index=True)
    cancel: Mapped[bool] = mapped_column(default=False)  # asked to stop; the runner stops
    done: Mapped[int] = mapped_column(default=0)  # cases done
    total: Mapped[int] = mapped_column(default=0)  # cases to do
    owner: Mapped[str] = mapped_column(String(200))  # host:pid of the process running it
    result: Mapped[str | None] = mapped_column(Text)  # sealed JSON (only when done)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    beat_at: Mapped[datetime]  # last progress: a stale beat means a dead process
    finished_at: Mapped[datetime | None]
