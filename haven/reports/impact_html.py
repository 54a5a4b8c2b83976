"""A self-contained HTML impact report (no scripts, no external assets)."""

from importlib.resources import files

from jinja2 import Environment, select_autoescape

from haven.impact import Impact

_env = Environment(autoescape=select_autoescape(default=True), keep_trailing_newline=True)


def render_html(result: Impact) -> str:
    template = (files("haven.reports") / "templates" / "impact.html").read_text(encoding="utf-8")
    total = max(result.cases, 1)
    return _env.from_string(template).render(r=result, total=total)
