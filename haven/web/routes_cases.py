"""Caseload and case pages: list and filter, read, edit (htmx), assess as of a date, save,
share with a colleague or an advocate."""

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haven.assess import Assessment, assess
from haven.assess.admit import admit
from haven.assess.lint import lint
from haven.cases import Case
from haven.clock import today
from haven.codes import check_country
from haven.doors import version_number
from haven.errors import (
    CaseError,
    Conflict,
    InputError,
    NotFound,
    PreconditionFailed,
    Problem,
    shown,
)
from haven.policy.pack import Pack
from haven.reports.memo import compare_with, reference_paragraph
from haven.store import access, caseload, repo
from haven.store.models import CaseRecord, CaseVersion, StoredAssessment
from haven.store.models import User as UserRow
from haven.vocab import Category, FlagCode, Recommendation, Status
from haven.web import caseerrors, caseform, casepage
from haven.web.forms import checked_form, covered, nul_fields, text, without_nul
from haven.web.labels import N_
from haven.web.lintview import segments
from haven.web.messages import plain_message
from haven.web.packchoice import chosen_pack, offered, pack_query
from haven.web.render import gettext_for, language, render
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
    """The pack the page shows (`?pack=`, else the server's default)."""
    return chosen_pack(request)


def _filters(request: Request) -> tuple[caseload.CaseFilter, int, list[Problem]]:
    q = request.query_params
    problems: list[Problem] = []
    values: dict[str, str | None] = {}
    for name, allowed in FILTERS.items():
        value = q.get(name) or None
        if value is not None and value not in allowed:
            problems.append(Problem(name, "choice"))
            value = None
        values[name] = value
    nationality = (q.get("nationality") or "").strip().upper() or None
    if nationality is not None:
        try:
            check_country(nationality)
        except ValueError:
            problems.append(Problem("nationality", "country"))
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
        assessed_on = _assessed_on(s, [r.id for r in found.rows])
    pages = max(1, -(-found.total // PAGE_SIZE))
    partial = request.headers.get("hx-target") == "results"
    released = (request.query_params.get("released") or "")[:200]
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
        assessed_on=assessed_on,
        # After giving a case back: said only while it is true (the user no longer sees it).
        released=released if released and not _holds(request, user, released) else None,
    )


def _assessed_on(s: Session, case_ids: list[int]) -> dict[int, date]:
    """The date of each case's latest saved assessment (the one its recommendation comes
    from), for the cases on the page (already checked visible by the search)."""
    if not case_ids:
        return {}
    latest = (
        select(func.max(StoredAssessment.id))
        .where(StoredAssessment.case_id.in_(case_ids))
        .group_by(StoredAssessment.case_id)
    )
    rows = s.execute(
        select(StoredAssessment.case_id, StoredAssessment.as_of).where(
            StoredAssessment.id.in_(latest)
        )
    )
    return {case_id: as_of for case_id, as_of in rows}


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
        day = date.fromisoformat(raw)
    except ValueError:
        return today(), Problem("as_of", "date")
    # Before the pack's coverage: the form with its problem, as for an impossible date.
    return day, covered(pack_of(request), day, "as_of")


def _case(version: CaseVersion) -> Case:
    return Case.model_validate_json(json.dumps(version.data))


def _load(request: Request, user: WebUser, ref: str) -> dict[str, Any]:
    with database(request).session() as s:
        rec, version = repo.read_case(s, user.actor, ref)
        history = repo.versions(s, user.actor, ref)
        stored = repo.assessments(s, user.actor, ref)
        ids = {v.created_by for v in history} | {a.created_by for a in stored}
        authors = {
            u.id: u.username for u in s.scalars(select(UserRow).where(UserRow.id.in_(ids - {None})))
        }
        # Who holds the case and whom it can be shared with: for those who may share it.
        held, candidates = (
            repo.holders(s, user.actor, ref)
            if access.allowed(user.actor.role, access.Action.CASE_SHARE)
            else (None, [])
        )
    # Each version with what it changed against the one before (history is oldest first).
    diffs = [
        (v, casepage.version_diff(history[i - 1].data if i else None, v.data))
        for i, v in enumerate(history)
    ]
    return {
        "rec": rec,
        "case": _case(version),
        "history": history,
        "stored": stored,
        "authors": authors,
        "diffs": diffs,
        "held": held,
        "candidates": candidates,
    }


def _changes(
    last: StoredAssessment | None, now: Assessment, version: int, pack: Pack
) -> dict[str, Any]:
    """What differs between the last stored assessment ("then", on its date) and the one shown
    ("now", on the page's date): findings, and the pack entries applied on one side only."""
    if last is None:
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
        "entries": casepage.entry_changes(before, now, pack),
        "case_edited": last.case_version != version,
        "policy_changed": last.pack_version != now.policy.version,
        "date_changed": last.as_of != now.as_of,
    }


