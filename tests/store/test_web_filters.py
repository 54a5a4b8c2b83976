"""Dates and filters the pages cannot use (over HTTP, SQLite and PostgreSQL): a date before the
pack's coverage is said next to its field in the reader's language, like an impossible date;
an invalid filter shows its problem and no results and no export link, and an export with one
answers 422 with no file; the language switch of a page rendered for a POST lands on a page that
exists."""

import re
from html import unescape

from tests.store.store_helpers import Api, make_case
from tests.store.test_web_pages import CSRF, Browser, seed, signed_in
from tests.store.test_web_roles import queued

LANG_LINK = re.compile(r'href="(/lang/(?:en|nl)\?next=[^"]*)"')


def dutch(api: Api, username: str) -> Browser:
    b = signed_in(api, username)
    b.get("/lang/nl?next=/")
    return b


def test_a_date_before_the_packs_coverage_is_said_next_to_its_field_in_dutch(api: Api) -> None:
    seed(api)
    b = dutch(api, "officer")
    said = "1900-01-01 ligt vóór 2004-04-29, de eerste dag waarop het beleid"
    case = b.get("/cases/RU-1?as_of=1900-01-01")
    assert case.status_code == 422, case.text[-800:]
    text = unescape(case.text)
    assert 'id="as_of"' in text and 'aria-invalid="true"' in text  # the form, its field marked
    assert said in text and 'href="#as_of"' in text
    assert "as_of" not in text.split('id="assessment"')[1].split("</section>")[0].replace(
        'href="#as_of"', ""
    )
    assert "is before" not in text and 'id="designation"' not in text
    impact = b.get("/impact?from=1900-01-01&to=2015-10-01")
    assert impact.status_code == 422, impact.text[-800:]
    text = unescape(impact.text)
    assert 'id="f-from"' in text and 'href="#f-from"' in text and said in text
    assert "is before" not in text and "as_of" not in text
    # The later side too, against its own field.
    impact = b.get("/impact?from=1900-01-01&to=1901-01-01")
    assert impact.status_code == 422 and 'href="#f-to"' in impact.text
    reviewer = dutch(api, "reviewer")
    token = reviewer.csrf("/queues")
    r = reviewer.post("/queues", {"csrf": token, "from": "1900-01-01", "to": "2015-10-01"}, False)
    assert r.status_code == 422, r.text[-800:]
    text = unescape(r.text)
    assert 'href="#f-from"' in text and said in text and 'id="f-from"' in text
    assert "is before" not in text and "as_of" not in text
    # In English, the same sentence with both dates.
    en = signed_in(api)
    text = unescape(en.get("/cases/RU-1?as_of=1900-01-01").text)
    assert "1900-01-01 is before 2004-04-29, the first day on which the policy" in text


def test_an_invalid_audit_filter_shows_no_entries_and_no_export(api: Api) -> None:
    queued(api)
    b = signed_in(api, "auditor")
    bad = b.get("/audit?since=2015-02-30&action=case.share")
    assert bad.status_code == 422 and 'href="#f-since"' in bad.text
    assert '<table class="audit">' not in bad.text and "case.share</code>" not in bad.text
    assert "/audit/export.csv" not in bad.text
    export = b.get("/audit/export.csv?since=2015-02-30")
    assert export.status_code == 422 and "content-disposition" not in export.headers
    assert "The first day must be a real date" in unescape(export.text)
    # The last day before the first: a problem naming the last day, not an empty log.
    back = b.get("/audit?since=2026-12-08&until=2026-12-01")
    assert back.status_code == 422 and 'href="#f-until"' in back.text
    assert "The last day must be on or after the first date." in unescape(back.text)
    assert '<table class="audit">' not in back.text
    export = b.get("/audit/export.csv?since=2026-12-08&until=2026-12-01")
    assert export.status_code == 422 and "content-disposition" not in export.headers
    ok = b.get("/audit?since=2015-01-01&until=2099-12-31")
    assert ok.status_code == 200 and "/audit/export.csv?" in ok.text


def test_an_invalid_date_on_the_explorer_and_the_impact_export_gives_no_results(
    api: Api,
) -> None:
    seed(api)
    b = signed_in(api)
    page = b.get("/policy?country=RU&as_of=2015-02-30")
    assert page.status_code == 422
    assert "must be a real date" in page.text and 'id="inforce-heading"' not in page.text
    assert "timeline.svg" not in page.text
    impact = b.get("/impact?from=2015-02-30&to=2015-10-01")
    assert impact.status_code == 422 and "/impact/export.csv" not in impact.text
    for query in ("from=2015-02-30&to=2015-10-01", "from=1900-01-01&to=2015-10-01"):
        export = b.get(f"/impact/export.csv?{query}")
        assert export.status_code == 422, (query, export.text[:300])
        assert "content-disposition" not in export.headers
        assert "RU-1" not in export.text
    said = unescape(b.get("/impact/export.csv?from=2015-02-30&to=2015-10-01").text)
    assert "The first date must be a real date" in said
    said = unescape(b.get("/impact/export.csv?from=2015-06-01&to=1900-01-01").text)
    assert "1900-01-01 is before 2004-04-29" in said


def lang_switch(b: Browser, page: str) -> str:
    """Follows the page's switch to the other language; returns the path it lands on."""
    found = LANG_LINK.search(page)
    assert found, page[:800]
    r = b.get(unescape(found.group(1)), follow_redirects=True)
    assert r.status_code == 200, (found.group(1), r.text[-600:])
    assert '<nav aria-label="Main">' in r.text or '<nav aria-label="Hoofdmenu">' in r.text
    return str(r.url.path)


def test_the_language_switch_after_a_failed_post_lands_on_the_page(api: Api) -> None:
    qid = queued(api)
    b = signed_in(api, "reviewer")
    item = re.findall(r'href="(/queues/\d+/items/\d+)"', b.get(f"/queues/{qid}").text)[0]
    token = CSRF.search(b.get(item).text)
    assert token
    r = b.post(f"{item}/close", {"csrf": token.group(1), "resolution": " "}, htmx=False)
    assert r.status_code == 422
    assert lang_switch(b, r.text) == item
    officer = signed_in(api)
    token2 = officer.csrf("/cases/RU-1")
    r = officer.post("/cases/RU-1/share", {"csrf": token2, "username": ""}, htmx=False)
    assert r.status_code == 422
    assert lang_switch(officer, r.text) == "/cases/RU-1"
    admin = signed_in(api, "admin")
    token3 = admin.csrf("/admin/users")
    r = admin.post("/admin/users/officer", {"csrf": token3, "do": "bogus"}, htmx=False)
    assert r.status_code in (400, 422), r.text[-600:]
    assert lang_switch(admin, r.text) == "/admin/users"
    researcher = signed_in(api, "researcher")
    token4 = researcher.csrf("/research")
    r = researcher.post("/research/export", {"csrf": token4, "expires": "2099-01-01"}, False)
    assert r.status_code == 422
    assert lang_switch(researcher, r.text) == "/research"


def test_the_wrong_method_page_keeps_the_menu(api: Api) -> None:
    api.create("officer", make_case("RU-1"))
    b = signed_in(api)
    r = b.get("/cases/RU-1/share")
    assert r.status_code == 405
    assert '<nav aria-label="Main">' in r.text and 'href="/cases"' in r.text
