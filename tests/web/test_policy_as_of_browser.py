"""The policy explorer as of 1 June 2013 in Chromium, in English and Dutch: the Iraqi
designation (from July 2012) cites its 2012 letter, and the 2014 and 2021 instructions that
restate it are shown apart under a label saying they were published after the date; axe-core
finds nothing serious on the page. Found by a QA walk (they were listed as its sources)."""

import json
from typing import Any

from tests.web.conftest import ARTIFACTS, Demo
from tests.web.test_browser import sign_in

PAGE = "/policy?country=IQ&as_of=2013-06-01"


def test_later_documents_are_shown_apart_in_both_languages(
    browser: Any, demo: Demo, axe_source: str
) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, demo, "rosa")
    for lang, label in (
        ("en", "Published or applicable only after 1 June 2013 (not the basis on this date):"),
        (
            "nl",
            "Pas na 1 juni 2013 gepubliceerd of van toepassing (op deze datum niet de grondslag):",
        ),
    ):
        page.goto(f"{demo.url}/lang/{lang}?next={PAGE.replace('&', '%26')}")
        row = page.locator("table.entries tr", has_text="iq-lgbti-group-persecution-2012").first
        note = row.locator("p.later-sources")
        assert note.is_visible() and note.inner_text() == label, lang
        lists = row.locator("ul.sources")
        cited, later = lists.nth(0).inner_text(), lists.nth(1).inner_text()
        assert "kst-19637-1563" in cited, lang
        for sid in ("stcrt-2014-11803", "stcrt-2021-1570"):
            assert sid not in cited and sid in later, (lang, sid)
        page.screenshot(path=str(ARTIFACTS / f"policy-as-of-2013-{lang}.png"), full_page=True)
        page.add_script_tag(content=axe_source)
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']})"
        )
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, json.dumps([{"id": v["id"], "help": v["help"]} for v in serious])
    context.close()
