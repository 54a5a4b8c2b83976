"""Saving the case editor in Chromium: the assessment beside it is recomputed on the date typed
in "Assess as of" (and under the page's pack), and the address bar says that date and pack, so
a reload or a shared link shows the same assessment. On a copy of the demo (saving adds case
versions the other browser tests must not see)."""

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import ARTIFACTS, Demo, haven_serve
from tests.web.test_browser import sign_in


@pytest.fixture
def served(demo: Demo, tmp_path: Path) -> Iterator[Demo]:
    """The demo's database copied (consistently: the demo server has it open), served by a
    server of its own (the keys: the session's HAVEN_KEY_FILE, tests/conftest.py)."""
    db = tmp_path / "demo.db"
    with closing(sqlite3.connect(demo.db)) as src, closing(sqlite3.connect(db)) as dst:
        src.backup(dst)
    with haven_serve(db) as url:
        yield Demo(url, demo.passwords, db)


def _save_on(page: Any, day: str, reason: str) -> None:
    """Type `day` in "Assess as of" without showing it, change the case and save."""
    page.locator("#as_of").fill(day)
    page.locator(f'input[name="procedure.reasons"][value="{reason}"]').check()
    page.locator('#editor button[type="submit"]').click()
    page.locator("#editor p.ok").wait_for()


@pytest.mark.parametrize("pack", ["", "euaa"])
def test_after_a_save_the_address_names_the_date_the_assessment_uses(
    browser: Any, served: Demo, pack: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, served)
    query = f"&pack={pack}" if pack else ""
    page.goto(f"{served.url}/cases/EX-RU-1?as_of=2015-10-01{query}")
    assert "1 October 2015" in page.locator("#assessment-heading").inner_text()

    _save_on(page, "2015-06-01", "late_disclosure")
    heading = page.locator("#assessment-heading")
    assert "1 June 2015" in heading.inner_text()
    assert page.url.endswith(f"/cases/EX-RU-1?as_of=2015-06-01{query}"), page.url
    shown = page.locator("#assessment").inner_text()
    page.screenshot(path=str(ARTIFACTS / f"editor-saved-{pack or 'default'}.png"))

    # A reload (or the link sent to a colleague) shows the same assessment.
    page.reload()
    assert "1 June 2015" in page.locator("#assessment-heading").inner_text()
    assert page.locator("#assessment").inner_text() == shown
    if pack:
        assert page.locator("#pack").input_value() == pack

    # Saved again on the date shown: the address stays on it.
    _save_on(page, "2015-06-01", "stereotyped_knowledge")
    assert page.url.endswith(f"/cases/EX-RU-1?as_of=2015-06-01{query}"), page.url
    context.close()
