"""Either pack on every door of the API (issue 19): a server offers the shipped packs and the
configured ones; POST /assessments and /impact name one with `pack` (an unknown one is a 422
naming the field), and impact between packs groups whose outcome differs by profile. Runs on
SQLite and PostgreSQL, with the fictional example packs (tests/packs)."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from haven.server import create_app
from haven.store import auth
from haven.store.access import Role
from haven.store.db import Database
from tests.store.store_helpers import Api

PACKS = Path(__file__).resolve().parents[1] / "packs"
EXAMPLE, COMMON = PACKS / "example", PACKS / "example_common"
CASE: dict[str, Any] = json.loads((EXAMPLE / "case.json").read_text(encoding="utf-8"))
CASELOAD = [
    json.loads(line)
    for line in (EXAMPLE / "caseload.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    """The example pack by default, the example common analysis offered besides it."""
    with TestClient(create_app(db, pack=str(EXAMPLE), packs=[str(COMMON)])) as c:
        yield c


def test_the_server_lists_the_packs_it_offers(api: Api) -> None:
    r = api.get("/policy/packs", as_="officer")
    assert r.status_code == 200, r.text
    listed = {p["id"]: p for p in r.json()}
    assert r.json()[0]["id"] == "example" and listed["example"]["default"] is True
    assert {"example", "example-common", "nl"} <= set(listed)  # nl: shipped
    assert listed["example-common"]["default"] is False
    assert listed["example-common"]["countries"] == ["AQ"]


def test_an_assessment_names_the_pack_it_was_made_under(api: Api) -> None:
    body = {"case": CASE, "as_of": "2015-10-01"}
    default = api.post("/assessments", as_="officer", body=body)
    other = api.post("/assessments", as_="officer", body={**body, "pack": "example-common"})
    assert default.status_code == 200 and other.status_code == 200, other.text
    assert default.json()["policy"]["pack"] == "example"
    assert default.json()["recommendation"] == "further_assessment"
    assert other.json()["policy"]["pack"] == "example-common"
    assert other.json()["recommendation"] == "protection_indicated"
    assert other.headers["X-Haven-Pack"].startswith("example-common;")
    cited = {s for step in other.json()["steps"] for s in step["sources"]}
    assert "xc-guidance-2015" in cited and "ex-circular-2016" not in cited


def test_an_unknown_pack_is_a_422_naming_the_field(api: Api) -> None:
    r = api.post("/assessments", as_="officer", body={"case": CASE, "pack": "nosuch"})
    assert r.status_code == 422, r.text
    assert "pack" in r.text and "nosuch" in r.text and "example-common" in r.text
    r = api.post(
        "/impact",
        as_="officer",
        body={"cases": [CASE], "from": "2016-01-01", "to": "2016-01-01", "to_pack": 7},
    )
    assert r.status_code == 422 and "to_pack" in r.text, r.text
    r = api.get("/policy/entries?country=AQ&pack=nosuch", as_="officer")
    assert r.status_code == 422 and "query.pack" in r.text, r.text


def test_impact_between_packs_groups_the_differences_by_profile(api: Api) -> None:
    body = {"cases": CASELOAD, "from": "2017-06-01", "to": "2017-06-01"}
    r = api.post("/impact", as_="officer", body={**body, "to_pack": "example-common"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["policy_before"]["pack"] == "example"
    assert out["policy_after"]["pack"] == "example-common"
    assert sorted(c["case_id"] for c in out["changed"]) == ["EX-AQ-1", "EX-AQ-3"]
    assert out["changed_by_profile"] == {"AQ:cartographer": 2}
    same = api.post("/impact", as_="officer", body=body).json()
    assert same["changed"] == [] and same["changed_by_profile"] == {}


def test_the_policy_endpoints_answer_under_the_named_pack(api: Api) -> None:
    r = api.get("/policy/entries?country=AQ&as_of=2015-10-01&pack=example-common", as_="officer")
    assert r.status_code == 200, r.text
    assert r.headers["X-Haven-Pack"].startswith("example-common;")
    assert "xc-aq-cartographers-2015" in r.text
    default = api.get("/policy/entries?country=AQ&as_of=2015-10-01", as_="officer")
    assert "xc-aq-cartographers-2015" not in default.text


def test_a_work_queue_between_packs(api: Api) -> None:
    """The lawyer's work queue from the impact between packs: the refused case whose outcome
    would be better under the other pack on the date."""
    for case in CASELOAD:
        assert api.create("officer", case).status_code == 201
    body = {"from": "2015-10-01", "to": "2015-10-01", "to_pack": "example-common"}
    r = api.post("/queues", as_="reviewer", body=body)
    assert r.status_code == 201, r.text
    items = api.get(f"/queues/{r.json()['id']}", as_="reviewer").json()["work_items"]
    assert [i["case"] for i in items] == ["EX-AQ-1"]
    bad = api.post("/queues", as_="reviewer", body={**body, "to_pack": "nosuch"})
    assert bad.status_code == 422 and "to_pack" in bad.text, bad.text


def test_the_memo_api_notes_the_reference_pack(db: Database) -> None:
    """With a reference pack configured, the memo of a stored case says when that pack is more
    favourable on the date; under the reference pack itself it says nothing of the kind."""
    app = create_app(db, pack=str(EXAMPLE), packs=[str(COMMON)], reference=str(COMMON))
    with TestClient(app) as client:
        with db.session() as s:
            org = auth.ensure_org(s, "ex", "Ex")
            auth.add_user(s, org, "olga", "long enough pw!", Role.CASE_OFFICER)
        token = client.post(
            "/api/v1/login", json={"username": "olga", "password": "long enough pw!"}
        ).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        assert client.post("/api/v1/cases", json=CASE, headers=h).status_code == 201
        memo = "/api/v1/cases/EX-AQ-1/memo?as_of=2015-10-01&format=html"
        r = client.get(memo, headers=h)
        assert r.status_code == 200, r.text[:300]
        assert 'class="reference"' in r.text and "xc-guidance-2015" in r.text
        nl = client.get(memo + "&lang=nl", headers=h)
        assert "gunstiger voor de aanvrager" in nl.text
        other = client.get(memo + "&pack=example-common", headers=h)
        assert other.status_code == 200 and 'class="reference"' not in other.text
