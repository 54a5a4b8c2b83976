"""Login with rate limiting and lockout, counted in the database so every app process agrees.

Per username: MAX_FAILURES failed logins within WINDOW lock the username for LOCKOUT. Per
client address: ADDRESS_MAX_FAILURES failures within WINDOW (any usernames: password spraying)
lock the address for LOCKOUT. While locked, a login is refused (429 with Retry-After) without
checking the password, and the refusal does not extend the lock. A successful login clears
the username's count. Unknown usernames are counted like known ones, so a lockout says nothing
about whether an account exists.

Each attempt locks its counter rows (FOR UPDATE; SQLite: the writer lock) for the attempt, so
parallel guesses at one username queue and are all counted. Failures, refusals and lockouts are
audited with the client address; no password, token or unknown username is ever recorded
(`login_throttle` stores only a SHA-256 of each key).
"""

import hashlib
import math
from datetime import datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from haven.errors import InputError, TooManyRequests, Unauthenticated
from haven.store import auth
from haven.store.db import Database, insert_or_skip
from haven.store.models import LoginThrottle, User
from haven.store.repo import Actor, audit

MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 20
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)

WRONG = "unknown user or wrong password"


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _lock_row(s: Session, key: str, t: datetime) -> LoginThrottle:
    ins = insert_or_skip(s, LoginThrottle)
    s.execute(ins.values(key=key, failures=0, window_start=t).on_conflict_do_nothing())
    row = s.scalar(
        select(LoginThrottle)
        .where(LoginThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


def _password_ok(user: User | None, password: str) -> bool:
    try:
        if user is None:
            # Hash anyway, so an unknown username costs the same time as a wrong password.
            auth._hasher.verify(_dummy_hash(), password)
            return False
        return bool(auth._hasher.verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


_dummy: dict[int, str] = {}


def _dummy_hash() -> str:
    hasher = auth._hasher  # per hasher, as tests swap in a cheap one
    if id(hasher) not in _dummy:
        _dummy[id(hasher)] = hasher.hash("not a password of anyone's")
    return _dummy[id(hasher)]


def _attempt(
    s: Session, username: str, password: str, address: str | None, ttl: timedelta
) -> str | Exception:
    t = auth.now()
    limits = [(_lock_row(s, _key("user", username), t), MAX_FAILURES)]
    if address:
        limits.append((_lock_row(s, _key("addr", address), t), ADDRESS_MAX_FAILURES))
    user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
    who = Actor.of(user) if user else None
    where = {"address": address} if address else {}

    until = max(
        (r.locked_until for r, _ in limits if r.locked_until and r.locked_until > t), default=None
    )
    if until is not None:
        wait = max(1, math.ceil((until - t).total_seconds()))
        audit(s, who, "auth.login", "denied", reason="locked", retry_after=wait, **where)
        return TooManyRequests(f"too many failed logins: try again in {wait} seconds", wait)

    if _password_ok(user, password):
        assert user is not None
        row = limits[0][0]
        row.failures, row.window_start, row.locked_until = 0, t, None
        audit(s, who, "auth.login", **where)
        return auth.issue_token(s, user, "login", ttl)

    for row, limit in limits:
        if t - row.window_start >= WINDOW:
            row.failures, row.window_start = 0, t
        row.failures += 1
        if row.failures >= limit:
            row.failures, row.window_start, row.locked_until = 0, t, t + LOCKOUT
            scope = "username" if row is limits[0][0] else "address"
            audit(
                s,
                who,
                "auth.lockout",
                "denied",
                scope=scope,
                seconds=int(LOCKOUT.total_seconds()),
                **where,
            )
    audit(s, who, "auth.login", "denied", reason="bad_credentials", **where)
    return Unauthenticated(WRONG)


def login(
    db: Database,
    username: str,
    password: str,
    address: str | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """A bearer token, or Unauthenticated (wrong credentials) or TooManyRequests (locked).
    The attempt is recorded in its own transaction, committed whether or not it succeeds. A
    password no one can have (empty or only spaces, or longer than any is: auth.PASSWORD_MAX)
    is refused (InputError) before any lookup, hash or count, as the API's body is."""
    if wrong := auth.sign_in_problems(password):
        raise InputError(wrong)
    with db.session() as s:
        outcome = _attempt(s, username, password, address, ttl)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
