"""The auditor's view of the audit log: their organisation's entries, filtered, with user names,
and the verification of their organisation's hash chain; and the operator's view of the entries
of no organisation. Reading it is audited too."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from haven.store import audit_chain
from haven.store.access import Action
from haven.store.models import AuditEntry, User
from haven.store.repo import Actor, audit, require


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None  # prefix: "case." finds every case action
    username: str | None = None
    outcome: str | None = None  # ok | denied
    case_ref: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    username: str | None


def _query(org_id: int | None, f: AuditFilter) -> Select[AuditEntry, str]:
    q = (
        select(AuditEntry, User.username)
        .join(User, User.id == AuditEntry.user_id, isouter=True)
        .where(AuditEntry.org_id == org_id if org_id is not None else AuditEntry.org_id.is_(None))
    )
    if f.action:
        q = q.where(AuditEntry.action.startswith(f.action, autoescape=True))
    if f.username:
        q = q.where(User.username == f.username)
    if f.outcome:
        q = q.where(AuditEntry.outcome == f.outcome)
    if f.case_ref:
        q = q.where(AuditEntry.case_ref == f.case_ref)
    if f.since:
        q = q.where(AuditEntry.at >= datetime.combine(f.since, time()))
    if f.until:
        q = q.where(AuditEntry.at < datetime.combine(f.until + timedelta(days=1), time()))
    return q


def search(
    s: Session, actor: Actor, f: AuditFilter, limit: int = 100, offset: int = 0
) -> tuple[int, list[Row]]:
    """(how many match, the page of them), newest first."""
    require(actor, Action.AUDIT_READ)
    total, rows = _page(s, _query(actor.org_id, f), limit, offset)
    audit(s, actor, "audit.read", returned=len(rows), **_detail(f))
    return total, rows


def search_unowned(
    s: Session, f: AuditFilter, limit: int = 100, offset: int = 0
) -> tuple[int, list[Row]]:
    """The entries of no organisation (its own hash chain): sign-ins and requests by no one
    known, keys of an organisation no longer in the database shredded. No user of an
    organisation may read them; the operator's CLI does (it holds the database), and its
    reading is recorded in that chain as `audit.read` by no one, `by: cli`."""
    total, rows = _page(s, _query(None, f), limit, offset)
    audit(s, None, "audit.read", returned=len(rows), by="cli", **_detail(f))
    return total, rows


def _page(s: Session, q: Select[AuditEntry, str], limit: int, offset: int) -> tuple[int, list[Row]]:
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    page = q.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return total, [Row(e, name) for e, name in s.execute(page)]


def export(s: Session, actor: Actor, f: AuditFilter) -> list[Row]:
    """Every matching entry, oldest first (an export is read as a record of events)."""
    require(actor, Action.AUDIT_READ)
    rows = [Row(e, name) for e, name in s.execute(_query(actor.org_id, f).order_by(AuditEntry.id))]
    audit(s, actor, "audit.export", returned=len(rows), **_detail(f))
    return rows


def _detail(f: AuditFilter) -> dict[str, str]:
    return {f"filter_{k}": str(v) for k, v in vars(f).items() if v}


def actions(s: Session, actor: Actor) -> list[str]:
    """The actions that occur in the organisation's log (for the filter's choices)."""
    require(actor, Action.AUDIT_READ)
    q = select(AuditEntry.action).where(AuditEntry.org_id == actor.org_id).distinct()
    return sorted(a for a in s.scalars(q) if " " not in a)  # denials are "METHOD /path"


def verify(s: Session, actor: Actor) -> tuple[int, list[audit_chain.Finding]]:
    """The organisation's chain recomputed: (entries in it, problems found)."""
    require(actor, Action.AUDIT_READ)
    report = audit_chain.verify(s)
    chain = actor.org_id
    seq, _ = report.chains.get(chain, (0, ""))
    findings = [f for f in report.findings if f.chain == chain]
    audit(s, actor, "audit.verify", ok=not findings, entries=seq)
    return seq, findings
