"""Case operations with access control and audit. Every function runs inside the caller's
transaction; denials raise and are audited by `record_denial` in a transaction of their own."""

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from haven.assess import Assessment, assess
from haven.cases import Case
from haven.errors import (
    Conflict,
    Forbidden,
    InputError,
    NotFound,
    PreconditionFailed,
    Problem,
    shown,
)
from haven.policy.pack import Pack
from haven.store import audit_chain, datakeys
from haven.store.access import SCOPED, Action, Role, allowed
from haven.store.auth import now
from haven.store.db import Database, insert_or_skip, violates
from haven.store.models import (
    AuditEntry,
    CaseAccess,
    CaseRecord,
    CaseVersion,
    Organisation,
    StoredAssessment,
    User,
    WorkItem,
)

# Aggregates shown to researchers never reveal a count below this (small-cell suppression).
MIN_CELL = 5


@dataclass(frozen=True)
class Actor:
    user_id: int
    org_id: int
    role: Role
    username: str

    @classmethod
    def of(cls, user: User) -> "Actor":
        return cls(user.id, user.org_id, Role(user.role), user.username)


def audit(
    s: Session,
    actor: Actor | None,
    action: str,
    outcome: str = "ok",
    case_ref: str | None = None,
    **detail: Any,
) -> None:
    audit_chain.add(
        s,
        AuditEntry(
            at=now(),
            org_id=actor.org_id if actor else None,
            user_id=actor.user_id if actor else None,
            action=action,
            outcome=outcome,
            case_ref=case_ref,
            detail=detail,
        ),
    )


# The audit log's bounded columns (String(64), String(200)).
ACTION_MAX = 64
CASE_REF_MAX = 200


def record_denial(
    db: Database, actor: Actor | None, action: str, case_ref: str | None, why: str
) -> None:
    """Denials are audited even though the request's own transaction is rolled back. An
    action (`GET /api/v1/cases/<id>/versions`) or case id longer than its column is cut to fit,
    the whole path kept in the detail: the row did not fit on PostgreSQL, so a denial of a
    case with a 60-character id was a 500 and went unrecorded."""
    detail: dict[str, Any] = {"reason": why}
    if len(action) > ACTION_MAX:
        detail["path"] = action.partition(" ")[2][:2000]
        action = action[: ACTION_MAX - 1] + "…"
    if case_ref is not None and len(case_ref) > CASE_REF_MAX:
        case_ref = case_ref[: CASE_REF_MAX - 1] + "…"
    with db.session() as s:
        audit(s, actor, action, "denied", case_ref, **detail)


def require(actor: Actor, action: Action) -> None:
    if not allowed(actor.role, action):
        raise Forbidden(f"role {actor.role.value} may not {action.value}")


def _related(s: Session, actor: Actor, case: CaseRecord) -> bool:
    """Whether the case is assigned or shared with the actor: an access row, the one way a
    scoped user holds a case (creating a case writes its creator's `assigned` row)."""
    return s.get(CaseAccess, {"case_id": case.id, "user_id": actor.user_id}) is not None


def _load(s: Session, actor: Actor, ref: str, action: Action, *, lock: bool = False) -> CaseRecord:
    require(actor, action)
    q = select(CaseRecord).where(CaseRecord.org_id == actor.org_id, CaseRecord.ref == ref)
    case = s.scalar(q.with_for_update() if lock else q)
    if case is None:  # other organisations' cases do not exist for this caller
        raise NotFound([Problem("case", f"no case {shown(ref)}")])
    if not allowed(actor.role, action, related=_related(s, actor, case)):
        raise Forbidden(f"case {shown(ref)} is not assigned or shared with {actor.username}")
    return case


