"""The affected-case work queue: /api/v1/queues (haven/store/queue.py does the work).

A reviewer (over the organisation's cases), or an officer or advocate (over the cases they
hold), saves an impact run as a queue; items act on their case and are scoped like it;
researchers see counts only. Everything is audited.
"""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from haven.api import deps, errors, ops
from haven.api.bodies import REGISTRY, openapi_body, parse
from haven.api.routes_memo import Lang
from haven.doors import document_response
from haven.impact.period import check_period
from haven.policy.pack import Pack
from haven.policy.packset import PackSet
from haven.reports import letter as letters
from haven.reports.memo import MemoFormat, filename
from haven.store import queue as store
from haven.store.access import Action
from haven.store.db import Database
from haven.store.repo import Actor, require
from haven.validation import NOT_BLANK

router = APIRouter(
    prefix="/api/v1/queues", tags=["queues"], responses=errors.responses(401, 403, 404, 422)
)
DB = Annotated[Database, Depends(deps.db)]
ACTOR = Annotated[Actor, Depends(deps.actor)]
PACK = Annotated[Pack, Depends(deps.pack)]
# Row ids: a number beyond the database's integer range is simply not found (422, not a 500).
Id = Annotated[int, PathParam(ge=1, le=2_147_483_647)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NewQueueRequest(_Body):
    from_: date = Field(alias="from")
    to: date
    name: str | None = Field(None, min_length=1, max_length=200, pattern=NOT_BLANK)
    to_pack: str | None = Field(
        None,
        max_length=200,
        description="The pack of the `to` side (default: the request's pack): with `from` equal "
        "to `to`, the refused cases whose outcome would be better under that pack",
    )

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class AssignRequest(_Body):
    username: str = Field(min_length=1, max_length=64)


class CommentRequest(_Body):
    text: str = Field(min_length=1, max_length=4000, pattern=NOT_BLANK)


class CloseRequest(_Body):
    resolution: str = Field(min_length=1, max_length=1000, pattern=NOT_BLANK)


for _m in (NewQueueRequest, AssignRequest, CommentRequest, CloseRequest):
    REGISTRY[_m.__name__] = _m


@router.post(
    "",
    status_code=201,
    openapi_extra=openapi_body(NewQueueRequest),
    responses={200: {"description": "The same queue was made already: that queue (`existed`)"}},
)
def create_queue(
    raw: deps.RawBody,
    db: DB,
    actor: ACTOR,
    pack: PACK,
    packs: Annotated[PackSet, Depends(deps.packs)],
    response: Response,
) -> dict[str, Any]:
    """Re-assess the organisation's cases on both dates (or under `?pack=` and `to_pack`) and
    save, as open work items, the refused cases whose outcome improved (reviewer; officers and
    advocates: their own cases). The same queue (pack and version, dates, name, the cases the
    caller may read, unchanged since) is not made twice: 200 with that queue and `existed`
    true, instead of 201."""
    require(actor, Action.QUEUE_CREATE)  # the role first, then the body
    req = parse(NewQueueRequest, raw)
    after_pack = packs.get(req.to_pack, "to_pack") if req.to_pack else None
    check_period(req.from_, req.to, pack, after_pack)
    with db.session() as s:
        saved = store.save_queue(s, actor, req.from_, req.to, pack, after_pack, name=req.name)
        out = store.viewed_json(s, actor, saved.queue, saved.items, saved.open)
        out["existed"] = saved.existed
        # Cases left out because they no longer validate, and why: to be corrected.
        out["skipped"] = saved.skipped
        # Between packs: cases whose nationality one pack does not address (added fields).
        out |= store.not_addressed_json(saved.not_addressed)
    if saved.existed:
        response.status_code = 200
    else:
        ops.JOBS.labels("queue.create", "skipped_cases" if saved.skipped else "ok").inc()
    return out


@router.get("")
def list_queues(db: DB, actor: ACTOR) -> list[dict[str, Any]]:
    with db.session() as s:
        return [store.viewed_json(s, actor, *row) for row in store.list_queues(s, actor)]


@router.get("/{queue_id}")
def read_queue(queue_id: Id, db: DB, actor: ACTOR) -> dict[str, Any]:
    """The queue with the items the caller may see (urgent first). An officer or advocate
    sees a queue they made or that holds a case they hold (404 for any other), and no count
    about cases they do not hold (`cases_assessed` null in a queue someone else made).
    `decided_after_change`: the refused cases (of those the caller may see) whose outcome
    improved but whose refusal was decided on or after `to`, left out with the reason."""
    with db.session() as s:
        q, views = store.read_queue(s, actor, queue_id)
        open_items = sum(v.row.state == store.OPEN for v in views)
        shown = store.viewed_json(s, actor, q, len(views), open_items)
        return {**shown, "work_items": [store.item_json(v) for v in views]}


@router.get("/{queue_id}/counts", tags=["research"])
def queue_counts(queue_id: Id, db: DB, actor: ACTOR) -> dict[str, Any]:
    """Counts by status, next step and state; cells under 5 are suppressed."""
    with db.session() as s:
        return store.counts(s, actor, queue_id)


@router.get("/{queue_id}/items/{item_id}")
def read_item(queue_id: Id, item_id: Id, db: DB, actor: ACTOR) -> dict[str, Any]:
    with db.session() as s:
        return store.item_json(store.read_item(s, actor, queue_id, item_id))


@router.post(
    "/{queue_id}/items/{item_id}/assign",
    openapi_extra=openapi_body(AssignRequest),
    responses=errors.responses(409),
)
def assign(queue_id: Id, item_id: Id, raw: deps.RawBody, db: DB, actor: ACTOR) -> dict[str, Any]:
    require(actor, Action.QUEUE_WORK)
    req = parse(AssignRequest, raw)
    with db.session() as s:
        return store.item_json(store.assign(s, actor, queue_id, item_id, req.username))


@router.post(
    "/{queue_id}/items/{item_id}/comments",
    status_code=201,
    openapi_extra=openapi_body(CommentRequest),
    responses=errors.responses(409),
)
def comment(queue_id: Id, item_id: Id, raw: deps.RawBody, db: DB, actor: ACTOR) -> dict[str, Any]:
    require(actor, Action.QUEUE_WORK)
    req = parse(CommentRequest, raw)
    with db.session() as s:
        return store.item_json(store.comment(s, actor, queue_id, item_id, req.text))


@router.post(
    "/{queue_id}/items/{item_id}/close",
    openapi_extra=openapi_body(CloseRequest),
    responses=errors.responses(409),
)
def close(queue_id: Id, item_id: Id, raw: deps.RawBody, db: DB, actor: ACTOR) -> dict[str, Any]:
    require(actor, Action.QUEUE_WORK)
    req = parse(CloseRequest, raw)
    with db.session() as s:
        return store.item_json(store.close(s, actor, queue_id, item_id, req.resolution))


_LETTER = {
    200: {
        "description": "The draft letter (PDF by default)",
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }
}


@router.get(
    "/{queue_id}/items/{item_id}/letter",
    response_class=Response,
    responses=_LETTER,  # type: ignore[arg-type]
)
def letter(
    queue_id: Id,
    item_id: Id,
    db: DB,
    actor: ACTOR,
    pack: PACK,
    lang: Lang = Lang.EN,
    format: MemoFormat = MemoFormat.PDF,
) -> Response:
    """A draft request for ex officio review, or brief for a subsequent application, citing
    the changed policy and findings. A draft to check, complete and sign."""
    with db.session() as s:
        detail = {"lang": lang.value, "format": format.value}
        item, case, q = store.letter_inputs(s, actor, queue_id, item_id, **detail)
        window = letters.Window(q.from_date, q.to_date, q.pack_version_after)
    data = letters.render(item, case, window, pack, lang.value, datetime.now(UTC), format)
    name = filename(item.case_id, q.to_date, lang.value, format).replace("memo-", "letter-", 1)
    return document_response(data, format, name)
