"""Issue 19 in Chromium at 320 px: the case page and the policy explorer with two packs
offered (the fictional example packs), in English and Dutch: the pack selector works, is kept
in the URL and fits a phone; the case page notes the more favourable reference pack."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.web.conftest import ARTIFACTS, haven_serve

PACKS = Path(__file__).resolve().parents[1] / "packs"
EXAMPLE, COMMON = PACKS / "example", PACKS / "example_common"
PASSWORD = "a long enough password"


def _haven(db: Path, *args: str) -> None:
    env = {**os.environ, "HAVEN_DATABASE_URL": f"sqlite:///{db}"}
    r = subprocess.run(
        [sys.executable, "-m", "haven", *args], capture_output=True, text=True, env=env, timeout=300
    )
    assert r.returncode == 0, r.stderr


def _fits(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{what}: the page is {width} px wide at 320 px"


def test_two_packs_on_a_phone(browser: Any, tmp_path: Path) -> None:
    db = tmp_path / "haven.db"
    _haven(db, "users", "add", "olga", "--role", "case_officer", "--org", "ex",
           "--password", PASSWORD)  # fmt: skip
    _haven(db, "cases", "import", str(EXAMPLE / "caseload.jsonl"), "--org", "ex", "--user",
           "olga", "--pack", str(EXAMPLE))  # fmt: skip
    env = {"HAVEN_PACK": str(EXAMPLE), "HAVEN_PACKS": str(COMMON),
           "HAVEN_REFERENCE_PACK": str(COMMON)}  # fmt: skip
    with haven_serve(db, **env) as url:
        context = browser.new_context(viewport={"width": 320, "height": 800})
        page = context.new_page()
        page.goto(f"{url}/login")
        page.get_by_label("Username").fill("olga")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda u: "/login" not in u)

        page.goto(f"{url}/cases/EX-AQ-1?as_of=2015-10-01")
        note = page.locator("#reference-note")
        assert note.is_visible() and "more favourable to the applicant" in note.inner_text()
        _fits(page, "case page")
        page.screenshot(path=str(ARTIFACTS / "packs-case-320-en.png"), full_page=True)

        page.get_by_label("Policy pack").select_option("example-common")
        page.get_by_role("button", name="Show assessment").click()
        page.wait_for_url("**pack=example-common*")
        page.locator("#recommendation").get_by_text("Protection indicated").wait_for()
        assert page.locator("#reference-note").count() == 0
        _fits(page, "case page under the other pack")

        page.goto(f"{url}/lang/nl?next=/cases/EX-AQ-1?as_of=2015-10-01")
        page.locator("#reference-note").get_by_text("gunstiger voor de aanvrager").wait_for()
        assert page.get_by_label("Beleidspakket").is_visible()
        _fits(page, "case page in Dutch")
        page.screenshot(path=str(ARTIFACTS / "packs-case-320-nl.png"), full_page=True)

        page.goto(f"{url}/policy?country=AQ&as_of=2015-10-01")
        page.get_by_label("Beleidspakket").select_option("example-common")
        page.get_by_role("button", name="Tonen").click()
        page.wait_for_url("**pack=example-common*")
        _fits(page, "policy explorer")
        page.wait_for_function(
            "() => { const i = document.getElementById('timeline-chart'); "
            "return i.complete && i.naturalWidth > 0; }"
        )
        context.close()
