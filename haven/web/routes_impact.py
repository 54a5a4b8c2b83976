"""Impact page: re-assess the caseload the user can see on two dates (or on one date under two
packs: `?pack=A&to_pack=B`) and list whose outcome changes, grouped by the policy rule that
changed and by claimed profile; CSV export of the same list. Over more than
a small caseload the run is a job (haven/web/jobs.py): the page answers at once with its
progress, and the result is kept, so the next look and the export are instant."""

import csv
import hashlib
import io
import os
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from haven.errors import InputError, PolicyError, Problem
from haven.impact import Impact
from haven.impact.period import period_problems
from haven.policy.loader import load_pack
from haven.policy.pack import Pack
from haven.store import jobs
from haven.store.columnar_caseload import StoredImpactStream
from haven.store.repo import audit
from haven.web.forms import covered
from haven.web.jobs import JobRunner
from haven.web.labels import N_
from haven.web.packchoice import chosen_pack, offered
from haven.web.render import problems_page, render
from haven.web.routes_jobs import job_response
from haven.web.session import WebUser, database, web_user

router = APIRouter(include_in_schema=False)
User = Annotated[WebUser, Depends(web_user)]
DEFAULT_FROM, DEFAULT_TO = date(2015, 6, 1), date(2015, 10, 1)
# Rows shown per rule on the page: past a few hundred a list is for a spreadsheet, not for
# reading, and rendering 9,000 rows took 1.4-2 s per look (benchmarks/results/web-impact.md).
# The counts stay whole and the CSV export lists every changed case.
ROWS_PER_RULE = 200
# The form's fields, as its problems name them (impact.html).
FIELDS = {"from": N_("the first date"), "to": N_("the second date")}


def _dates(request: Request) -> tuple[date, date, list[Problem]]:
    problems: list[Problem] = []
    days = []
    for name, default in (("from", DEFAULT_FROM), ("to", DEFAULT_TO)):
        raw = request.query_params.get(name)
        try:
            days.append(date.fromisoformat(raw) if raw else default)
        except ValueError:
            problems.append(Problem(name, "date"))  # haven/web/messages.py says it
            days.append(default)
    return days[0], days[1], problems


def _covered(
    request: Request, before: date, after: date, problems: list[Problem], later: Pack | None
) -> list[Problem]:
    """Each valid date before the coverage of its side's pack (`later`: the draft's or the
    other pack's, on the second date), as a problem on its field; both dates sound, also a
    second date before the first (haven/impact/period.py, as the CLI and the API refuse it)."""
    pack = chosen_pack(request)
    if not problems:
        return period_problems(before, after, pack, later)
    found = [
        covered(side, day, name)
        for name, day, side in (("from", before, pack), ("to", after, later or pack))
        if not any(p.where == name for p in problems)
    ]
    return [p for p in found if p is not None]


def drafts() -> dict[str, Path]:
    """Draft packs offered for comparison: the pack directories under HAVEN_DRAFTS."""
    root = Path(os.environ.get("HAVEN_DRAFTS", ""))
    if not os.environ.get("HAVEN_DRAFTS") or not root.is_dir():
        return {}
    return {d.name: d for d in sorted(root.iterdir()) if (d / "pack.yaml").is_file()}


def _draft(request: Request) -> tuple[str | None, Pack | None, list[Problem]]:
    name = request.query_params.get("draft") or None
    if name is None:
        return None, None, []
    known = drafts()
    if name not in known:  # only listed drafts: a query string never names a path
        return None, None, [Problem("draft", f"no draft pack named {name!r}")]
    try:
        # Not the cached loader: a draft changes while it is being drafted.
        return name, load_pack.__wrapped__(str(known[name])), []
    except PolicyError as err:
        return None, None, [Problem(f"draft {name}: {p.where}", p.message) for p in err.problems]


def _draft_content(name: str | None) -> str | None:
    """A kept result is for the draft's content, not its name: the hash of its files."""
    if name is None or name not in (known := drafts()):
        return None
    digest = hashlib.sha256()
    for path in sorted(p for p in known[name].rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(known[name])).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _to_pack(request: Request, draft: str | None) -> tuple[Pack | None, list[Problem]]:
    """`?to_pack=`: the pack of the later side, one the server offers (impact between packs)."""
    name = request.query_params.get("to_pack") or None
    if name is None:
        return None, []
    if draft is not None:
        return None, [Problem("to_pack", "compare with a draft or with another pack, not both")]
    try:
        return offered(request).get(name, "to_pack"), []
    except InputError as err:
        return None, err.problems


