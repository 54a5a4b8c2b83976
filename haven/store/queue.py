"""Work queues in the store: a saved impact run over an organisation's cases, as work items
that can be assigned, commented on and closed. Access follows haven/store/access.py (items act
on their case and are scoped like it); every operation is audited, every denial too (by the
caller's error boundary, as for cases). Comments and resolutions are free text about the case:
they are sealed with the case's data key (haven/store/queuetext.py) and opened only here.
"""

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haven.assess.engine import vocabulary_problems
from haven.cases import Case
from haven.errors import Conflict, Forbidden, InputError, NotFound, Problem
from haven.impact import Impact, compare
from haven.impact.stream import BATCH_SIZE
from haven.policy.pack import Pack
from haven.queue import Item, decided_after_change, select_items
from haven.queue.affected import left_out_message
from haven.store import jobs, queuetext, repo
from haven.store.access import SCOPED, Action, allowed
from haven.store.auth import now
from haven.store.columnar_caseload import StoredImpactStream
from haven.store.db import insert_or_skip
from haven.store.models import CaseRecord, User, WorkItem, WorkItemComment, WorkQueue
from haven.store.repo import MIN_CELL, Actor, audit, require
from haven.validation import problems

OPEN, CLOSED = "open", "closed"
# A refused case whose outcome improved but whose refusal was decided on or after the later
# date (haven/queue/affected.py): kept with the queue to be counted and named, never worked
# on (no item, no letter).
DECIDED_AFTER = "decided_after"


@dataclass(frozen=True)
class Note:
    """A comment as shown: its author's name and its text, opened."""

    by: str | None
    row: WorkItemComment
    text: str


@dataclass(frozen=True)
class ItemView:
    """A work item with what the caller needs to show it (names, not user ids; texts opened)."""

    row: WorkItem
    item: Item
    assigned_to: str | None
    resolution: str | None
    comments: list[Note]


def _impact_case_by_case(
    s: Session,
    actor: Actor,
    before: date,
    after: date,
    pack: Pack,
    after_pack: Pack | None,
) -> tuple[Impact, list[Problem]]:
    """The impact over the caller's visible cases read one by one, leaving out (and naming)
    those that no longer validate against either pack."""
    new_pack = after_pack or pack
    valid: list[Case] = []
    left_out: list[Problem] = []
    for rec in s.scalars(repo._visible(actor).order_by(CaseRecord.ref)):
        try:
            case = Case.model_validate_json(json.dumps(repo.current(s, rec).data))
        except ValidationError as err:
            left_out += [Problem(f"case {rec.ref!r}: {p.where}", p.message) for p in problems(err)]
            continue
        wrong = vocabulary_problems(case, pack) + (
            vocabulary_problems(case, new_pack) if new_pack is not pack else []
        )
        if wrong:
            left_out += [Problem(f"case {rec.ref!r}: {p.where}", p.message) for p in wrong]
            continue
        valid.append(case)
    return compare(valid, before, after, pack, after_pack), left_out


