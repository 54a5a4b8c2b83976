"""A QA walk of the web app with bad input and stale pages: each test here failed before its
fix. On SQLite and PostgreSQL, with the real app over HTTP."""

from tests.store.store_helpers import Api, make_case
from tests.store.test_web_pages import CSRF, Browser, signed_in


def _item(api: Api) -> str:
    """The path of the officer's work item for RU-1 in the reviewer's queue."""
    api.create("officer", make_case("RU-1"))
    r = api.post("/queues", "reviewer", {"from": "2015-06-01", "to": "2015-10-01"})
    assert r.status_code == 201, r.text
    qid = r.json()["id"]
    item = api.get(f"/queues/{qid}", "reviewer").json()["work_items"][0]["id"]
    return f"/queues/{qid}/items/{item}"


def _token(b: Browser, path: str) -> str:
    found = CSRF.search(b.get(path).text)
    assert found
    return found.group(1)


def test_a_closed_item_takes_no_note_and_no_assignment_on_its_page(api: Api) -> None:
    """The page of a closed item still offered "Save note", and a note or an assignment sent
    from a page opened before the item was closed was stored. Now the form is gone, and a stale
    page's note or assignment is refused on the item's page (409) in plain words: nothing is
    stored."""
    path = _item(api)
    b = signed_in(api, "reviewer")
    token = _token(b, path)
    closed = b.post(f"{path}/close", {"csrf": token, "resolution": "Review asked"}, htmx=False)
    assert closed.status_code == 303, closed.text[:300]
    page = b.get(path).text
    assert "Review asked" in page and f'action="{path}/comments"' not in page
    item = path.rsplit("/", 1)[1]
    for action, data, words in (
        ("comments", {"comment": "One more thing"}, "it takes no more notes"),
        ("assign", {"username": "officer"}, "it can no longer be assigned"),
        ("close", {"resolution": "Again"}, "already closed"),
    ):
        r = b.post(f"{path}/{action}", {"csrf": token, **data}, htmx=False)
        assert r.status_code == 409, (action, r.text[:300])
        said = f"Item {item} is {words}." if action == "close" else f"is closed: {words}."
        assert said in r.text, r.text
        assert "Not allowed" not in r.text
    got = api.get(path, "reviewer").json()
    assert (got["comments"], got["assigned_to"], got["resolution"]) == ([], None, "Review asked")
    dutch = Browser(api, lang="nl")
    assert dutch.login("reviewer").status_code == 303
    r = dutch.post(f"{path}/comments", {"csrf": _token(dutch, path), "comment": "x"}, htmx=False)
    assert r.status_code == 409
    assert f"Item {item} is afgesloten: er kunnen geen notities meer bij." in r.text


def test_an_empty_pack_is_refused_on_the_pages(api: Api) -> None:
    """`?pack=` (empty) showed the page under the default pack, as if none had been named;
    refused as an unknown pack is, naming `pack` in plain words (422), English and Dutch."""
    api.create("officer", make_case("RU-1"))
    b = signed_in(api)
    for path in ("/cases/RU-1?as_of=2015-10-01&pack=", "/policy?country=RU&pack="):
        r = b.get(path)
        assert r.status_code == 422, (path, r.text[:300])
        assert "<code>pack</code>: Choose a policy pack this server offers (nl" in r.text
        assert "or leave it out for the default." in r.text
    assert b.get("/cases/RU-1?as_of=2015-10-01&pack=nosuch").status_code == 422
    assert b.get("/cases/RU-1?as_of=2015-10-01").status_code == 200
    dutch = Browser(api, lang="nl")
    assert dutch.login("officer").status_code == 303
    r = dutch.get("/policy?country=RU&pack=")
    assert r.status_code == 422 and "Kies een beleidspakket" in r.text, r.text


def _problems(html: str) -> str:
    """The error page's list of problems."""
    start = html.index('<ul class="problems">')
    return html[start : html.index("</ul>", start)]


def test_a_case_reference_longer_than_any_case_is_refused_on_the_pages(api: Api) -> None:
    """The case pages looked up a reference of any length and quoted it whole in the "no
    case" page. Longer than a case id may be (200): a 422 page naming the path parameter;
    a message quotes at most 64 characters of it."""
    b = signed_in(api)
    for path in ("/cases/" + "x" * 201, "/cases/" + "x" * 201 + "/memo.pdf?as_of=2015-10-01"):
        r = b.get(path)
        assert r.status_code == 422, (path, r.text[:300])
        problems = _problems(r.text)
        assert "<code>path.ref</code>: Use at most 200 characters." in problems, problems
    r = b.get("/cases/" + "y" * 200)
    assert r.status_code == 404, r.text[:300]
    problems = _problems(r.text)
    assert "y" * 64 + "…" in problems and "y" * 65 not in problems, problems


def test_a_password_is_taken_as_given_on_the_pages(api: Api) -> None:
    """The sign-in and admin forms stripped a password's surrounding spaces (the API and the
    CLI do not), so a password set through the API with a space could not sign in here; and
    the sign-in form verified a password of any length (the API refuses one over 1024
    characters unhashed). Now: taken as typed; empty or only spaces refused naming the field;
    over 1024 refused before any lookup or hash (422, no failed sign-in counted); a wrong one
    gets the generic answer."""
    spaced = "  a passphrase with spaces  "
    assert api.put("/users/officer/password", "admin", {"password": spaced}).status_code == 204
    assert Browser(api).login("officer", spaced).status_code == 303
    wrong = Browser(api).login("officer", spaced.strip())
    assert wrong.status_code == 401 and "unknown user or wrong password" in wrong.text
    before = [e for e in api.audit() if e["action"] == "auth.login"]
    for password, said in (
        ("p" * 1025, "Password: use at most 1024 characters."),
        ("   ", "Password cannot be empty or only spaces."),
    ):
        for who in ("officer", "nobody"):  # the same answer whether or not the user exists
            r = Browser(api).login(who, password)
            assert r.status_code == 422, r.text[:300]
            assert said in r.text, r.text
    assert [e for e in api.audit() if e["action"] == "auth.login"] == before  # none tried
    # The admin page: a blank password is refused in words, a spaced one kept as typed.
    admin = signed_in(api, "admin")
    token = CSRF.search(admin.get("/admin/users").text)
    assert token
    blank = {"csrf": token.group(1), "do": "password", "password": " " * 14}
    r = admin.post("/admin/users/officer", blank, htmx=False)
    assert r.status_code == 422 and "Password cannot be empty or only spaces." in r.text
    kept = {**blank, "password": " another passphrase "}
    assert admin.post("/admin/users/officer", kept, htmx=False).status_code == 303
    assert Browser(api).login("officer", " another passphrase ").status_code == 303
    dutch = Browser(api, lang="nl")
    r = dutch.login("officer", "   ")
    assert r.status_code == 422 and "Wachtwoord mag niet leeg zijn" in r.text, r.text
