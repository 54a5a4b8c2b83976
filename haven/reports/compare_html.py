"""A self-contained HTML page of `haven policy compare` (no scripts, no external assets)."""

from importlib.resources import files
from typing import Any

from jinja2 import Environment, select_autoescape

from haven.policy.compare_json import rows

_env = Environment(autoescape=select_autoescape(default=True), keep_trailing_newline=True)


def render_compare_html(doc: dict[str, Any]) -> str:
    """`doc`: the compare JSON (haven.policy.compare_json)."""
    template = (files("haven.reports") / "templates" / "compare.html").read_text(encoding="utf-8")
    return _env.from_string(template).render(doc=doc, shown=rows(doc))
