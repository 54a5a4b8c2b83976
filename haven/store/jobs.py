"""Job rows: long web work (an impact run, a queue creation) with its progress, a request to
cancel, and its result kept under a key, so that a second look is served from the store.

The key is what the result depends on: the kind, the pack and its version (or the draft's
content), the dates, who may see the cases (the organisation, or one scoped user) and the
caseload version (a fingerprint of the visible cases' rows: how many, their versions, the
newest change), so any edit, import or deletion makes a new key. Results hold what the
cases' contents imply; they are sealed with the organisation's key like case data keys.

A job is done, failed, cancelled or interrupted as a whole: the result is written in the
same transaction that marks it done, so a cancelled or interrupted job leaves no result.
"""

import hashlib
import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from haven.errors import NotFound, Problem
from haven.store import datakeys
from haven.store.access import SCOPED
from haven.store.auth import now
from haven.store.crypto import CryptoError, open_json, seal_json
from haven.store.db import Database
from haven.store.models import CaseRecord, Job
from haven.store.repo import Actor, _visible

QUEUED, RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED = (
    "queued",
    "running",
    "done",
    "failed",
    "cancelled",
    "interrupted",
)
ACTIVE = (QUEUED, RUNNING)
# A running job's beat is renewed at every batch (seconds apart); one this old belongs to a
# process that died on another host (on this host, a dead pid is seen at once).
STALE = timedelta(minutes=10)
OWNER = f"{socket.gethostname()}:{os.getpid()}"


class Cancelled(Exception):
    """Raised inside a job when it was asked to stop: its transaction is rolled back."""


@dataclass(frozen=True)
class Progress:
    id: int
    kind: str
    state: str
    done: int
    total: int
    params: dict[str, Any]
    error: str | None


def caseload_version(s: Session, actor: Actor, *, whole_org: bool = False) -> str:
    """A fingerprint of the cases the actor may list (or the whole organisation's)."""
    scope = select(CaseRecord).where(CaseRecord.org_id == actor.org_id)
    visible = (scope if whole_org else _visible(actor)).subquery()
    row = s.execute(
        select(
            func.count(),
            func.coalesce(func.sum(visible.c.version), 0),
            func.max(visible.c.updated_at),
            func.max(visible.c.id),
        ).select_from(visible)
    ).one()
    return f"{row[0]}|{row[1]}|{row[2]}|{row[3]}"


def job_key(
    s: Session, actor: Actor, kind: str, params: dict[str, Any], *, whole_org: bool = False
) -> str:
    """What the result depends on, hashed (`params` holds the pack and draft versions)."""
    scope = f"user:{actor.user_id}" if actor.role in SCOPED and not whole_org else "org"
    parts = [kind, scope, caseload_version(s, actor, whole_org=whole_org)]
    text = json.dumps([parts, params], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _ad(job: Job) -> str:
    return f"haven/job/v1|{job.org_id}|{job.id}|{job.kind}|{job.key}"


def find(s: Session, actor: Actor, key: str) -> Job | None:
    """The newest job under `key` that is done or still active (a failed, cancelled or
    interrupted one is started again)."""
    job = s.scalars(
        select(Job)
        .where(Job.org_id == actor.org_id, Job.key == key, Job.state.in_((DONE, *ACTIVE)))
        .order_by(Job.id.desc())
        .limit(1)
    ).first()
    if job is not None and job.state in ACTIVE and now() - job.beat_at > STALE:
        # No progress for that long: its runner is gone (or stuck); report it, start anew.
        job.state, job.finished_at, job.result = INTERRUPTED, now(), None
        job.error = "no progress for too long"
        return None
    return job


def create(s: Session, actor: Actor, kind: str, key: str, params: dict[str, Any]) -> Job:
    t = now()
    job = Job(
        org_id=actor.org_id,
        user_id=actor.user_id,
        kind=kind,
        key=key,
        params=params,
        state=QUEUED,
        cancel=False,
        done=0,
        total=0,
        owner=OWNER,
        created_at=t,
        beat_at=t,
    )
    s.add(job)
    s.flush()
    return job


def get(s: Session, actor: Actor, job_id: int) -> Job:
    """A job of the actor's organisation that the actor started (others' jobs do not exist
    to them: a job's parameters and progress are the starter's)."""
    job = s.get(Job, job_id) if 1 <= job_id <= 2_147_483_647 else None
    if job is None or job.org_id != actor.org_id or job.user_id != actor.user_id:
        raise NotFound([Problem("job", f"no job {job_id}")])
    return job


def progress(job: Job) -> Progress:
    return Progress(job.id, job.kind, job.state, job.done, job.total, dict(job.params), job.error)


def beat(s: Session, job_id: int, done: int, total: int) -> None:
    """Record progress (the caller's short transaction) and stop if the job was asked to."""
    s.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=RUNNING, done=done, total=total, beat_at=now())
    )
    if s.scalar(select(Job.cancel).where(Job.id == job_id)):
        raise Cancelled()


def request_cancel(s: Session, actor: Actor, job_id: int) -> Job:
    job = get(s, actor, job_id)
    if job.state in ACTIVE:
        job.cancel = True
        if job.state == QUEUED:  # not started: nothing to stop
            job.state, job.finished_at = CANCELLED, now()
    return job


def finish(s: Session, job: Job, result: Any) -> None:
    """Seal and keep `result`, marking the job done (the caller commits both at once)."""
    slug = datakeys.org_slug(s, job.org_id)
    key = datakeys.ring(s).primary(slug, create=True)
    job.result = json.dumps(seal_json(key.key, key.kid, result, _ad(job)))
    job.state, job.finished_at, job.done = DONE, now(), job.total


def end(s: Session, job_id: int, state: str, error: str | None = None) -> None:
    """Mark a job cancelled, failed or interrupted; no result is kept."""
    s.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=state, error=error, result=None, finished_at=now())
    )


def end_in(db: Database, job_id: int, state: str, error: str | None = None) -> None:
    with db.session() as s:
        end(s, job_id, state, error)


def result(s: Session, job: Job) -> Any | None:
    """The kept result, opened; None if there is none or it cannot be opened (a key removed
    since: the work is done again)."""
    if job.state != DONE or job.result is None:
        return None
    try:
        envelope = json.loads(job.result)
        org_key = datakeys.ring(s).find(datakeys.org_slug(s, job.org_id), str(envelope["kid"]))
        return open_json(org_key.key, envelope, _ad(job), f"job {job.id}")
    except (CryptoError, KeyError, ValueError):
        return None


def _dead(owner: str, at: datetime, t: datetime) -> bool:
    host, _, pid = owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return True  # this process is starting: nothing of it runs yet
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return t - at > STALE


def mark_interrupted(s: Session) -> int:
    """At start-up: jobs left queued or running by a process that is gone are interrupted
    (their result was never written). Returns how many."""
    t = now()
    n = 0
    for job in s.scalars(select(Job).where(Job.state.in_(ACTIVE))):
        if _dead(job.owner, job.beat_at, t):
            job.state, job.finished_at, job.result = INTERRUPTED, t, None
            job.error = "the server stopped while this ran"
            n += 1
    return n
