"""The API's problems in plain words, on SQLite and PostgreSQL with the real app: query
parameters as bodies are said (no "Value error, …", "Input should …", regular expressions), a
username's rule in words, and a stale If-Match named as sent (a number beyond any version read
"is at version 1, not 0")."""

import re

import httpx

from tests.store.store_helpers import PASSWORD, Api, make_case

JARGON = re.compile(r"Value error|Input should|String should|Field required|pattern '|\^\[")


def _problems(r: httpx.Response) -> dict[str, str]:
    assert r.status_code == 422, (r.status_code, r.text)
    return {p["field"]: p["message"] for p in r.json()["error"]["problems"]}


def test_query_parameters_are_said_in_words(api: Api) -> None:
    api.create("officer", make_case("QA-1"))
    said = {
        "/policy/check?as_of=bad": ("query.as_of", "not a date (expected YYYY-MM-DD)"),
        "/policy/entries?country=RU&as_of=2015-13-01": (
            "query.as_of",
            "not a date (expected YYYY-MM-DD)",
        ),
        "/policy/compare?country=IR&packs=nl,euaa&from=x&to=2020-01-01": (
            "query.from",
            "not a date (expected YYYY-MM-DD)",
        ),
        "/cases/QA-1/memo?as_of=1": ("query.as_of", "not a date (expected YYYY-MM-DD)"),
        "/cases?limit=abc": ("query.limit", "must be a whole number"),
        "/cases?limit=0": ("query.limit", "must be at least 1"),
        "/cases?limit=9999": ("query.limit", "must be at most 500"),
        "/cases?offset=-1": ("query.offset", "must be at least 0"),
        "/cases?nationality=ru": (
            "query.nationality",
            "must be a country code of two capital letters (ISO 3166-1 alpha-2, e.g. RU)",
        ),
        "/cases?status=x": (
            "query.status",
            "'x' is not allowed; expected 'pending', 'refused', 'refused_final', "
            "'removal_scheduled', 'granted' or 'withdrawn'",
        ),
        "/policy/entries?country=RUS": ("query.country", "must be at most 2 characters long"),
        "/policy/compare?country=IR": ("query.packs", "required field is missing"),
        "/cases/QA-1/memo?lang=de": ("query.lang", "'de' is not allowed; expected 'en' or 'nl'"),
    }
    for query, (field, message) in said.items():
        found = _problems(api.get(query, "reviewer"))
        assert found.get(field) == message, (query, found)
    found = _problems(api.get("/audit?limit=x", "auditor"))
    assert found == {"query.limit": "must be a whole number"}


def test_a_username_rule_in_words(api: Api) -> None:
    for name in ("Oscar2", "o", "-oscar", "oscar smith"):
        body = {"username": name, "password": PASSWORD, "role": "case_officer"}
        found = _problems(api.post("/users", "admin", body))
        assert found == {
            "username": "may hold only lower-case letters (a-z), digits, '.', '_' and '-', must "
            "begin with a letter or a digit, and must be 2 to 64 characters long"
        }, name
    body = {"username": "oscar2", "password": PASSWORD, "role": "case_officer"}
    assert api.post("/users", "admin", body).status_code == 201


def test_a_stale_version_is_named_as_sent(api: Api) -> None:
    """A number beyond any version reaches the store as 0 (PostgreSQL's integers are 32-bit):
    the refusal named version 0, which the caller never sent."""
    api.create("officer", make_case("QA-1"))
    huge = "99999999999999999999999"
    r = api.put("/cases/QA-1", "officer", make_case("QA-1"), headers={"If-Match": f'"{huge}"'})
    assert r.status_code == 412, r.text
    assert r.json()["error"]["message"] == (
        f"case 'QA-1' is at version 1, not {huge}: reload and edit again"
    )
    r = api.put("/cases/QA-1", "officer", make_case("QA-1"), headers={"If-Match": '"0"'})
    assert r.status_code == 412 and "is at version 1, not 0:" in r.text
    very = "9" * 500  # named, but not all of it
    r = api.put("/cases/QA-1", "officer", make_case("QA-1"), headers={"If-Match": f'"{very}"'})
    assert r.status_code == 412 and f"not {'9' * 40}…: reload" in r.text
    r = api.put("/cases/QA-1", "officer", make_case("QA-1"), headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text


def test_no_jargon_in_any_query_problem(api: Api) -> None:
    for query in (
        "/cases?nationality=r&status=&limit=-5&offset=x",
        "/policy/check?country=RUSSIA&as_of=2015-02-30",
        "/policy/compare?country=I&packs=&as_of=yesterday",
        "/cases/QA-1/memo?lang=&format=",
    ):
        r = api.get(query, "reviewer")
        assert r.status_code == 422, (query, r.text)
        for p in r.json()["error"]["problems"]:
            assert not JARGON.search(p["message"]), (query, p)
