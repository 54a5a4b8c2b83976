"""Account lifecycle: list users, disable and enable them, change a role, set a password, list
and revoke tokens. Used by the API (`/api/v1/users/...`), the web page `/admin/users` (an
admin, `by` is that admin) and the CLI (`haven users ...`, `by` is None: the operator).

Every change is audited (`user.create` by the CLI, `user.disable`, `user.enable`, `user.role`,
`user.password`, `token.revoke`, `user.hand_over`) in the user's organisation's chain. A user
of another organisation does not exist for an admin (404, as for an unknown name). Admins
cannot disable themselves or change their own role, so an organisation is never left without
the admin who made the change. Handing a user's cases over to a colleague moves access rows only.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.orm import Session

from haven.errors import Conflict, InputError, NotFound, Problem
from haven.store import audit_chain
from haven.store.access import ALLOWED, SCOPED, Action, Role
from haven.store.auth import hash_password, now
from haven.store.db import insert_or_skip
from haven.store.models import ApiToken, AuditEntry, CaseAccess, Organisation, User, WorkItem
from haven.store.repo import Actor, require


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


def _audit(s: Session, user: User, by: Actor | None, action: str, **detail: object) -> None:
    audit_chain.add(
        s,
        AuditEntry(
            at=now(),
            org_id=user.org_id,
            user_id=by.user_id if by else None,
            action=action,
            outcome="ok",
            case_ref=None,
            detail={"username": user.username, **({} if by else {"by": "cli"}), **detail},
        ),
    )


def created(s: Session, user: User) -> None:
    """The operator's `haven users add`, audited as the API and the web page audit theirs."""
    _audit(s, user, None, "user.create", role=user.role)


def org_of(s: Session, slug: str) -> Organisation:
    """The organisation the CLI's --org names: an input error if there is none (exit 2, as
    for `haven cases` and `haven research`)."""
    org = s.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise InputError([Problem("--org", f"no organisation {slug[:64]!r}")])
    return org


def find(s: Session, org_id: int, username: str, by: Actor | None = None) -> User:
    """A user of the organisation; the admin `by` must be allowed to manage users."""
    if by is not None:
        require(by, Action.USER_MANAGE)
    user = s.scalar(select(User).where(User.org_id == org_id, User.username == username))
    if user is None:
        raise NotFound([Problem("username", f"no user {username[:64]!r} in this organisation")])
    return user


def list_users(s: Session, org_id: int, by: Actor | None = None) -> list[User]:
    if by is not None:
        require(by, Action.USER_MANAGE)
    return list(s.scalars(select(User).where(User.org_id == org_id).order_by(User.username)))


def _not_self(user: User, by: Actor | None, what: str) -> None:
    if by is not None and by.user_id == user.id:
        raise InputError([Problem("username", f"you cannot {what} your own account")])


def _not_last_admin(s: Session, user: User, what: str) -> None:
    """An organisation keeps an active admin: without one no one can manage its accounts in
    the web app or the API (the web and the API cannot reach this: an admin may not change
    their own account, so another active admin asks; the CLI, run by an operator, can)."""
    if user.role != Role.ADMIN.value or not user.active:
        return
    others = s.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.org_id == user.org_id,
            User.role == Role.ADMIN.value,
            User.active.is_(True),
            User.id != user.id,
        )
    )
    if not others:
        message = (
            f"{user.username!r} is the organisation's last active admin: make another admin "
            f"before you {what}"
        )
        raise Conflict([Problem("username", message)])


def revoke_all(s: Session, user: User) -> int:
    done = s.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
        .values(revoked=True)
        .execution_options(synchronize_session=False)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]


def set_active(
    s: Session, org_id: int, username: str, active: bool, by: Actor | None = None
) -> User:
    """Disable (every token revoked too: it stops at once in every process) or enable."""
    user = find(s, org_id, username, by)
    if not active:
        _not_self(user, by, "disable")
        _not_last_admin(s, user, "disable them")
    if user.active != active:
        user.active = active
        revoked = 0 if active else revoke_all(s, user)
        released = _release_items(s, user)
        _audit(s, user, by, "user.enable" if active else "user.disable", tokens_revoked=revoked,
               work_items=released)  # fmt: skip
    return user


