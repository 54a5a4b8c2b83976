"""Issue 17: the edges an outside security review found, each reproduced and now refused, on
SQLite and PostgreSQL (the `db`/`api` fixtures run every test on both). Each test names the
finding it covers; docs/security.md lists them."""

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select

from haven.cases import Case
from haven.store import repo
from haven.store.auth import TAKEN
from haven.store.db import Database
from haven.store.models import AuditEntry, CaseRecord, User
from tests.store.served import haven_server
from tests.store.store_helpers import PASSWORD, Api, make_case
from tests.store.test_web_pages import edit_form, signed_in

HAVEN = [sys.executable, "-m", "haven"]


def _problems(r: httpx.Response) -> dict[str, str]:
    return {p["field"]: p["message"] for p in r.json()["error"]["problems"]}


def _cli(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HAVEN_DATABASE_URL": db_url}
    return subprocess.run(
        [*HAVEN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


# --- 1. X-Forwarded-For is trusted only from configured proxies ------------------------------


def _spray(base: str, n: int, proto: str | None = None) -> list[httpx.Response]:
    """n failed logins, each with another username and another forged client address."""
    out = []
    for i in range(n):
        headers = {"X-Forwarded-For": f"203.0.113.{i + 1}"}
        if proto:
            headers["X-Forwarded-Proto"] = proto
        out.append(
            httpx.post(
                base + "/api/v1/login",
                json={"username": f"nobody{i}", "password": "wrong password!!"},
                headers=headers,
                timeout=30,
            )
        )
    return out


def _lockout_addresses(db: Database) -> list[str]:
    with db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login"))
        return sorted({str((e.detail or {}).get("address")) for e in rows})


def test_forged_forwarded_for_does_not_escape_the_address_throttle(db: Database) -> None:
    """Finding 1 (and 11: no `server` header, HSTS only over TLS from a trusted proxy)."""
    with haven_server(db.url) as (base, _):
        answers = _spray(base, 21, proto="https")
    assert [r.status_code for r in answers[:20]] == [401] * 20
    assert answers[20].status_code == 429  # the 21st from one address, whatever it claims
    assert "server" not in answers[0].headers
    assert "strict-transport-security" not in answers[0].headers  # the forged proto ignored
    # The audit log records the real peer, not the forged addresses.
    assert _lockout_addresses(db) == ["127.0.0.1"]


def test_forwarded_for_from_a_configured_proxy_is_believed(db: Database) -> None:
    """Finding 1: with HAVEN_TRUSTED_PROXIES the proxy's header names the client (each
    forged-looking address is now a distinct client), and HTTPS through it gets HSTS."""
    with haven_server(db.url, env={"HAVEN_TRUSTED_PROXIES": "127.0.0.1"}) as (base, _):
        answers = _spray(base, 21, proto="https")
    assert [r.status_code for r in answers] == [401] * 21
    assert answers[0].headers["strict-transport-security"].startswith("max-age=")
    assert "server" not in answers[0].headers
    assert len(_lockout_addresses(db)) == 21 and "127.0.0.1" not in _lockout_addresses(db)


# --- 4. Case ids: what is stored can be addressed; nothing fails after the commit ------------


@pytest.mark.parametrize("ref", ["CYR-Иванов", "EMOJI-😀", "AR-قضية", "Q?x#1&y=2", "50%"])
def test_non_latin_ids_are_stored_and_addressable(api: Api, ref: str) -> None:
    r = api.post("/cases", "officer", make_case(ref))
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/api/v1/cases/{quote(ref, safe='')}"
    again = api.client.get(
        r.headers["location"], headers={"Authorization": f"Bearer {api.tokens['officer']}"}
    )
    assert again.status_code == 200 and again.json()["id"] == ref


@pytest.mark.parametrize(
    "ref", ["RLO-\u202eabc", "CR\r\nLF", "TAB\tX", "a/b", "..", ".", "back\\slash", "ZW\u200bJ"]
)
def test_unaddressable_ids_are_refused_and_nothing_is_stored(api: Api, ref: str) -> None:
    r = api.post("/cases", "officer", make_case(ref))
    assert r.status_code == 422, r.text
    assert "id" in _problems(r)
    with api.db.session() as s:
        assert s.scalar(select(CaseRecord).where(CaseRecord.ref == ref)) is None


def test_cli_import_refuses_unaddressable_ids(api: Api, tmp_path: Path) -> None:
    rows = [make_case("FINE-1"), make_case("a/b")]
    r = _cli(
        api.db.url,
        *("cases", "import", "-", "--org", "acme", "--user", "officer"),
        stdin="\n".join(json.dumps(c) for c in rows),
    )
    assert r.returncode == 2, r.stderr
    assert "line 2: id: may not contain '/'" in r.stderr and "Traceback" not in r.stderr
    assert api.get("/cases", "officer").json()["total"] == 0


# --- 3. Tags outside the vocabulary: refused on write; stored ones do not block work ---------


def test_unknown_tags_are_refused_on_every_door(api: Api) -> None:
    bad = make_case("TAG-1")
    bad["profile"]["tags"] = ["lgbti", "not-a-pack-tag"]
    r = api.post("/cases", "officer", bad)
    assert r.status_code == 422
    assert "unknown tag 'not-a-pack-tag'" in _problems(r)["profile.tags[1]"]
    done = _cli(
        api.db.url,
        *("cases", "import", "-", "--org", "acme", "--user", "officer"),
        stdin=json.dumps(bad),
    )
    assert done.returncode == 2 and "line 1: profile.tags[1]: unknown tag" in done.stderr
    # The editor: a tag value forged into the form is refused next to the field, not stored.
    api.create("officer", make_case("TAG-2"))
    b = signed_in(api)
    token = b.csrf("/cases/TAG-2")
    r = b.post("/cases/TAG-2/edit", edit_form("TAG-2", 1, token, **{"profile.tags": "forged"}))
    # Said in plain words next to the field (haven/web/caseerrors.py), not the API's wording.
    assert "from the list" in r.text and "Saved as version 2" not in r.text
    assert api.get("/cases/TAG-2", "officer").json()["version"] == 1
    assert api.get("/cases", "officer").json()["total"] == 1


def _plant(api: Api, case: dict[str, Any], as_: str = "officer") -> None:
    """Store a case past the doors' checks, as a case stored before a pack change is."""
    with api.db.session() as s:
        user = s.scalar(select(User).where(User.username == as_))
        assert user is not None
        repo.create_case(s, repo.Actor.of(user), Case.model_validate_json(json.dumps(case)))


def test_a_stored_case_that_no_longer_validates_opens_and_blocks_nothing(api: Api) -> None:
    stale = make_case("STALE-1")
    stale["profile"]["tags"] = ["tag-removed-from-the-pack"]
    _plant(api, stale)
    api.create("officer", make_case("GOOD-1", procedure={"status": "refused"}))
    assert api.get("/cases/STALE-1", "officer").status_code == 200
    page = signed_in(api).get("/cases/STALE-1")
    assert page.status_code == 200
    assert 'id="invalid-case"' in page.text and "tag-removed-from-the-pack" in page.text
    # The reviewer's queue over the whole organisation is still made; the case is named.
    r = api.post("/queues", "reviewer", {"from": "2015-06-01", "to": "2015-10-01"})
    assert r.status_code == 201, r.text
    assert r.json()["cases_assessed"] == 1
    assert [s["case"] for s in r.json()["skipped"]] == ["case 'STALE-1': profile.tags[0]"]


# --- 5. Huge version numbers: 412, not 500 ----------------------------------------------------


def test_a_huge_if_match_or_form_version_is_a_stale_edit(api: Api) -> None:
    api.create("officer", make_case("BIG-1"))
    huge = "99999999999999999999999"
    r = api.put("/cases/BIG-1", "officer", make_case("BIG-1"), headers={"If-Match": f'"{huge}"'})
    assert r.status_code == 412, r.text
    r = api.put("/cases/BIG-1", "officer", make_case("BIG-1"), headers={"If-Match": '"x1"'})
    assert r.status_code == 422 and "If-Match" in _problems(r)
    b = signed_in(api)
    token = b.csrf("/cases/BIG-1")
    form = edit_form("BIG-1", 1, token)
    form["version"] = huge
    r = b.post("/cases/BIG-1/edit", form)
    assert r.status_code == 422 and "not " in r.text and "Saved as version" not in r.text
    assert api.get("/cases/BIG-1", "officer").json()["version"] == 1


# --- 6. Body size: 413 before authentication --------------------------------------------------


def test_an_oversized_body_is_refused_before_authentication(api: Api) -> None:
    big = b"{" + b" " * (3 * 1024 * 1024) + b"}"
    r = api.client.post("/api/v1/cases", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413  # not 401: the body was not read to find out who asks
    assert r.json()["error"]["problems"][0]["field"] == "body"
    r = api.client.post("/login", content=big)
    assert r.status_code == 413

    def chunks() -> Any:  # no Content-Length: cut off once past the limit
        for _ in range(40):
            yield b" " * (128 * 1024)

    r = api.client.post("/api/v1/login", content=chunks())
    assert r.status_code == 413
    # Within the limit nothing changes; a whole caseload may be larger on /impact.
    assert api.post("/cases", "officer", make_case("SMALL-1")).status_code == 201


def test_a_served_body_over_the_limit_is_not_read(db: Database) -> None:
    """Finding 6 against the real server: a declared 200 MB body gets 413 at once."""
    with haven_server(db.url) as (base, _):
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                b"POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(200 * 1024 * 1024).encode() + b"\r\n\r\n{"
            )
            answer = sock.recv(4096)  # answered without waiting for the 200 MB
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


# --- 7. Files the CLI writes with case content are owner-only --------------------------------


def test_cli_files_with_case_content_are_owner_only(api: Api, tmp_path: Path) -> None:
    api.create("officer", make_case("FILE-1"))
    export = tmp_path / "export.jsonl"
    export.write_text("old")
    export.chmod(0o644)  # an existing world-readable file is narrowed too
    assert (
        _cli(
            api.db.url,
            "cases",
            "export",
            "--org",
            "acme",
            "--user",
            "officer",
            "--out",
            str(export),
        ).returncode
        == 0
    )
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(make_case("FILE-1")))
    memo = tmp_path / "memo.html"
    r = _cli(api.db.url, "memo", str(case_file), "--as-of", "2015-10-01", "--out", str(memo))
    assert r.returncode == 0, r.stderr
    impact = tmp_path / "impact.json"
    r = _cli(
        api.db.url,
        "impact",
        str(case_file),
        "--from",
        "2015-06-01",
        "--to",
        "2015-10-01",
        "--format",
        "json",
        "--out",
        str(impact),
    )
    assert r.returncode == 0, r.stderr
    for f in (export, memo, impact):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert "FILE-1" in export.read_text()


# --- 9. Unknown filter values, duplicate keys, future dates, regions of another country -------


def test_loose_values_are_refused_naming_the_field(api: Api) -> None:
    r = api.get("/cases?status=refsued", "reviewer")
    assert r.status_code == 422 and "query.status" in _problems(r)
    for q in ("recommendation=maybe", "designation=none_such"):
        r = api.get(f"/cases?{q}", "reviewer")
        assert r.status_code == 422 and f"query.{q.split('=')[0]}" in _problems(r)
    assert api.get("/cases?status=refused", "reviewer").status_code == 200

    body = json.dumps(make_case("DUP-1"))
    dup = body[:-1] + ', "nationality": "IQ"}'
    r = api.client.post(
        "/api/v1/cases", content=dup, headers={"Authorization": f"Bearer {api.tokens['officer']}"}
    )
    assert r.status_code == 422 and "appears more than once" in _problems(r)["nationality"]

    future = make_case("FUT-1", profile={"birth_date": "9999-12-31", "sogi": ["gay"]})
    r = api.post("/cases", "officer", future)
    assert r.status_code == 422 and "is after today" in _problems(r)["profile.birth_date"]
    r = api.post("/cases", "officer", make_case("REG-1", region="IR-01"))
    assert r.status_code == 422 and "not of the nationality RU" in _problems(r)["region"]
    assert api.get("/cases", "officer").json()["total"] == 0


# --- 10. No enumeration of other organisations' usernames --------------------------------------


def test_a_taken_username_says_nothing_about_other_organisations(api: Api) -> None:
    other_org = api.post(
        "/users", "admin", {"username": "x.officer", "password": PASSWORD, "role": "case_officer"}
    )
    own_org = api.post(
        "/users", "admin", {"username": "officer", "password": PASSWORD, "role": "case_officer"}
    )
    assert other_org.status_code == own_org.status_code == 409
    assert other_org.json() == own_org.json()
    assert _problems(other_org) == {"username": TAKEN}
    assert "exists" not in other_org.text


# --- 12. Operations: probes, metrics --------------------------------------------------------------


def test_health_readiness_and_metrics(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ready"}
    api.create("officer", make_case("MET-1"))
    api.get("/cases/MET-1", "officer")
    assert api.post("/queues", "reviewer", {"from": "2015-06-01", "to": "2015-10-01"}).is_success
    text = api.client.get("/metrics").text
    assert 'haven_jobs_total{kind="queue.create",outcome="ok"}' in text
    assert (
        'haven_http_requests_total{method="GET",route="/api/v1/cases/{ref}",status="200"}' in text
    )
    assert "haven_http_request_duration_seconds_bucket" in text
    assert "MET-1" not in text  # route templates, never paths with case references
    # An outdated schema is not ready.
    with api.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0006_work_queue'")
    r = api.client.get("/readyz")
    assert r.status_code == 503 and "latest migration" in r.json()["problems"][0]


def test_api_docs_are_for_signed_in_users(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 11: /docs and /redoc need a session or a token; HAVEN_API_DOCS=off removes them."""
    assert api.client.get("/docs").status_code == 401
    assert api.client.get("/redoc").status_code == 401
    signed = {"Authorization": f"Bearer {api.tokens['officer']}"}
    assert api.client.get("/docs", headers=signed).status_code == 200
    assert api.client.get("/openapi.json").status_code == 200  # the contract stays public
    monkeypatch.setenv("HAVEN_API_DOCS", "off")
    assert api.client.get("/docs", headers=signed).status_code == 404


def test_json_log_lines_carry_no_traceback_text() -> None:
    """Finding 12: `--log-format json` gives one JSON object a line; an exception is named by
    its type, never by its text (which can quote case content)."""
    import logging

    from haven.api.ops import JsonFormatter, log_config

    try:
        raise ValueError("birth date 1988-04-02 of case X")
    except ValueError:
        record = logging.LogRecord("haven.api", logging.ERROR, __file__, 1, "failed", (), None)
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "error" and entry["message"] == "failed"
    assert entry["exception"] == "ValueError" and "1988" not in line and "\n" not in line
    config = log_config("json")
    assert config is not None and log_config("text") is None
    # Not applied here (it would redirect this process's logging): its formatter is this one.
    assert config["formatters"]["json"]["()"] == "haven.api.ops.JsonFormatter"
