"""The API's and the web app's as-of policy views cite only documents that existed on the date
(later ones in `later_sources`, on the page shown apart and labelled, in English and Dutch);
the timeline, over all dates, keeps every source. Found by a QA walk (the repro dates)."""

from html import unescape

from tests.store.store_helpers import Api
from tests.store.test_web_pages import signed_in

IQ_LATER = ["stcrt-2014-11803", "stcrt-2021-1570"]


def test_policy_entries_as_of_2013_set_the_later_iraqi_documents_apart(api: Api) -> None:
    r = api.get("/policy/entries?country=IQ&as_of=2013-06-01", "researcher")
    assert r.status_code == 200, r.text
    (entry,) = [e for e in r.json()["entries"] if e["id"] == "iq-lgbti-group-persecution-2012"]
    assert entry["sources"] == ["kst-19637-1563", "opennieuwsbank-2012-07-12", "nos-394254"]
    assert entry["later_sources"] == IQ_LATER
    # Over all dates: every source.
    r = api.get("/policy/timeline/IQ", "researcher")
    (entry,) = [e for e in r.json()["entries"] if e["id"] == "iq-lgbti-group-persecution-2012"]
    assert set(IQ_LATER) <= set(entry["sources"]) and "later_sources" not in entry


def test_policy_check_as_of_a_date_cites_nothing_later(api: Api) -> None:
    for day, later in (
        ("2013-06-01", {"stcrt-2014-11803", "stcrt-2021-1570"}),
        ("2015-10-01", {"kst-19637-2235", "kst-19637-3241"}),
        ("2018-01-01", {"kst-19637-3241"}),
        ("2022-01-01", {"kst-19637-3241"}),
    ):
        r = api.get(f"/policy/check?as_of={day}", "researcher")
        assert r.status_code == 200, r.text
        found = r.json()["contradictions"]
        assert not later & {s for c in found for s in c["sources"]}, day
        assert later <= {s for c in found for s in c["later_sources"]}, day


def test_policy_compare_sides_set_later_documents_apart(api: Api) -> None:
    r = api.get("/policy/compare?country=IQ&packs=nl,euaa&as_of=2019-07-01", "researcher")
    assert r.status_code == 200, r.text
    (side,) = [
        d["left"]
        for d in r.json()["divergences"]
        if d["left"]["entry"] == "iq-lgbti-group-persecution-2012"
    ]
    assert "stcrt-2021-1570" not in [s["id"] for s in side["sources"]]
    assert [s["id"] for s in side["later_sources"]] == ["stcrt-2021-1570"]


def test_policy_explorer_shows_later_documents_apart_in_both_languages(api: Api) -> None:
    b = signed_in(api, "researcher")
    for lang, label in (
        ("en", "Published or applicable only after 1 June 2013 (not the basis on this date):"),
        (
            "nl",
            "Pas na 1 juni 2013 gepubliceerd of van toepassing (op deze datum niet de grondslag):",
        ),
    ):
        b.get(f"/lang/{lang}?next=/policy")
        page = unescape(b.get("/policy?country=IQ&as_of=2013-06-01").text)
        inforce = page[page.index('id="inforce-heading"') : page.index('id="check-heading"')]
        row = inforce[inforce.index("iq-lgbti-group-persecution-2012") :]
        row = row[: row.index("</tr>")]
        assert label in row, (lang, row)
        before, after = row.split(label)
        assert "kst-19637-1563" in before
        for sid in IQ_LATER:
            assert sid not in before and sid in after, (lang, sid)
        # The contradictions on that date too (the information gap cites WBV 2021/1).
        start = page.index('id="check-heading"')
        for item in page[start : page.index("<h3>", start)].split('<li class="contradiction"')[1:]:
            cited = item.split(label)[0]
            assert not any(sid in cited for sid in IQ_LATER), (lang, item)


def test_policy_explorer_marks_an_entry_unverified_only_from_its_reset(api: Api) -> None:
    """The Iraqi designation is unconfirmed from the policy reset of 27 May 2024: in force and
    verified on 1 June 2013, unverified on 1 June 2024 (it said 'unverified' on both)."""
    b = signed_in(api, "researcher")

    def row(day: str) -> str:
        page = b.get(f"/policy?country=IQ&as_of={day}").text
        inforce = page[page.index('id="inforce-heading"') : page.index('id="check-heading"')]
        start = inforce.rindex("<tr", 0, inforce.index("iq-lgbti-group-persecution-2012"))
        return inforce[start : inforce.index("</tr>", start)]

    assert "unverified" not in row("2013-06-01")
    assert 'class="unverified"' in row("2024-06-01") and "<strong>unverified</strong>" in row(
        "2024-06-01"
    )
