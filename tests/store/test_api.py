"""The REST API (issue 3) over a real database: contract endpoints, versioned cases with
optimistic concurrency, filters and pagination, stored assessments, the audit log, the pack
header and authentication. Every test runs on SQLite and on PostgreSQL (see conftest.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from haven.policy.pack import Pack
from haven.store import datakeys
from haven.store.models import AuditEntry, CaseRecord, CaseVersion, StoredAssessment
from tests.store.store_helpers import Api, make_case

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli_assessment(example_case: dict[str, Any]) -> dict[str, Any]:
    """What the CLI prints for the contract example as of 2015-10-01 (run once)."""
    path = ROOT.parent / "shared" / "contract" / "examples" / "ru-moscow-2015.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "haven",
            "assess",
            str(path),
            "--as-of",
            "2015-10-01",
            "--format",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def header(pack: Pack) -> str:
    return f"{pack.meta.id}; version={pack.version}"


def fields(r: Any) -> list[str]:
    return [p["field"] for p in r.json()["error"]["problems"]]


# --- the contract's stateless endpoints ---------------------------------------------------


def test_assessment_is_the_same_json_as_the_cli(
    api: Api, example_case: dict[str, Any], cli_assessment: dict[str, Any]
) -> None:
    r = api.post("/assessments", "officer", {"case": example_case, "as_of": "2015-10-01"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json() == cli_assessment
    assert r.json()["recommendation"] == "protection_indicated"


def test_invalid_assessment_input_is_422_naming_the_field(
    api: Api, example_case: dict[str, Any]
) -> None:
    bad_kind = json.loads(json.dumps(example_case))
    bad_kind["incidents"][0]["kind"] = "bogus"
    r = api.post("/assessments", "officer", {"case": bad_kind, "as_of": "2015-10-01"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"
    assert fields(r) == ["case.incidents[0].kind"]
    assert "bogus" in r.json()["error"]["problems"][0]["message"]

    bad_date = {**example_case, "procedure": {**example_case["procedure"], "lodged": "2015-02-30"}}
    r = api.post("/assessments", "officer", {"case": bad_date})
    assert r.status_code == 422
    assert fields(r) == ["case.procedure.lodged"]

    # Unknown fields, in the case and in the envelope, are errors too (the contract is strict).
    r = api.post("/assessments", "officer", {"case": {**example_case, "colour": "blue"}})
    assert r.status_code == 422
    assert fields(r) == ["case.colour"]
    assert r.json()["error"]["problems"][0]["message"] == "unknown field"
    r = api.post("/assessments", "officer", {"case": example_case, "asof": "2015-10-01"})
    assert r.status_code == 422
    assert fields(r) == ["asof"]

    r = api.post("/assessments", "officer", {"case": example_case, "as_of": "01-10-2015"})
    assert r.status_code == 422
    assert fields(r) == ["as_of"]

    r = api.post("/assessments", "officer", {"as_of": "2015-10-01"})
    assert r.status_code == 422
    assert fields(r) == ["case"]

    r = api.request(
        "POST", "/assessments", "officer", content=b"{not json", headers={"Content-Type": "x"}
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"


def test_impact(api: Api, example_case: dict[str, Any]) -> None:
    later = {**example_case, "id": "EX-RU-2"}
    body = {"cases": [example_case, later], "from": "2015-01-01", "to": "2015-10-01"}
    r = api.post("/impact", "researcher", body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert {"transitions", "changed"} <= out.keys()
    changed = {c["case_id"]: c for c in out["changed"]}
    assert set(changed) == {"EX-RU-1", "EX-RU-2"}  # the 2015-09-07 risk-group designation
    assert changed["EX-RU-1"]["after"]["recommendation"] == "protection_indicated"

    r = api.post("/impact", "researcher", {**body, "cases": [{**example_case, "region": "XX"}]})
    assert r.status_code == 422
    assert fields(r) == ["cases[0].region"]
    r = api.post("/impact", "researcher", {"cases": [], "from": "2015-01-01"})
    assert r.status_code == 422
    assert fields(r) == ["to"]


# --- cases: create, read, optimistic concurrency, versions --------------------------------


def _version_rows(api: Api, ref: str) -> list[CaseVersion]:
    """The stored rows, decrypted (content is encrypted at rest: tests/store/test_encryption.py)."""
    with api.db.session() as s:
        return [
            datakeys.open_version(s, rec, v)
            for rec, v in s.execute(
                select(CaseRecord, CaseVersion)
                .join(CaseRecord, CaseRecord.id == CaseVersion.case_id)
                .where(CaseRecord.ref == ref)
                .order_by(CaseVersion.version)
            ).all()
        ]


def test_case_lifecycle_with_etags_and_versions(api: Api) -> None:
    v1 = make_case("NL-1")
    r = api.post("/cases", "officer", v1)
    assert r.status_code == 201, r.text
    assert r.headers["ETag"] == '"1"'
    assert r.headers["Location"] == "/api/v1/cases/NL-1"
    assert r.json()["version"] == 1
    assert r.json()["case"] == v1

    r = api.post("/cases", "officer", v1)
    assert r.status_code == 409
    assert fields(r) == ["id"]

    r = api.get("/cases/NL-1", "officer")
    assert r.status_code == 200
    assert r.headers["ETag"] == '"1"'
    assert r.json()["case"] == v1
    assert r.json()["nationality"] == "RU"
    assert r.json()["status"] == "refused"

    assert api.get("/cases/NOPE", "officer").status_code == 404
    assert fields(api.get("/cases/NOPE", "officer")) == ["case"]

    v2 = make_case("NL-1", procedure={"status": "refused_final"})
    r = api.put("/cases/NL-1", "officer", v2)
    assert r.status_code == 428, "an edit without If-Match is refused (RFC 6585)"
    assert r.json()["error"]["code"] == "precondition_required"
    assert len(_version_rows(api, "NL-1")) == 1

    r = api.put("/cases/NL-1", "officer", v2, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"2"'
    assert r.json()["version"] == 2
    assert r.json()["status"] == "refused_final"

    # A stale ETag: 412 and nothing written.
    v3 = make_case("NL-1", procedure={"status": "granted"})
    r = api.put("/cases/NL-1", "officer", v3, headers={"If-Match": '"1"'})
    assert r.status_code == 412
    assert "version 2" in r.json()["error"]["message"]
    assert len(_version_rows(api, "NL-1")) == 2
    r = api.get("/cases/NL-1", "officer")
    assert r.headers["ETag"] == '"2"'
    assert r.json()["case"] == v2
    assert r.json()["status"] == "refused_final"

    # A future ETag is just as stale.
    r = api.put("/cases/NL-1", "officer", v3, headers={"If-Match": '"7"'})
    assert r.status_code == 412
    r = api.put("/cases/NL-1", "officer", v3, headers={"If-Match": "yesterday"})
    assert r.status_code == 422
    assert fields(r) == ["If-Match"]
    r = api.put("/cases/NL-1", "officer", make_case("NL-2"), headers={"If-Match": '"2"'})
    assert r.status_code == 409, "the body's id must be the case being edited"
    r = api.put("/cases/NL-1", "officer", {**v3, "extra": 1}, headers={"If-Match": '"2"'})
    assert r.status_code == 422
    assert fields(r) == ["extra"]
    r = api.put("/cases/NOPE", "officer", make_case("NOPE"), headers={"If-Match": '"1"'})
    assert r.status_code == 404
    assert len(_version_rows(api, "NL-1")) == 2

    r = api.put("/cases/NL-1", "officer", v3, headers={"If-Match": '"2"'})
    assert r.status_code == 200
    assert r.headers["ETag"] == '"3"'

    r = api.get("/cases/NL-1/versions", "officer")
    assert r.status_code == 200
    assert [v["version"] for v in r.json()] == [1, 2, 3]
    assert [v["case"] for v in r.json()] == [v1, v2, v3], "old versions are kept intact"
    assert [v.data for v in _version_rows(api, "NL-1")] == [v1, v2, v3]

    assert api.get("/cases/NOPE/versions", "officer").status_code == 404


def test_invalid_case_is_422_naming_the_field(api: Api) -> None:
    case = make_case("NL-BAD")
    case["incidents"][0]["kind"] = "bogus"
    r = api.post("/cases", "officer", case)
    assert r.status_code == 422
    assert fields(r) == ["incidents[0].kind"]
    r = api.post("/cases", "officer", {**make_case("NL-BAD"), "nickname": "x"})
    assert r.status_code == 422
    assert fields(r) == ["nickname"]
    r = api.post("/cases", "officer", make_case("NL-BAD", procedure={"decided": "2010-01-01"}))
    assert r.status_code == 422
    assert fields(r) == ["procedure"]
    assert api.get("/cases", "officer").json()["total"] == 0


# --- listing: filters and pagination -----------------------------------------------------

RU_GAY = {"nationality": "RU", "region": "RU-MOW"}
IR_NONE: dict[str, Any] = {
    "nationality": "IR",
    "region": None,
    "profile": {"sogi": [], "tags": [], "sex": "female", "birth_date": None},
}


def test_list_filters_and_pagination(api: Api) -> None:
    refs = [f"C-{n:02d}" for n in range(7)]
    for n, ref in enumerate(refs):
        kind = RU_GAY if n < 4 else IR_NONE
        status = "pending" if n % 2 else "refused"
        api.create("officer", make_case(ref, **kind, procedure={"status": status}))

    r = api.get("/cases", "officer")
    assert r.status_code == 200
    page = r.json()
    assert (page["total"], page["limit"], page["offset"]) == (7, 50, 0)
    assert [c["id"] for c in page["items"]] == refs
    assert {"id", "version", "nationality", "status", "recommendation", "designation"} <= set(
        page["items"][0]
    )
    assert "case" not in page["items"][0], "a list shows summaries, not case content"

    r = api.get("/cases?limit=3&offset=0", "officer").json()
    assert (r["total"], r["limit"], r["offset"]) == (7, 3, 0)
    assert [c["id"] for c in r["items"]] == refs[:3]
    r = api.get("/cases?limit=3&offset=3", "officer").json()
    assert [c["id"] for c in r["items"]] == refs[3:6]
    r = api.get("/cases?limit=3&offset=6", "officer").json()
    assert [c["id"] for c in r["items"]] == refs[6:]
    r = api.get("/cases?limit=3&offset=9", "officer").json()
    assert (r["total"], r["items"]) == (7, [])

    def ids(query: str) -> list[str]:
        r = api.get(f"/cases?{query}", "officer")
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["items"]]

    assert ids("nationality=RU") == refs[:4]
    assert ids("nationality=IR") == refs[4:]
    assert ids("nationality=AF") == []
    assert ids("status=pending") == ["C-01", "C-03", "C-05"]
    assert ids("nationality=RU&status=pending") == ["C-01", "C-03"]
    assert ids("nationality=IR&status=pending&limit=1&offset=1") == []
    assert api.get("/cases?nationality=IR&status=pending&limit=1", "officer").json()["total"] == 1

    # Recommendation and designation come from the latest stored assessment.
    assert ids("recommendation=protection_indicated") == []
    for ref in ("C-00", "C-01", "C-04"):
        r = api.post(f"/cases/{ref}/assessments", "officer", {"as_of": "2015-10-01"})
        assert r.status_code == 201, r.text
    got = {c["id"]: c for c in api.get("/cases", "officer").json()["items"]}
    assert got["C-00"]["recommendation"] == "protection_indicated"
    assert got["C-00"]["designation"] == "risk_group"
    assert got["C-04"]["recommendation"] != "protection_indicated"
    assert got["C-04"]["designation"] is None
    assert got["C-02"]["recommendation"] is None
    assert ids("recommendation=protection_indicated") == ["C-00", "C-01"]
    assert ids("designation=risk_group") == ["C-00", "C-01"]
    assert ids("designation=risk_group&status=pending") == ["C-01"]
    assert ids(f"recommendation={got['C-04']['recommendation']}") == ["C-04"]

    # An edit makes the stored recommendation stale: the case drops out until reassessed.
    r = api.put("/cases/C-00", "officer", make_case("C-00"), headers={"If-Match": '"1"'})
    assert r.status_code == 200
    assert ids("recommendation=protection_indicated") == ["C-01"]

    # A misspelt filter is an error, not a list of every case.
    r = api.get("/cases?nationalty=RU", "officer")
    assert r.status_code == 422
    assert fields(r) == ["query.nationalty"]

    for bad in ("limit=0", "limit=501", "offset=-1", "nationality=ru", "limit=many"):
        r = api.get(f"/cases?{bad}", "officer")
        assert r.status_code == 422, bad
        assert fields(r) == [f"query.{bad.split('=')[0]}"], bad


# --- stored assessments -------------------------------------------------------------------


def test_stored_assessment_keeps_what_reproduces_it(
    api: Api, pack: Pack, example_case: dict[str, Any], cli_assessment: dict[str, Any]
) -> None:
    api.create("officer", example_case)
    r = api.post("/cases/EX-RU-1/assessments", "officer", {"as_of": "2015-10-01"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["case_version"] == 1
    assert first["as_of"] == "2015-10-01"
    assert first["policy"] == {"pack": "nl", "version": pack.version}
    assert first["recommendation"] == "protection_indicated"
    assert first["assessment"] == cli_assessment, "the full assessment is stored"

    edited = {**example_case, "credibility": {**example_case["credibility"], "profile": "open"}}
    r = api.put("/cases/EX-RU-1", "officer", edited, headers={"If-Match": '"1"'})
    assert r.status_code == 200
    r = api.post("/cases/EX-RU-1/assessments", "reviewer", {"as_of": "2015-06-01"})
    assert r.status_code == 201
    second = r.json()
    assert (second["case_version"], second["as_of"]) == (2, "2015-06-01")

    r = api.get("/cases/EX-RU-1/assessments", "officer")
    assert r.status_code == 200
    assert r.json() == [first, second], "older assessments are kept with their case version"

    with api.db.session() as s:
        rows = list(s.scalars(select(StoredAssessment).order_by(StoredAssessment.id)))
        assert [(a.case_version, a.as_of.isoformat(), a.pack) for a in rows] == [
            (1, "2015-10-01", "nl"),
            (2, "2015-06-01", "nl"),
        ]
        assert rows[0].pack_version == pack.version
        rec = s.get(CaseRecord, rows[0].case_id)
        assert rec is not None
        assert datakeys.open_assessment(s, rec, rows[0]).result == cli_assessment

    # Without a body the assessment is as of today.
    r = api.post("/cases/EX-RU-1/assessments", "officer")
    assert r.status_code == 201
    r = api.post("/cases/EX-RU-1/assessments", "officer", {"as_of": "tomorrow"})
    assert r.status_code == 422
    assert fields(r) == ["as_of"]
    assert api.post("/cases/NOPE/assessments", "officer", {}).status_code == 404


# --- the audit log ------------------------------------------------------------------------


def test_audit_log_records_reads_writes_and_denials(api: Api) -> None:
    api.create("officer", make_case("AUD-1"))
    assert api.get("/cases/AUD-1", "officer").status_code == 200
    assert api.get("/cases/AUD-1", "reviewer").status_code == 200
    assert api.get("/cases/AUD-1", "officer2").status_code == 403
    assert api.get("/cases/AUD-1", "x.officer").status_code == 404

    with api.db.session() as s:
        uid = {
            u: s.scalar(select(AuditEntry.user_id).where(AuditEntry.action == "case.create"))
            for u in ("officer",)
        }
    log = api.audit()
    reads = [e for e in log if e["action"] == "case.read" and e["outcome"] == "ok"]
    assert len(reads) == 2
    assert {e["case"] for e in reads} == {"AUD-1"}
    assert uid["officer"] in {e["user_id"] for e in reads}
    assert all(e["at"].endswith("Z") for e in log)
    created = [e for e in log if e["action"] == "case.create"]
    assert [(e["case"], e["user_id"], e["outcome"]) for e in created] == [
        ("AUD-1", uid["officer"], "ok")
    ]
    denied = [e for e in log if e["outcome"] == "denied"]
    assert len(denied) == 1, "officer2's 403 (the other organisation's 404 is in its own log)"
    assert denied[0]["case"] == "AUD-1"
    assert denied[0]["action"] == "GET /api/v1/cases/AUD-1"
    assert denied[0]["detail"] == {"reason": "forbidden"}

    other = api.audit("x.auditor")
    assert [(e["case"], e["outcome"]) for e in other if e["case"]] == [("AUD-1", "denied")]
    assert other[0]["detail"] == {"reason": "not_found"}

    # Newest first, and the auditor's own reads are logged too.
    assert api.audit()[0]["action"] == "audit.read"
    with api.db.session() as s:
        newest = s.scalar(select(func.max(AuditEntry.id)))
    assert api.get("/audit?limit=2", "auditor").json()[0]["id"] == newest
    assert len(api.get("/audit?limit=2&offset=1", "auditor").json()) == 2


# --- headers, errors and authentication ---------------------------------------------------


def test_every_response_carries_the_pack(api: Api, pack: Pack) -> None:
    api.create("officer", make_case("HDR-1"))
    responses = {
        "openapi": api.client.get("/openapi.json"),
        "login": api.client.post("/api/v1/login", json={"username": "officer", "password": "x"}),
        "ok": api.get("/cases/HDR-1", "officer"),
        "created": api.post("/cases", "officer", make_case("HDR-2")),
        "no token": api.get("/cases", None),
        "forbidden": api.get("/cases/HDR-1", "researcher"),
        "not found": api.get("/cases/NOPE", "officer"),
        "conflict": api.post("/cases", "officer", make_case("HDR-1")),
        "precondition": api.put("/cases/HDR-1", "officer", make_case("HDR-1")),
        "invalid": api.post("/cases", "officer", {"id": "x"}),
        "no route": api.get("/nothing-here", "officer"),
        "wrong method": api.request("DELETE", "/cases/HDR-1", "officer"),
        "no content": api.post("/cases/HDR-1/share", "officer", {"username": "officer2"}),
        "policy": api.get("/policy/packs", "officer"),
    }
    codes = {k: r.status_code for k, r in responses.items()}
    assert codes == {
        "openapi": 200,
        "login": 401,
        "ok": 200,
        "created": 201,
        "no token": 401,
        "forbidden": 403,
        "not found": 404,
        "conflict": 409,
        "precondition": 428,
        "invalid": 422,
        "no route": 404,
        "wrong method": 405,
        "no content": 204,
        "policy": 200,
    }
    for name, r in responses.items():
        assert r.headers.get("X-Haven-Pack") == header(pack), name
        if r.status_code >= 400:
            assert r.headers["content-type"] == "application/json", name
            assert r.json()["error"]["code"], name

    # Even an unexpected server error answers JSON with the pack.
    def boom() -> None:
        raise RuntimeError("a bug")

    # TestClient types its app as any ASGI app; conftest.py built it with create_app (FastAPI).
    cast(FastAPI, api.client.app).add_api_route("/api/v1/boom", boom)
    r = TestClient(api.client.app, raise_server_exceptions=False).get("/api/v1/boom")
    assert r.status_code == 500
    assert r.headers["X-Haven-Pack"] == header(pack)
    assert r.json()["error"]["code"] == "internal_error"
    assert "a bug" not in r.text
    # The Allow header names every method of the path, not only the first route's.
    assert responses["wrong method"].headers["Allow"] == "GET, HEAD, PUT"
    assert responses["wrong method"].json()["error"]["code"] == "method_not_allowed"


def test_authentication(api: Api) -> None:
    r = api.get("/cases", None)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json()["error"]["code"] == "unauthenticated"

    for bad in ("Bearer hvn_not-a-token", "Bearer ", "Basic b2ZmaWNlcjpwYXNzd29yZA==", "token"):
        r = api.client.get("/api/v1/cases", headers={"Authorization": bad})
        assert r.status_code == 401, bad
        assert r.headers["WWW-Authenticate"] == "Bearer", bad

    wrong = api.client.post("/api/v1/login", json={"username": "officer", "password": "nope"})
    unknown = api.client.post("/api/v1/login", json={"username": "ghost", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json(), "no hint whether the user exists"
    r = api.client.post("/api/v1/login", json={"username": "officer"})
    assert r.status_code == 422
    assert fields(r) == ["password"]

    assert api.get("/me", "reviewer").json()["role"] == "reviewer"
    for path in ("/assessments", "/impact", "/cases", "/cases/X/assessments", "/users"):
        assert api.post(path, None, {}).status_code == 401, path
    for path in ("/cases/X", "/cases/X/versions", "/audit", "/stats", "/me", "/policy/packs"):
        assert api.get(path, None).status_code == 401, path


def test_openapi_documents_the_api(api: Api) -> None:
    r = api.client.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/assessments", "post"),
        ("/api/v1/impact", "post"),
        ("/api/v1/cases", "get"),
        ("/api/v1/cases", "post"),
        ("/api/v1/cases/{ref}", "get"),
        ("/api/v1/cases/{ref}", "put"),
        ("/api/v1/cases/{ref}/versions", "get"),
        ("/api/v1/cases/{ref}/share", "post"),
        ("/api/v1/cases/{ref}/assessments", "post"),
        ("/api/v1/cases/{ref}/assessments", "get"),
        ("/api/v1/policy/packs", "get"),
        ("/api/v1/policy/entries", "get"),
        ("/api/v1/policy/timeline/{country}", "get"),
        ("/api/v1/policy/sources", "get"),
        ("/api/v1/login", "post"),
        ("/api/v1/users", "post"),
        ("/api/v1/audit", "get"),
        ("/api/v1/stats", "get"),
    ]:
        assert method in paths.get(path, {}), f"{method.upper()} {path}"
    body = paths["/api/v1/assessments"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/AssessRequest"}
    schemas = spec["components"]["schemas"]
    assert {"Case", "AssessRequest", "ImpactRequest", "Incident"} <= schemas.keys()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_policy_endpoints(api: Api, pack: Pack) -> None:
    packs = api.get("/policy/packs", "officer").json()
    # Every shipped pack is offered, the default first (haven/policy/packset.py).
    assert (packs[0]["id"], packs[0]["version"], packs[0]["default"]) == (
        pack.meta.id,
        pack.version,
        True,
    )
    assert {"nl", "euaa"} <= {p["id"] for p in packs}
    r = api.get("/policy/entries?country=RU&as_of=2015-10-01", "reviewer")
    assert r.status_code == 200
    assert r.json()["country"] == "RU"
    assert "ru-lgbti-risk-group-2015" in {e["id"] for e in r.json()["entries"]}
    r = api.get("/policy/timeline/RU", "researcher")
    assert r.status_code == 200
    assert len(r.json()["entries"]) >= 1
    assert api.get("/policy/sources", "admin").status_code == 200
    r = api.get("/policy/entries?country=QQ", "officer")
    assert r.status_code == 422
    assert fields(r) == ["country"]
    for bad in ("0", "20151001", "2015-10-01T00:00:00", "2015-02-30"):
        r = api.get(f"/policy/entries?country=RU&as_of={bad}", "officer")
        assert r.status_code == 422, bad
        assert fields(r) == ["query.as_of"], bad
    r = api.get("/policy/entries", "officer")
    assert r.status_code == 422
    assert fields(r) == ["query.country"]
    r = api.get("/policy/timeline/RU?group=nope", "officer")
    assert r.status_code == 422
    assert fields(r) == ["group"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["off\x07icer"], "USERNAME"),  # (argv cannot carry NUL; the store refuses it too)
        (["o" * 65], "USERNAME"),  # longer than the column: PostgreSQL refused, SQLite kept it
        (["two words"], "USERNAME"),
        (["officer", "--org", "ngo\x1b[2K"], "--org"),  # a terminal escape in every listing
    ],
)
def test_users_add_names_the_bad_name_on_every_backend(
    db_url: str, args: list[str], field: str
) -> None:
    env = {**os.environ, "HAVEN_DATABASE_URL": db_url, "HAVEN_PASSWORD": "long enough password"}
    r = subprocess.run(
        [sys.executable, "-m", "haven", "users", "add", *args, "--role", "case_officer"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2, r.stderr
    assert f"  {field}: must be 1 to 64 characters" in r.stderr  # as typed (was: the store's)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "haven", "users", "add", "o" * 64, "--role", "case_officer"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr


def test_a_case_dated_in_the_future_is_refused_naming_the_field(api: Api) -> None:
    """Issue 14: a recorded fact cannot be dated after today; nothing is stored."""
    case = make_case("FUT-1")
    case["incidents"][0]["date"] = "2999-01-01"
    case["profile"]["birth_date"] = "2999-02-02"
    r = api.post("/cases", "officer", case)
    assert r.status_code == 422, r.text
    assert fields(r) == ["profile.birth_date", "incidents[0].date"]
    assert "after today" in r.json()["error"]["problems"][0]["message"]
    assert api.get("/cases/FUT-1", "officer").status_code == 404
    # The same for an edit: the stored version stays as it was.
    ok = api.create("officer", make_case("FUT-2"))
    later = make_case("FUT-2", procedure={"decided": "2999-03-03"})
    r = api.put("/cases/FUT-2", "officer", later, headers={"If-Match": ok.headers["ETag"]})
    assert r.status_code == 422, r.text
    assert fields(r) == ["procedure.decided"]


def test_stateless_assessment_and_impact_refuse_a_future_date(
    api: Api, example_case: dict[str, Any]
) -> None:
    future = json.loads(json.dumps(example_case))
    future["incidents"][0]["date"] = "2999-01-01"
    future["id"] = "EX-FUTURE"  # beside the example in one caseload: an id of its own
    r = api.post("/assessments", "officer", {"case": future, "as_of": "2015-10-01"})
    assert r.status_code == 422, r.text
    assert fields(r) == ["case.incidents[0].date"]
    body = {"cases": [example_case, future], "from": "2015-06-01", "to": "2015-10-01"}
    r = api.post("/impact", "researcher", body)
    assert r.status_code == 422, r.text
    assert fields(r) == ["cases[1].incidents[0].date"]
