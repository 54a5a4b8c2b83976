"""The web app over HTTP (TestClient), on SQLite and PostgreSQL: sign-in, CSRF, caseload
filters and scoping, the case page as of two dates, htmx editing with field errors, escaping,
security headers, Dutch, the policy explorer, impact and its export, sign-out."""

import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from haven.reports.wording import finding_text
from tests.store.store_helpers import PASSWORD, Api, make_case

PACK_DIR = Path(__file__).resolve().parents[2] / "haven" / "packs" / "nl"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """A cookie jar on https://testserver (the session cookie is Secure) that signs in."""

    def __init__(self, api: Api, lang: str | None = None) -> None:
        self.c = TestClient(api.client.app, base_url="https://testserver")
        if lang:
            self.c.cookies.set("haven_lang", lang, domain="testserver.local")

    def csrf(self, path: str = "/login") -> str:
        page = self.c.get(path)
        found = CSRF.search(page.text)
        assert found, page.text[:500]
        return found.group(1)

    def login(self, username: str, password: str = PASSWORD) -> Response:
        token = self.csrf()
        # TestClient is untyped to mypy (see Api.request in store_helpers.py): annotated here.
        response: Response = self.c.post(
            "/login",
            data={"csrf": token, "username": username, "password": password, "next": "/cases"},
            follow_redirects=False,
        )
        return response

    def get(self, path: str, **kw: Any) -> Response:
        response: Response = self.c.get(path, **kw)
        return response

    def post(self, path: str, data: dict[str, Any], htmx: bool = True) -> Response:
        headers = {"HX-Request": "true"} if htmx else {}
        response: Response = self.c.post(path, data=data, headers=headers, follow_redirects=False)
        return response


def signed_in(api: Api, username: str = "officer") -> Browser:
    b = Browser(api)
    r = b.login(username)
    assert r.status_code == 303, r.text
    return b


def seed(api: Api) -> None:
    """The contract example (RU, refused: relocation) and a few variations, assessed."""
    api.create("officer", make_case("RU-1"))
    api.create("officer", make_case("RU-2", region=None))
    api.create("officer", make_case("IQ-1", nationality="IQ", region=None))
    api.create("officer2", make_case("RU-OTHER-OFFICER"))
    for ref in ("RU-1", "RU-2", "IQ-1"):
        r = api.post(f"/cases/{ref}/assessments", "officer", {"as_of": "2015-10-01"})
        assert r.status_code in (200, 201), r.text