def _impact(
    request: Request,
    user: WebUser,
    before: date,
    after: date,
    draft: Pack | None = None,
    draft_name: str | None = None,
    to_pack: Pack | None = None,
) -> Impact | jobs.Progress:
    """The impact, computed here over a small caseload or kept from a job; else the job that
    computes it (started now or already running). `?pack=` chooses the pack of the first side;
    `to_pack` (or a draft) the pack of the second."""
    pack = chosen_pack(request)
    runner: JobRunner = request.app.state.jobs
    if runner.visible_cases(user.actor) <= runner.inline_max:
        # The stored caseload decrypted in bulk and read in columnar form, evaluated by the
        # columnar engine (haven/store/columnar_caseload.py): no Pydantic model per case.
        with database(request).session() as s:
            return StoredImpactStream(
                s, user.actor, before, after, pack, draft or to_pack
            ).collect()
    job, kept = runner.impact_job(
        user.actor, pack, before, after, draft_name, draft, _draft_content(draft_name), to_pack
    )
    return kept if kept is not None else jobs.progress(job)


@router.get("/impact")
def impact_page(request: Request, user: User) -> HTMLResponse:
    before, after, problems = _dates(request)
    draft_name, draft, draft_problems = _draft(request)
    to_pack, pack_problems = _to_pack(request, draft_name)
    problems += pack_problems + _covered(request, before, after, problems, draft or to_pack)
    # An invalid date shows the form with its problem and no result (not one for a default).
    result = None if problems else _impact(request, user, before, after, draft, draft_name, to_pack)
    if isinstance(result, jobs.Progress):
        return job_response(request, result)
    by_rule: dict[str, list[object]] = defaultdict(list)
    for change in result.changed if result else []:
        for rule in change.changed_rules or [""]:  # "": no entry changed, findings did
            by_rule[rule].append(change)
    return render(
        request,
        "impact.html",
        status_code=422 if problems else 200,
        result=result,
        before=before,
        after=after,
        problems=problems + draft_problems,
        drafts=list(drafts()),
        draft=draft_name,
        by_rule=dict(sorted(by_rule.items())),
        rows_per_rule=ROWS_PER_RULE,
        sources=chosen_pack(request).sources,
        to_pack=to_pack.meta.id if to_pack else None,
    )


@router.get("/impact/export.csv")
def impact_export(request: Request, user: User) -> Response:
    before, after, result = _kept_impact(request, user)
    if isinstance(result, Response):
        return result
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(
        ["case_id", "status", "before", "after", "changed_fields", "changed_rules", "profile"]
    )
    for c in result.changed:
        out.writerow(
            [
                _cell(c.case_id),
                c.status.value,
                c.before.recommendation,
                c.after.recommendation,
                " ".join(c.changed_fields),
                " ".join(c.changed_rules),
                _cell(c.profile or ""),
            ]
        )
    with database(request).session() as s:
        audit(
            s,
            user.actor,
            "impact.export",
            rows=len(result.changed),
            **{"from": str(before), "to": str(after)},
        )
    name = f"haven-impact-{before}-{after}.csv"
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/impact/not-addressed.csv")
def not_addressed_export(request: Request, user: User) -> Response:
    """Between packs: the cases whose nationality one of the two packs does not address (the
    impact's `not_addressed_cases`), one per row. A CSV of its own, so that the changed-cases
    export keeps its columns."""
    before, after, result = _kept_impact(request, user)
    if isinstance(result, Response):
        return result
    silent = {p: set(cs) for p, cs in result.not_addressed_countries.items()}
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["case_id", "profile", "nationality", "not_addressed_by"])
    for cid in result.not_addressed_cases:
        profile = result.not_addressed_profiles.get(cid, "")
        nationality = profile.split(":")[0]
        by = " ".join(sorted(p for p, cs in silent.items() if nationality in cs))
        out.writerow([_cell(cid), _cell(profile), nationality, by])
    with database(request).session() as s:
        audit(
            s,
            user.actor,
            "impact.export",
            rows=len(result.not_addressed_cases),
            part="not_addressed",
            **{"from": str(before), "to": str(after)},
        )
    name = f"haven-not-addressed-{before}-{after}.csv"
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _kept_impact(request: Request, user: WebUser) -> tuple[date, date, Impact | Response]:
    """The impact an export writes: its kept result, or (not kept yet) a redirect to its job
    page, from which the export is offered once the job is done. With a date or a choice it
    cannot use, 422 and the problems (never a file for other dates)."""
    before, after, problems = _dates(request)
    draft_name, draft, draft_problems = _draft(request)
    to_pack, pack_problems = _to_pack(request, draft_name)
    problems += draft_problems + pack_problems
    problems += _covered(request, before, after, problems, draft or to_pack)
    if problems:
        return before, after, problems_page(request, problems, FIELDS)
    result = _impact(request, user, before, after, draft, draft_name, to_pack)
    if isinstance(result, jobs.Progress):
        return before, after, RedirectResponse(f"/jobs/{result.id}", status_code=303)
    return before, after, result


def _cell(value: str) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is shown as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