def _assessment_context(
    request: Request,
    case: Case,
    day: date | None,
    stored: list[StoredAssessment],
    version: int,
    problem: Problem | None = None,
) -> dict[str, Any]:
    """`day` None: the case's opening day (casepage.opening_day). An invalid date (`problem`)
    shows the form and its problem, and no assessment."""
    pack = pack_of(request)
    why = "chosen"
    if day is None:
        day, why = casepage.opening_day(stored, case, today())
    try:
        result = None if problem else assess(case, day, pack)
    except CaseError as err:
        # A case stored before a pack change (or around Haven) that no longer validates still
        # opens: its facts, history and editor, and what to correct instead of an assessment.
        return {
            "result": None,
            # Each in plain words, naming its field (the editor's wording).
            "invalid": [
                Problem(p.where, caseerrors.plain(p.where, p.message, _gettext(request))[2])
                for p in err.problems
            ],
            "as_of": day,
            "why_day": casepage.WHY_DAY[why],
            "sources": pack.sources,
            "entries": pack.entries,
            "decisive": [],
            "changes": {"last": None},
            "reference": None,
        }
    last = max(stored, key=lambda a: a.id) if stored else None
    return {
        "reference": _reference(request, case, result, pack),
        "result": result,
        "invalid": None,
        "as_of": day,
        # A day after today: the pack cannot know that day's policy (the memo says so too).
        "ahead": today() if day > today() else None,
        "why_day": casepage.WHY_DAY[why],
        "sources": pack.sources,
        "entries": pack.entries,
        "decisive": casepage.decisive(result, case) if result else [],
        "changes": _changes(last, result, version, pack) if result else {"last": None},
    }


def _reference(
    request: Request, case: Case, result: Assessment | None, pack: Pack
) -> dict[str, Any] | None:
    """The paragraph on a more favourable reference pack (the memo's, haven.reports.memo)."""
    other = offered(request).reference(pack)
    note = compare_with(case, result, other) if result else None
    if note is None or other is None:
        return None
    return reference_paragraph(note, pack, other, language(request))


@router.get("/cases/{ref}")
def case_page(request: Request, ref: str, user: User) -> HTMLResponse:
    partial = request.headers.get("hx-target") == "assessment"
    if not request.query_params.get("as_of"):
        return _case_response(request, user, ref, None, partial=partial)
    day, problem = _as_of(request)
    return _case_response(request, user, ref, day, problem, partial=partial)


@router.get("/cases/{ref}/versions/{number}")
def version_page(request: Request, ref: str, number: str, user: User) -> HTMLResponse:
    """An old version of the case, as it was saved (read-only)."""
    data = _load(request, user, ref)
    found = [v for v in data["history"] if number.isdigit() and v.version == int(number)]
    if not found:
        raise NotFound([Problem("version", f"case {shown(ref)} has no version {number[:12]!r}")])
    version = found[0]
    return render(
        request,
        "case_version.html",
        ref=ref,
        rec=data["rec"],
        version=version,
        author=data["authors"].get(version.created_by),
        fields=casepage.flatten(version.data),
    )


def _case_response(
    request: Request,
    user: WebUser,
    ref: str,
    day: date | None,
    problem: Problem | None = None,
    *,
    partial: bool = False,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    anchors: dict[str, str] | None = None,
    share_problem: str | None = None,
) -> HTMLResponse:
    data = _load(request, user, ref)
    context = _assessment_context(
        request, data["case"], day, data["stored"], data["rec"].version, problem
    )
    held = data["held"]
    holding = {h.username for h in held or []}
    shared, unshared = (request.query_params.get(k) for k in ("shared", "unshared"))
    return render(
        request,
        "_assessment.html" if partial else "case.html",
        status_code=422 if errors or problem or share_problem else 200,
        ref=ref,
        # Alone, the assessment brings the draft check's date along (_lint_date.html).
        lint_oob=partial,
        date_problem=problem,
        share_problem=share_problem,
        # The notices after sharing or unsharing: only what is true of the case now.
        shared_with=shared if shared in holding else None,
        unshared=unshared if unshared and held is not None and unshared not in holding else None,
        values=values if values is not None else caseform.to_form(data["case"]),
        errors=errors or {},
        anchors=anchors or {},
        saved=False,
        choices=caseform.CHOICES,
        tags=pack_of(request).tags,
        **data,
        **context,
    )


