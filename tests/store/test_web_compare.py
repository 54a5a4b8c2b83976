"""The compare page (/policy/compare) with the real app: both packs' sources, the divergence
table, the timeline with the windows shaded, Dutch, field errors, and who may open it."""

import re
from pathlib import Path

from haven.web.chart_compare import KIND_COLOURS
from tests.store.compare_helpers import register_eu_mini
from tests.store.store_helpers import Api
from tests.store.test_web_pages import signed_in


def _with_eu_mini(api: Api) -> None:
    register_eu_mini(api.client.app)


def test_compare_page_on_a_date(api: Api) -> None:
    _with_eu_mini(api)
    b = signed_in(api, "researcher")
    r = b.get("/policy/compare?left=nl&right=eu-mini&country=IR&as_of=2025-02-01")
    assert r.status_code == 200, r.text
    page = r.text
    # The menu of a role that may read policy links the page.
    assert 'href="/policy/compare"' in page
    assert "nl stricter" in page and "only eu-mini" in page
    assert "<code>sogi=bisexual|gay|lesbian</code>" in page
    # Both sides' sources, with their links.
    assert "https://zoek.officielebekendmakingen.nl/stcrt-2019-42462.html" in page
    assert "https://www.euaa.europa.eu/country-guidance-iran-2025/guidance-note" in page
    # An unverified entry is shown as not counted.
    assert "Not counted" in page and "eu-ir-bahai-2025" in page
    # The Yarsani entry is unconfirmed after 2019 and the EU pack has none: not "same".
    assert "no counted position on either side" in page
    assert 'src="/policy/compare/timeline.svg?left=nl&amp;right=eu-mini&amp;country=IR' in page


def test_the_colour_key_needs_no_inline_style(api: Api) -> None:
    """The swatches are coloured by classes in the stylesheet (the CSP blocks inline style:
    they showed as empty boxes), each in its kind's colour on the chart."""
    _with_eu_mini(api)
    b = signed_in(api, "researcher")
    page = b.get("/policy/compare?left=nl&right=eu-mini&country=IR&as_of=2025-02-01").text
    assert not re.search(r"\sstyle\s*=", page)
    kinds = set(re.findall(r'class="swatch swatch-(\w+)"', page))
    assert {"nl_stricter", "only_eu"} <= kinds
    css = b.get("/static/haven.css").text
    for kind, colour in KIND_COLOURS.items():
        assert f".swatch-{kind} {{ background: {colour}; }}" in css, kind


def test_no_template_has_an_inline_style_attribute() -> None:
    templates = Path(__file__).parents[2] / "haven" / "web" / "templates"
    styled = [p.name for p in templates.glob("*.html") if re.search(r"\sstyle\s*=", p.read_text())]
    assert styled == []


def test_compare_period_and_timeline(api: Api) -> None:
    _with_eu_mini(api)
    b = signed_in(api, "advocate")
    query = "left=nl&right=eu-mini&country=IQ&from=2021-01-01&to=2025-06-01"
    page = b.get(f"/policy/compare?{query}").text
    # After the Dutch reset of 27 May 2024 the NL entry is unconfirmed: not "only eu-mini".
    assert "Periods" in page and "position unconfirmed" in page and "only eu-mini" not in page
    svg = b.get(f"/policy/compare/timeline.svg?{query}")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<script" not in svg.text
    texts = set(re.findall(r"<text[^>]*>([^<]*)</text>", svg.text))
    # Both packs' lanes on one axis, and the divergence windows in the legend.
    assert any(t.startswith("nl · ") for t in texts) and any(
        t.startswith("eu-mini · ") for t in texts
    )
    assert {"Divergence", "position unconfirmed"} <= texts
    assert svg.headers["content-security-policy"].startswith("default-src 'none'")


def test_compare_in_dutch(api: Api) -> None:
    _with_eu_mini(api)
    b = signed_in(api, "researcher")
    b.get("/lang/nl?next=/policy")
    page = b.get("/policy/compare?left=nl&right=eu-mini&country=IR&as_of=2025-02-01").text
    assert '<html lang="nl">' in page
    assert "Twee beleidspakketten vergelijken" in page
    assert "nl strenger" in page and "Risicogroep" in page


def test_compare_field_errors(api: Api) -> None:
    _with_eu_mini(api)
    b = signed_in(api, "researcher")
    for query, field in (
        ("left=nl&right=nope&country=IR", "right"),
        ("left=nl&right=eu-mini&country=ZZ", "country"),
        ("left=nl&right=eu-mini&country=IR&as_of=2025-02-30", "as_of"),
        ("left=nl&right=eu-mini&country=IR&from=2025-01-01&to=2024-01-01", "to"),
    ):
        r = b.get(f"/policy/compare?{query}")
        assert r.status_code == 422, query
        assert f'href="#f-{field}"' in r.text, query
        assert 'aria-invalid="true"' in r.text
    r = b.get("/policy/compare/timeline.svg?left=nl&right=nope&country=IR")
    assert r.status_code == 400 and "Traceback" not in r.text


def test_the_auditor_has_no_compare_page(api: Api) -> None:
    b = signed_in(api, "auditor")
    assert b.get("/policy/compare").status_code == 403


def test_the_menu_link_opens_a_comparison(api: Api) -> None:
    b = signed_in(api, "researcher")
    r = b.get("/policy/compare")
    assert r.status_code == 200, r.text
    assert 'table class="compare"' in r.text
    r = b.get("/policy/compare?left=nl&right=nope")
    assert r.status_code == 422 and 'href="#f-right"' in r.text