def _visible(actor: Actor) -> Select[CaseRecord]:
    q = select(CaseRecord).where(CaseRecord.org_id == actor.org_id)
    if actor.role in SCOPED:
        # The user's access rows alone (creating a case writes its creator's `assigned` row;
        # migration 0013 wrote any that were missing), as a correlated EXISTS that PostgreSQL
        # plans as a semi-join from the user's rows: an advocate holding 5 of 1M cases gets
        # her first page in 0.004 s instead of a walk of the organisation (0.6 s) that an
        # `OR created_by = user` arm forced (benchmarks/results/scoped-caseload.md).
        q = q.where(
            exists().where(CaseAccess.case_id == CaseRecord.id, CaseAccess.user_id == actor.user_id)
        )
    return q


def _content(case: Case) -> dict[str, Any]:
    return case.model_dump(mode="json")


def create_case(s: Session, actor: Actor, case: Case) -> CaseRecord:
    require(actor, Action.CASE_CREATE)
    exists = s.scalar(
        select(CaseRecord.id).where(CaseRecord.org_id == actor.org_id, CaseRecord.ref == case.id)
    )
    if exists is not None:
        raise Conflict([Problem("id", f"case {case.id!r} already exists")])
    t = now()
    rec = CaseRecord(
        org_id=actor.org_id,
        ref=case.id,
        version=1,
        nationality=case.nationality,
        status=case.procedure.status.value,
        created_at=t,
        updated_at=t,
        created_by=actor.user_id,
    )
    s.add(rec)
    try:
        s.flush()
    except IntegrityError as e:  # created by another writer since the lookup above
        if not is_ref_conflict(e):
            raise
        raise Conflict([Problem("id", f"case {case.id!r} already exists")]) from None
    s.add(
        CaseVersion(
            case_id=rec.id,
            version=1,
            data=datakeys.seal_version(s, rec, 1, _content(case), new=True),
            created_at=t,
            created_by=actor.user_id,
        )
    )
    if actor.role in SCOPED:
        s.add(CaseAccess(case_id=rec.id, user_id=actor.user_id, kind="assigned", created_at=t))
    audit(s, actor, "case.create", case_ref=case.id, version=1)
    return rec


def current(s: Session, rec: CaseRecord) -> CaseVersion:
    v = s.scalar(
        select(CaseVersion).where(CaseVersion.case_id == rec.id, CaseVersion.version == rec.version)
    )
    assert v is not None, "a case always has its current version"
    return datakeys.open_version(s, rec, v)


def read_case(s: Session, actor: Actor, ref: str) -> tuple[CaseRecord, CaseVersion]:
    rec = _load(s, actor, ref, Action.CASE_READ)
    audit(s, actor, "case.read", case_ref=ref, version=rec.version)
    return rec, current(s, rec)


def versions(s: Session, actor: Actor, ref: str) -> list[CaseVersion]:
    rec = _load(s, actor, ref, Action.CASE_READ)
    audit(s, actor, "case.versions", case_ref=ref)
    return [
        datakeys.open_version(s, rec, v)
        for v in s.scalars(
            select(CaseVersion).where(CaseVersion.case_id == rec.id).order_by(CaseVersion.version)
        )
    ]


def _named(sent: str | None, if_match: int) -> str:
    """The version the caller sent, as they wrote it (at most 40 digits shown)."""
    named = sent if sent and sent.isascii() and sent.isdigit() else str(if_match)
    return named if len(named) <= 40 else named[:40] + "…"


