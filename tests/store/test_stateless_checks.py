"""The stateless endpoints (POST /api/v1/assessments, /impact, /lint) check a case as the store
does, each problem named by its full field path (`case.…`, `cases[2].…`): tags outside the
pack's vocabulary, a region of another country than the nationality (one check for stored and
stateless cases: haven.assess.admit), a case id given twice (as the CLI refuses it) and keys
given twice. On SQLite and PostgreSQL, with the
real app."""

import json
from typing import Any

import httpx

from tests.store.store_helpers import Api, make_case

DATES = {"from": "2015-06-01", "to": "2015-10-01"}


def _problems(r: httpx.Response) -> dict[str, str]:
    assert r.status_code == 422, (r.status_code, r.text)
    return {p["field"]: p["message"] for p in r.json()["error"]["problems"]}


def _raw(api: Api, path: str, body: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api.tokens['officer']}"}
    response: httpx.Response = api.client.post(f"/api/v1{path}", content=body, headers=headers)
    return response


def _tagged(ref: str, tag: str) -> dict[str, Any]:
    case = make_case(ref)
    case["profile"]["tags"] = [tag]
    return case


def test_an_unknown_tag_is_named_by_its_full_path(api: Api) -> None:
    bad = _tagged("T-9", "nonexistent")
    found = _problems(api.post("/assessments", "officer", {"case": bad, "as_of": "2015-10-01"}))
    assert (
        list(found) == ["case.profile.tags[0]"] and "unknown tag" in found["case.profile.tags[0]"]
    )
    cases = [make_case("T-0"), make_case("T-1"), bad]
    found = _problems(api.post("/impact", "officer", {"cases": cases, **DATES}))
    assert list(found) == ["cases[2].profile.tags[0]"]
    # Under a second pack too (between packs): named once per pack that does not know it.
    between = {"cases": cases, "from": "2025-01-01", "to": "2025-01-01", "to_pack": "euaa"}
    assert "cases[2].profile.tags[0]" in _problems(api.post("/impact", "officer", between))
    lint = {"text": "He can relocate to St Petersburg.", "case": bad, "as_of": "2015-10-01"}
    assert list(_problems(api.post("/lint", "officer", lint))) == ["case.profile.tags[0]"]
    # A known tag is assessed.
    ok = {"case": _tagged("T-2", "political_critic"), "as_of": "2015-10-01"}
    assert api.post("/assessments", "officer", ok).status_code == 200


def test_a_key_given_twice_is_named_by_its_full_path(api: Api) -> None:
    case = json.dumps(make_case("D-1"))
    twice = case[:-1] + ', "nationality": "IQ"}'
    found = _problems(_raw(api, "/assessments", f'{{"case": {twice}, "as_of": "2015-10-01"}}'))
    assert list(found) == ["case.nationality"]
    body = f'{{"cases": [{case}, {twice}], "from": "2015-06-01", "to": "2015-10-01"}}'
    assert list(_problems(_raw(api, "/impact", body))) == ["cases[1].nationality"]
    inner = case.replace('"status": ', '"status": "refused", "status": ', 1)
    found = _problems(_raw(api, "/assessments", f'{{"case": {inner}}}'))
    assert list(found) == ["case.procedure.status"]
    # The body's own keys keep their plain names.
    found = _problems(_raw(api, "/assessments", f'{{"case": {case}, "case": {case}}}'))
    assert list(found) == ["case"]


def test_a_region_of_another_country_is_refused_as_on_stored_cases(api: Api) -> None:
    for region, country in (("IR-01", "IR"), ("UA-30", "UA")):
        wrong = make_case("R-1", region=region)
        said = f"{region!r} is a region of {country}, not of the nationality RU"
        stored = _problems(api.post("/cases", "officer", wrong))
        assert stored == {"region": said}
        found = _problems(api.post("/assessments", "officer", {"case": wrong}))
        assert found == {"case.region": said}
        cases = [make_case("R-0"), wrong]
        assert _problems(api.post("/impact", "officer", {"cases": cases, **DATES})) == {
            "cases[1].region": said
        }
        between = {"cases": cases, "from": "2025-01-01", "to": "2025-01-01", "to_pack": "euaa"}
        # Once, though both packs refuse it.
        r = api.post("/impact", "officer", between)
        assert [p["field"] for p in r.json()["error"]["problems"]] == ["cases[1].region"]
        lint = {"text": "He can relocate.", "case": wrong, "as_of": "2015-10-01"}
        assert _problems(api.post("/lint", "officer", lint)) == {"case.region": said}
    # The nationality's own region is assessed.
    own = {"case": make_case("R-2", region="RU-SPE"), "as_of": "2015-10-01"}
    assert api.post("/assessments", "officer", own).status_code == 200


def test_a_case_id_given_twice_is_refused(api: Api) -> None:
    """The changed cases are listed by id: "A" was listed twice (200)."""
    twice = [make_case("A"), make_case("B"), make_case("A"), make_case("A")]
    found = _problems(api.post("/impact", "officer", {"cases": twice, **DATES}))
    assert found == {
        "cases[2].id": "case id 'A' appears more than once (first at cases[0])",
        "cases[3].id": "case id 'A' appears more than once (first at cases[0])",
    }
    between = {"cases": twice[:3], "from": "2025-01-01", "to": "2025-01-01", "to_pack": "euaa"}
    assert list(_problems(api.post("/impact", "officer", between))) == ["cases[2].id"]
    r = api.post("/impact", "officer", {"cases": twice[:2], **DATES})
    assert r.status_code == 200, r.text
    assert not [
        e for e in api.audit() if e["action"] == "impact.stateless" and e["detail"]["cases"] == 4
    ]
