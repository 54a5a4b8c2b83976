"""The web app with two packs (issue 19), on SQLite and PostgreSQL: the case page and the
policy explorer have a pack selector remembered in the URL; the case page says, in English and
Dutch, when the reference pack recommends something more favourable on the date, citing both
packs' sources; an unknown pack is a plain error naming `pack`. The fictional example packs."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from haven.server import create_app
from haven.store.db import Database
from tests.store.store_helpers import Api
from tests.store.test_web_pages import Browser, signed_in

PACKS = Path(__file__).resolve().parents[1] / "packs"
EXAMPLE, COMMON = PACKS / "example", PACKS / "example_common"


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    app = create_app(db, pack=str(EXAMPLE), packs=[str(COMMON)], reference=str(COMMON))
    with TestClient(app) as c:
        yield c


@pytest.fixture
def web(api: Api) -> Browser:
    case = json.loads((EXAMPLE / "case.json").read_text(encoding="utf-8"))
    created = api.create("officer", case)
    assert created.status_code == 201, created.text
    return signed_in(api)


def _note(html: str) -> str:
    start = html.find('id="reference-note"')
    return "" if start < 0 else html[start : html.index("</p>", start)]


def test_the_case_page_notes_a_more_favourable_reference_pack(web: Browser) -> None:
    page = web.get("/cases/EX-AQ-1?as_of=2015-10-01")
    assert page.status_code == 200, page.text[:500]
    note = _note(page.text)
    assert "more favourable to the applicant" in note, page.text
    assert "example-common" in note and "xc-guidance-2015" in note and "ex-statute" in note
    assert "it does not decide" in note
    # The selector offers every pack; the default is selected; the memo links keep no pack.
    assert '<select id="pack" name="pack">' in page.text
    assert '<option value="example" selected>' in page.text
    assert '<option value="example-common">' in page.text
    for day in ("2016-06-01", "2017-06-01"):  # equal, then less favourable: no note
        assert _note(web.get(f"/cases/EX-AQ-1?as_of={day}").text) == ""


def test_the_case_page_in_dutch(api: Api, web: Browser) -> None:
    dutch = Browser(api, lang="nl")
    assert dutch.login("officer").status_code == 303
    note = _note(dutch.get("/cases/EX-AQ-1?as_of=2015-10-01").text)
    assert "gunstiger voor de aanvrager" in note and "het beslist niet" in note, note
    page = dutch.get("/cases/EX-AQ-1?as_of=2015-10-01")
    assert '<label for="pack">Beleidspakket</label>' in page.text


def test_the_case_page_under_the_other_pack(web: Browser) -> None:
    page = web.get("/cases/EX-AQ-1?as_of=2015-10-01&pack=example-common")
    assert page.status_code == 200, page.text[:500]
    assert '<option value="example-common" selected>' in page.text
    assert 'id="recommendation">Protection indicated' in page.text
    assert "Example common guidance of 1 January 2015 (fictional)" in page.text
    assert _note(page.text) == ""  # the reference pack is this pack
    assert "memo.pdf?as_of=2015-10-01&amp;lang=en&amp;pack=example-common" in page.text
    # Under the default pack on 2017-06-01 the example pack is the better one: still no note.
    assert _note(web.get("/cases/EX-AQ-1?as_of=2017-06-01&pack=example-common").text) == ""


def test_an_unknown_pack_is_a_plain_error(web: Browser) -> None:
    page = web.get("/cases/EX-AQ-1?as_of=2015-10-01&pack=nosuch")
    assert page.status_code == 422, page.text[:300]
    assert "nosuch" in page.text and "Traceback" not in page.text
    assert web.get("/policy?country=AQ&pack=nosuch").status_code == 422


def test_the_policy_explorer_shows_the_chosen_pack(web: Browser) -> None:
    default = web.get("/policy?country=AQ&as_of=2015-10-01")
    assert default.status_code == 200, default.text[:300]
    assert "Cartographers from AQ are persecuted as a group" not in default.text
    other = web.get("/policy?country=AQ&as_of=2015-10-01&pack=example-common")
    assert other.status_code == 200, other.text[:300]
    assert "Cartographers from AQ are persecuted as a group (fictional common analysis)" in (
        other.text
    )
    assert '<option value="example-common" selected>' in other.text
    assert "timeline.svg?as_of=2015-10-01&amp;pack=example-common" in other.text
    chart = web.get("/policy/AQ/timeline.svg?as_of=2015-10-01&pack=example-common")
    assert chart.status_code == 200 and "xc-aq-cartographers-2015" in chart.text


def test_the_impact_page_compares_two_packs_on_one_date(api: Api, web: Browser) -> None:
    caseload = (EXAMPLE / "caseload.jsonl").read_text(encoding="utf-8").splitlines()
    for line in caseload[1:]:  # EX-AQ-1 is already stored
        assert api.create("officer", json.loads(line)).status_code == 201
    page = web.get("/impact?from=2017-06-01&to=2017-06-01&to_pack=example-common")
    assert page.status_code == 200, page.text[:500]
    assert 'id="between-packs"' in page.text and "example-common" in page.text
    table = page.text[page.text.index('id="by-profile"') :]
    assert "<code>AQ:cartographer</code></td><td>2</td>" in table
    assert '<option value="example-common" selected>' in page.text  # the to_pack selector
    assert "EX-AQ-1" in page.text and "EX-AQ-3" in page.text and "EX-AQ-2" not in page.text
    export = web.get("/impact/export.csv?from=2017-06-01&to=2017-06-01&to_pack=example-common")
    assert export.status_code == 200
    rows = export.text.splitlines()
    assert rows[0].endswith(",profile") and len(rows) == 3 and rows[1].endswith(",AQ:cartographer")
    same = web.get("/impact?from=2017-06-01&to=2017-06-01")
    assert 'id="by-profile"' not in same.text and 'id="between-packs"' not in same.text
    bad = web.get("/impact?from=2017-06-01&to=2017-06-01&to_pack=nosuch")
    assert bad.status_code == 422 and "nosuch" in bad.text


def test_an_assessment_saved_from_the_page_is_saved_under_its_pack(api: Api, web: Browser) -> None:
    page = web.get("/cases/EX-AQ-1?as_of=2015-10-01&pack=example-common")
    assert 'action="/cases/EX-AQ-1/assessments?pack=example-common"' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    saved = web.c.post(
        "/cases/EX-AQ-1/assessments?pack=example-common",
        data={"csrf": csrf.group(1), "as_of": "2015-10-01"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:300]
    assert saved.headers["location"].endswith("as_of=2015-10-01&pack=example-common#history")
    stored = api.get("/cases/EX-AQ-1/assessments", as_="officer").json()
    assert [a["policy"]["pack"] for a in stored] == ["example-common"], stored
