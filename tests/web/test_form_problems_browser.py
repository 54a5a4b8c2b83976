"""Problems after an htmx form is sent, on a phone (320 px), under the real CSP, in English
and Dutch (QA): the editor's error summary is focused and in view; the draft check runs on the
date the page shows and names it; an empty box, a NUL and a body over 2 MB each say something
next to the form, never nothing."""

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ARTIFACTS, Demo
from tests.web.test_roles_browser import sign_in

PHONE = {"width": 320, "height": 640}
LOCALES = {"en": "en-GB", "nl": "nl-NL"}

IN_VIEW = """e => { const r = e.getBoundingClientRect();
  return r.top >= 0 && r.top < window.innerHeight && r.bottom > 0; }"""
FOCUSED = "e => document.activeElement === e"


@pytest.fixture(params=["en", "nl"])
def page(request: Any, browser: Any, demo: Demo) -> Any:
    context = browser.new_context(viewport=PHONE, locale=LOCALES[request.param])
    tab = context.new_page()
    tab.lang = request.param
    sign_in(tab, demo, "olga")
    yield tab
    context.close()


def test_the_editors_error_summary_is_focused_and_in_view(page: Any, demo: Demo) -> None:
    page.goto(f"{demo.url}/cases/SYN-0000001")
    page.locator("#decided").fill("2000-01-01")
    page.locator('#editor button[type="submit"]').click()
    summary = page.locator("#editor .error-summary")
    summary.wait_for()
    expect(summary).to_be_focused()
    assert summary.evaluate(FOCUSED) and summary.evaluate(IN_VIEW)
    assert summary.get_attribute("role") == "alert"
    page.screenshot(path=str(ARTIFACTS / f"editor-problem-{page.lang}.png"))

    # A NUL in a field (422): the editor again, the field marked, the summary focused.
    page.locator("#decided").fill("")
    page.locator("#region").evaluate("e => { e.value = 'RU-M\\u0000OW'; }")
    page.locator('#editor button[type="submit"]').click()
    page.locator("#err-region").wait_for()
    assert "NUL" in page.locator("#err-region").inner_text()
    expect(page.locator("#editor .error-summary")).to_be_focused()
    assert page.locator("#editor .error-summary").evaluate(IN_VIEW)


def test_the_draft_check_names_the_date_the_page_shows(page: Any, demo: Demo) -> None:
    words = {
        "en": ("1 October 2015", "1 June 2015", "Enter the draft decision text."),
        "nl": ("1 oktober 2015", "1 juni 2015", "Vul de tekst van het conceptbesluit in."),
    }
    october, june, empty = words[page.lang]
    page.goto(f"{demo.url}/cases/EX-RU-1?as_of=2015-10-01")
    # A date typed but not shown: the check keeps to the date the page shows, and says it.
    page.locator("#as_of").fill("2015-06-01")
    page.locator("#lint-text").fill("He could relocate to Moscow.")
    page.locator('#lint button[type="submit"]').click()
    result = page.locator("#lint-result")
    result.wait_for()
    assert october in result.inner_text()
    assert page.locator("#lint mark").count() == 1
    assert october in page.locator("#assessment-heading").inner_text()
    # Shown on 1 June 2015, the check follows.
    page.locator('form.as-of button[type="submit"]').click()
    page.wait_for_url("**as_of=2015-06-01*")
    expect(page.locator("#lint-date")).to_contain_text(june)
    page.locator('#lint button[type="submit"]').click()
    expect(page.locator("#lint-result")).to_contain_text(june)
    assert page.locator("#lint mark").count() == 0

    # An empty box (422): the problem next to the box.
    page.locator("#lint-text").fill("")
    page.locator('#lint button[type="submit"]').click()
    page.locator("#lint-problem").wait_for()
    assert page.locator("#lint-problem").inner_text() == empty
    assert page.locator("#lint-text").get_attribute("aria-invalid") == "true"

    # Over the 2 MB body limit (413, never swapped by htmx): a message next to the form.
    page.locator("#lint-text").evaluate("e => { e.value = 'x'.repeat(2200000); }")
    page.locator('#lint button[type="submit"]').click()
    note = page.locator("#lint .request-problem")
    note.wait_for()
    too_large = {
        "en": "What you sent is too large (more than 2 MB)",
        "nl": "Wat u stuurde is te groot",
    }
    assert too_large[page.lang] in note.inner_text() and note.get_attribute("role") == "alert"
    assert note.evaluate(FOCUSED) and note.evaluate(IN_VIEW)
    page.screenshot(path=str(ARTIFACTS / f"lint-too-large-{page.lang}.png"))
    # The next answer takes the message away.
    page.locator("#lint-text").fill("He could relocate to Moscow.")
    page.locator('#lint button[type="submit"]').click()
    page.locator("#lint-result").wait_for()
    assert page.locator("#lint .request-problem").count() == 0
