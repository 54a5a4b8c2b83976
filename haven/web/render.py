"""Jinja2 rendering with the request's language: every page gets `_`/`ngettext`, the CSRF
token and the signed-in user. Autoescaping is on: case content is user input."""

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from haven.i18n import LANGUAGES, normalise, translations
from haven.reports import plain
from haven.web.labels import label
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


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    tr = gettext_for(lang)

    def fmt_date(value: date | str | None) -> str:
        if value is None or value == "":
            return "—"
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return plain.day(day, lang)

    html = env.get_template(template).render(
        request=request,
        lang=lang,
        languages=LANGUAGES,
        _=tr.gettext,
        gettext=tr.gettext,
        ngettext=tr.ngettext,
        csrf=csrf_token(request),
        htmx=HTMX,
        me=getattr(request.state, "web_user", None),
        fmt_date=fmt_date,
        label=lambda code: label(code, tr.gettext),
        plain=plain,
        path=request.url.path,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    ensure_csrf(request, response)
    return response