def create_queue(
    s: Session,
    actor: Actor,
    before: date,
    after: date,
    pack: Pack,
    after_pack: Pack | None = None,
    name: str | None = None,
    skipped: list[Problem] | None = None,
    impact: Impact | None = None,
    not_addressed: list[str] | None = None,
    key: str | None = None,
) -> tuple[WorkQueue, list[WorkItem], bool]:
    """Re-assess every current case the caller may read on both dates (or packs) and save the
    refused cases whose outcome improved as open work items. A stored case that no longer
    validates (e.g. a tag the pack no longer knows) is left out and named in `skipped`: one
    such case must not block the queue. `impact`: that re-assessment, made beforehand by
    `queue_impact` (a web job reads in a session of its own). `not_addressed` (between packs):
    extended with the ids of the cases whose nationality one of the packs does not address,
    reported with the queue, not stored (they are no work item: nothing changed for them
    that one pack says). `key` (`queue_key`): the queue is kept under it; if another writer
    stored a queue under it first, that queue, its items and True (`existed`) are returned
    and nothing is made."""
    require(actor, Action.QUEUE_CREATE)
    new_pack = after_pack or pack
    left_out: list[Problem] = []
    if impact is None:
        try:
            impact = queue_impact(s, actor, before, after, pack, after_pack)
        except InputError:
            # Some stored case no longer validates: case by case, leaving those out by name.
            impact, left_out = _impact_case_by_case(s, actor, before, after, pack, after_pack)
    if skipped is not None:
        skipped.extend(left_out)
    if not_addressed is not None:
        not_addressed.extend(impact.not_addressed_cases)
    chosen = select_items(impact)
    items = chosen.items + chosen.decided_after
    # Only the cases that become items (or are left out as decided after) are looked up.
    cases = {
        rec.ref: rec
        for i in range(0, len(items), 500)
        for rec in s.scalars(
            select(CaseRecord).where(
                CaseRecord.org_id == actor.org_id,
                CaseRecord.ref.in_([item.case_id for item in items[i : i + 500]]),
            )
        )
    }
    late = {item.case_id for item in chosen.decided_after}
    queue = _insert_queue(
        s,
        key,
        org_id=actor.org_id,
        name=name or f"{pack.meta.id} {before.isoformat()} → {after.isoformat()}",
        from_date=before,
        to_date=after,
        pack=pack.meta.id,
        pack_version_before=pack.version,
        pack_version_after=new_pack.version,
        cases=impact.cases,
        created_at=now(),
        created_by=actor.user_id,
    )
    if queue is None:
        # Made meanwhile by another request or process under the same key: that one.
        assert key is not None
        found = s.scalar(
            select(WorkQueue).where(WorkQueue.org_id == actor.org_id, WorkQueue.key == key)
        )
        assert found is not None, "a key that clashed names a queue"
        audit(s, actor, "queue.kept_view", queue=found.id)
        return found, _items(s, found), True
    rows = []
    for item in items:
        rec = cases.get(item.case_id)
        if rec is None:  # deleted since a job re-assessed it
            continue
        rows.append(
            WorkItem(
                queue_id=queue.id,
                case_id=rec.id,
                case_ref=rec.ref,
                case_version=rec.version,
                case_status=item.status.value,
                next_step=item.next_step.value,
                urgent=item.urgent,
                detail=item.model_dump(mode="json"),
                state=DECIDED_AFTER if item.case_id in late else OPEN,
            )
        )
    s.add_all(rows)
    s.flush()
    rows, left = [r for r in rows if r.state == OPEN], [r for r in rows if r.state != OPEN]
    audit(
        s,
        actor,
        "queue.create",
        queue=queue.id,
        from_date=before.isoformat(),
        to_date=after.isoformat(),
        pack_version_before=pack.version,
        pack_version_after=new_pack.version,
        cases=impact.cases,
        items=[r.case_ref for r in rows],
        decided_after=[r.case_ref for r in left],
        skipped=sorted({p.where.split(":")[0] for p in left_out}),
    )
    return queue, rows, False


def _insert_queue(s: Session, key: str | None, **values: Any) -> WorkQueue | None:
    """The queue row, or None if a queue is kept under `key` already. The insert skips a
    clash at the unique index instead of failing on it: on PostgreSQL it waits for a writer
    that holds the key uncommitted and skips if that one commits; SQLite has one writer at a
    time, so the second finds the first's row."""
    if key is None:
        queue = WorkQueue(**values)
        s.add(queue)
        s.flush()
        return queue
    ins = insert_or_skip(s, WorkQueue).values(**values, key=key)
    made = s.execute(
        ins.on_conflict_do_nothing(index_elements=["org_id", "key"]).returning(WorkQueue.id)
    ).scalar()
    return None if made is None else s.get(WorkQueue, made)


@dataclass(frozen=True)
class Saved:
    """A queue asked for (`save_queue`): made now, or made already over the same caseload."""

    queue: WorkQueue
    items: int
    open: int
    existed: bool
    skipped: list[dict[str, str]]
    not_addressed: list[str]


