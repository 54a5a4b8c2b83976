"""End to end in Chromium: sign in, filter the caseload, open the core Russian case, move the
date from 2015-06-01 to 2015-10-01 and watch the designation and relocation findings change
with their sources, switch to Dutch, open the policy explorer chart; then axe-core on the main
pages. Runs under the app's real CSP (no inline script), so htmx working proves it."""

import json
from typing import Any

import pytest

from tests.web.conftest import ARTIFACTS, Demo

PAGES = ["/cases", "/cases/EX-RU-1?as_of=2015-10-01", "/policy?country=RU", "/impact", "/login"]


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, demo: Demo, user: str = "olga") -> None:
    page.goto(f"{demo.url}/cases")
    assert "/login" in page.url
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(demo.passwords[user])
    page.get_by_role("button", name="Sign in").click()
    # The caseload for the roles that may open it; any other role lands on its own home.
    page.wait_for_url(lambda url: "/login" not in url)


def test_case_worker_journey(browser: Any, demo: Demo) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, demo)
    shot(page, "01-caseload")

    # Filter: Russian cases whose recommendation is "protection indicated" (htmx, no reload).
    page.get_by_label("Nationality (ISO code)").fill("RU")
    page.get_by_label("Recommendation", exact=True).select_option("protection_indicated")
    page.wait_for_url("**/cases?*recommendation=protection_indicated*")
    results = page.locator("#results")
    assert "EX-RU-1" in results.inner_text()
    rows = results.locator("tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        assert rows.nth(i).locator("td").nth(1).inner_text() == "RU"
    shot(page, "02-caseload-filtered")

    # The core case, first as of 2015-06-01.
    page.get_by_role("link", name="EX-RU-1", exact=True).click()
    page.wait_for_url("**/cases/EX-RU-1")
    page.get_by_label("Assess as of").fill("2015-06-01")
    page.get_by_role("button", name="Show assessment").click()
    page.wait_for_url("**as_of=2015-06-01*")
    assert page.locator("#designation").inner_text().strip() == "None"
    relocation_before = page.locator("#relocation").inner_text()
    shot(page, "03-case-2015-06-01")

    page.get_by_label("Assess as of").fill("2015-10-01")
    page.get_by_role("button", name="Show assessment").click()
    page.wait_for_url("**as_of=2015-10-01*")
    designation = page.locator("#designation")
    designation.get_by_text("risk group").first.wait_for()
    relocation_after = page.locator("#relocation").inner_text()
    assert relocation_after != relocation_before
    assert "excluded" in relocation_after
    link = designation.locator('a[href*="kst-19637-2029"]')
    assert link.count() == 1 and "Dijkhoff" in link.inner_text()
    relocation_step = page.locator('li.step[data-rule="internal_protection"]')
    assert relocation_step.locator("a").count() >= 1
    assert page.locator('li.flag-item[data-code="ipa_excluded_by_policy"]').count() == 1
    shot(page, "04-case-2015-10-01")
    page.screenshot(path=str(ARTIFACTS / "case-page.png"))  # the README's picture

    # Dutch.
    page.get_by_role("link", name="NL").click()
    page.wait_for_url("**/cases/EX-RU-1*")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_text("Feiten van de zaak").wait_for()
    assert "risicogroep" in page.locator("#designation").inner_text()
    shot(page, "05-case-nl")

    # Policy explorer: the chart is a real image that loaded.
    page.get_by_role("link", name="Beleidsverkenner").click()
    page.wait_for_url("**/policy*")
    chart = page.locator("#timeline-chart")
    chart.wait_for()
    page.wait_for_function(
        "() => { const i = document.getElementById('timeline-chart'); "
        "return i.complete && i.naturalWidth > 0; }"
    )
    assert page.locator("#consistency").is_visible()
    shot(page, "06-policy-explorer-nl")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(
    browser: Any, demo: Demo, axe_source: str, path: str
) -> None:
    # axe is injected by the test, so this context may bypass the CSP; the app's pages are
    # checked under their real CSP in the journey above.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if path != "/login":
        sign_in(page, demo)
    page.goto(f"{demo.url}{path}")
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']})"
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    name = path.strip("/").split("?")[0].replace("/", "-") or "root"
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(result["violations"], indent=1))
    assert not serious, json.dumps(
        [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in serious
        ],
        indent=1,
    )
    context.close()