def _gettext(request: Request) -> Any:
    return gettext_for(language(request)).gettext


@router.post("/cases/{ref}/edit")
async def edit_case(request: Request, ref: str, user: User) -> Response:
    """htmx: answers with the form again, with problems next to their fields, or saved.
    Without script: back to the case page (or the page with the problems marked)."""
    form = await checked_form(request, nul_ok=True)
    # A NUL (which PostgreSQL text cannot hold) is a problem next to its field, like any other,
    # and the form comes back with it shown as U+FFFD; nothing is saved.
    nul = nul_fields(form)
    form = without_nul(form) if nul else form
    values = caseform.from_form(form, ref)
    version_text = text(form, "version")
    errors: dict[str, str] = {}
    anchors: dict[str, str] = {}  # field -> the id of its control, for the error summary
    saved = unchanged = False
    try:
        if nul:
            raise InputError([Problem(k, "contains a NUL character") for k in nul])
        # Refused on write as the API refuses it: unknown tags, a region of another country,
        # dates after today, an id that cannot be addressed (issue 17).
        case = admit(caseform.validate(values), pack_of(request), today())
        seen = version_number(version_text) or -1
        with database(request).session() as s:
            rec = repo.update_case(
                s, user.actor, ref, case, seen, skip_unchanged=True, sent=version_text
            )
            unchanged = rec.version == seen  # nothing to save: no new version
        saved = True
    except PreconditionFailed as err:
        gettext = gettext_for(language(request)).gettext
        errors[""] = plain_message(err.problems[0].message if err.problems else str(err), gettext)
    except InputError as err:
        gettext = gettext_for(language(request)).gettext
        for p in err.problems:
            # One place for the tag problems: the tags are one group of checkboxes.
            where = "profile.tags" if p.where.startswith("profile.tags[") else p.where
            field, control, sentence = caseerrors.plain(where or "", p.message, gettext)
            errors.setdefault(field, sentence)
            anchors.setdefault(field, control)
    if not request.headers.get("hx-request"):
        if saved:
            return RedirectResponse(f"/cases/{quote(ref, safe='')}", status_code=303)
        return _case_response(
            request, user, ref, None, values=values, errors=errors, anchors=anchors
        )
    data = _load(request, user, ref)
    day = parse_day(text(form, "as_of"))  # the page's date field (hx-include)
    # After a save the assessment beside the form is recomputed (an htmx out-of-band swap).
    context = (
        _assessment_context(request, data["case"], day, data["stored"], data["rec"].version)
        if saved
        else {}
    )
    response = render(
        request,
        "_editor.html",
        status_code=422 if errors else 200,
        ref=ref,
        rec=data["rec"],
        values=caseform.to_form(data["case"]) if saved else values,
        errors=errors,
        anchors=anchors,
        saved=saved,
        unchanged=unchanged,
        choices=caseform.CHOICES,
        tags=pack_of(request).tags,
        refresh=saved and not unchanged,
        date_problem=None,
        **context,
    )
    if saved and not unchanged:
        # The assessment shown now is on the date typed in the page's field (and under the
        # page's pack): the address says so, so that a reload or a shared link shows it too.
        day_shown = context["as_of"].isoformat()
        response.headers["HX-Replace-Url"] = (
            f"/cases/{quote(ref, safe='')}?as_of={day_shown}{pack_query(request)}"
        )
    return response


@router.post("/cases/{ref}/share")
async def share_case(request: Request, ref: str, user: User) -> Response:
    """Share the case with a case officer or NGO advocate of the organisation (as the API's
    POST /cases/{ref}/share): they see it in their caseload and may work on it."""
    form = await checked_form(request)
    username = text(form, "username")
    gettext = _gettext(request)
    if not username:
        message = gettext(N_("Choose whom to share the case with."))
        return _case_response(request, user, ref, None, share_problem=message)
    try:
        with database(request).session() as s:
            repo.share_case(s, user.actor, ref, username)
    except (NotFound, InputError) as err:
        if not err.problems or err.problems[0].where != "username":
            raise  # the case itself: the error page, as for reading it
        message = plain_message(err.problems[0].message, gettext)
        return _case_response(request, user, ref, None, share_problem=message)
    return RedirectResponse(
        f"/cases/{quote(ref, safe='')}?shared={quote(username, safe='')}#access", status_code=303
    )


