"""Every role in the web app over HTTP, on SQLite and PostgreSQL: each lands on its own start
page, every menu link it is shown opens (none answers "Not allowed"), and each does its main
task: the advocate's work queue item with its Dutch letter, comment and close; the auditor's
filtered log, verification and export; the researcher's policy diff and research export; the
admin's home and key status. Forms answer problems with an error summary linking to fields."""

import json
import re
from datetime import date, timedelta

import pytest

from haven.store.access import ALLOWED, Action, Role
from haven.web.nav import HOMES
from tests.store.store_helpers import PASSWORD, Api, make_case
from tests.store.test_web_pages import CSRF, Browser, signed_in

NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)
USERS = {
    "officer": Role.CASE_OFFICER,
    "reviewer": Role.REVIEWER,
    "advocate": Role.NGO_ADVOCATE,
    "researcher": Role.RESEARCHER,
    "auditor": Role.AUDITOR,
    "admin": Role.ADMIN,
}


def queued(api: Api) -> int:
    """The core case (refused, improves 2015-06-01 -> 2015-10-01), shared with the advocate,
    in the reviewer's queue; returns the queue id."""
    api.create("officer", make_case("RU-1"))
    api.create("officer", make_case("RU-2"))
    assert api.post("/cases/RU-1/share", "officer", {"username": "advocate"}).status_code == 204
    r = api.post("/queues", "reviewer", {"from": "2015-06-01", "to": "2015-10-01"})
    assert r.status_code == 201, r.text
    qid: int = r.json()["id"]
    return qid


def menu(page: str) -> list[str]:
    found = NAV.search(page)
    return re.findall(r'href="([^"]+)"', found.group(1)) if found else []


@pytest.mark.parametrize("who", list(USERS))
def test_every_role_starts_at_its_home_and_every_menu_link_opens(api: Api, who: str) -> None:
    queued(api)
    b = Browser(api)
    token = b.csrf()
    r = b.c.post(
        "/login",
        data={"csrf": token, "username": who, "password": PASSWORD, "next": "/"},
    )
    role = USERS[who]
    assert r.status_code == 200 and r.url.path == HOMES[role], (r.url, r.text[:300])
    links = menu(r.text)
    assert links and links[0] == HOMES[role]
    for link in links:
        page = b.get(link)
        assert page.status_code == 200, (who, link, page.text[-600:])
        assert "Not allowed" not in page.text
    # Only what the role may open: no caseload link for roles that may not list cases.
    assert ("/cases" in links) is (Action.CASE_LIST in ALLOWED[role])
    assert ("/audit" in links) is (Action.AUDIT_READ in ALLOWED[role])
    # The error page leads to the start page, never back into a refused page.
    missing = b.get("/queues/999999")
    assert missing.status_code in (403, 404) and 'href="/"' in missing.text


