"""GET /api/v1/policy/compare: the JSON of `haven policy compare`, 422 naming the field."""

from typing import Any

from tests.store.compare_helpers import register_eu_mini
from tests.store.store_helpers import Api


def fields(r: Any) -> list[str]:
    return [p["field"] for p in r.json()["error"]["problems"]]


def _with_eu_mini(api: Api) -> None:
    register_eu_mini(api.client.app)


def test_compare_as_of_and_period(api: Api) -> None:
    _with_eu_mini(api)
    r = api.get("/policy/compare?country=IR&packs=nl,eu-mini&as_of=2025-02-01", "researcher")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert list(doc) == ["as_of", "packs", "divergences", "unranked"]
    assert doc["packs"] == ["nl", "eu-mini"]
    by_profile = {d["profile"]: d for d in doc["divergences"]}
    lgb = by_profile["sogi=bisexual|gay|lesbian"]
    assert lgb["kind"] == "nl_stricter"
    assert lgb["left"]["sources"][0]["id"] == "stcrt-2019-42462"
    assert lgb["right"]["sources"][0]["url"].startswith("https://www.euaa.europa.eu/")
    r = api.get(
        "/policy/compare?country=iq&packs=nl,eu-mini&from=2021-01-01&to=2025-06-01", "advocate"
    )
    assert r.status_code == 200, r.text
    assert r.json()["divergences"][0]["windows"] == [{"from": "2021-01-01", "to": "2024-05-26"}]


def test_divergences_hold_only_the_contracts_kinds(api: Api) -> None:
    """`unconfirmed` and `different` rows are in `unranked` (additive), not in `divergences`,
    whose kinds the contract lists (section 5); a period too."""
    contract = {"nl_stricter", "nl_more_favourable", "only_nl", "only_eu", "same"}
    for query in ("as_of=2025-06-01", "from=2014-01-01&to=2025-06-01"):
        r = api.get(f"/policy/compare?country=RU&packs=nl,euaa&{query}", "researcher")
        assert r.status_code == 200, r.text
        doc = r.json()
        assert {d["kind"] for d in doc["divergences"]} <= contract, query
        assert doc["unranked"] and {d["kind"] for d in doc["unranked"]} <= {
            "different",
            "unconfirmed",
        }


def test_the_auditor_may_not_read_policy(api: Api) -> None:
    r = api.get("/policy/compare?country=IR&packs=nl,nl", "auditor")
    assert r.status_code == 403


def test_compare_bad_input_is_422_naming_the_field(api: Api) -> None:
    _with_eu_mini(api)
    base = "/policy/compare?country=IR&packs=nl,eu-mini"
    for query, field in (
        ("/policy/compare?country=IR&packs=nl,nope", "packs"),
        ("/policy/compare?country=IR&packs=nl", "packs"),
        ("/policy/compare?country=IR&packs=nl,../../etc", "packs"),
        ("/policy/compare?country=QQ&packs=nl,eu-mini", "country"),
        ("/policy/compare?country=AQ&packs=nl,eu-mini", "country"),
        (f"{base}&as_of=2025-02-30", "query.as_of"),
        (f"{base}&from=2025-01-01&to=2024-01-01", "from"),
        (f"{base}&from=2025-01-01", "to"),
        (f"{base}&as_of=2025-01-01&from=2024-01-01&to=2025-01-01", "as_of"),
        ("/policy/compare?country=IR", "query.packs"),
    ):
        r = api.get(query, "researcher")
        assert r.status_code == 422, (query, r.text)
        assert fields(r) == [field], query


def test_compare_is_documented(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    op = spec["paths"]["/api/v1/policy/compare"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"country", "packs", "as_of", "from", "to"}
    assert "nl_stricter" in op["description"]