def test_sign_in_sets_a_strict_session_cookie_and_checks_csrf(api: Api) -> None:
    b = Browser(api)
    assert b.get("/cases", follow_redirects=False).headers["location"].startswith("/login")
    # A login form without its CSRF token changes nothing.
    r = b.c.post("/login", data={"username": "officer", "password": PASSWORD})
    assert r.status_code == 403
    assert "haven_session" not in b.c.cookies
    r = b.login("officer", "wrong password, long enough")
    assert r.status_code == 401
    assert "unknown user or wrong password" in r.text
    r = b.login("officer")
    assert r.status_code == 303 and r.headers["location"] == "/cases"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("haven_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    assert b.get("/cases").status_code == 200


def test_login_never_redirects_off_site(api: Api) -> None:
    b = Browser(api)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        token = b.csrf()  # a new one after each sign-in: the token rotates (issue 17)
        r = b.c.post(
            "/login",
            data={"csrf": token, "username": "officer", "password": PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/", target  # the start page of the user's role


def test_caseload_filters_search_and_scoping(api: Api) -> None:
    seed(api)
    b = signed_in(api)
    page = b.get("/cases").text
    assert "RU-1" in page and "IQ-1" in page
    assert "RU-OTHER-OFFICER" not in page  # another officer's case, not shared
    page = b.get("/cases?nationality=IQ").text
    assert "IQ-1" in page and "RU-1" not in page and "1 case<" in page
    page = b.get("/cases?ref=ru-").text
    assert "RU-1" in page and "RU-2" in page and "IQ-1" not in page
    page = b.get("/cases?recommendation=protection_indicated&flag=ipa_excluded_by_policy").text
    assert "RU-1" in page and "IQ-1" not in page
    page = b.get("/cases?status=bogus&nationality=ZZ").text
    # In plain words, each linking to its field.
    assert '<a href="#f-status">Choose the status from the list.</a>' in page
    assert "Enter the nationality as a two-letter country code" in page
    assert 'href="#f-nationality"' in page
    # htmx asks for the results only.
    part = b.get("/cases?nationality=RU", headers={"HX-Request": "true", "HX-Target": "results"})
    assert part.text.lstrip().startswith('<section id="results"')
    # The search is audited, with its filters.
    entries = [e for e in api.audit() if e["action"] == "case.search"]
    assert any(e["detail"]["filters"].get("nationality") == "IQ" for e in entries)


def test_case_page_shows_the_2015_change_with_sources(api: Api) -> None:
    seed(api)
    b = signed_in(api)
    before = b.get("/cases/RU-1?as_of=2015-06-01").text
    after = b.get("/cases/RU-1?as_of=2015-10-01").text
    designation = re.compile(r'<dd id="designation">(.*?)</dd>', re.S)
    relocation = re.compile(r'<dd id="relocation">(.*?)</dd>', re.S)
    assert "risk group" not in designation.search(before).group(1)  # type: ignore[union-attr]
    assert "risk group" in designation.search(after).group(1)  # type: ignore[union-attr]
    assert relocation.search(before).group(1) != relocation.search(after).group(1)  # type: ignore[union-attr]
    assert "https://zoek.officielebekendmakingen.nl/staatscourant/kst-19637-2029.html" in after
    assert "kst-19637-2029" not in before.split('id="steps-heading"')[1].split("</ol>")[0]
    # Flags in plain words; the htmx date change returns only the assessment.
    assert 'data-code="ipa_excluded_by_policy"' in after
    part = b.get("/cases/RU-1?as_of=2015-10-01", headers={"HX-Target": "assessment"})
    assert part.text.lstrip().startswith('<section id="assessment"')
    # What changed since the last saved assessment (saved as of 2015-10-01).
    assert "You are looking at a different date." in before
    assert "The findings are the same." in after


def edit_form(ref: str, version: int, csrf: str, **over: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf": csrf,
        "version": str(version),
        "nationality": "RU",
        "region": "RU-MOW",
        "profile.sogi": ["gay"],
        "profile.sex": "male",
        "profile.birth_date": "1988-04-02",
        "credibility.identity": "credible",
        "credibility.nationality": "credible",
        "credibility.region": "credible",
        "credibility.profile": "credible",
        "incident_rows": "2",
        "incidents[0].date": "2014-11-03",
        "incidents[0].kind": "threat",
        "incidents[0].actor": "non_state",
        "incidents[0].credibility": "credible",
        "incidents[0].sought_protection": "no",
        "incidents[1].kind": "",
        "procedure.lodged": "2015-03-02",
        "procedure.status": "refused",
        "procedure.decided": "2015-07-20",
        "procedure.reasons": ["internal_relocation"],
    }
    data.update(over)
    return data


def test_editing_shows_field_errors_and_never_half_saves(api: Api) -> None:
    seed(api)
    b = signed_in(api)
    token = b.csrf("/cases/RU-1")
    r = b.post(
        "/cases/RU-1/edit", edit_form("RU-1", 1, token, **{"procedure.lodged": "2015-02-30"})
    )
    assert r.status_code == 422  # the form again (htmx swaps 422), problems marked
    assert 'id="err-procedure-lodged"' in r.text
    assert "The date the application was lodged must be a real date" in r.text
    assert 'href="#lodged"' in r.text  # the error summary links to the field
    assert 'aria-invalid="true" aria-describedby="err-procedure-lodged"' in r.text
    assert api.get("/cases/RU-1", "officer").json()["version"] == 1
    # Without the CSRF token: refused, nothing written.
    r = b.post("/cases/RU-1/edit", edit_form("RU-1", 1, "forged"))
    assert r.status_code == 403
    assert api.get("/cases/RU-1", "officer").json()["version"] == 1
    # A valid edit adds a version; the reasons and the new incident are stored.
    r = b.post(
        "/cases/RU-1/edit",
        edit_form(
            "RU-1",
            1,
            token,
            **{"incidents[1].kind": "assault", "incidents[1].actor": "state"},
        ),
    )
    assert "Saved as version 2" in r.text
    stored = api.get("/cases/RU-1", "officer").json()
    assert stored["version"] == 2
    assert [i["kind"] for i in stored["case"]["incidents"]] == ["threat", "assault"]
    # Editing from a stale page is a conflict, not a lost update.
    r = b.post("/cases/RU-1/edit", edit_form("RU-1", 1, token, **{"procedure.status": "pending"}))
    assert "it is now at version 2, and you edited version 1. Nothing was saved" in r.text
    assert api.get("/cases/RU-1", "officer").json()["version"] == 2
    # Without script the form posts normally and comes back to the case page.
    r = b.post("/cases/RU-1/edit", edit_form("RU-1", 2, token), htmx=False)
    assert r.status_code == 303 and r.headers["location"] == "/cases/RU-1"


def test_the_editor_never_drops_a_half_filled_incident_nor_saves_nothing(api: Api) -> None:
    seed(api)
    b = signed_in(api)
    token = b.csrf("/cases/RU-1")
    # An incident with a date and an actor but no kind: named, not silently left out.
    half = {"incidents[1].date": "2015-01-05", "incidents[1].actor": "state"}
    r = b.post("/cases/RU-1/edit", edit_form("RU-1", 1, token, **half))
    assert "There is a problem: nothing was saved" in r.text, r.text
    assert re.search(r'id="err-incidents-1-kind"', r.text), r.text
    assert api.get("/cases/RU-1", "officer").json()["version"] == 1
    # A save that changes nothing makes no version (the API's PUT still does, by contract).
    pending = {"procedure.status": "pending"}
    r = b.post("/cases/RU-1/edit", edit_form("RU-1", 1, token, **pending))
    assert "Saved as version 2" in r.text
    # The page's version line follows the save (out of band), not "Version 1" any more.
    assert re.search(r'<p class="muted" id="case-meta" hx-swap-oob="true">Version 2,', r.text)
    r = b.post("/cases/RU-1/edit", edit_form("RU-1", 2, token, **pending))
    assert "Nothing changed: the case stays at version 2." in unescape(r.text)
    assert api.get("/cases/RU-1", "officer").json()["version"] == 2
    edits = [e for e in api.audit() if e["action"] == "case.edit"]
    assert len(edits) == 1


def test_case_content_is_escaped(api: Api) -> None:
    api.create("officer", make_case('<img src=x onerror=alert(1)>"'))
    b = signed_in(api)
    page = b.get("/cases").text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_security_headers_forbid_inline_script(api: Api) -> None:
    b = signed_in(api)
    r = b.get("/cases")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    assert "<script>" not in r.text and " onclick=" not in r.text and "style=" not in r.text


def test_dutch(api: Api) -> None:
    seed(api)
    b = signed_in(api)
    r = b.get("/lang/nl?next=/cases/RU-1", follow_redirects=True)
    assert r.url.path == "/cases/RU-1"
    assert '<html lang="nl">' in r.text
    assert "Feiten van de zaak" in r.text and "Zaken" in r.text
    # Step headings in the pack's Dutch (haven/packs/nl/i18n/nl.yaml: steps).
    assert "<h4>Aanwijzing in het landgebonden asielbeleid</h4>" in r.text
    assert "<h4>Group designation in country policy</h4>" not in r.text
    # Step findings in the pack's Dutch sentences (i18n/nl.yaml: step_findings).
    assert "Uitgesloten door het beleid: Een binnenlands vestigingsalternatief" in r.text
    assert "Bewijsmaatstaf: geringe indicaties volstaan. Voldaan:" in r.text
    assert "Excluded by policy" not in r.text and "Standard minor_indications" not in r.text
    # Off-site targets are ignored.
    r = b.get("/lang/en?next=https://evil.example", follow_redirects=False)
    assert r.headers["location"] == "/"


def test_dutch_case_page_has_no_english_reasoning(api: Api) -> None:
    """Cases reaching the guardrail, evidence, 15(c) and later-facts steps: in Dutch, each step
    says the pack's Dutch sentences (tests/test_dutch_steps.py) and no English finding."""
    from tests.test_dutch_steps import PACK as NL
    from tests.test_dutch_steps import cases_reaching, flat

    b = signed_in(api)
    b.get("/lang/nl?next=/cases")
    for kind, case, as_of, a in cases_reaching():
        case["id"] = f"NL-{kind}"
        api.create("officer", case)
        page = flat(b.get(f"/cases/{case['id']}?as_of={as_of}").text)
        assert any(s.rule.split(".")[0] == kind for s in a.steps)
        for step in a.steps:
            assert flat(finding_text(step, "nl", NL)) in page, (kind, step.rule)
            assert flat(step.finding) not in page, (kind, step.rule)


def test_policy_explorer_shows_contradictions_and_a_chart(api: Api) -> None:
    b = signed_in(api)
    page = b.get("/policy?country=RU&as_of=2015-09-01").text
    assert 'data-kind="relocation_vs_nationwide_harm"' in page
    page = b.get("/policy?country=RU&as_of=2015-10-01").text
    assert 'data-kind="relocation_vs_nationwide_harm"' not in page
    assert 'src="/policy/RU/timeline.svg?as_of=2015-10-01"' in page
    svg = b.get("/policy/RU/timeline.svg?as_of=2015-10-01")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<svg") and "<script" not in svg.text
    # Entries, country-report findings and contradiction windows on one time axis.
    assert "ru-lgbti-risk-group-2015" in svg.text
    assert "ru-lgbti-2015-08-homophobia-throughout-russia" in svg.text
    # The page's date marked and named, each finding named by its report and month, windows
    # named (also the second relocation window, from 8 June 2023), and a legend for pale
    # (unverified) bars and for the shading.
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg.text)
    assert "as of 1 Oct 2015" in texts
    assert {"country report Jul 2014", "country report Aug 2015", "country report Jul 2017"} <= set(
        texts
    )
    assert texts.count("relocation contradicted") == 2
    assert {"unverified", "Shaded", "policy contradicted by a finding"} <= set(texts)
    b.get("/lang/nl?next=/policy")
    dutch = b.get("/policy/RU/timeline.svg?as_of=2015-10-01")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", dutch.text)
    assert {"per 1 okt 2015", "ambtsbericht aug 2015", "vestigingsalternatief weersproken"} <= set(
        texts
    )
    assert svg.headers["content-security-policy"].startswith("default-src 'none'")
    assert b.get("/policy?country=ZZ").status_code == 404


def test_impact_page_and_export(api: Api) -> None:
    seed(api)
    api.create("officer", make_case("=HYPERLINK(1)"))
    b = signed_in(api)
    page = b.get("/impact?from=2015-06-01&to=2015-10-01").text
    assert "RU-1" in page and "RU-OTHER-OFFICER" not in page
    csv = b.get("/impact/export.csv?from=2015-06-01&to=2015-10-01")
    assert csv.headers["content-disposition"].startswith("attachment;")
    lines = csv.text.splitlines()
    assert lines[0].startswith("case_id,status,before,after")
    assert any(line.startswith("RU-1,refused,") for line in lines)
    assert any(line.startswith("'=HYPERLINK(1)") for line in lines)  # no formula injection
    assert not any(line.startswith("=") for line in lines)
    # The dates the wrong way round: said next to the second date, no result, no file.
    r = b.get("/impact?from=2015-10-01&to=2015-06-01")
    assert r.status_code == 422 and "RU-1" not in r.text
    assert "The second date must be on or after the first date." in r.text
    assert b.get("/impact/export.csv?from=2015-10-01&to=2015-06-01").status_code == 422


def test_impact_page_shows_a_bounded_list_per_rule_and_the_csv_all(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ROWS_PER_RULE rows a rule's list is cut on the page (rendering 9,000 rows took
    1.4-2 s) with the counts whole and a link to the CSV, which lists every changed case."""
    from haven.web import routes_impact

    seed(api)
    b = signed_in(api)
    url = "/impact?from=2015-06-01&to=2015-10-01"
    whole = b.get(url).text
    assert "the CSV export lists them all" not in whole
    monkeypatch.setattr(routes_impact, "ROWS_PER_RULE", 1)
    page = b.get(url).text
    groups = re.findall(r"<details.*?</details>", page, flags=re.S)
    counts = [int(n) for g in groups for n in re.findall(r"— (\d+) cases?</summary>", g)]
    shown = [len(re.findall(r'<tr><td><a href="/cases/', g)) for g in groups]
    assert max(counts) >= 2 and all(n == 1 for n in shown), (counts, shown)
    assert f"The first 1 of these {max(counts)} cases are shown;" in page
    cut = next(g for g in groups if "cases are shown;" in g)  # said before the list, not after
    assert cut.index("cases are shown;") < cut.index("<table>"), cut[:500]
    assert '<a href="/impact/export.csv?from=2015-06-01&amp;to=2015-10-01">the CSV export' in page
    csv = b.get("/impact/export.csv?from=2015-06-01&to=2015-10-01").text.splitlines()
    assert {"RU-1", "RU-2"} <= {line.split(",")[0] for line in csv[1:]}
    b.get("/lang/nl?next=/impact")
    dutch = b.get(url).text
    assert f"Hier staan de eerste 1 van deze {max(counts)} zaken;" in dutch
    assert "de CSV-export bevat ze allemaal" in dutch


def test_other_organisations_cases_do_not_exist_and_denials_are_audited(api: Api) -> None:
    seed(api)
    b = signed_in(api, "x.officer")
    r = b.get("/cases/RU-1")
    assert r.status_code == 404 and "Not found" in r.text
    assert "RU-1" not in b.get("/cases").text
    denials = [e for e in api.audit("x.auditor") if e["outcome"] == "denied"]
    assert any(e["case"] == "RU-1" for e in denials)


def test_researcher_cannot_open_cases(api: Api) -> None:
    seed(api)
    b = signed_in(api, "researcher")
    assert b.get("/cases").status_code == 403
    assert b.get("/cases/RU-1").status_code in (403, 404)


def test_sign_out_revokes_the_session(api: Api) -> None:
    b = signed_in(api)
    token = b.csrf("/cases")
    session = b.c.cookies["haven_session"]
    r = b.post("/logout", {"csrf": token}, htmx=False)
    assert r.status_code == 303
    again = TestClient(api.client.app, base_url="https://testserver")
    again.cookies.set("haven_session", session)
    assert again.get("/cases", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("path", ["/cases", "/cases/RU-1", "/policy", "/impact"])
def test_pages_need_a_session(api: Api, path: str) -> None:
    r = Browser(api).get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_memo_button_downloads_the_pdf_in_the_page_language(api: Api) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    seed(api)
    b = signed_in(api)
    page = b.get("/cases/RU-1?as_of=2015-10-01").text
    assert 'href="/cases/RU-1/memo.pdf?as_of=2015-10-01&amp;lang=en"' in page
    # The memo's language is chosen on the page, apart from the interface's.
    assert 'href="/cases/RU-1/memo.pdf?as_of=2015-10-01&amp;lang=nl"' in page
    dutch = b.get("/cases/RU-1/memo.pdf?as_of=2015-10-01&lang=nl")
    assert (
        "risicogroep"
        in "".join(p.extract_text() for p in PdfReader(BytesIO(dutch.content)).pages).lower()
    )
    b.c.cookies.set("haven_lang", "nl")
    r = b.get("/cases/RU-1/memo.pdf?as_of=2015-10-01")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(r.content)).pages)
    assert "risicogroep" in text.lower()
    memos = [e for e in api.audit() if e["action"] == "case.memo"]
    assert memos and memos[-1]["case"] == "RU-1"


def test_impact_against_a_draft_pack(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A draft without the Russian entries: RU-1 no longer changes on 2015-10-01."""
    draft = tmp_path / "drafts" / "without-ru"
    shutil.copytree(PACK_DIR, draft)
    (draft / "entries" / "RU.yaml").unlink()
    broken = tmp_path / "drafts" / "broken"
    shutil.copytree(PACK_DIR, broken)
    (broken / "pack.yaml").write_text("id: [unclosed\n")
    monkeypatch.setenv("HAVEN_DRAFTS", str(tmp_path / "drafts"))
    seed(api)
    b = signed_in(api)
    row = re.compile(r'<tr><td><a href="/cases/RU-1\?as_of=2015-10-01">RU-1</a>.*?</tr>')
    plain = b.get("/impact?from=2015-06-01&to=2015-10-01").text
    assert '<option value="without-ru"' in plain
    assert "Protection indicated" in row.search(plain).group(0)  # type: ignore[union-attr]
    drafted = b.get("/impact?from=2015-06-01&to=2015-10-01&draft=without-ru").text
    found = row.search(drafted)
    assert found is None or "Protection indicated" not in found.group(0)
    assert "Draft: without-ru" in drafted
    # Only listed drafts, never a path; a broken draft is a message, not a crash.
    assert "There is no draft policy named ../../etc." in b.get("/impact?draft=../../etc").text
    r = b.get("/impact?draft=broken")
    assert r.status_code == 200 and "draft broken: " in r.text


def test_web_sign_in_shares_the_login_lockout(api: Api) -> None:
    b = Browser(api)
    codes = [b.login("reviewer", "not the password, but long").status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    r = b.login("reviewer")  # even the right password waits out the lockout
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    minutes = -(-int(r.headers["retry-after"]) // 60)
    assert f"Too many failed sign-ins: try again in {minutes} minute" in r.text
    assert "haven_session" not in b.c.cookies


def test_draft_decision_text_is_marked_on_the_case_page(api: Api) -> None:
    seed(api)
    b = signed_in(api)
    token = b.csrf("/cases/RU-1?as_of=2015-10-01")
    draft = (
        "The applicant stated that he fears the police. "
        "He can reasonably be expected to settle in St Petersburg, where <b>he</b> is safe."
    )
    r = b.post("/cases/RU-1/lint", {"csrf": token, "as_of": "2015-10-01", "text": draft})
    assert r.status_code == 200
    assert '<mark data-codes="ipa_excluded_by_policy' in r.text
    assert "&lt;b&gt;he&lt;/b&gt;" in r.text and "<b>he</b>" not in r.text
    assert "The applicant stated that he fears the police. " in r.text.split("<mark")[0]
    # Before the September 2015 letter relocation could still be argued: nothing marked.
    r = b.post("/cases/RU-1/lint", {"csrf": token, "as_of": "2015-06-01", "text": draft})
    assert "<mark" not in r.text and "No passage relies" in r.text
    assert b.post("/cases/RU-1/lint", {"text": draft}).status_code == 403  # CSRF
    lints = [e for e in api.audit() if e["action"] == "case.lint"]
    assert lints and lints[-1]["detail"]["chars"] == len(draft)
    assert not any("St Petersburg" in str(e["detail"]) for e in lints)


def test_the_draft_check_offers_the_packs_model(api: Api) -> None:
    """The box for `haven lint --model`: unticked, the rules alone; ticked, the model's flag,
    marked as the model's; in Dutch too; the audit line says the model was used."""
    seed(api)
    # Discretion reasoning only the model reads (tests/test_lint_model.py).
    draft = (
        "Having kept his sexuality hidden in Lagos for many years, the appellant will keep it "
        "hidden on his return."
    )
    for lang, note in (
        ("en", "Read by the linter's model, not by a rule"),
        ("nl", "Gelezen door het model van de controle, niet door een regel"),
    ):
        b = signed_in(api)
        b.c.cookies.set("haven_lang", lang, domain="testserver.local")
        page = b.get("/cases/RU-1?as_of=2019-01-01").text
        assert (
            'name="model" value="on"' in page
            and "checked" not in page.split('name="model"')[1][:40]
        )
        token = b.csrf("/cases/RU-1?as_of=2019-01-01")
        form = {"csrf": token, "as_of": "2019-01-01", "text": draft}
        r = b.post("/cases/RU-1/lint", form)
        assert r.status_code == 200 and "<mark" not in r.text
        r = b.post("/cases/RU-1/lint", {**form, "model": "on"})
        assert r.status_code == 200
        assert '<mark data-codes="discretion_reasoning ' in r.text and note in unescape(r.text)
        assert 'value="on" aria-describedby="lint-model-hint" checked' in r.text
    lints = [e["detail"] for e in api.audit() if e["action"] == "case.lint"]
    assert lints[0].get("model") is True and "model" not in lints[1]  # newest first


def test_nul_characters_get_an_error_page_naming_the_field(api: Api) -> None:
    """PostgreSQL text cannot hold NUL: a login, a search or a case address with one was a 500
    on PostgreSQL (psycopg DataError). Now a 400 page naming the field, on both backends."""
    seed(api)
    r = Browser(api).login("off\x00icer")
    assert r.status_code == 400, r.text[:300]
    assert "username" in r.text and "NUL" in r.text
    b = signed_in(api)
    for path, field in (
        ("/cases?q=RU%00", "query.q"),
        ("/cases?nationality=R%00U", "query.nationality"),
        ("/cases/RU%001", "path.ref"),
    ):
        r = b.get(path)
        assert r.status_code == 400, (path, r.status_code)
        assert field in r.text and "<html" in r.text.lower()
    assert b.get("/cases?q=RU").status_code == 200  # the session is still good


def test_the_editor_refuses_a_date_after_today_next_to_its_field(api: Api) -> None:
    """Issue 14: a recorded fact cannot be dated in the future; the message sits next to the
    field and nothing is saved."""
    seed(api)
    b = signed_in(api)
    token = b.csrf("/cases/RU-1")
    r = b.post(
        "/cases/RU-1/edit", edit_form("RU-1", 1, token, **{"procedure.decided": "2999-07-20"})
    )
    assert r.status_code == 422
    assert 'id="err-procedure-decided"' in r.text
    assert "The decision date cannot be in the future." in r.text
    assert api.get("/cases/RU-1", "officer").json()["version"] == 1


def test_store_and_model_messages_are_plain_dutch(api: Api) -> None:
    """Issue 15: messages from the store, the API and the case model were shown in English
    (and in developer words) in the Dutch interface."""
    seed(api)
    b = signed_in(api)
    b.get("/lang/nl?next=/cases")
    token = b.csrf("/cases/RU-1")
    # A region of another country (the case model and admit): in Dutch, next to its field.
    r = b.post("/cases/RU-1/edit", edit_form("RU-1", 1, token, region="IR-01"))
    assert 'id="err-region"' in r.text
    assert "De regio moet een regio van het land van de nationaliteit zijn" in r.text
    assert "is a region of" not in r.text
    # A stale version (the store's optimistic concurrency).
    pending = edit_form("RU-1", 1, token, **{"procedure.status": "pending"})
    assert "Opgeslagen als versie 2" in b.post("/cases/RU-1/edit", pending).text
    r = b.post("/cases/RU-1/edit", edit_form("RU-1", 1, token))
    assert "de zaak staat nu op versie 2 en u bewerkte versie 1" in r.text
    assert "reload and edit again" not in r.text
    # The error page of a case that does not exist, and of a form with a stale token.
    r = b.get("/cases/NO-SUCH-CASE")
    assert r.status_code == 404 and "Er is geen zaak NO-SUCH-CASE." in r.text
    r = b.post("/cases/RU-1/edit", edit_form("RU-1", 2, "forged"))
    assert r.status_code == 403
    assert "het beveiligingstoken van het formulier ontbreekt" in r.text
    # Sign-in.
    out = Browser(api, lang="nl")
    out.c.cookies.set("haven_lang", "nl")
    r = out.login("officer", "wrong password, long enough")
    assert r.status_code == 401 and "onbekende gebruiker of verkeerd wachtwoord" in r.text


def test_a_refused_share_is_said_when_everyone_holds_the_case(api: Api) -> None:
    """With no one left to offer there is no share form; a refusal (a forged request, or a
    share taken back twice from two tabs) is still said on the page, in the reader's language."""
    seed(api)
    for who in ("advocate", "advocate2", "officer2"):
        assert api.post("/cases/RU-1/share", "officer", {"username": who}).status_code == 204
    b = signed_in(api)
    page = b.get("/cases/RU-1").text
    assert 'id="share-username"' not in page
    token = b.csrf("/cases/RU-1")
    r = b.post("/cases/RU-1/share", {"csrf": token, "username": "reviewer"}, htmx=False)
    assert r.status_code == 422
    said = re.search(r'<p class="field-error" role="alert"[^>]*>([^<]*)</p>', r.text)
    assert said and unescape(said.group(1)) == (
        "reviewer is not an active case officer or NGO advocate."
    )
    nl = Browser(api, lang="nl")
    nl.c.cookies.set("haven_lang", "nl")
    assert nl.login("officer").status_code == 303
    token = nl.csrf("/cases/RU-1")
    r = nl.post("/cases/RU-1/unshare", {"csrf": token, "username": "reviewer"}, htmx=False)
    said = re.search(r'<p class="field-error" role="alert"[^>]*>([^<]*)</p>', r.text)
    assert r.status_code == 422 and said, r.text
    assert unescape(said.group(1)) == "Zaak RU-1 is niet gedeeld met reviewer."


def test_sharing_a_case_from_its_page(api: Api) -> None:
    seed(api)
    b = signed_in(api)
    page = b.get("/cases/RU-1").text
    # Who holds it, and the organisation's other officers and advocates to share it with
    # (not the reviewer, who sees every case, nor another organisation's officer).
    access = page[page.index('id="access"') :]
    assert "officer — Case officer, assigned" in unescape(access)
    offered = re.findall(r'<option value="([^"]*)">', access)
    assert offered == ["", "advocate", "advocate2", "officer2"]
    token = b.csrf("/cases/RU-1")
    # A name that is not in the organisation: said next to the field, nothing shared.
    r = b.post("/cases/RU-1/share", {"csrf": token, "username": "x.officer"}, htmx=False)
    assert r.status_code == 422
    assert "There is no user x.officer in this organisation." in unescape(r.text)
    r = b.post("/cases/RU-1/share", {"csrf": token, "username": ""}, htmx=False)
    assert r.status_code == 422 and "Choose whom to share the case with." in r.text
    # A forged name of the reviewer (who sees every case): refused in plain words.
    r = b.post("/cases/RU-1/share", {"csrf": token, "username": "reviewer"}, htmx=False)
    assert r.status_code == 422
    assert "reviewer is not an active case officer or NGO advocate." in unescape(r.text)
    r = b.post("/cases/RU-1/share", {"username": "advocate"}, htmx=False)
    assert r.status_code == 403  # no CSRF token, nothing changed
    assert "RU-1" not in signed_in(api, "advocate").get("/cases").text

    r = b.post("/cases/RU-1/share", {"csrf": token, "username": "advocate"}, htmx=False)
    assert r.status_code == 303 and r.headers["location"] == "/cases/RU-1?shared=advocate#access"
    page = unescape(b.get(r.headers["location"]).text)
    assert "Shared with advocate: the case is in their caseload now." in page
    assert "advocate — NGO advocate, shared" in page
    assert "RU-1" in signed_in(api, "advocate").get("/cases").text
    shares = [e for e in api.audit() if e["action"] == "case.share"]
    assert [(e["case"], e["detail"]["with_user"]) for e in shares] == [("RU-1", "advocate")]
    page = b.get("/cases/RU-1").text
    # A forged notice names nobody who does not hold the case.
    assert "Shared with" not in b.get("/cases/RU-1?shared=advocate2").text
    assert "no longer holds" not in b.get("/cases/RU-1?unshared=advocate").text
    # Taken back: the advocate's caseload no longer has it; the officer's assignment has no
    # such button, and a forged request for it is refused next to the field.
    assert 'value="officer"' not in page[page.index('class="holders"') :].split("</ul>")[0]
    r = b.post("/cases/RU-1/unshare", {"csrf": token, "username": "officer"}, htmx=False)
    assert r.status_code == 422 and "an assignment cannot be taken back" in unescape(r.text)
    r = b.post("/cases/RU-1/unshare", {"csrf": token, "username": "advocate"}, htmx=False)
    assert r.status_code == 303 and r.headers["location"] == "/cases/RU-1?unshared=advocate#access"
    assert "advocate no longer holds this case." in unescape(b.get(r.headers["location"]).text)
    assert "RU-1" not in signed_in(api, "advocate").get("/cases").text
    r = b.post("/cases/RU-1/unshare", {"csrf": token, "username": "advocate"}, htmx=False)
    assert r.status_code == 422 and "Case RU-1 is not shared with advocate." in unescape(r.text)
    actions = [e["action"] for e in api.audit() if e["action"] in ("case.share", "case.unshare")]
    assert actions == ["case.unshare", "case.share"]  # newest first
    # The reviewer sees every case and shares none: no such section.
    assert 'id="access"' not in signed_in(api, "reviewer").get("/cases/RU-1").text


def test_an_advocate_giving_back_her_own_share_lands_on_her_caseload(api: Api) -> None:
    """The button on one's own share says what it does, and pressing it leads to the caseload
    with a notice (English and Dutch), not to a "Not allowed" page for the case."""
    api.create("officer", make_case("RU-1"))
    api.create("officer", make_case("RU-2"))
    for ref in ("RU-1", "RU-2"):
        r = api.post(f"/cases/{ref}/share", "officer", {"username": "advocate"})
        assert r.status_code == 204
    b = signed_in(api, "advocate")
    page = unescape(b.get("/cases/RU-1").text)
    access = page[page.index('class="holders"') :].split("</ul>")[0]
    assert "Give this case back (you will no longer see it)" in access
    assert "Stop sharing with advocate" not in access
    token = b.csrf("/cases/RU-1")
    r = b.post("/cases/RU-1/unshare", {"csrf": token, "username": "advocate"}, htmx=False)
    assert r.status_code == 303 and r.headers["location"] == "/cases?released=RU-1"
    landed = b.get(r.headers["location"])
    assert landed.status_code == 200
    assert "You no longer hold case RU-1." in landed.text
    assert "/cases/RU-1" not in landed.text and "/cases/RU-2" in landed.text
    assert b.get("/cases/RU-1").status_code == 403
    actions = [e["action"] for e in api.audit() if e["action"] == "case.unshare"]
    assert actions == ["case.unshare"]
    # A forged notice names no case the user still holds.
    assert "no longer hold" not in b.get("/cases?released=RU-2").text
    # In Dutch.
    token = b.csrf("/cases/RU-2")
    b.get("/lang/nl")
    dutch = unescape(b.get("/cases/RU-2").text)
    assert "Geef deze zaak terug (u ziet de zaak daarna niet meer)" in dutch
    r = b.post("/cases/RU-2/unshare", {"csrf": token, "username": "advocate"}, htmx=False)
    assert "U hebt zaak RU-2 niet meer." in b.get(r.headers["location"]).text


LINT_DATE = re.compile(
    r'<p id="lint-date"[^>]*>\s*<input type="hidden" name="as_of" value="([^"]*)">'
)
RELOCATION = "He can reasonably be expected to settle in St Petersburg."


def test_the_draft_check_uses_the_date_shown_and_names_it(api: Api) -> None:
    """QA: the check took the date typed in "Assess as of" but not yet shown (the page said 1
    October 2015, the check ran on 1 June 2015 and said "on this date"), and an invalid date
    fell back to today in silence. Now one date, the assessment's shown one, named in words."""
    seed(api)
    b = signed_in(api)
    page = b.get("/cases/RU-1?as_of=2015-10-01").text
    form = page.split('<section id="lint"')[1].split("</form>")[0]
    assert 'hx-include="#as_of"' not in form  # never the date field's unshown value
    assert LINT_DATE.findall(form) == ["2015-10-01"]
    assert "Checked on the date of the assessment shown: <strong>1 October 2015</strong>" in form
    token = b.csrf("/cases/RU-1?as_of=2015-10-01")
    r = b.post("/cases/RU-1/lint", {"csrf": token, "as_of": "2015-10-01", "text": RELOCATION})
    assert r.status_code == 200 and "<mark" in r.text
    assert (
        "1 passage flagged: it relies on reasoning forbidden for this case on 1 October 2015."
        in r.text
    )
    assert LINT_DATE.findall(r.text) == ["2015-10-01"]
    r = b.post("/cases/RU-1/lint", {"csrf": token, "as_of": "2015-06-01", "text": RELOCATION})
    assert "No passage relies on reasoning that is forbidden for this case on 1 June 2015." in (
        r.text
    )
    # No date, or not a date: the problem next to the form, nothing checked, never today.
    for day in ("", "2015-02-30", "bogus"):
        r = b.post("/cases/RU-1/lint", {"csrf": token, "as_of": day, "text": RELOCATION})
        assert r.status_code == 422, day
        assert 'id="lint-date-problem"' in r.text and "no assessment date to check" in r.text
        assert "<mark" not in r.text and "No passage relies" not in r.text
    # The assessment shown on another date (htmx) brings the check's date along.
    part = b.get("/cases/RU-1?as_of=2015-06-01", headers={"HX-Target": "assessment"}).text
    assert '<p id="lint-date" class="lint-date" hx-swap-oob="true">' in part
    assert LINT_DATE.findall(part) == ["2015-06-01"]
    # A page whose date is not a date shows no assessment: the check has no date either.
    page = b.get("/cases/RU-1?as_of=2015-13-01").text
    assert LINT_DATE.findall(page) == [""]
    assert "No assessment date is shown" in page
    # After a save, the assessment refreshed beside the editor brings it along too.
    changed = edit_form("RU-1", 1, token, **{"procedure.status": "pending"})
    r = b.post("/cases/RU-1/edit", {**changed, "as_of": "2015-06-01"})
    assert "Saved as version 2" in r.text and LINT_DATE.findall(r.text) == ["2015-06-01"]
    # In Dutch, the date in words.
    b.c.cookies.set("haven_lang", "nl", domain="testserver.local")
    r = b.post("/cases/RU-1/lint", {"csrf": token, "as_of": "2015-10-01", "text": RELOCATION})
    assert "voor deze zaak op 1 oktober 2015" in unescape(r.text)


def test_the_draft_check_says_an_empty_box_and_a_nul(api: Api) -> None:
    """QA: "Check the text" with an empty box, or a NUL in it (a 400 page htmx did not show),
    showed nothing. Now the form again with the problem next to the box (422)."""
    seed(api)
    for lang, empty, nul in (
        ("en", "Enter the draft decision text.", "Contains an invisible character (NUL)"),
        ("nl", "Vul de tekst van het conceptbesluit in.", "Bevat een onzichtbaar teken (NUL)"),
    ):
        b = signed_in(api)
        b.c.cookies.set("haven_lang", lang, domain="testserver.local")
        token = b.csrf("/cases/RU-1?as_of=2015-10-01")
        for text in ("", "  \n "):
            r = b.post("/cases/RU-1/lint", {"csrf": token, "as_of": "2015-10-01", "text": text})
            assert r.status_code == 422, (lang, text)
            assert f'<span class="field-error" id="lint-problem">{empty}</span>' in unescape(r.text)
            assert 'aria-invalid="true" aria-describedby="lint-problem"' in r.text
        draft = "He can reasonably\x00 be expected to settle in St Petersburg."
        r = b.post("/cases/RU-1/lint", {"csrf": token, "as_of": "2015-10-01", "text": draft})
        assert r.status_code == 422, lang
        assert nul in unescape(r.text) and 'id="lint-problem"' in r.text
        assert "reasonably\ufffd be expected" in r.text and "<mark" not in r.text
    # Over the length that is checked at once: said next to the box (422, so htmx swaps it).
    long = "He can reasonably be expected to relocate. " * 2500
    r = b.post("/cases/RU-1/lint", {"csrf": token, "as_of": "2015-10-01", "text": long})
    assert r.status_code == 422 and 'id="lint-problem"' in r.text and "<mark" not in r.text
    # Its numbers grouped as each language writes them.
    for lang, words in (("en", "107,500 characters"), ("nl", "107.500 tekens")):
        b.c.cookies.set("haven_lang", lang, domain="testserver.local")
        r = b.post("/cases/RU-1/lint", {"csrf": token, "as_of": "2015-10-01", "text": long})
        assert words in r.text, r.text[:2000]


def test_a_nul_in_the_editor_is_said_next_to_its_field(api: Api) -> None:
    """QA: a NUL in an editor field was a 400 error page, which htmx does not show: nothing
    happened. Now the editor again (422), the problem next to the field, nothing saved."""
    seed(api)
    for lang, said in (
        ("en", "The region contains an invisible character (NUL)"),
        ("nl", "De regio bevat een onzichtbaar teken (NUL)"),
    ):
        b = signed_in(api)
        b.c.cookies.set("haven_lang", lang, domain="testserver.local")
        token = b.csrf("/cases/RU-1")
        r = b.post("/cases/RU-1/edit", edit_form("RU-1", 1, token, region="RU-M\x00OW"))
        assert r.status_code == 422, r.text[:300]
        assert r.text.lstrip().startswith('<section id="editor"')
        assert 'id="err-region"' in r.text and said in unescape(r.text)
        assert 'href="#region"' in r.text  # the error summary links to the field
        assert 'value="RU-M\ufffdOW"' in r.text
        assert api.get("/cases/RU-1", "officer").json()["version"] == 1
    # Without script: the case page with the problem marked.
    r = b.post("/cases/RU-1/edit", edit_form("RU-1", 1, token, region="RU-M\x00OW"), htmx=False)
    assert r.status_code == 422 and 'id="err-region"' in r.text


def test_a_case_page_as_of_a_later_day_says_it_shows_todays_policy(api: Api) -> None:
    """As of 1 January 2100 the page read like any other; it now says the policy is as known
    today (English and Dutch), and a past day says nothing of it."""
    seed(api)
    b = signed_in(api)
    ahead = b.get("/cases/RU-1?as_of=2100-01-01").text
    assert 'id="ahead"' in ahead and "is after today" in ahead and "1 January 2100" in ahead
    assert 'id="ahead"' not in b.get("/cases/RU-1?as_of=2015-10-01").text
    b.get("/lang/nl")
    dutch = b.get("/cases/RU-1?as_of=2100-01-01").text
    assert "ligt na vandaag" in dutch and "1 januari 2100" in dutch
