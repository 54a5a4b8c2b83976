"""Policy explorer: per country, the timeline chart, the entries in force on a date with their
sources, the country-report findings and the contradictions between the two."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from haven.clock import today
from haven.errors import NotFound, Problem
from haven.policy import checks
from haven.policy.in_force import entries_on
from haven.policy.pack import Pack
from haven.store.access import Action
from haven.store.repo import require
from haven.web.chart import KIND_TITLES, timeline_svg
from haven.web.packchoice import chosen_pack
from haven.web.render import gettext_for, language, render
from haven.web.session import WebUser, web_user

router = APIRouter(include_in_schema=False)
User = Annotated[WebUser, Depends(web_user)]


def _pack(request: Request) -> Pack:
    return chosen_pack(request)


def _country(pack: Pack, code: str) -> str:
    code = code.strip().upper()
    if code not in pack.countries():
        raise NotFound([Problem("country", f"the pack has no entries for {code!r}")])
    return code


@router.get("/policy")
def explorer(request: Request, user: User) -> HTMLResponse:
    require(user.actor, Action.POLICY_READ)
    pack = _pack(request)
    q = request.query_params
    countries = pack.countries()
    # Without a choice: Russia if the pack covers it (the explorer's first example), else the
    # pack's first country.
    first = "RU" if "RU" in countries or not countries else countries[0]
    code = _country(pack, q.get("country") or first)
    problem = None
    try:
        day = date.fromisoformat(q["as_of"]) if q.get("as_of") else today()
    except ValueError:
        # The form with its problem and no result (not one for today).
        day, problem = today(), Problem("as_of", "date")
    entries = pack.for_country(code)
    # The country's entries in force, each with the documents that existed on the date and
    # those published after it (shown apart, never as the basis), as in an assessment.
    in_force = entries_on(pack, code, day, general=False)
    findings = sorted(
        (f for f in pack.findings.values() if f.country == code), key=lambda f: (f.date, f.id)
    )
    return render(
        request,
        "policy.html",
        status_code=422 if problem else 200,
        country=code,
        countries=pack.countries(),
        as_of=day,
        date_problem=problem,
        entries=entries,
        in_force=in_force,
        findings=findings,
        findings_now={f.id for f in pack.findings_in_force(day, code)},
        contradictions=checks.check(pack, code, day),
        windows=checks.windows(pack, code),
        sources=pack.sources,
        reports=pack.reports,
        kinds=KIND_TITLES,
        pack=pack,
    )


@router.get("/policy/{country}/timeline.svg")
def timeline(request: Request, country: str, user: User) -> Response:
    require(user.actor, Action.POLICY_READ)
    pack = _pack(request)
    code = _country(pack, country)
    lang, day = language(request), today()
    raw = request.query_params.get("as_of") or ""
    try:
        as_of = date.fromisoformat(raw) if raw else day
    except ValueError:
        as_of = day
    key = (pack.version, code, lang, day, as_of)
    svg = _charts.get(key)
    if svg is None:
        svg = timeline_svg(pack, code, day, gettext_for(lang).gettext, as_of, lang)
        if len(_charts) > 256:
            _charts.clear()
        _charts[key] = svg
    return Response(svg, media_type="image/svg+xml")


# Rendering takes a few hundred ms and depends only on these; pages are per user, charts not.
_charts: dict[tuple[str, str, str, date, date], str] = {}
