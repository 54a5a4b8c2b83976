"""Work queues as pages: the lawyer's "my clients affected by a policy change". The queues the
user may see, each item with what changed (entry, source, date), the next step and urgency;
comment, close, and the draft letter (HTML preview, PDF download, Dutch or English) from the
page, with the session (no API token). haven/store/queue.py does the work and the auditing."""

from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haven.doors import document_response
from haven.errors import Conflict, InputError, NotFound, Problem
from haven.i18n import LANGUAGES
from haven.policy.pack import Pack
from haven.reports import letter as letters
from haven.reports.memo import MemoFormat, filename
from haven.store import queue as store
from haven.store.access import ALLOWED, Action
from haven.store.models import WorkQueue
from haven.store.repo import require
from haven.web.forms import checked_form, covered, text
from haven.web.jobs import JobRunner
from haven.web.render import language, render
from haven.web.session import WebUser, database, web_user

router = APIRouter(include_in_schema=False)
User = Annotated[WebUser, Depends(web_user)]
DEFAULT_FROM, DEFAULT_TO = date(2015, 6, 1), date(2015, 10, 1)
MAX_COMMENT, MAX_RESOLUTION = 4000, 1000


def _pack(request: Request) -> Pack:
    pack: Pack = request.app.state.pack
    return pack


def _id(raw: str, what: str) -> int:
    """A row id from the path: anything else is simply not found (never a 500)."""
    if not raw.isdigit() or not 1 <= int(raw) <= store.MAX_ID:
        raise NotFound([Problem(what, f"no {what} {raw[:20]!r}")])
    return int(raw)


def _day(raw: str, field: str, default: date, problems: list[Problem]) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(Problem(field, "date"))
        return default


@router.get("/queues")
def queues_page(request: Request, user: User) -> HTMLResponse:
    return _queues_response(request, user)


def _queues_response(
    request: Request,
    user: WebUser,
    problems: list[Problem] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with database(request).session() as s:
        listed = store.list_queues(s, user.actor)
        # Each queue with the items the user may see (the lawyer: their clients only) and what
        # else the user may be told about it.
        queues = [
            (q, store.read_queue(s, user.actor, q.id)[1], store.queue_scope(s, user.actor, q))
            for q, _, _ in listed
        ]
    return render(
        request,
        "queues.html",
        status_code=status_code,
        queues=queues,
        may_create=Action.QUEUE_CREATE in ALLOWED[user.actor.role],
        problems=problems or [],
        values=values or {"from": DEFAULT_FROM.isoformat(), "to": DEFAULT_TO.isoformat()},
    )


@router.post("/queues")
async def create_queue(request: Request, user: User) -> Response:
    require(user.actor, Action.QUEUE_CREATE)
    form = await checked_form(request)
    values = {k: text(form, k) for k in ("from", "to", "name")}
    problems: list[Problem] = []
    before = _day(values["from"], "from", DEFAULT_FROM, problems)
    after = _day(values["to"], "to", DEFAULT_TO, problems)
    if not values["from"]:
        problems.append(Problem("from", "required"))
    if not values["to"]:
        problems.append(Problem("to", "required"))
    if len(values["name"]) > 200:
        problems.append(Problem("name", "too_long"))
    # Before the pack's coverage: next to its field, as an impossible date is.
    for field, day in (("from", before), ("to", after)):
        if values[field] and not any(p.where == field for p in problems):
            problems += filter(None, [covered(_pack(request), day, field)])
    if not problems and after <= before:
        problems.append(Problem("to", "after_from"))
    if problems:
        return _queues_response(request, user, problems, values, status_code=422)
    runner: JobRunner = request.app.state.jobs
    if runner.visible_cases(user.actor) > runner.inline_max:
        # A large caseload: a background job with a progress page (no request blocks).
        job, made = runner.queue_job(
            user.actor, _pack(request), before, after, values["name"] or None
        )
        if made is not None:
            return _made(made, existed=True)
        # Post/Redirect/Get: the job's own page, so Back and reload do not post again.
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)
    with database(request).session() as s:
        saved = store.save_queue(
            s, user.actor, before, after, _pack(request), name=values["name"] or None
        )
        qid = saved.queue.id
    # The same queue over the same caseload is not made twice: the one made already, said so.
    return _made(qid, existed=saved.existed)


def _made(queue_id: int, *, existed: bool) -> RedirectResponse:
    return RedirectResponse(
        f"/queues/{queue_id}" + ("?existed=1" if existed else ""), status_code=303
    )


@router.get("/queues/{queue_id}")
def queue_page(request: Request, queue_id: str, user: User) -> HTMLResponse:
    with database(request).session() as s:
        q, views = store.read_queue(s, user.actor, _id(queue_id, "queue"))
        scope = store.queue_scope(s, user.actor, q)
    existed = request.query_params.get("existed") == "1"
    return render(request, "queue.html", q=q, views=views, scope=scope, existed=existed)


def _changed(pack: Pack, rules: list[str]) -> list[dict[str, Any]]:
    """Each pack entry that applies on one date only: what it is, since when, and its sources."""
    out = []
    for rid in rules:
        entry = pack.entries.get(rid)
        out.append(
            {
                "id": rid,
                "label": entry.label if entry else rid,
                "valid_from": entry.valid_from if entry else None,
                "valid_to": entry.valid_to if entry else None,
                "sources": list(entry.sources) if entry else [],
            }
        )
    return out


