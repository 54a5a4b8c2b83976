"""The API's periods (POST /impact, POST /queues): a date before the pack's coverage is a 422
naming `from` or `to`, the field the caller sent, and a `to` before `from` is refused on `to`
as the CLI and the web app refuse it; nothing is stored. On SQLite and PostgreSQL, with the
real app."""

import httpx

from tests.store.store_helpers import Api, make_case


def _problems(r: httpx.Response) -> dict[str, str]:
    assert r.status_code == 422, (r.status_code, r.text)
    return {p["field"]: p["message"] for p in r.json()["error"]["problems"]}


def test_impact_names_the_date_at_fault(api: Api) -> None:
    cases = [make_case("P-1")]
    found = _problems(
        api.post("/impact", "officer", {"cases": cases, "from": "1990-01-01", "to": "2015-10-01"})
    )
    assert list(found) == ["from"] and "legal basis for every step" in found["from"]
    found = _problems(
        api.post("/impact", "officer", {"cases": cases, "from": "2015-10-01", "to": "2015-06-01"})
    )
    assert list(found) == ["to"] and "before from 2015-10-01" in found["to"]
    # The same date twice compares two packs on it.
    same = {"cases": cases, "from": "2025-01-01", "to": "2025-01-01", "to_pack": "euaa"}
    assert api.post("/impact", "officer", same).status_code == 200


def test_a_queue_backwards_is_refused_and_not_stored(api: Api) -> None:
    api.create("officer", make_case("RU-1"))
    before = api.get("/queues", "reviewer").json()
    found = _problems(api.post("/queues", "reviewer", {"from": "2015-10-01", "to": "2015-06-01"}))
    assert list(found) == ["to"]
    found = _problems(api.post("/queues", "reviewer", {"from": "1990-01-01", "to": "2015-06-01"}))
    assert list(found) == ["from"]
    assert api.get("/queues", "reviewer").json() == before