def test_a_bookmark_of_another_roles_page_lands_on_the_home(api: Api) -> None:
    b = Browser(api)
    token = b.csrf()
    r = b.c.post(
        "/login",
        data={"csrf": token, "username": "auditor", "password": PASSWORD,
              "next": "/cases"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.headers["location"] == "/audit"


def test_advocate_opens_a_clients_item_and_downloads_the_dutch_letter(api: Api) -> None:
    qid = queued(api)
    b = signed_in(api, "advocate")
    home = b.get("/queues").text
    items = re.findall(r'href="(/queues/\d+/items/\d+)"', home)
    assert len(items) == 1  # RU-2 is not theirs: absent
    page = b.get(items[0])
    assert page.status_code == 200
    text = page.text
    assert "RU-1" in text and "RU-2" not in text
    # What changed: the entry, its source and date; the next step.
    assert "kst-19637-2029" in text and "7 September 2015" in text
    assert "Ask for an ex officio review" in text
    nl_pdf = b.get(f"{items[0]}/letter.pdf?lang=nl")
    assert nl_pdf.status_code == 200 and nl_pdf.content.startswith(b"%PDF")
    assert "letter-RU-1" in nl_pdf.headers["content-disposition"]
    nl_html = b.get(f"{items[0]}/letter.html?lang=nl")
    assert nl_html.status_code == 200 and 'lang="nl"' in nl_html.text
    assert b.get(f"{items[0]}/letter.html?lang=fr").status_code == 400
    # Comment and close, with the problems marked when empty.
    token = CSRF.search(text)
    assert token
    empty = b.post(f"{items[0]}/comments", {"csrf": token.group(1), "comment": " "}, htmx=False)
    assert empty.status_code == 422
    assert 'href="#f-comment"' in empty.text and 'aria-invalid="true"' in empty.text
    ok = b.post(f"{items[0]}/comments", {"csrf": token.group(1), "comment": "Client called."})
    assert ok.status_code == 303
    closed = b.post(f"{items[0]}/close", {"csrf": token.group(1), "resolution": "Review asked"})
    assert closed.status_code == 303
    after = b.get(items[0]).text
    assert "Client called." in after and "Review asked" in after
    actions = [e["action"] for e in api.audit()]
    assert {"queue.letter", "queue.comment", "queue.close"} <= set(actions)
    assert qid


def test_reviewer_assigns_an_item_to_a_colleague_in_the_browser(api: Api) -> None:
    """Work is given out on the item's page (as the API's POST …/assign), to those who may
    work on the case only: the reviewers and whoever holds it."""
    qid = queued(api)
    b = signed_in(api, "reviewer")
    items = re.findall(r'href="(/queues/\d+/items/\d+)"', b.get(f"/queues/{qid}").text)
    ru1 = next(i for i in items if "RU-1" in b.get(i).text)
    page = b.get(ru1).text
    offered = re.findall(r'<option value="([^"]+)"', page.split('id="f-username"')[1])
    # RU-1 is the officer's and shared with the advocate; officer2 and advocate2 hold it not.
    assert "officer" in offered and "advocate" in offered and "reviewer" in offered
    assert "officer2" not in offered and "advocate2" not in offered and "admin" not in offered
    token = CSRF.search(page)
    assert token
    r = b.post(f"{ru1}/assign", {"csrf": token.group(1), "username": ""}, htmx=False)
    assert r.status_code == 422 and 'href="#f-username"' in r.text
    r = b.post(f"{ru1}/assign", {"csrf": token.group(1), "username": "officer2"}, htmx=False)
    assert r.status_code == 422
    assert "officer2 may not work on case RU-1: it is not assigned to or shared with them." in (
        r.text
    )
    assert 'aria-invalid="true"' in r.text
    r = b.post(f"{ru1}/assign", {"csrf": token.group(1), "username": "advocate"}, htmx=False)
    assert r.status_code == 303
    after = b.get(r.headers["location"]).text
    assert "Assigned to advocate." in after
    assert [e["detail"]["to"] for e in api.audit() if e["action"] == "queue.assign"] == ["advocate"]


def test_advocate_saves_a_queue_over_their_own_cases(api: Api) -> None:
    api.create("officer", make_case("RU-1"))
    api.create("officer", make_case("RU-2"))
    assert api.post("/cases/RU-1/share", "officer", {"username": "advocate"}).status_code == 204
    b = signed_in(api, "advocate")
    token = b.csrf("/queues")
    bad = b.post("/queues", {"csrf": token, "from": "2015-02-30", "to": "2015-10-01"}, False)
    assert bad.status_code == 422 and 'href="#f-from"' in bad.text
    r = b.post("/queues", {"csrf": token, "from": "2015-06-01", "to": "2015-10-01"}, False)
    assert r.status_code == 303
    page = b.get(r.headers["location"]).text
    assert "RU-1" in page and "RU-2" not in page
    created = [e for e in api.audit() if e["action"] == "queue.create"]
    assert created[-1]["detail"]["cases"] == 1


def test_saving_the_same_queue_again_opens_the_one_made(api: Api) -> None:
    """Pressing "Run and save as a queue" twice with the same dates makes one queue: the
    second press leads to it with a notice (English and Dutch); a changed caseload, other
    dates or another user's scope make a new one."""
    api.create("officer", make_case("RU-1"))
    b = signed_in(api, "reviewer")
    token = b.csrf("/queues")
    window = {"csrf": token, "from": "2015-06-01", "to": "2015-10-01"}
    first = b.post("/queues", window, False)
    assert first.status_code == 303
    made = first.headers["location"]
    assert "made already" not in b.get(made).text
    again = b.post("/queues", window, False)
    assert again.status_code == 303 and again.headers["location"] == f"{made}?existed=1"
    page = b.get(again.headers["location"]).text
    assert "This queue was made already over the same cases" in page
    listed = b.get("/queues").text
    assert len(set(re.findall(r'href="(/queues/\d+)"', listed))) == 1
    created = [e for e in api.audit() if e["action"] == "queue.create"]
    assert len(created) == 1
    b.get("/lang/nl")
    dutch = b.get(again.headers["location"]).text
    assert "Deze werkvoorraad is al gemaakt" in dutch
    # Other dates: another queue.
    other = b.post("/queues", {**window, "to": "2015-11-01"}, False)
    assert other.headers["location"] not in (made, f"{made}?existed=1")
    # The caseload changed: another queue over it.
    api.create("officer", make_case("RU-2"))
    changed = b.post("/queues", window, False)
    assert changed.status_code == 303 and "existed" not in changed.headers["location"]
    assert changed.headers["location"] != made
    # An advocate's queue covers her cases only: not the reviewer's queue.
    assert api.post("/cases/RU-1/share", "officer", {"username": "advocate"}).status_code == 204
    a = signed_in(api, "advocate")
    own = a.post("/queues", {**window, "csrf": a.csrf("/queues")}, False)
    assert "existed" not in own.headers["location"]
    assert own.headers["location"] != changed.headers["location"]


def test_auditor_filters_verifies_and_exports(api: Api) -> None:
    queued(api)
    signed_in(api, "researcher").get("/cases")  # a denial to find
    b = signed_in(api, "auditor")
    denied = b.get("/audit?outcome=denied").text.split("<tbody>")[1]
    assert "GET /cases" in denied and "queue.create" not in denied
    verified = b.get("/audit/verify").text
    assert re.search(r"Audit log intact: \d+ entries checked", verified)
    export = b.get("/audit/export.csv?action=queue.")
    assert export.status_code == 200 and "queue.create" in export.text
    assert "case.create" not in export.text
    bad = b.get("/audit?since=2015-02-30")
    assert bad.status_code == 422 and 'href="#f-since"' in bad.text


def test_researcher_diffs_policy_and_exports(api: Api) -> None:
    for n in range(6):
        api.create("officer", make_case(f"STUDY-{n}"))
    b = signed_in(api, "researcher")
    diff = b.get("/policy/diff?from=2015-06-01&to=2015-10-01&country=RU")
    assert diff.status_code == 200 and "kst-19637-2029" in diff.text
    bad = b.get("/policy/diff?from=2015-02-30&to=2015-10-01")
    assert bad.status_code == 422 and "kst-19637-2029" not in bad.text
    token = b.csrf("/research")
    missing = b.post("/research/export", {"csrf": token, "expires": "2099-01-01"}, False)
    assert missing.status_code == 422 and 'href="#f-purpose"' in missing.text
    form = {
        "csrf": token,
        "purpose": "LGBTI policy study",
        "legal_basis": "GDPR Art. 9(2)(j), 89",
        "dpia": "DPIA-7",
        "expires": (date.today() + timedelta(days=30)).isoformat(),
        "scope": "records",
    }
    # A scope that is not one of the two: refused, nothing exported (not full records).
    r = b.post("/research/export", {**form, "scope": "bogus"}, False)
    assert r.status_code == 422 and "attachment" not in r.headers.get("content-disposition", "")
    assert not any(e["action"] == "research.export" for e in api.audit())
    r = b.post("/research/export", form, False)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    data = json.loads(r.text)
    assert data["export"]["purpose"] == "LGBTI policy study" and len(data["records"]) == 6
    assert "STUDY-" not in r.text  # pseudonymised: no reference leaves
    assert any(e["action"] == "research.export" for e in api.audit())


EXPORT = {
    "purpose": "LGBTI policy study",
    "legal_basis": "GDPR Art. 9(2)(j), 89",
    "dpia": "DPIA-7",
    "scope": "aggregates",
}
TOO_LONG = {
    "en": "The expiry date may be at most {n} days after today, the longest an export may be "
    "kept here: choose {latest} or earlier.",
    "nl": "De vervaldatum mag hoogstens {n} dagen na vandaag liggen, de langste tijd dat een "
    "export hier bewaard mag worden: kies {latest} of eerder.",
}


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_research_export_is_kept_no_longer_than_the_deployment_allows(
    api: Api, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An expiry further ahead than HAVEN_RESEARCH_EXPORT_MAX_DAYS (default 180) is refused
    next to its field, in the reader's language, and nothing is exported or audited."""
    api.create("officer", make_case("STUDY-1"))
    b = signed_in(api, "researcher")
    if lang == "nl":
        b.get("/lang/nl?next=/research")
    today = date.today()
    token = b.csrf("/research")

    def exports() -> int:
        return sum(e["action"] == "research.export" for e in api.audit())

    for setting, days in ((None, 180), ("30", 30)):
        if setting:
            monkeypatch.setenv("HAVEN_RESEARCH_EXPORT_MAX_DAYS", setting)
        latest = today + timedelta(days=days)
        form = {**EXPORT, "csrf": token, "expires": (latest + timedelta(days=1)).isoformat()}
        r = b.post("/research/export", form, False)
        assert r.status_code == 422 and "attachment" not in r.headers.get("content-disposition", "")
        said = re.search(r'<span class="field-error" id="f-expires-error">([^<]*)</span>', r.text)
        assert said, r.text[-2000:]
        assert said.group(1) == TOO_LONG[lang].format(n=days, latest=latest.isoformat())
        assert 'href="#f-expires"' in r.text  # in the error summary too
        made = exports()
        r = b.post("/research/export", {**form, "expires": latest.isoformat()}, False)
        assert r.status_code == 200, r.text[-2000:]
        assert exports() == made + 1 == (2 if setting else 1)  # the refused one is not
        assert json.loads(r.text)["export"]["expires"] == latest.isoformat()
    # The page says how far ahead, and its default date is within it.
    page = b.get("/research").text
    hint = {"en": "At most 30 days from today.", "nl": "Hoogstens 30 dagen na vandaag."}[lang]
    assert hint in page
    assert f'value="{(today + timedelta(days=30)).isoformat()}"' in page


def test_a_withheld_count_is_said_in_dutch(api: Api) -> None:
    for n in range(8):
        api.create("officer", make_case(f"COUNT-{n}"))
    for n in range(2):
        r = api.post(f"/cases/COUNT-{n}/assessments", "officer", {"as_of": "2015-10-01"})
        assert r.status_code == 201, r.text
    b = signed_in(api, "researcher")
    b.get("/lang/nl?next=/research")
    page = b.get("/research").text
    cells = re.findall(r"<td>([^<]*)</td></tr>", page)
    assert "&lt;5" in cells and "onderdrukt" in cells, cells
    assert "suppressed" not in page


def test_admin_home_and_keys(api: Api) -> None:
    api.create("officer", make_case("RU-1"))
    b = signed_in(api, "admin")
    home = b.get("/admin").text
    assert 'href="/admin/users"' in home and 'href="/admin/keys"' in home
    keys = b.get("/admin/keys")
    assert keys.status_code == 200 and "(current)" in keys.text
