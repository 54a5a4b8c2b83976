"""Dates and filters the pages cannot use (over HTTP, SQLite and PostgreSQL): a date before the
pack's coverage is said next to its field in the reader's language, like an impossible date;
an invalid filter shows its problem and no results and no export link, and an export with one
answers 422 with no file; the language switch of a page rendered for a POST lands on a page that
exists."""

import re
from html import unescape

from tests.store.store_helpers import Api, make_case
from tests.store.test_web_pages import CSRF, Browser, signed_in
from tests.store.test_web_roles import queued

LANG_LINK = re.compile(r'href="(/lang/(?:en|nl)\?next=[^"]*)"')


def dutch(api: Api, username: str) -> Browser:
    b = signed_in(api, username)
    b.get("/lang/nl?next=/")
    return b


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


def test_the_wrong_method_page_keeps_the_menu(api: Api) -> None:
    api.create("officer", make_case("RU-1"))
    b = signed_in(api)
    r = b.get("/cases/RU-1/share")
    assert r.status_code == 405
    assert '<nav aria-label="Main">' in r.text and 'href="/cases"' in r.text
