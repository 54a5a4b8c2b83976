"""A job's page and its progress (polled by htmx every second), and cancelling it. A job is
its starter's: other users' jobs do not exist to them (haven/store/jobs.py)."""

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haven.errors import InputError, NotFound, Problem
from haven.store import jobs
from haven.web.forms import checked_form, text
from haven.web.jobs import JobRunner
from haven.web.render import render
from haven.web.session import WebUser, database, web_user

router = APIRouter(include_in_schema=False)
User = Annotated[WebUser, Depends(web_user)]


def _id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 10:
        raise NotFound([Problem("job", f"no job {raw}")])
    return int(raw)


def result_url(p: jobs.Progress) -> str:
    """Where a finished job's result is shown (served from the kept result)."""
    if p.kind == "queue":
        if "queue" not in p.params:
            return "/queues"
        return f"/queues/{p.params['queue']}" + ("?existed=1" if p.params.get("existed") else "")
    query = {"from": p.params.get("from"), "to": p.params.get("to")}
    if p.params.get("draft"):
        query["draft"] = p.params["draft"]
    if p.params.get("to_pack"):  # impact between packs: both sides' packs
        query["pack"] = p.params["pack"][0]
        query["to_pack"] = p.params["to_pack"][0]
    return "/impact?" + urlencode({k: v for k, v in query.items() if v})


def _progress(request: Request, user: WebUser, job_id: str) -> jobs.Progress:
    with database(request).session() as s:
        return jobs.progress(jobs.get(s, user.actor, _id(job_id)))


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str, user: User) -> Response:
    p = _progress(request, user, job_id)
    if p.state == jobs.DONE:
        return RedirectResponse(result_url(p), status_code=303)
    return render(request, "job.html", job=p, result_url=result_url(p))


@router.get("/jobs/{job_id}/progress")
def job_progress(request: Request, job_id: str, user: User) -> Response:
    """The progress fragment; once done, htmx loads the result page (kept: instant)."""
    p = _progress(request, user, job_id)
    if p.state == jobs.DONE:
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": result_url(p)})
        return RedirectResponse(result_url(p), status_code=303)
    return render(request, "_job.html", job=p, result_url=result_url(p))


@router.post("/jobs/{job_id}/cancel")
async def cancel_job(request: Request, job_id: str, user: User) -> Response:
    await checked_form(request)
    with database(request).session() as s:
        p = jobs.progress(jobs.request_cancel(s, user.actor, _id(job_id)))
    if request.headers.get("hx-request"):
        return render(request, "_job.html", job=p, result_url=result_url(p))
    return RedirectResponse(f"/jobs/{p.id}", status_code=303)


@router.post("/jobs/queues")
async def start_queue(request: Request, user: User) -> Response:
    """Create a work queue over the organisation's caseload as a job (web pages that offer
    queue creation post here): its job page at once, or the queue if it was made already."""
    form = await checked_form(request)
    problems: list[Problem] = []
    days = []
    for field in ("from", "to"):
        try:
            days.append(date.fromisoformat(text(form, field)))
        except ValueError:
            problems.append(Problem(field, "not a date (expected YYYY-MM-DD)"))
    name = text(form, "name") or None
    if name is not None and len(name) > 200:
        problems.append(Problem("name", "longer than 200 characters"))
    if problems:
        raise InputError(problems)
    runner: JobRunner = request.app.state.jobs
    job, queue_id = runner.queue_job(user.actor, request.app.state.pack, days[0], days[1], name)
    target = f"/queues/{queue_id}?existed=1" if queue_id is not None else f"/jobs/{job.id}"
    return RedirectResponse(target, status_code=303)


def job_response(request: Request, p: jobs.Progress) -> HTMLResponse:
    """The job page in place of a result that is not kept yet (the request returns at once)."""
    return render(request, "job.html", status_code=202, job=p, result_url=result_url(p))
