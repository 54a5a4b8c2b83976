"""Issue 17, finding 8, in Chromium: the admin's user page reflows at 320 px in English and
Dutch with no serious axe-core violations, and its plain forms disable and enable a user."""

import json
import re
from typing import Any

from tests.web.conftest import ARTIFACTS, Demo
from tests.web.test_browser import sign_in


def test_admin_users_page_on_a_phone_in_both_languages(
    browser: Any, demo: Demo, axe_source: str
) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 800})
    page = context.new_page()
    sign_in(page, demo, "admin")
    for lang, heading in (("en", "Users of"), ("nl", "Gebruikers van")):
        page.goto(f"{demo.url}/lang/{lang}?next=/admin/users")
        assert page.get_by_role("heading", name=re.compile(heading)).is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{lang}: the page is {width} px wide at 320 px"
        page.screenshot(path=str(ARTIFACTS / f"admin-users-320-{lang}.png"), full_page=True)
        page.add_script_tag(content=axe_source)
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']})"
        )
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, json.dumps([{"id": v["id"], "help": v["help"]} for v in serious])
    page.goto(f"{demo.url}/lang/en?next=/admin/users")
    page.get_by_role("button", name="Disable aud").click()
    assert page.get_by_role("status").inner_text() == (
        "aud is disabled; their sessions and tokens have ended."
    )
    page.get_by_role("button", name="Enable aud").click()
    assert "aud can sign in again." in page.get_by_role("status").inner_text()
    context.close()