@router.post("/cases/{ref}/unshare")
async def unshare_case(request: Request, ref: str, user: User) -> Response:
    """Take a share back (as the API's DELETE /cases/{ref}/share/{username})."""
    form = await checked_form(request)
    username = text(form, "username")
    try:
        with database(request).session() as s:
            repo.unshare_case(s, user.actor, ref, username)
    except (NotFound, Conflict) as err:
        if not err.problems or err.problems[0].where != "username":
            raise
        message = plain_message(err.problems[0].message, _gettext(request))
        return _case_response(request, user, ref, None, share_problem=message)
    if username == user.actor.username and not _holds(request, user, ref):
        # One's own share taken back: the case page would now be "Not allowed". To the
        # caseload, saying so.
        return RedirectResponse(f"/cases?released={quote(ref, safe='')}", status_code=303)
    return RedirectResponse(
        f"/cases/{quote(ref, safe='')}?unshared={quote(username, safe='')}#access",
        status_code=303,
    )


def _holds(request: Request, user: WebUser, ref: str) -> bool:
    """Whether the user may still see the case (a reviewer sees the organisation's)."""
    with database(request).session() as s:
        found = s.scalar(repo._visible(user.actor).where(CaseRecord.ref == ref).limit(1))
    return found is not None


@router.post("/cases/{ref}/assessments")
async def save_assessment(request: Request, ref: str, user: User) -> Response:
    form = await checked_form(request)
    raw = text(form, "as_of")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = today()
    pack = pack_of(request)  # the pack the page showed (`?pack=` on the form's action)
    with database(request).session() as s:
        repo.assess_and_store(s, user.actor, ref, day, pack)
    return RedirectResponse(
        f"/cases/{quote(ref, safe='')}?as_of={day.isoformat()}{pack_query(request)}#history",
        status_code=303,
    )


MAX_LINT_CHARS = 100_000


@router.post("/cases/{ref}/lint")
async def lint_text(request: Request, ref: str, user: User) -> HTMLResponse:
    """htmx: the draft text back with the passages that rely on forbidden reasoning marked.

    The check uses one date: the date of the assessment shown on the page (the form's hidden
    `as_of`, which follows the assessment when it is shown on another date), and its result
    names it. Not the date typed in "Assess as of" and not yet shown: the page would then say
    one date above and check another. A missing or invalid date is a problem next to the
    form, never today in silence."""
    form = await checked_form(request, nul_ok=True)
    gettext = gettext_for(language(request)).gettext
    raw = form.get("text")
    raw = raw if isinstance(raw, str) else ""
    # NUL cannot be stored or checked: said next to the box, the text kept (with a visible mark).
    draft = raw.replace("\x00", "\ufffd")
    day = parse_day(text(form, "as_of"))
    day_problem = (
        None
        if day
        else gettext(
            "There is no assessment date to check the text on: show the assessment on a "
            "date first (“Assess as of”, then “Show assessment”)."
        )
    )
    problem = None
    if "\x00" in raw:
        problem = Problem("text", plain_message("contains a NUL character", gettext))
    elif not draft.strip():
        problem = Problem("text", gettext("Enter the draft decision text."))
    elif len(draft) > MAX_LINT_CHARS:
        # The text stays in the box (nothing pasted is lost); it is not checked.
        problem = Problem(
            "text",
            gettext(
                "The text has %(n)s characters; at most %(max)s can be checked at once. "
                "Shorten it by %(over)s characters, or check it in parts."
            )
            % {
                # Grouped as the reader's language writes numbers (100,000 / 100.000).
                "n": format_decimal(len(draft), locale=language(request)),
                "max": format_decimal(MAX_LINT_CHARS, locale=language(request)),
                "over": format_decimal(len(draft) - MAX_LINT_CHARS, locale=language(request)),
            },
        )
    pack = pack_of(request)
    # The pack's opt-in model (`haven lint --model`), where the box is ticked and the pack has one.
    model = text(form, "model") == "on" and pack.lint_model is not None
    detail: dict[str, Any] = {"chars": len(draft), "as_of": str(day) if day else None}
    if model:
        detail["model"] = True
    with database(request).session() as s:
        _, version = repo.read_case(s, user.actor, ref)
        # The text is special-category data: only its length goes into the audit log.
        repo.audit(s, user.actor, "case.lint", case_ref=ref, **detail)
    checked = day is not None and problem is None
    flags = lint(draft, _case(version), day, pack, model=model).flags if day and checked else []
    return render(
        request,
        "_lint.html",
        status_code=200 if checked else 422,
        ref=ref,
        lint_day=day,
        day_problem=day_problem,
        draft=draft,
        model=model,
        problem=problem,
        flags=flags,
        segments=segments(draft, flags),
        sources=pack.sources,
    )
