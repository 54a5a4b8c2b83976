"""Local accounts (argon2 password hashes) and bearer tokens (stored as SHA-256 only)."""

import hashlib
import os
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from haven.errors import Conflict, InputError, Problem, Unauthenticated
from haven.store.access import Role
from haven.store.db import violates
from haven.store.models import ApiToken, Organisation, User

_hasher = PasswordHasher()
TOKEN_PREFIX = "hvn_"


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


PASSWORD_MAX = 1024  # what sign-in accepts (the API's bodies, the web forms' maxlength)
BLANK_PASSWORD = "must not be empty or only spaces"

# One rule for a password at every door (API, web forms, CLI): taken exactly as given, never
# stripped (a space is a character like any other, and a password set with one must sign in
# with it everywhere), but never empty or only whitespace, and at most PASSWORD_MAX characters.
# Worded as haven/web/messages.py knows it (the admin page's forms and the sign-in come here).


def sign_in_problems(password: str) -> list[Problem]:
    """Why `password` cannot be a password at all, whoever's it is: checked before any user is
    looked up or any hash computed, so the answer says nothing about accounts."""
    if not password.strip():
        return [Problem("password", BLANK_PASSWORD)]
    if len(password) > PASSWORD_MAX:
        return [Problem("password", f"longer than {PASSWORD_MAX} characters")]
    return []


def hash_password(password: str) -> str:
    """The hash of a new password (set or reset), after the rule above and a length of 12."""
    if wrong := sign_in_problems(password):
        # Set on the CLI, an over-long one was stored and its user could not sign in with it.
        raise InputError(wrong)
    if len(password) < 12:
        raise InputError([Problem("password", "must be at least 12 characters")])
    return _hasher.hash(password)


TAKEN = "this username cannot be used; choose another"
NAME_MAX = 64  # the columns' length: PostgreSQL refuses longer, SQLite would keep it


def check_name(field: str, value: str) -> str:
    """A username or organisation slug: what is shown in lists, logs and the audit trail, so no
    spaces or control characters (PostgreSQL cannot store NUL at all), at most 64 characters."""
    if wrong := name_problems(field, value):
        raise InputError(wrong)
    return value


def name_problems(field: str, value: str) -> list[Problem]:
    """Why `value` cannot be a username or organisation slug (`check_name`); empty if it can."""
    bad = [c for c in value if c.isspace() or unicodedata.category(c).startswith("C")]
    if not value or bad or len(value) > NAME_MAX:
        message = f"must be 1 to {NAME_MAX} characters, without spaces or control characters"
        return [Problem(field, message)]
    return []


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ensure_org(s: Session, slug: str, name: str | None = None) -> Organisation:
    check_name("org", slug)
    org = s.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        org = Organisation(slug=slug, name=name or slug, created_at=now())
        s.add(org)
        s.flush()
    return org


def add_user(s: Session, org: Organisation, username: str, password: str, role: Role) -> User:
    check_name("username", username)
    # Nor "Olga" beside "olga": two accounts a reader of the audit log or the share list
    # cannot tell apart (lower() folds ASCII letters on SQLite, all letters on PostgreSQL).
    if s.scalar(select(User).where(func.lower(User.username) == username.lower())) is not None:
        # Usernames are unique across organisations (they sign in without one). The answer is
        # the same whether the name is taken here or in another organisation, so an admin
        # learns nothing about other organisations' accounts (issue 17, #10).
        raise Conflict([Problem("username", TAKEN)])
    user = User(
        org_id=org.id,
        username=username,
        password_hash=hash_password(password),
        role=role.value,
        created_at=now(),
    )
    s.add(user)
    try:
        s.flush()
    except IntegrityError as e:  # taken by another admin since the lookup above
        if not violates(e, "users", "username"):
            raise
        raise Conflict([Problem("username", TAKEN)]) from None
    return user


def login(s: Session, username: str, password: str, ttl: timedelta = timedelta(hours=12)) -> str:
    """Check a password and issue a bearer token. The same message for every failure."""
    user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
    try:
        if user is None:
            raise VerificationError
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise Unauthenticated("unknown user or wrong password") from None
    return issue_token(s, user, "login", ttl)


def issue_token(s: Session, user: User, name: str, ttl: timedelta | None = None) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    s.add(
        ApiToken(
            user_id=user.id,
            token_hash=token_hash(token),
            name=name,
            created_at=now(),
            expires_at=now() + ttl if ttl else None,
        )
    )
    return token


def idle_timeout() -> timedelta:
    """How long a token or web session may go unused: HAVEN_IDLE_TIMEOUT_MINUTES (default 30),
    besides the 12-hour limit of a login token."""
    raw = os.environ.get("HAVEN_IDLE_TIMEOUT_MINUTES", "30").strip()
    return timedelta(minutes=int(raw) if raw.isdigit() and int(raw) > 0 else 30)


# The last use is written at most this often, so that reads do not each cost a write.
TOUCH_EVERY = timedelta(seconds=60)


# The token and its user in one read (every request runs it; built once, compiled once).
_TOKEN_AND_USER = (
    select(ApiToken, User)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def authenticate(s: Session, token: str) -> User:
    """The active user a token stands for, or Unauthenticated. One read, and at most once a
    minute per token an update of its last use (run it in `Database.statements()`)."""
    found = s.execute(_TOKEN_AND_USER, {"token_hash": token_hash(token)}).first()
    t = now()
    row = found[0] if found is not None else None
    if row is None or row.revoked or (row.expires_at is not None and row.expires_at < t):
        raise Unauthenticated("invalid or expired token")
    last = row.last_used_at or row.created_at
    if t - last > idle_timeout():
        raise Unauthenticated("the session ended after a period without use: sign in again")
    user: User | None = found[1] if found is not None else None
    if user is None or not user.active:  # a disabled user's tokens stop at once
        raise Unauthenticated("invalid or expired token")
    if row.last_used_at is None or t - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = t
    return user


def revoke(s: Session, token: str) -> None:
    """Sign out: the token stops working in every process at once."""
    row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is not None:
        row.revoked = True
