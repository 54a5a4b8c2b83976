"""The researcher's pages: the policy diff between two dates (or against a draft pack), and the
research export (pseudonymised, with purpose, legal basis, DPIA and expiry recorded: the same
function and guarantees as `haven research export`)."""

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from haven.clock import today
from haven.errors import InputError, Problem
from haven.policy.diff import diff as policy_diff
from haven.policy.pack import Pack
from haven.store import repo, research
from haven.store.access import Action
from haven.store.repo import require
from haven.web.forms import checked_form, text
from haven.web.render import render
from haven.web.routes_impact import _draft, drafts
from haven.web.session import WebUser, database, web_user

router = APIRouter(include_in_schema=False)
User = Annotated[WebUser, Depends(web_user)]
DEFAULT_FROM, DEFAULT_TO = date(2015, 6, 1), date(2015, 10, 1)


def _pack(request: Request) -> Pack:
    pack: Pack = request.app.state.pack
    return pack


@router.get("/policy/diff")
def diff_page(request: Request, user: User) -> HTMLResponse:
    require(user.actor, Action.POLICY_READ)
    pack = _pack(request)
    q = request.query_params
    values = {k: (q.get(k) or "").strip()[:20] for k in ("from", "to", "country", "draft")}
    problems: list[Problem] = []
    days = {}
    for name, default in (("from", DEFAULT_FROM), ("to", DEFAULT_TO)):
        try:
            days[name] = date.fromisoformat(values[name]) if values[name] else default
        except ValueError:
            problems.append(Problem(name, "date"))
    country = values["country"].upper() or None
    if country is not None and country not in pack.countries():
        problems.append(Problem("country", "choice"))
    draft_name, draft, draft_problems = _draft(request)
    problems += draft_problems
    changes = None
    if not problems:  # an invalid date shows the form and no result
        changes = policy_diff(pack, days["from"], days["to"], country, draft)
    return render(
        request,
        "policy_diff.html",
        status_code=422 if problems else 200,
        values=values | {k: v.isoformat() for k, v in days.items() if not values[k]},
        problems=problems,
        changes=changes,
        countries=pack.countries(),
        drafts=list(drafts()),
        draft=draft_name,
        sources=pack.sources,
    )


@router.get("/research")
def research_page(request: Request, user: User) -> HTMLResponse:
    require(user.actor, Action.STATS_READ)
    return _research_response(request, user, [], {})


def _research_response(
    request: Request,
    user: WebUser,
    problems: list[Problem],
    values: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    with database(request).session() as s:
        stats = repo.stats(s, user.actor)
    default_expiry = research.default_expiry(today()).isoformat()
    return render(
        request,
        "research.html",
        status_code=status_code,
        stats=stats,
        problems=problems,
        values={"expires": default_expiry} | values,
        max_days=research.max_days(),
    )


# The store names its fields as the CLI's options; the page names them as its own fields.
_FIELDS = {"--purpose": "purpose", "--legal-basis": "legal_basis", "--dpia": "dpia"}


@router.post("/research/export")
async def research_export(request: Request, user: User) -> Response:
    require(user.actor, Action.STATS_READ)
    form = await checked_form(request)
    values = {k: text(form, k) for k in ("purpose", "legal_basis", "dpia", "expires", "scope")}
    problems = [Problem(k, "required") for k in ("purpose", "legal_basis", "dpia") if not values[k]]
    problems += [
        Problem(k, "too_long") for k in ("purpose", "legal_basis", "dpia") if len(values[k]) > 500
    ]
    # What leaves is chosen, never defaulted: an unknown scope is not read as full records.
    if values["scope"] not in ("records", "aggregates"):
        problems.append(Problem("scope", "choice"))
    day = today()
    try:
        expires = date.fromisoformat(values["expires"]) if values["expires"] else None
    except ValueError:
        expires = None
        problems.append(Problem("expires", "date"))
    if expires is None and not any(p.where == "expires" for p in problems):
        problems.append(Problem("expires", "required"))
    elif expires is not None and expires <= day:
        problems.append(Problem("expires", "after_today"))
    elif expires is not None:  # further ahead than an export may be kept
        problems += research.expiry_problems(expires, day, "expires")
    if problems:
        return _research_response(request, user, problems, values, 422)
    assert expires is not None
    try:
        with database(request).session() as s:
            result = research.export(
                s,
                user.actor,
                purpose=values["purpose"],
                legal_basis=values["legal_basis"],
                dpia=values["dpia"],
                expires=expires,
                today=day,
                vocabulary=set(_pack(request).tags),
            )
    except InputError as err:
        found = [Problem(_FIELDS.get(p.where, p.where), p.message) for p in err.problems]
        return _research_response(request, user, found, values, 422)
    if values["scope"] == "aggregates":
        result = {"export": result["export"], "aggregates": result["aggregates"]}
    name = f"haven-research-{result['export']['id']}.json"
    return Response(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n",
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
