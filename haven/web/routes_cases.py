"""Caseload and case pages: list and filter, read, edit (htmx), assess as of a date, save."""

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haven.api.limits import version_number
from haven.assess import Assessment, assess
from haven.assess.admit import admit
from haven.assess.lint import lint
from haven.cases import Case
from haven.clock import today
from haven.codes import check_country
from haven.errors import CaseError, InputError, PreconditionFailed, Problem
from haven.policy.pack import Pack
from haven.store import caseload, repo
from haven.store.models import CaseVersion, StoredAssessment
from haven.vocab import Category, FlagCode, Recommendation, Status
from haven.web import caseform
from haven.web.forms import checked_form, text
from haven.web.lintview import segments
from haven.web.render import render
from haven.web.session import WebUser, database, web_user

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
User = Annotated[WebUser, Depends(web_user)]

FILTERS: dict[str, list[str]] = {
    "status": [s.value for s in Status],
    "designation": [c.value for c in Category],
    "recommendation": [r.value for r in Recommendation],
    "flag": [f.value for f in FlagCode],
}


def pack_of(request: Request) -> Pack:
    pack: Pack = request.app.state.pack
    return pack


def _filters(request: Request) -> tuple[caseload.CaseFilter, int, list[Problem]]:
    q = request.query_params
    problems: list[Problem] = []
    values: dict[str, str | None] = {}
    for name, allowed in FILTERS.items():
        value = q.get(name) or None
        if value is not None and value not in allowed:
            problems.append(Problem(name, f"unknown value {value!r}"))
            value = None
        values[name] = value
    nationality = (q.get("nationality") or "").strip().upper() or None
    if nationality is not None:
        try:
            check_country(nationality)
        except ValueError as err:
            problems.append(Problem("nationality", str(err)))
            nationality = None
    page_text = q.get("page") or "1"
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) < 1_000_000 else 1
    ref = (q.get("ref") or "").strip()[:200] or None
    return caseload.CaseFilter(nationality=nationality, ref=ref, **values), page, problems