def _item_response(
    request: Request,
    user: WebUser,
    queue_id: int,
    item_id: int,
    problems: list[Problem] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    may_work = Action.QUEUE_WORK in ALLOWED[user.actor.role]
    with database(request).session() as s:
        view = store.read_item(s, user.actor, queue_id, item_id)
        q = s.get(WorkQueue, queue_id)
        assignees = store.assignees(s, user.actor, queue_id, item_id) if may_work else []
    pack = _pack(request)
    return render(
        request,
        "queue_item.html",
        status_code=status_code,
        q=q,
        view=view,
        item=view.item,
        changed=_changed(pack, view.item.changed_rules),
        sources=pack.sources,
        may_work=may_work,
        assignees=assignees,
        assigned=request.query_params.get("assigned", "") if view.assigned_to else "",
        problems=problems or [],
        values=values or {},
        letter_langs=LANGUAGES,
    )


@router.get("/queues/{queue_id}/items/{item_id}")
def item_page(request: Request, queue_id: str, item_id: str, user: User) -> HTMLResponse:
    return _item_response(request, user, _id(queue_id, "queue"), _id(item_id, "item"))


def _required_text(field: str, value: str, limit: int) -> Problem | None:
    """A text a form must have, of at most `limit` characters."""
    if not value:
        return Problem(field, "required")
    return Problem(field, "too_long") if len(value) > limit else None


def _closed(
    request: Request, user: WebUser, queue_id: int, item_id: int, err: Conflict
) -> HTMLResponse:
    """The item's page again, saying that the item is closed (it was closed since the page was
    opened): 409, nothing stored. Not a field's problem: the summary at the top says it."""
    problems = [Problem("", p.message) for p in err.problems]
    return _item_response(request, user, queue_id, item_id, problems, {}, 409)


def _back(queue_id: int, item_id: int) -> RedirectResponse:
    return RedirectResponse(f"/queues/{queue_id}/items/{item_id}#work", status_code=303)


@router.post("/queues/{queue_id}/items/{item_id}/comments")
async def comment(request: Request, queue_id: str, item_id: str, user: User) -> Response:
    qid, iid = _id(queue_id, "queue"), _id(item_id, "item")
    require(user.actor, Action.QUEUE_WORK)
    form = await checked_form(request)
    note = text(form, "comment")
    problem = _required_text("comment", note, MAX_COMMENT)
    if problem:
        return _item_response(request, user, qid, iid, [problem], {"comment": note}, 422)
    try:
        with database(request).session() as s:
            store.comment(s, user.actor, qid, iid, note)
    except Conflict as err:
        return _closed(request, user, qid, iid, err)
    return _back(qid, iid)


@router.post("/queues/{queue_id}/items/{item_id}/assign")
async def assign(request: Request, queue_id: str, item_id: str, user: User) -> Response:
    """Give the item to a colleague who may work on its case (as the API's POST …/assign):
    assigning does not share the case."""
    qid, iid = _id(queue_id, "queue"), _id(item_id, "item")
    require(user.actor, Action.QUEUE_WORK)
    form = await checked_form(request)
    username = text(form, "username")
    if not username:
        problem = Problem("username", "choice")
        return _item_response(request, user, qid, iid, [problem], {}, 422)
    try:
        with database(request).session() as s:
            store.assign(s, user.actor, qid, iid, username)
    except InputError as err:
        return _item_response(request, user, qid, iid, err.problems, {}, 422)
    except Conflict as err:
        return _closed(request, user, qid, iid, err)
    return RedirectResponse(
        f"/queues/{qid}/items/{iid}?assigned={quote(username[:64], safe='')}#assign",
        status_code=303,
    )


@router.post("/queues/{queue_id}/items/{item_id}/close")
async def close(request: Request, queue_id: str, item_id: str, user: User) -> Response:
    qid, iid = _id(queue_id, "queue"), _id(item_id, "item")
    require(user.actor, Action.QUEUE_WORK)
    form = await checked_form(request)
    why = text(form, "resolution")
    problem = _required_text("resolution", why, MAX_RESOLUTION)
    if problem:
        return _item_response(request, user, qid, iid, [problem], {"resolution": why}, 422)
    try:
        with database(request).session() as s:
            store.close(s, user.actor, qid, iid, why)
    except Conflict as err:
        return _closed(request, user, qid, iid, err)
    return _back(qid, iid)


@router.get("/queues/{queue_id}/items/{item_id}/letter.{fmt}")
def letter(request: Request, queue_id: str, item_id: str, fmt: str, user: User) -> Response:
    """The draft letter: HTML shown in the browser (a preview), PDF downloaded; in the language
    chosen on the page (`lang`), else the page's."""
    qid, iid = _id(queue_id, "queue"), _id(item_id, "item")
    if fmt not in ("html", "pdf"):
        raise NotFound([Problem("format", f"no letter format {fmt[:10]!r}")])
    form = MemoFormat(fmt)
    lang = request.query_params.get("lang") or language(request)
    if lang not in LANGUAGES:
        raise InputError([Problem("lang", "language")])
    pack = _pack(request)
    with database(request).session() as s:
        item, case, q = store.letter_inputs(s, user.actor, qid, iid, lang=lang, format=fmt)
        window = letters.Window(q.from_date, q.to_date, q.pack_version_after)
    data = letters.render(item, case, window, pack, lang, datetime.now(UTC), form)
    name = filename(item.case_id, q.to_date, lang, form).replace("memo-", "letter-", 1)
    response = document_response(data, form, quote(name))
    return response
