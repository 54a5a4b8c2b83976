"""The policy explorer's compare page: two packs side by side for a country, on a date or over
a period (haven.policy.compare), with both sides' sources, and a timeline of both packs' entries
with the windows in which they diverge shaded."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from haven.clock import today
from haven.doors import named_pack, pack_ids
from haven.errors import InputError, Problem
from haven.policy.compare import compare, compare_period
from haven.policy.compare_json import as_of_json, period_json, rows
from haven.policy.pack import Pack
from haven.store.access import Action
from haven.store.repo import require
from haven.web.chart import KIND_TITLES
from haven.web.chart_compare import KIND_COLOURS, compare_svg, kind_label
from haven.web.render import gettext_for, language, render
from haven.web.session import WebUser, web_user

router = APIRouter(include_in_schema=False)
User = Annotated[WebUser, Depends(web_user)]
FIELDS = ("country", "left", "right", "as_of", "from", "to")


class Query:
    """The page's choices, checked: each problem names its field (a short code for the page)."""

    def __init__(self, request: Request) -> None:
        q = request.query_params
        own: Pack = request.app.state.pack
        ids = pack_ids(request)
        self.values = {k: (q.get(k) or "").strip()[:40] for k in FIELDS}
        self.problems: list[Problem] = []
        self.packs: list[Pack] = []
        default_right = next((i for i in ids if i != own.meta.id), own.meta.id)
        for name, default in (("left", own.meta.id), ("right", default_right)):
            chosen = self.values[name] or default
            self.values[name] = chosen
            try:
                self.packs.append(named_pack(request, chosen, name))
            except InputError:
                self.problems.append(Problem(name, "choice"))
        self.countries = sorted({c for p in self.packs for c in p.countries()})
        # By default the first country both packs speak about.
        shared = (
            sorted(set.intersection(*(set(p.countries()) for p in self.packs)))
            if self.packs
            else []
        )
        fallback = (shared or self.countries or [""])[0]
        code = (self.values["country"] or fallback).upper()
        self.values["country"] = code
        if self.countries and code not in self.countries:
            self.problems.append(Problem("country", "choice"))
        self.days: dict[str, date | None] = {}
        for name in ("as_of", "from", "to"):
            try:
                self.days[name] = (
                    date.fromisoformat(self.values[name]) if self.values[name] else None
                )
            except ValueError:
                self.days[name] = None
                self.problems.append(Problem(name, "date"))
        start, end = self.days["from"], self.days["to"]
        self.period = bool(self.values["from"] or self.values["to"])
        if self.period and not self.problems:
            if start is None:
                self.problems.append(Problem("from", "required"))
            if end is None:
                self.problems.append(Problem("to", "required"))
            if start is not None and end is not None and start > end:
                self.problems.append(Problem("to", "after_from"))
        self.as_of = self.days["as_of"] or today()

    @property
    def ok(self) -> bool:
        return not self.problems

    def span(self) -> tuple[date, date]:
        """The period drawn on the timeline: the chosen one, else from the first entry of
        either pack for the country to the page's date."""
        if self.period:
            start, end = self.days["from"], self.days["to"]
            assert start is not None and end is not None
            return start, end
        code = self.values["country"]
        first = min(
            (e.valid_from for p in self.packs for e in p.for_country(code)), default=self.as_of
        )
        return min(first, self.as_of), self.as_of


@router.get("/policy/compare")
def compare_page(request: Request, user: User) -> HTMLResponse:
    require(user.actor, Action.POLICY_READ)
    query = Query(request)
    doc: dict[str, Any] | None = None
    if query.ok:
        left, right = query.packs
        code = query.values["country"]
        if query.period:
            start, end = query.span()
            doc = period_json(
                left, right, start, end, compare_period(left, right, code, start, end)
            )
        else:
            doc = as_of_json(left, right, query.as_of, compare(left, right, code, query.as_of))
    lang = language(request)
    tr = gettext_for(lang)
    left_id, right_id = query.values["left"], query.values["right"]
    by_id = {p.meta.id: p for p in query.packs}

    def source_title(pack_id: str, source: dict[str, Any]) -> str:
        """A side's source title in the page's language (the pack's i18n `sources`); the
        JSON keeps the English title."""
        pack = by_id.get(pack_id)
        return pack.source_title(source["id"], lang) if pack else str(source["title"])

    return render(
        request,
        "policy_compare.html",
        status_code=422 if query.problems else 200,
        values=query.values | ({"as_of": query.as_of.isoformat()} if not query.period else {}),
        problems=query.problems,
        doc=doc,
        shown=rows(doc) if doc else [],  # the contract's divergences and the unranked rows
        pack_choices=pack_ids(request),
        countries=query.countries,
        kinds={k: kind_label(k, left_id, right_id, tr.gettext) for k in (*KIND_COLOURS, "same")},
        colours=KIND_COLOURS,
        topics=KIND_TITLES,
        chart_query=request.url.query,
        source_title=source_title,
    )


@router.get("/policy/compare/timeline.svg")
def compare_timeline(request: Request, user: User) -> Response:
    require(user.actor, Action.POLICY_READ)
    query = Query(request)
    if not query.ok:
        raise InputError(query.problems)
    left, right = query.packs
    code = query.values["country"]
    start, end = query.span()
    lang = language(request)
    key = (left.version, right.version, code, lang, start, end)
    svg = _charts.get(key)
    if svg is None:
        rows = compare_period(left, right, code, start, end)
        svg = compare_svg(left, right, code, rows, start, end, gettext_for(lang).gettext, lang)
        if len(_charts) > 64:
            _charts.clear()
        _charts[key] = svg
    return Response(svg, media_type="image/svg+xml")


# Rendering takes a few hundred ms and depends only on these.
_charts: dict[tuple[str, str, str, str, date, date], str] = {}