def queue_key(
    s: Session,
    actor: Actor,
    before: date,
    after: date,
    pack: Pack,
    after_pack: Pack | None = None,
    name: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """The key a queue is kept under (haven/store/jobs.py: the pack and its version, the dates,
    who may see the cases and the caseload version) and its parameters: the same as a queue
    made by a web job (haven/web/jobs.py), so neither path makes a queue the other made."""
    params: dict[str, Any] = {
        "from": before.isoformat(),
        "to": after.isoformat(),
        "pack": [pack.meta.id, pack.version],
        "name": name,
    }
    if after_pack is not None:
        params["to_pack"] = [after_pack.meta.id, after_pack.version]
    return jobs.job_key(s, actor, "queue", params), params


def made_queue(s: Session, actor: Actor, key: str) -> tuple[WorkQueue, dict[str, Any]] | None:
    """The queue made under `key` (by a web job or `save_queue`) and what was kept with it
    (the cases left out, in the job that made it)."""
    q = s.scalar(select(WorkQueue).where(WorkQueue.org_id == actor.org_id, WorkQueue.key == key))
    if q is None:
        return None
    job = jobs.find(s, actor, key)
    kept = jobs.result(s, job) if job is not None and job.params.get("queue") == q.id else None
    return q, kept if isinstance(kept, dict) else {}


def save_queue(
    s: Session,
    actor: Actor,
    before: date,
    after: date,
    pack: Pack,
    after_pack: Pack | None = None,
    name: str | None = None,
) -> Saved:
    """`create_queue`, unless the same queue (same pack and version, dates, name, scope and
    caseload version) was made already: then that one, `existed`, and nothing is made. A new
    queue is kept under its key in a job row marked done, as a web job keeps its queue."""
    require(actor, Action.QUEUE_CREATE)
    key, params = queue_key(s, actor, before, after, pack, after_pack, name)
    found = made_queue(s, actor, key)
    if found is not None:
        audit(s, actor, "queue.kept_view", queue=found[0].id)
        return _kept(s, *found)
    left_out: list[Problem] = []
    silent: list[str] = []
    q, made, existed = create_queue(
        s,
        actor,
        before,
        after,
        pack,
        after_pack,
        name=name,
        skipped=left_out,
        not_addressed=silent,
        key=key,
    )
    if existed:  # made by another request while this one re-assessed
        kept = made_queue(s, actor, key)
        return _kept(s, q, kept[1] if kept else {})
    skipped = [{"case": p.where, "message": p.message} for p in left_out]
    job = jobs.create(s, actor, "queue", key, {**params, "queue": q.id})
    job.total = q.cases
    jobs.finish(s, job, {"queue": q.id, "skipped": skipped, "not_addressed_cases": silent})
    return Saved(q, len(made), len(made), False, skipped, silent)


def _kept(s: Session, q: WorkQueue, kept: dict[str, Any]) -> Saved:
    rows = _items(s, q)
    return Saved(
        q,
        len(rows),
        sum(r.state == OPEN for r in rows),
        True,
        list(kept.get("skipped", [])),
        list(kept.get("not_addressed_cases", [])),
    )


def queue_impact(
    s: Session,
    actor: Actor,
    before: date,
    after: date,
    pack: Pack,
    after_pack: Pack | None = None,
    on_batch: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Impact:
    """The cases the caller may read (the organisation's for a reviewer; for an officer or an
    advocate those created by, assigned or shared with them), decrypted in bulk and evaluated
    by the columnar engine (haven/store/columnar_caseload.py). `on_batch`: see
    StoredImpactStream."""
    require(actor, Action.QUEUE_CREATE)
    return StoredImpactStream(
        s, actor, before, after, pack, after_pack, batch_size, on_batch=on_batch
    ).collect()


# Ids are 32-bit integers in every backend; a larger number names no row (and must not reach
# the driver, which would fail on it).
MAX_ID = 2_147_483_647


def _queue(s: Session, actor: Actor, queue_id: int) -> WorkQueue:
    q = s.get(WorkQueue, queue_id) if 1 <= queue_id <= MAX_ID else None
    if q is None or q.org_id != actor.org_id:  # other organisations' queues do not exist
        raise NotFound([Problem("queue", f"no queue {queue_id}")])
    return q


def _own_queue(s: Session, actor: Actor, queue_id: int) -> tuple[WorkQueue, list[WorkItem]]:
    """The queue as the actor may see it, with its items the actor may see. A scoped role
    (officer, advocate) sees a queue it made or one holding a case it holds (an item, or a
    case left out as decided after the change); any other queue does not exist for it, as
    another organisation's does not: nothing is told about cases it does not hold."""
    q = _queue(s, actor, queue_id)
    rows = [r for r in _items(s, q) if _may(s, actor, Action.QUEUE_READ, r.case_id)]
    if not rows and not _shows(s, actor, q):
        raise NotFound([Problem("queue", f"no queue {queue_id}")])
    return q, rows


def _shows(s: Session, actor: Actor, q: WorkQueue) -> bool:
    """Whether the queue is shown to the actor though none of its items is."""
    if actor.role not in SCOPED or q.created_by == actor.user_id:
        return True
    return bool(_decided_after(s, actor, q))


def _decided_after(s: Session, actor: Actor, q: WorkQueue) -> list[WorkItem]:
    """The queue's refused cases left out as decided after the change, that the actor may
    read (`create_queue`), by case reference."""
    rows = s.scalars(
        select(WorkItem)
        .where(WorkItem.queue_id == q.id, WorkItem.state == DECIDED_AFTER)
        .order_by(WorkItem.case_ref)
    )
    return [r for r in rows if _may(s, actor, Action.QUEUE_READ, r.case_id)]


@dataclass(frozen=True)
class Scope:
    """What the actor is told about a queue beyond its items: how many cases it re-assessed
    (None for a scoped role's view of a queue someone else made: that count is about cases
    it does not hold), and the cases it holds that were left out as decided after the change."""

    cases: int | None
    decided_after: list[str]


def queue_scope(s: Session, actor: Actor, q: WorkQueue) -> Scope:
    mine = actor.role not in SCOPED or q.created_by == actor.user_id
    return Scope(q.cases if mine else None, [r.case_ref for r in _decided_after(s, actor, q)])


def scope_json(q: WorkQueue, scope: Scope) -> dict[str, Any]:
    """Added to `queue_json`: `cases_assessed` as the caller may see it, and the cases left
    out because they were decided after the change, with the reason in words."""
    return {
        "cases_assessed": scope.cases,
        "decided_after_change": {
            "count": len(scope.decided_after),
            "cases": scope.decided_after,
            "message": left_out_message(q.from_date, q.to_date),
        },
    }


def _may(s: Session, actor: Actor, action: Action, case_id: int) -> bool:
    case = s.get(CaseRecord, case_id)
    assert case is not None, "a work item's case is never deleted"
    # repo._related: created by, assigned or shared with the actor (the case rule).
    return allowed(actor.role, action, related=repo._related(s, actor, case))


def list_queues(s: Session, actor: Actor) -> list[tuple[WorkQueue, int, int]]:
    """Queues with (visible items, of which open); scoped roles see only the queues they made
    or that hold cases they hold (`_own_queue`)."""
    require(actor, Action.QUEUE_READ)
    out = []
    queues = s.scalars(
        select(WorkQueue).where(WorkQueue.org_id == actor.org_id).order_by(WorkQueue.id)
    )
    for q in queues:
        rows = [r for r in _items(s, q) if _may(s, actor, Action.QUEUE_READ, r.case_id)]
        if rows or _shows(s, actor, q):
            out.append((q, len(rows), sum(r.state == OPEN for r in rows)))
    audit(s, actor, "queue.list", returned=len(out))
    return out


def _items(s: Session, q: WorkQueue) -> list[WorkItem]:
    """The work items (open or closed; not the cases left out as decided after)."""
    return list(
        s.scalars(
            select(WorkItem)
            .where(WorkItem.queue_id == q.id, WorkItem.state != DECIDED_AFTER)
            .order_by(WorkItem.urgent.desc(), WorkItem.case_ref)
        )
    )


def read_queue(s: Session, actor: Actor, queue_id: int) -> tuple[WorkQueue, list[ItemView]]:
    require(actor, Action.QUEUE_READ)
    q, rows = _own_queue(s, actor, queue_id)
    audit(s, actor, "queue.read", queue=q.id, returned=len(rows))
    return q, [_view(s, r) for r in rows]


def load_item(
    s: Session, actor: Actor, queue_id: int, item_id: int, action: Action = Action.QUEUE_READ
) -> WorkItem:
    """The item, if the actor may do `action` on it: 403 for the role or an unrelated case."""
    require(actor, action)
    q, _ = _own_queue(s, actor, queue_id)
    row = s.get(WorkItem, item_id) if 1 <= item_id <= MAX_ID else None
    if row is None or row.queue_id != q.id or row.state == DECIDED_AFTER:
        raise NotFound([Problem("item", f"no item {item_id} in queue {queue_id}")])
    if not _may(s, actor, action, row.case_id):
        raise Forbidden(f"case {row.case_ref!r} is not assigned or shared with {actor.username}")
    return row


def read_item(s: Session, actor: Actor, queue_id: int, item_id: int) -> ItemView:
    row = load_item(s, actor, queue_id, item_id)
    audit(s, actor, "queue.item", case_ref=row.case_ref, queue=queue_id, item=item_id)
    return _view(s, row)


def _view(s: Session, row: WorkItem) -> ItemView:
    comments = list(
        s.scalars(
            select(WorkItemComment)
            .where(WorkItemComment.item_id == row.id)
            .order_by(WorkItemComment.id)
        )
    )
    ids = {row.assigned_to, *(c.user_id for c in comments)} - {None}
    names = {u.id: u.username for u in s.scalars(select(User).where(User.id.in_(ids)))}
    return ItemView(
        row=row,
        item=Item.model_validate(row.detail),
        assigned_to=names.get(row.assigned_to) if row.assigned_to else None,
        resolution=queuetext.open_resolution(s, row),
        comments=[
            Note(names.get(c.user_id) if c.user_id else None, c, queuetext.open_comment(s, row, c))
            for c in comments
        ],
    )


def _open_item(s: Session, actor: Actor, queue_id: int, item_id: int, refused: str) -> WorkItem:
    """The item to work on, if it is still open: a closed item takes no more comments and is
    no longer given out (409, nothing stored or logged). `refused`: what it no longer takes."""
    row = load_item(s, actor, queue_id, item_id, Action.QUEUE_WORK)
    if row.state == CLOSED:
        raise Conflict([Problem("item", f"item {item_id} is closed: {refused}")])
    return row


def assign(s: Session, actor: Actor, queue_id: int, item_id: int, username: str) -> ItemView:
    """Assign to a user of the organisation who may work on the item's case (never widens
    anyone's view: assigning does not share the case). Not a closed item."""
    row = _open_item(s, actor, queue_id, item_id, "it can no longer be assigned")
    user = s.scalar(
        select(User).where(
            User.username == username, User.org_id == actor.org_id, User.active.is_(True)
        )
    )
    if user is None:
        raise InputError([Problem("username", f"no active user {username!r} here")])
    case = s.get(CaseRecord, row.case_id)
    assert case is not None
    assignee = Actor.of(user)
    if not allowed(assignee.role, Action.QUEUE_WORK, related=repo._related(s, assignee, case)):
        raise InputError(
            [Problem("username", f"{username!r} may not work on case {row.case_ref!r}")]
        )
    row.assigned_to = user.id
    audit(s, actor, "queue.assign", case_ref=row.case_ref, item=row.id, to=username)
    s.flush()
    return _view(s, row)


def assignees(s: Session, actor: Actor, queue_id: int, item_id: int) -> list[str]:
    """Whom the item can be assigned to: the organisation's active users who may work on its
    case (the reviewers, and the officers and advocates who hold it), by username. For the
    page's choice; `assign` checks the same again."""
    row = load_item(s, actor, queue_id, item_id, Action.QUEUE_WORK)
    case = s.get(CaseRecord, row.case_id)
    assert case is not None
    users = s.scalars(
        select(User)
        .where(User.org_id == actor.org_id, User.active.is_(True))
        .order_by(User.username)
    )
    return [
        u.username
        for u in users
        if allowed(Actor.of(u).role, Action.QUEUE_WORK, related=repo._related(s, Actor.of(u), case))
    ]


def comment(s: Session, actor: Actor, queue_id: int, item_id: int, text: str) -> ItemView:
    """A note on an open item (a closed one takes no more)."""
    row = _open_item(s, actor, queue_id, item_id, "it takes no more comments")
    # Sealed after the insert: the associated data names the comment's id. The placeholder
    # is never committed.
    note = WorkItemComment(
        item_id=row.id, case_id=row.case_id, user_id=actor.user_id, at=now(), text=""
    )
    s.add(note)
    s.flush()
    queuetext.seal_comment(s, row, note, text)
    # The comment's text is case content: the log says that and where, not what.
    audit(s, actor, "queue.comment", case_ref=row.case_ref, item=row.id, comment=note.id)
    return _view(s, row)


def close(s: Session, actor: Actor, queue_id: int, item_id: int, resolution: str) -> ItemView:
    row = load_item(s, actor, queue_id, item_id, Action.QUEUE_WORK)
    if row.state == CLOSED:
        raise Conflict([Problem("item", f"item {item_id} is already closed")])
    row.state, row.closed_at, row.closed_by = CLOSED, now(), actor.user_id
    queuetext.seal_resolution(s, row, resolution)
    audit(s, actor, "queue.close", case_ref=row.case_ref, item=row.id)
    s.flush()
    return _view(s, row)


def counts(s: Session, actor: Actor, queue_id: int) -> dict[str, Any]:
    """Counts only (for researchers): by status, next step and state; small cells suppressed."""
    require(actor, Action.QUEUE_COUNTS)
    q = _queue(s, actor, queue_id)
    rows = _items(s, q)
    late = s.scalar(
        select(func.count())
        .select_from(WorkItem)
        .where(WorkItem.queue_id == q.id, WorkItem.state == DECIDED_AFTER)
    )
    audit(s, actor, "queue.counts", queue=q.id)

    def table(values: list[str]) -> dict[str, int | str]:
        c = Counter(values)
        return {k: (v if v >= MIN_CELL else f"<{MIN_CELL}") for k, v in sorted(c.items())}

    def cell(n: int) -> int | str:
        return n if n >= MIN_CELL else f"<{MIN_CELL}"

    total = len(rows)
    return {
        "queue": q.id,
        "from": q.from_date.isoformat(),
        "to": q.to_date.isoformat(),
        "cases_assessed": q.cases if q.cases >= MIN_CELL else f"<{MIN_CELL}",
        "items": total if total >= MIN_CELL else f"<{MIN_CELL}",
        "by_status": table([r.case_status for r in rows]),
        "by_next_step": table([r.next_step for r in rows]),
        "by_state": table([r.state for r in rows]),
        # Refused cases whose outcome improved, left out: decided after the change (an added
        # field).
        "decided_after_change": cell(int(late or 0)),
        "suppressed_below": MIN_CELL,
    }


def case_of(s: Session, actor: Actor, row: WorkItem) -> Case:
    """The item's case as stored now (for its letter); the read is audited as `case.read`."""
    _, version = repo.read_case(s, actor, row.case_ref)
    return Case.model_validate_json(json.dumps(version.data))


# -- as JSON (the API's and the CLI's shape) ---------------------------------------------------


def queue_json(q: WorkQueue, items: int, open_items: int) -> dict[str, Any]:
    return {
        "id": q.id,
        "name": q.name,
        "from": q.from_date.isoformat(),
        "to": q.to_date.isoformat(),
        "policy": {
            "pack": q.pack,
            "version_before": q.pack_version_before,
            "version_after": q.pack_version_after,
        },
        "cases_assessed": q.cases,
        "items": items,
        "open": open_items,
        "created_at": q.created_at.isoformat() + "Z",
    }


def viewed_json(
    s: Session, actor: Actor, q: WorkQueue, items: int, open_items: int
) -> dict[str, Any]:
    """`queue_json` as the actor may see it (`scope_json`): the API's and the CLI's shape."""
    return queue_json(q, items, open_items) | scope_json(q, queue_scope(s, actor, q))


def not_addressed_json(case_ids: list[str]) -> dict[str, Any]:
    """The cases of a queue between packs whose nationality one pack does not address (the
    impact's `not_addressed` and `not_addressed_cases`; 0 and [] for one pack)."""
    return {"not_addressed": len(case_ids), "not_addressed_cases": list(case_ids)}


def item_json(v: ItemView) -> dict[str, Any]:
    r = v.row
    return {
        "id": r.id,
        "queue": r.queue_id,
        "case": r.case_ref,
        "case_version": r.case_version,
        **v.item.model_dump(mode="json", exclude={"case_id"}),
        "state": r.state,
        "assigned_to": v.assigned_to,
        "closed_at": r.closed_at.isoformat() + "Z" if r.closed_at else None,
        "resolution": v.resolution,
        "comments": [
            {"by": n.by, "at": n.row.at.isoformat() + "Z", "text": n.text} for n in v.comments
        ],
    }


def letter_inputs(
    s: Session, actor: Actor, queue_id: int, item_id: int, **detail: str
) -> tuple[Item, Case, WorkQueue]:
    """What a draft letter needs: the item, its case as stored now, and the queue's window.
    Reading the case is audited (`case.read`), and so is the letter (`queue.letter`)."""
    row = load_item(s, actor, queue_id, item_id)
    case = case_of(s, actor, row)
    q = s.get(WorkQueue, row.queue_id)
    assert q is not None
    p = case.procedure
    if decided_after_change(p.lodged, p.decided, q.from_date, q.to_date):
        # The case as stored now was decided after the change (a queue made before this rule,
        # or a decision recorded since): a letter citing the change would misstate it.
        when = f"decided on {p.decided}" if p.decided else f"lodged on {p.lodged}"
        when += ", after" if q.from_date == q.to_date else ", on or after"
        raise Conflict(
            [
                Problem(
                    "item",
                    f"case {row.case_ref!r} was {when} {q.to_date}: that decision "
                    "was made under the later policy, so the change did not affect it; "
                    "no letter is made",
                )
            ]
        )
    audit(s, actor, "queue.letter", case_ref=row.case_ref, item=row.id, **detail)
    return Item.model_validate(row.detail), case, q
