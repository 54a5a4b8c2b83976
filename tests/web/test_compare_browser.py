"""The compare page in Chromium: reachable from the researcher's menu, readable at 320 px in
English and Dutch (no sideways scrolling of the page), axe-core clean, and its timeline drawn.

`haven serve` ships the packs in haven/packs; with one shipped pack the page compares it with
itself (every row `same`), which is enough for layout; the kinds are tested over HTTP in
tests/store/test_web_compare.py with a second pack registered."""

import json
import re
from typing import Any

from tests.web.conftest import ARTIFACTS, Demo
from tests.web.test_browser import sign_in

PAGE = "/policy/compare?left=nl&right=nl&country=RU&from=2014-01-01&to=2024-01-01"


def test_compare_page_on_a_phone_in_both_languages(
    browser: Any, demo: Demo, axe_source: str
) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 800})
    page = context.new_page()
    sign_in(page, demo, "rosa")
    assert page.locator('a[href="/policy/compare"]').count() == 1
    for lang, heading in (("en", "Compare two policy packs"), ("nl", "Twee beleidspakketten")):
        page.goto(f"{demo.url}/lang/{lang}?next={PAGE.replace('&', '%26')}")
        assert page.get_by_role("heading", name=re.compile(heading)).is_visible()
        assert page.locator("table.compare tbody tr").count() >= 3
        chart = page.locator("#compare-chart")
        chart.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('#compare-chart').complete")
        assert chart.evaluate("img => img.naturalWidth") > 0
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / f"compare-320-{lang}.png"), full_page=True)
        assert width <= 320, f"{lang}: the page is {width} px wide at 320 px"
        page.add_script_tag(content=axe_source)
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']})"
        )
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, json.dumps([{"id": v["id"], "help": v["help"]} for v in serious])
    context.close()


def test_the_colour_key_is_drawn_under_the_real_csp(browser: Any, demo: Demo) -> None:
    """Under the page's own CSP (no bypass): no inline style is refused, and every swatch in
    the divergence table has its kind's colour (they were empty boxes: inline `style=`)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, demo, "rosa")
    page.goto(f"{demo.url}/policy/compare?left=nl&right=euaa&country=IR&as_of=2025-02-01")
    swatches = page.locator("table.compare .swatch")
    assert swatches.count() > 0
    colours = swatches.evaluate_all(
        "els => els.map(e => [e.className, getComputedStyle(e).backgroundColor])"
    )
    assert all(c not in ("rgba(0, 0, 0, 0)", "transparent") for _, c in colours), colours
    assert not refused, refused
    context.close()