@router.get("/cases")
def cases_page(request: Request, user: User) -> HTMLResponse:
    f, page, problems = _filters(request)
    with database(request).session() as s:
        found = caseload.search(s, user.actor, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    partial = request.headers.get("hx-target") == "results"
    return render(
        request,
        "_results.html" if partial else "cases.html",
        found=found,
        f=f,
        page=min(page, pages),
        pages=pages,
        problems=problems,
        filters=FILTERS,
        query=_query(f),
    )


def _query(f: caseload.CaseFilter) -> str:
    """The filter as a query string, for pagination links."""
    from urllib.parse import urlencode

    pairs = {k: v for k, v in vars(f).items() if v}
    return urlencode(pairs)


def parse_day(raw: str | None) -> date | None:
    """A YYYY-MM-DD date, or None if absent or not a date."""
    try:
        return date.fromisoformat(raw) if raw and len(raw) == 10 else None
    except ValueError:
        return None


def _as_of(request: Request) -> tuple[date, Problem | None]:
    raw = request.query_params.get("as_of")
    if not raw:
        return today(), None
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return today(), Problem("as_of", f"not a date (expected YYYY-MM-DD): {raw!r}")


def _case(version: CaseVersion) -> Case:
    return Case.model_validate_json(json.dumps(version.data))


def _load(request: Request, user: WebUser, ref: str) -> dict[str, Any]:
    with database(request).session() as s:
        rec, version = repo.read_case(s, user.actor, ref)
        history = repo.versions(s, user.actor, ref)
        stored = repo.assessments(s, user.actor, ref)
    return {"rec": rec, "case": _case(version), "history": history, "stored": stored}


def _changes(last: StoredAssessment | None, now: Assessment | None, version: int) -> dict[str, Any]:
    """What differs between the last stored assessment and the one shown."""
    if last is None or now is None:
        return {"last": None, "fields": [], "case_edited": False, "policy_changed": False}
    before = last.result
    after = now.model_dump(mode="json")
    fields = []
    for name, pick in (
        ("recommendation", lambda a: a.get("recommendation")),
        ("designation", lambda a: (a.get("designation") or {}).get("category")),
        ("evidentiary_standard", lambda a: a.get("evidentiary_standard")),
        ("protection_seeking_required", lambda a: a.get("protection_seeking_required")),
        ("internal_protection", lambda a: a.get("internal_protection")),
        ("flags", lambda a: sorted(f["code"] for f in a.get("flags", []))),
    ):
        if pick(before) != pick(after):
            fields.append({"field": name, "before": pick(before), "after": pick(after)})
    return {
        "last": last,
        "fields": fields,
        "case_edited": last.case_version != version,
        "policy_changed": last.pack_version != now.policy.version,
        "date_changed": last.as_of != now.as_of,
    }


def _assessment_context(
    request: Request, case: Case, day: date, stored: list[StoredAssessment], version: int
) -> dict[str, Any]:
    pack = pack_of(request)
    try:
        result = assess(case, day, pack)
    except CaseError as err:
        # A case stored before a pack change (or around Haven) that no longer validates still
        # opens: its facts, history and editor, and what to correct instead of an assessment.
        return {
            "result": None,
            "invalid": err.problems,
            "as_of": day,
            "sources": pack.sources,
            "changes": _changes(None, None, version),
        }
    return {
        "result": result,
        "invalid": None,
        "as_of": day,
        "sources": pack.sources,
        "changes": _changes(stored[-1] if stored else None, result, version),
    }


@router.get("/cases/{ref}")
def case_page(request: Request, ref: str, user: User) -> HTMLResponse:
    day, problem = _as_of(request)
    partial = request.headers.get("hx-target") == "assessment"
    return _case_response(request, user, ref, day, problem, partial=partial)


def _case_response(
    request: Request,
    user: WebUser,
    ref: str,
    day: date,
    problem: Problem | None = None,
    *,
    partial: bool = False,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    data = _load(request, user, ref)
    context = _assessment_context(request, data["case"], day, data["stored"], data["rec"].version)
    return render(
        request,
        "_assessment.html" if partial else "case.html",
        status_code=422 if errors else 200,
        ref=ref,
        date_problem=problem,
        values=values if values is not None else caseform.to_form(data["case"]),
        errors=errors or {},
        saved=False,
        choices=caseform.CHOICES,
        tags=pack_of(request).tags,
        **data,
        **context,
    )


@router.post("/cases/{ref}/edit")
async def edit_case(request: Request, ref: str, user: User) -> Response:
    """htmx: answers with the form again, with problems next to their fields, or saved.
    Without script: back to the case page (or the page with the problems marked)."""
    form = await checked_form(request)
    values = caseform.from_form(form, ref)
    version_text = text(form, "version")
    errors: dict[str, str] = {}
    saved = False
    try:
        # Refused on write as the API refuses it: unknown tags, a region of another country,
        # dates after today, an id that cannot be addressed (issue 17).
        case = admit(caseform.validate(values), pack_of(request), today())
        with database(request).session() as s:
            repo.update_case(s, user.actor, ref, case, version_number(version_text) or -1)
        saved = True
    except PreconditionFailed as err:
        errors[""] = err.problems[0].message if err.problems else str(err)
    except InputError as err:
        for p in err.problems:
            # One place for the tag problems: the tags are one group of checkboxes.
            where = "profile.tags" if p.where.startswith("profile.tags[") else p.where
            errors.setdefault(where or "", p.message)
    if not request.headers.get("hx-request"):
        if saved:
            return RedirectResponse(f"/cases/{quote(ref, safe='')}", status_code=303)
        return _case_response(request, user, ref, today(), values=values, errors=errors)
    data = _load(request, user, ref)
    return render(
        request,
        "_editor.html",
        ref=ref,
        rec=data["rec"],
        values=caseform.to_form(data["case"]) if saved else values,
        errors=errors,
        saved=saved,
        choices=caseform.CHOICES,
        tags=pack_of(request).tags,
    )


@router.post("/cases/{ref}/assessments")
async def save_assessment(request: Request, ref: str, user: User) -> Response:
    form = await checked_form(request)
    raw = text(form, "as_of")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = today()
    with database(request).session() as s:
        repo.assess_and_store(s, user.actor, ref, day, pack_of(request))
    return RedirectResponse(
        f"/cases/{quote(ref, safe='')}?as_of={day.isoformat()}#history", status_code=303
    )


MAX_LINT_CHARS = 100_000


@router.post("/cases/{ref}/lint")
async def lint_text(request: Request, ref: str, user: User) -> HTMLResponse:
    """htmx: the draft text back with the passages that rely on forbidden reasoning marked."""
    form = await checked_form(request)
    draft = form.get("text")
    draft = draft if isinstance(draft, str) else ""
    # The date now in the page's date field (htmx includes it), else the one it was built with.
    day = parse_day(text(form, "as_of")) or parse_day(text(form, "as_of_page")) or today()
    problem = None
    if len(draft) > MAX_LINT_CHARS:
        problem = Problem("text", f"longer than {MAX_LINT_CHARS} characters")
        draft = ""
    with database(request).session() as s:
        _, version = repo.read_case(s, user.actor, ref)
        # The text is special-category data: only its length goes into the audit log.
        repo.audit(s, user.actor, "case.lint", case_ref=ref, chars=len(draft), as_of=str(day))
    result = lint(draft, _case(version), day, pack_of(request))
    return render(
        request,
        "_lint.html",
        ref=ref,
        as_of=day,
        draft=draft,
        problem=problem,
        flags=result.flags,
        segments=segments(draft, result.flags),
        sources=pack_of(request).sources,
    )
