"""A case officer shares a case with an NGO advocate on a phone, in English and Dutch: the
case page says who holds the case, the form offers the organisation's officers and advocates
who do not hold it yet, the advocate then finds the case in her caseload, and loses it again
when the share is taken back; the page stays axe-clean and 320 px wide. Sharing with nobody
chosen says so next to the field."""

from typing import Any

import pytest

from tests.web.conftest import ARTIFACTS, Demo
from tests.web.test_roles_browser import check_page, sign_in

PHONE = {"width": 320, "height": 640}


def _refs(page: Any, demo: Demo) -> list[str]:
    page.goto(f"{demo.url}/cases")
    hrefs = page.locator('main a[href^="/cases/"]').evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    return [h.split("/cases/")[1].split("?")[0] for h in hrefs if h.count("/") == 2]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_officer_shares_a_case_with_an_advocate(
    browser: Any, demo: Demo, axe_source: str, lang: str
) -> None:
    def context() -> Any:
        return browser.new_context(
            bypass_csp=True, viewport=PHONE, locale="nl-NL" if lang == "nl" else "en-GB"
        )

    advocate = context()
    page = advocate.new_page()
    sign_in(page, demo, "nadia")
    before = set(_refs(page, demo))

    officer = context()
    page = officer.new_page()
    sign_in(page, demo, "olga")
    # A case the advocate does not hold yet (one per language: both runs share the demo).
    ref = [r for r in _refs(page, demo) if r not in before][{"en": 0, "nl": 1}[lang]]
    page.goto(f"{demo.url}/cases/{ref}")
    access = page.locator("#access")
    assert "olga" in access.locator("ul.holders").inner_text()
    assert "nadia" not in access.locator("ul.holders").inner_text()
    check_page(page, axe_source, f"share-{lang}-before")

    # Nothing chosen: the problem is said next to the field, nothing is shared.
    page.locator("#share-username").evaluate("s => s.removeAttribute('required')")
    page.locator('#access button[type="submit"]').click()
    expect_text = {"en": "Choose whom to share", "nl": "Kies met wie"}[lang]
    assert expect_text in page.locator("#err-share-username").inner_text()
    assert page.locator("#share-username").get_attribute("aria-invalid") == "true"

    page.locator("#share-username").select_option("nadia")
    page.locator('#access button[type="submit"]').click()
    page.wait_for_url(f"**/cases/{ref}?shared=nadia*")
    notice = {"en": "Shared with nadia", "nl": "Gedeeld met nadia"}[lang]
    assert notice in page.locator("#access .notice").inner_text()
    holders = page.locator("#access ul.holders").inner_text()
    assert "nadia" in holders and {"en": "shared", "nl": "gedeeld"}[lang] in holders
    assert page.locator('#share-username option[value="nadia"]').count() == 0
    page.locator("#access").screenshot(path=str(ARTIFACTS / f"share-{lang}.png"))
    check_page(page, axe_source, f"share-{lang}-after")

    reader = advocate.new_page()
    assert ref in _refs(reader, demo)
    reader.goto(f"{demo.url}/cases/{ref}")
    assert reader.locator("h1").first.inner_text().endswith(ref)

    # Taken back: the advocate's caseload no longer holds it.
    stop = {"en": "Stop sharing with nadia", "nl": "Niet meer delen met nadia"}[lang]
    page.get_by_role("button", name=stop).click()
    page.wait_for_url(f"**/cases/{ref}?unshared=nadia*")
    gone = {"en": "nadia no longer holds this case", "nl": "nadia heeft deze zaak niet meer"}
    assert gone[lang] in page.locator("#access .notice").inner_text()
    assert "nadia" not in page.locator("#access ul.holders").inner_text()
    check_page(page, axe_source, f"share-{lang}-taken-back")
    assert ref not in _refs(reader, demo)
    officer.close()
    advocate.close()