def update_case(
    s: Session,
    actor: Actor,
    ref: str,
    case: Case,
    if_match: int,
    *,
    skip_unchanged: bool = False,
    sent: str | None = None,
    weak: bool = False,
) -> CaseRecord:
    """A new version, only if the caller saw the current one (else 412, nothing written).
    `skip_unchanged` (the web editor): a save whose content equals the current version's
    writes nothing and returns the record at `if_match` (the API's PUT always makes a version,
    as its contract says). `sent`: the version as the caller wrote it, named in the refusal (a
    number beyond any version comes as `if_match` 0: "not 0" named no version they sent).
    `weak`: the caller sent a weak ETag (`W/"2"`), which never matches (If-Match uses the strong
    comparison, RFC 9110 §13.1.1): refused as stale (412) once the case is found and may be
    edited, nothing written."""
    rec = _load(s, actor, ref, Action.CASE_EDIT)
    if weak:
        named = _named(sent, if_match)
        raise PreconditionFailed(
            f'If-Match W/"{named}" is a weak ETag, which an edit never matches (If-Match '
            "compares strongly, RFC 9110 §13.1.1): send the ETag as GET gives it, without W/"
        )
    if case.id != ref:
        raise Conflict([Problem("id", f"the case id {shown(case.id)} does not match {shown(ref)}")])
    if skip_unchanged and rec.version == if_match and current(s, rec).data == _content(case):
        return rec
    # Compare-and-set in the database, so two app processes cannot both win.
    done = s.execute(
        update(CaseRecord)
        .where(CaseRecord.id == rec.id, CaseRecord.version == if_match)
        .values(
            version=if_match + 1,
            nationality=case.nationality,
            status=case.procedure.status.value,
            updated_at=now(),
            recommendation=None,
            designation=None,
            flags=None,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        s.refresh(rec)
        named = _named(sent, if_match)
        raise PreconditionFailed(
            f"case {shown(ref)} is at version {rec.version}, not {named}: reload and edit again"
        )
    s.add(
        CaseVersion(
            case_id=rec.id,
            version=if_match + 1,
            data=datakeys.seal_version(s, rec, if_match + 1, _content(case)),
            created_at=now(),
            created_by=actor.user_id,
        )
    )
    s.refresh(rec)
    audit(s, actor, "case.edit", case_ref=ref, version=rec.version)
    return rec


def share_case(s: Session, actor: Actor, ref: str, username: str, kind: str = "shared") -> None:
    rec = _load(s, actor, ref, Action.CASE_SHARE)
    user = s.scalar(select(User).where(User.username == username, User.org_id == actor.org_id))
    if user is None:
        raise NotFound([Problem("username", f"no user {username!r} in this organisation")])
    # A disabled account must not gain cases, and the other roles see every case (reviewer) or
    # none: a row would give them nothing now and a case on a later change of role.
    if not user.active or Role(user.role) not in SCOPED:
        message = f"{username[:64]!r} is not an active case officer or NGO advocate"
        raise InputError([Problem("username", message)])
    # An existing row stays as it is (an assigned case shared again stays assigned); two
    # shares at once (two requests, two processes) add one row, neither fails on the key.
    ins = insert_or_skip(s, CaseAccess)
    row = {"case_id": rec.id, "user_id": user.id, "kind": kind, "created_at": now()}
    s.execute(ins.values(**row).on_conflict_do_nothing())
    audit(s, actor, "case.share", case_ref=ref, with_user=username, kind=kind)


def unshare_case(s: Session, actor: Actor, ref: str, username: str) -> None:
    """Take back a share: the user no longer sees the case (least privilege, e.g. when an
    advocate no longer represents the applicant). Only `shared` rows: an assignment (the
    creator's, or one an import wrote) is not removed here."""
    rec = _load(s, actor, ref, Action.CASE_SHARE)
    user = s.scalar(select(User).where(User.username == username, User.org_id == actor.org_id))
    if user is None:
        raise NotFound([Problem("username", f"no user {username!r} in this organisation")])
    row = s.get(CaseAccess, {"case_id": rec.id, "user_id": user.id})
    if row is None:
        raise NotFound([Problem("username", f"case {shown(ref)} is not shared with {username!r}")])
    if row.kind != "shared":
        message = f"case {shown(ref)} is assigned to {username!r}, not shared: unsharing keeps it"
        raise Conflict([Problem("username", message)])
    s.delete(row)
    # Their open work items of the case go back to no one: they may no longer work on them.
    items = s.execute(
        update(WorkItem)
        .where(
            WorkItem.case_id == rec.id, WorkItem.assigned_to == user.id, WorkItem.state == "open"
        )
        .values(assigned_to=None)
        .execution_options(synchronize_session=False)
    )
    moved = int(items.rowcount)  # type: ignore[attr-defined]
    audit(s, actor, "case.unshare", case_ref=ref, with_user=username, work_items=moved)


@dataclass(frozen=True)
class Holder:
    """A user who holds a case (kind `assigned` or `shared`), or could be given it (kind "")."""

    username: str
    role: Role
    kind: str


def holders(s: Session, actor: Actor, ref: str) -> tuple[list[Holder], list[Holder]]:
    """Who holds the case through an access row, and whom the caller could share it with:
    the organisation's active case officers and NGO advocates who do not hold it yet (the
    other roles see every case of the organisation, or none). Only for a caller who may share
    it; usernames and roles only, nothing of the case. Audited (`case.holders`), as every list."""
    rec = _load(s, actor, ref, Action.CASE_SHARE)
    rows = s.execute(
        select(User.username, User.role, CaseAccess.kind)
        .join(CaseAccess, CaseAccess.user_id == User.id)
        .where(CaseAccess.case_id == rec.id)
        .order_by(User.username)
    ).all()
    held = [Holder(name, Role(role), kind) for name, role, kind in rows]
    taken = {h.username for h in held}
    scoped = s.execute(
        select(User.username, User.role)
        .where(
            User.org_id == actor.org_id,
            User.active.is_(True),
            User.role.in_(sorted(r.value for r in SCOPED)),
        )
        .order_by(User.username)
    ).all()
    candidates = [Holder(name, Role(role), "") for name, role in scoped if name not in taken]
    audit(s, actor, "case.holders", case_ref=ref, holders=len(held), candidates=len(candidates))
    return held, candidates


def list_cases(
    s: Session,
    actor: Actor,
    *,
    nationality: str | None = None,
    status: str | None = None,
    recommendation: str | None = None,
    designation: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[CaseRecord]]:
    require(actor, Action.CASE_LIST)
    q = _visible(actor)
    for column, value in (
        (CaseRecord.nationality, nationality),
        (CaseRecord.status, status),
        (CaseRecord.recommendation, recommendation),
        (CaseRecord.designation, designation),
    ):
        if value is not None:
            q = q.where(column == value)
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(s.scalars(q.order_by(CaseRecord.ref).limit(limit).offset(offset)))
    audit(
        s,
        actor,
        "case.list",
        filters={
            "nationality": nationality,
            "status": status,
            "recommendation": recommendation,
            "designation": designation,
        },
        returned=len(rows),
    )
    return total, rows


def assess_and_store(
    s: Session, actor: Actor, ref: str, as_of: date, pack: Pack
) -> tuple[StoredAssessment, Assessment]:
    rec = _load(s, actor, ref, Action.CASE_ASSESS)
    version = current(s, rec)
    result = assess(Case.model_validate_json(_json(version.data)), as_of, pack)
    row = StoredAssessment(
        case_id=rec.id,
        case_version=rec.version,
        as_of=as_of,
        pack=pack.meta.id,
        pack_version=pack.version,
        recommendation=result.recommendation.value,
        result=result.model_dump(mode="json"),
        created_at=now(),
        created_by=actor.user_id,
    )
    datakeys.seal_assessment(s, rec, row)
    s.add(row)
    rec.recommendation = result.recommendation.value
    rec.designation = result.designation.category.value if result.designation else None
    rec.flags = (
        f" {' '.join(sorted({f.code.value for f in result.flags}))} " if result.flags else None
    )
    audit(
        s,
        actor,
        "case.assess",
        case_ref=ref,
        version=rec.version,
        as_of=as_of.isoformat(),
        pack_version=pack.version,
    )
    s.flush()  # the row has its id: hand the caller the plaintext
    return datakeys.open_assessment(s, rec, row), result


def assessments(s: Session, actor: Actor, ref: str) -> list[StoredAssessment]:
    rec = _load(s, actor, ref, Action.CASE_READ)
    audit(s, actor, "case.assessments", case_ref=ref)
    return [
        datakeys.open_assessment(s, rec, row)
        for row in s.scalars(
            select(StoredAssessment)
            .where(StoredAssessment.case_id == rec.id)
            .order_by(StoredAssessment.id)
        )
    ]


def stats(s: Session, actor: Actor) -> dict[str, Any]:
    """Pseudonymised aggregates for researchers: counts only, small cells suppressed."""
    from haven.store.research import suppress  # research imports this module

    require(actor, Action.STATS_READ)
    rows = s.execute(
        select(CaseRecord.nationality, CaseRecord.status, CaseRecord.recommendation).where(
            CaseRecord.org_id == actor.org_id
        )
    ).all()
    audit(s, actor, "stats.read")

    def table(key: int) -> dict[str, int | str]:
        # A case not yet assessed has no recommendation: say so rather than "None".
        c = Counter("not_assessed" if r[key] is None else str(r[key]) for r in rows)
        return suppress(c)  # complementary: no hidden count follows from the total

    total = len(rows)
    return {
        "cases": total if total >= MIN_CELL else f"<{MIN_CELL}",
        "by_nationality": table(0),
        "by_status": table(1),
        "by_recommendation": table(2),
        "suppressed_below": MIN_CELL,
    }


def audit_log(s: Session, actor: Actor, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    require(actor, Action.AUDIT_READ)
    rows = list(
        s.scalars(
            select(AuditEntry)
            .where(AuditEntry.org_id == actor.org_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    audit(s, actor, "audit.read", returned=len(rows))
    return rows


def import_cases(s: Session, actor: Actor, cases: list[Case]) -> int:
    """All or nothing: the caller's transaction rolls back if any case is rejected."""
    for case in cases:
        create_case(s, actor, case)
    audit(s, actor, "case.import", count=len(cases))
    return len(cases)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data)


def actor_by_name(s: Session, org: str, username: str) -> Actor:
    """The active user `username` of organisation `org`, for commands run on the server."""
    organisation = s.scalar(select(Organisation).where(Organisation.slug == org))
    if organisation is None:
        raise InputError([Problem("--org", f"no organisation {org[:64]!r}")])
    user = s.scalar(
        select(User).where(
            User.username == username, User.org_id == organisation.id, User.active.is_(True)
        )
    )
    if user is None:
        # Cut as the names' columns are (64): a mistake pasted in is not echoed in full.
        message = f"no active user {username[:64]!r} in {org!r}"
        raise InputError([Problem("--user", message)])
    return Actor.of(user)


def is_ref_conflict(e: IntegrityError) -> bool:
    """Whether a write failed on the unique (organisation, reference) index of `cases`: the
    caller reports it as a conflict naming `id`, not as an internal error."""
    return violates(e, "cases", "org_id", "ref")


def existing_refs(s: Session, actor: Actor, refs: list[str], chunk: int = 500) -> set[str]:
    """Which of these case ids the actor's organisation already uses (visible or not: a
    reference is unique per organisation, as create_case enforces)."""
    found: set[str] = set()
    if refs and s.get_bind().dialect.name == "postgresql":
        # One array parameter, one round trip: a bulk import checks each batch while worker
        # processes keep the cores busy, and every round trip then waits for the server.
        query = text("SELECT ref FROM cases WHERE org_id = :org AND ref = ANY(:refs)")
        return set(s.scalars(query, {"org": actor.org_id, "refs": refs}))
    if refs and s.get_bind().dialect.name == "sqlite":
        # As on PostgreSQL: the ids as one JSON array (SQLite's JSON1), one query; an IN list of
        # 500 bound parameters cost SQLAlchemy ~10 ms a query to compile.
        query = text(
            "SELECT ref FROM cases WHERE org_id = :org"
            " AND ref IN (SELECT value FROM json_each(:refs))"
        )
        return set(s.scalars(query, {"org": actor.org_id, "refs": json.dumps(refs)}))
    for i in range(0, len(refs), chunk):
        part = refs[i : i + chunk]
        found.update(
            s.scalars(
                select(CaseRecord.ref).where(
                    CaseRecord.org_id == actor.org_id, CaseRecord.ref.in_(part)
                )
            )
        )
    return found
