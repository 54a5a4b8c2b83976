"""Jinja2 rendering with the request's language: every page gets `_`/`ngettext`, the CSRF
token and the signed-in user. Autoescaping is on: case content is user input."""

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.routing import Match

from haven.i18n import LANGUAGES, normalise, translations
from haven.reports import plain, wording
from haven.reports.wording import country_name
from haven.web.labels import label
from haven.web.messages import say
from haven.web.nav import MenuItem, menu
from haven.web.packchoice import offered, pack_query, page_pack
from haven.web.security import LANG_COOKIE, csrf_token, ensure_csrf

TEMPLATES = Path(__file__).resolve().parent / "templates"
HTMX = "htmx-2.0.11.min.js"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"]),
    undefined=StrictUndefined,  # a misspelt variable is an error, not an empty cell
    trim_blocks=True,
    lstrip_blocks=True,
)


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen:
        return normalise(chosen)
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].split(";")[0].strip()
    return normalise(first)


def gettext_for(lang: str) -> Any:
    return translations(lang, "haven.web", "web")


def _field_problem(problems: list[Any], field: str) -> Any:
    """The first problem with a field, or None (to mark the field)."""
    return next((p for p in problems if p.where == field), None)


def _current(items: list[MenuItem], path: str) -> str | None:
    """The menu entry the page belongs to: the longest path the page's path starts with."""
    found = [m.path for m in items if path == m.path or path.startswith(m.path + "/")]
    return max(found, key=len, default=None)


def _serves_get(request: Request, path: str) -> bool:
    """Whether a GET on `path` reaches a route (not 404 or 405)."""
    scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
    return any(r.matches(scope)[0] == Match.FULL for r in request.app.router.routes)


def page_address(request: Request) -> str:
    """The address a GET opens this page at: for a GET, its own; for a page rendered in answer
    to a POST (a form with its problems), the same path if a GET serves it (`/queues`), else
    the nearest parent path a GET serves (`/queues/1/items/6/close` -> `/queues/1/items/6`,
    `/admin/users/{name}` -> `/admin/users`), else `/`; the query is kept (`?pack=`). A link to
    a POST-only path would answer 405."""
    query = f"?{request.url.query}" if request.url.query else ""
    path = request.url.path
    if request.method in ("GET", "HEAD") or _serves_get(request, path):
        return path + query
    while "/" in path.strip("/"):
        path = path.rstrip("/").rsplit("/", 1)[0]
        if _serves_get(request, path):
            return path + query
    return "/"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    tr = gettext_for(lang)

    def fmt_date(value: date | str | None) -> str:
        if value is None or value == "":
            return "—"
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return plain.day(day, lang)

    me = getattr(request.state, "web_user", None)
    pack = page_pack(request)
    packs = offered(request)
    items = menu(me.actor.role) if me is not None else []
    html = env.get_template(template).render(
        request=request,
        lang=lang,
        languages=LANGUAGES,
        _=tr.gettext,
        gettext=tr.gettext,
        ngettext=tr.ngettext,
        csrf=csrf_token(request),
        htmx=HTMX,
        me=me,
        menu=items,
        current_menu=_current(items, request.url.path),
        fmt_date=fmt_date,
        label=lambda code: label(code, tr.gettext),
        say=lambda problem, fields: say(problem, fields, tr.gettext),
        field_problem=_field_problem,
        country_name=lambda code: country_name(code, lang),
        # The pack's own texts in the reader's language (haven/policy/texts.py).
        entry_label=lambda eid: pack.entry_label(eid, lang),
        pack_text=lambda kind, key, default: pack.text(kind, key, default, lang),
        paraphrase=lambda finding: pack.paraphrase(finding, lang),
        check_text=lambda check: pack.check_text(check, lang),
        # A flag's meaning with the law that says so, from the pack (framework.yaml: flags).
        flag_text=lambda code: plain.flag_text(code, lang, pack),
        # A step's heading, from the pack (framework.yaml: steps).
        step_title=lambda rule: plain.step_title(rule, lang, pack),
        # A step's finding in the pack's words for the reader (haven/reports/wording.py).
        finding_text=lambda step: wording.finding_text(step, lang, pack),
        plain=plain,
        # The pack selector (haven/web/templates/_pack_select.html): the packs the server
        # offers, the one this page shows, and the query that keeps it in links.
        pack_ids=packs.ids(),
        pack_names={i: p.display_name(lang) for i, p in packs.packs.items()},
        page_pack=pack.meta.id,
        # The draft-text check offers the pack's opt-in model only where the pack has one.
        has_lint_model=pack.lint_model is not None,
        pack_query=pack_query(request),
        path=request.url.path,
        # Where the language switch returns to: this page's own address (for a page answering
        # a form post, the page the form is on).
        here=page_address(request),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    ensure_csrf(request, response)
    return response


def problems_page(
    request: Request, problems: list[Any], fields: dict[str, str] | None = None
) -> HTMLResponse:
    """422 and the problems in plain words, each naming its field (`fields`: field -> its
    label, an English message id): for an address (an export) that has no form to show them
    on. Never a result for other input."""
    tr = gettext_for(language(request))
    return render(
        request,
        "error.html",
        status_code=422,
        title=tr.gettext("Cannot do that"),
        problems=problems,
        fields={k: tr.gettext(v) for k, v in (fields or {}).items()},
    )
