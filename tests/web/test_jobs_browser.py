"""The impact page as a job in Chromium, under the app's real CSP: a second `haven serve` on
the demo database with every impact run as a job (HAVEN_JOB_INLINE_MAX=0). The page answers
at once with the progress bar; htmx polls it and loads the result when the job is done; the
next look is the kept result (no job page); the progress page reflows at 320 px."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import ARTIFACTS, Demo, haven_serve
from tests.web.test_browser import sign_in

URL = "/impact?from=2015-06-01&to=2015-10-01"


@pytest.fixture(scope="module")
def jobs_demo(demo: Demo) -> Iterator[Demo]:
    with haven_serve(demo.db, HAVEN_JOB_INLINE_MAX="0") as url:
        yield Demo(url, demo.passwords, demo.db)


def test_impact_job_polls_then_shows_the_kept_result(browser: Any, jobs_demo: Demo) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    errors: list[str] = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    # htmx runs under the real CSP (no inline script): a violation would stop the polling.
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, jobs_demo, "rik" if "rik" in jobs_demo.passwords else "olga")
    first = page.goto(f"{jobs_demo.url}{URL}")
    assert first is not None and first.status == 202  # the job page, at once
    progress = page.get_by_label("Cases re-assessed")
    assert progress.count() == 1 or page.get_by_role("heading", name="Transitions").count() == 1
    if progress.count() == 1:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"the job page scrolls sideways at 320 px ({width} px)"
        page.screenshot(path=str(ARTIFACTS / "job-progress-320.png"), full_page=True)
    # htmx polls every second and loads the result page when the job is done.
    page.get_by_role("heading", name="Transitions").wait_for(timeout=60_000)
    assert page.url.endswith(URL)
    assert page.get_by_text("cases assessed").count() >= 1
    # The next look is the kept result: the page itself, not a job page.
    again = page.goto(f"{jobs_demo.url}{URL}")
    assert again is not None and again.status == 200
    assert page.get_by_role("heading", name="Transitions").count() == 1
    assert not errors, errors
    context.close()