def _release_items(s: Session, user: User) -> int:
    """The open work items assigned to `user` that they may no longer work on (disabled, a
    role without queue work, or a scoped role and a case they do not hold) go back to no one,
    as taking back a share does: an item must not wait on someone who cannot open it (which
    `queue.assign` refuses). How many."""
    role = Role(user.role)
    where = [WorkItem.assigned_to == user.id, WorkItem.state == "open"]
    if user.active and Action.QUEUE_WORK in ALLOWED[role]:
        if role not in SCOPED:
            return 0
        held = select(CaseAccess.case_id).where(CaseAccess.user_id == user.id)
        where.append(WorkItem.case_id.not_in(held))
    result = s.execute(
        update(WorkItem)
        .where(*where)
        .values(assigned_to=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def set_role(s: Session, org_id: int, username: str, role: Role, by: Actor | None = None) -> User:
    user = find(s, org_id, username, by)
    _not_self(user, by, "change the role of")
    if role is not Role.ADMIN:
        _not_last_admin(s, user, "change their role")
    if user.role != role.value:
        before, user.role = user.role, role.value
        # Tokens carry no role (it is read on every request): the change applies at once.
        released = _release_items(s, user)
        _audit(s, user, by, "user.role", before=before, after=role.value, work_items=released)
    return user


def set_password(
    s: Session, org_id: int, username: str, password: str, by: Actor | None = None
) -> User:
    """Set (or reset) a password; every token of the user is revoked, so a session opened
    with the old password ends."""
    user = find(s, org_id, username, by)
    user.password_hash = hash_password(password)
    revoked = revoke_all(s, user)
    _audit(s, user, by, "user.password", tokens_revoked=revoked)  # never the password
    return user


def tokens(s: Session, org_id: int, username: str, by: Actor | None = None) -> list[TokenView]:
    user = find(s, org_id, username, by)
    rows = s.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    return [
        TokenView(t.id, t.name, t.created_at, t.expires_at, t.last_used_at, t.revoked) for t in rows
    ]


def revoke_token(
    s: Session, org_id: int, username: str, token_id: int | None, by: Actor | None = None
) -> int:
    """Revoke one token of the user by id, or all of them (`token_id` None); how many."""
    user = find(s, org_id, username, by)
    if token_id is None:
        n = revoke_all(s, user)
    else:
        row = s.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
        if row is None:
            raise NotFound([Problem("token", f"no token {token_id} of {username!r}")])
        n = 0 if row.revoked else 1
        row.revoked = True
    _audit(s, user, by, "token.revoke", token=token_id if token_id is not None else "all", count=n)
    return n


def hand_over(s: Session, org_id: int, username: str, to: str, by: Actor | None = None) -> int:
    """Hand a user's cases over to another active case officer or NGO advocate of the
    organisation (someone leaves or moves on): their access rows move to `to` (an assignment
    stays an assignment, a share a share; a case `to` holds already keeps `to`'s row), and so
    do the open work items assigned to them whose case `to` then holds. Only rows move: no
    case content is read, so an admin, who may not read cases, can do it. How many cases moved."""
    user = find(s, org_id, username, by)
    target = s.scalar(select(User).where(User.org_id == org_id, User.username == to))
    if target is None:
        raise NotFound([Problem("to", f"no user {to[:64]!r} in this organisation")])
    if target.id == user.id:
        raise InputError([Problem("to", "choose another user to hand the cases over to")])
    if not target.active or Role(target.role) not in SCOPED:
        message = f"{to[:64]!r} is not an active case officer or NGO advocate"
        raise InputError([Problem("to", message)])
    mine = select(CaseAccess.case_id).where(CaseAccess.user_id == user.id)
    moved = s.scalar(select(func.count()).select_from(mine.subquery())) or 0
    ins = insert_or_skip(s, CaseAccess)
    rows = select(CaseAccess.case_id, literal(target.id), CaseAccess.kind, literal(now())).where(
        CaseAccess.user_id == user.id
    )
    names = ["case_id", "user_id", "kind", "created_at"]
    s.execute(ins.from_select(names, rows).on_conflict_do_nothing())
    s.execute(delete(CaseAccess).where(CaseAccess.user_id == user.id))
    # Only items of cases `to` now holds: a reviewer's items may be of any case of the
    # organisation, and an item must not go to someone who may not work on its case (as
    # `queue.assign` refuses); the others stay where they were.
    held = select(CaseAccess.case_id).where(CaseAccess.user_id == target.id)
    items = s.execute(
        update(WorkItem)
        .where(
            WorkItem.assigned_to == user.id, WorkItem.state == "open", WorkItem.case_id.in_(held)
        )
        .values(assigned_to=target.id)
        .execution_options(synchronize_session=False)
    )
    _audit(s, user, by, "user.hand_over", to=target.username, cases=moved,
           work_items=int(items.rowcount))  # type: ignore[attr-defined]  # fmt: skip
    return int(moved)
