"""The affected-case work queue in the store, over HTTP and the CLI, on SQLite and PostgreSQL.

The pure selection is proven against an independent recomputation in tests/test_queue.py; here
the demo caseload goes through the store (import, queue, items) and must give the same items,
and access, audit, work on items and draft letters are checked.
"""

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from store_helpers import Api, make_case

from haven.cases import Case
from haven.cases.synthetic import synthetic_caseload
from haven.cli.demo_cmd import EXAMPLE
from haven.policy.loader import load_pack
from haven.queue import build
from haven.store import repo

WINDOW = {"from": "2015-06-01", "to": "2015-10-01"}


def demo_caseload() -> list[Case]:
    raw = [EXAMPLE, *synthetic_caseload(500, seed=2015)]
    return [Case.model_validate_json(json.dumps(c)) for c in raw]


def new_queue(api: Api, who: str = "reviewer", body: Any = None) -> dict[str, Any]:
    r = api.post("/queues", who, body or WINDOW)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_the_demo_caseload_queue_matches_the_pure_queue(api: Api) -> None:
    cases = demo_caseload()
    with api.db.session() as s:
        officer = repo.actor_by_name(s, "acme", "officer")
        repo.import_cases(s, officer, cases)
    q = new_queue(api)
    assert (q["cases_assessed"], q["items"], q["open"]) == (501, 27, 27)
    _, expected = build(cases, date(2015, 6, 1), date(2015, 10, 1), load_pack("nl"))
    r = api.get(f"/queues/{q['id']}", "reviewer")
    assert r.status_code == 200, r.text
    items = r.json()["work_items"]
    assert [i["case"] for i in items] == [i.case_id for i in expected]
    core = next(i for i in items if i["case"] == "EX-RU-1")
    assert core["next_step"] == "ex_officio_review" and core["state"] == "open"
    assert "ru-lgbti-risk-group-2015" in core["changed_rules"]
    assert core["before"]["designation"] is None and core["after"]["designation"] == "risk_group"
    # Every case read for the queue is accounted for in one audit entry.
    created = [e for e in api.audit() if e["action"] == "queue.create"]
    assert len(created) == 1 and created[0]["detail"]["cases"] == 501
    assert sorted(created[0]["detail"]["items"]) == sorted(i.case_id for i in expected)


@pytest.fixture
def queued(api: Api) -> tuple[Api, int, dict[str, int]]:
    """Five refused Russian cases of officer (improve), one of officer2, one pending (never
    queued), one Afghan (does not change): a queue of six items."""
    for n in range(1, 6):
        api.create("officer", make_case(f"RU-{n}"))
    api.create("officer2", make_case("RU-OTHER", procedure={"status": "removal_scheduled"}))
    api.create("officer", make_case("RU-PENDING", procedure={"status": "pending"}))
    api.create("officer", make_case("AF-1", nationality="AF", region=None))
    q = new_queue(api)
    items = api.get(f"/queues/{q['id']}", "reviewer").json()["work_items"]
    return api, q["id"], {i["case"]: i["id"] for i in items}


def test_items_and_urgency(queued: tuple[Api, int, dict[str, int]]) -> None:
    api, qid, ids = queued
    # Urgent (removal scheduled) first, then by case reference.
    assert list(ids) == ["RU-OTHER", "RU-1", "RU-2", "RU-3", "RU-4", "RU-5"]
    other = api.get(f"/queues/{qid}/items/{ids['RU-OTHER']}", "reviewer").json()
    assert other["urgent"] is True and other["next_step"] == "subsequent_application"


def test_scoped_roles_see_only_items_of_their_cases(
    queued: tuple[Api, int, dict[str, int]],
) -> None:
    api, qid, ids = queued
    mine = api.get(f"/queues/{qid}", "officer").json()["work_items"]
    assert {i["case"] for i in mine} == {"RU-1", "RU-2", "RU-3", "RU-4", "RU-5"}
    assert api.get("/queues", "advocate").json() == []  # no item of theirs: no queue
    assert api.get(f"/queues/{qid}/items/{ids['RU-OTHER']}", "officer").status_code == 403
    r = api.post("/cases/RU-OTHER/share", "officer2", {"username": "advocate"})
    assert r.status_code == 204
    listed = api.get("/queues", "advocate").json()
    assert [(q["id"], q["items"]) for q in listed] == [(qid, 1)]
    assert api.get(f"/queues/{qid}/items/{ids['RU-OTHER']}", "advocate").status_code == 200


@pytest.mark.parametrize(
    ("who", "queues", "counts", "create"),
    [
        ("researcher", 403, 200, 403),
        ("auditor", 403, 403, 403),
        ("admin", 403, 403, 403),
        ("officer", 200, 403, 403),
        ("x.reviewer", 200, 404, 201),  # another organisation: its own (empty) world
    ],
)
def test_roles(
    queued: tuple[Api, int, dict[str, int]], who: str, queues: int, counts: int, create: int
) -> None:
    api, qid, _ = queued
    assert api.get("/queues", who).status_code == queues
    assert api.get(f"/queues/{qid}/counts", who).status_code == counts
    assert api.post("/queues", who, WINDOW).status_code == create
    if who == "x.reviewer":
        assert api.get(f"/queues/{qid}", who).status_code == 404
        assert [q["items"] for q in api.get("/queues", who).json()] == [0]


def test_researchers_get_counts_only(queued: tuple[Api, int, dict[str, int]]) -> None:
    api, qid, _ = queued
    r = api.get(f"/queues/{qid}/counts", "researcher")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["items"] == 6 and body["cases_assessed"] == 8
    assert body["by_status"] == {"refused": 5, "removal_scheduled": "<5"}
    assert body["by_next_step"] == {"ex_officio_review": 5, "subsequent_application": "<5"}
    assert "RU-1" not in r.text
    assert api.get(f"/queues/{qid}", "researcher").status_code == 403


def test_assign_comment_close_all_audited(queued: tuple[Api, int, dict[str, int]]) -> None:
    api, qid, ids = queued
    item = f"/queues/{qid}/items/{ids['RU-1']}"
    # Only to someone who may work on the case: officer2 does not hold RU-1.
    r = api.post(f"{item}/assign", "reviewer", {"username": "officer2"})
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["field"] == "username"
    r = api.post(f"{item}/assign", "reviewer", {"username": "officer"})
    assert r.status_code == 200 and r.json()["assigned_to"] == "officer"
    secret = "Applicant's partner confirmed by phone"
    r = api.post(f"{item}/comments", "officer", {"text": secret})
    assert r.status_code == 201
    assert [(c["by"], c["text"]) for c in r.json()["comments"]] == [("officer", secret)]
    assert api.post(f"{item}/comments", "officer", {"text": "   "}).status_code == 422
    assert api.post(f"{item}/close", "officer2", {"resolution": "x"}).status_code == 403
    r = api.post(f"{item}/close", "officer", {"resolution": "Review requested"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert api.post(f"{item}/close", "officer", {"resolution": "again"}).status_code == 409
    after = api.get(f"/queues/{qid}", "reviewer").json()
    assert after["open"] == 5
    log = api.audit()
    actions = [e["action"] for e in log if e["case"] == "RU-1"]
    for action in ("queue.assign", "queue.comment", "queue.close"):
        assert action in actions, action
    assert secret not in json.dumps(log)  # the log says that and where, not what
    denied = [e for e in log if e["outcome"] == "denied" and e["case"] is None]
    assert any("close" in e["action"] for e in denied)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": "2015-06-01"}, "to"),
        ({"from": "June", "to": "2015-10-01"}, "from"),
        ({**WINDOW, "draft": "x"}, "draft"),
    ],
)
def test_bad_queue_request_is_422(api: Api, body: dict[str, Any], field: str) -> None:
    r = api.post("/queues", "reviewer", body)
    assert r.status_code == 422, r.text
    assert field in [p["field"] for p in r.json()["error"]["problems"]]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def test_draft_letters(queued: tuple[Api, int, dict[str, int]]) -> None:
    api, qid, ids = queued
    letter = f"/queues/{qid}/items/{ids['RU-1']}/letter"
    r = api.get(f"{letter}?lang=nl&format=html", "officer")
    assert r.status_code == 200, r.text
    assert "Concept: verzoek om ambtshalve heroverweging" in r.text
    assert "kst-19637-2029" in r.text and "risicogroep" in r.text
    assert "geen procedureregel" in r.text  # the route is a suggestion, and says so
    r = api.get(f"/queues/{qid}/items/{ids['RU-OTHER']}/letter?format=pdf", "reviewer")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == (
        'attachment; filename="letter-RU-OTHER-2015-10-01-en.pdf"'
    )
    text = pdf_text(r.content)
    assert "Draft: subsequent application citing the new policy" in text
    assert "Urgent: removal is scheduled." in text
    pack = load_pack("nl")
    assert pack.sources["kst-19637-2029"].title in text
    assert "relocation elsewhere in the country, which policy rules out" in text  # new flag
    assert "does not replace it" in text
    assert api.get(letter, "officer2").status_code == 403
    log = [e for e in api.audit() if e["action"] == "queue.letter"]
    assert [e["detail"]["lang"] for e in log] == ["en", "nl"]  # newest first


def test_cli_queue_commands(
    queued: tuple[Api, int, dict[str, int]], db_url: str, tmp_path: Path
) -> None:
    api, qid, ids = queued
    env = {**os.environ, "HAVEN_DATABASE_URL": db_url}

    def haven(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "haven", "queue", *args, "--org", "acme"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env,
        )

    r = haven("create", "--from", "2015-06-01", "--to", "2015-10-01", "--user", "reviewer")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["items"] == 6
    r = haven("show", str(qid), "--user", "officer")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["work_items"]) == 5
    r = haven(
        "letter", str(qid), str(ids["RU-2"]), "--out", "l.html", "--lang", "nl", "--user", "officer"
    )
    assert r.returncode == 0, r.stderr
    assert "ambtshalve" in (tmp_path / "l.html").read_text(encoding="utf-8")
    r = haven("close", str(qid), str(ids["RU-OTHER"]), "--resolution", "x", "--user", "officer")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    denied = [e for e in api.audit() if e["outcome"] == "denied"]
    assert "queue.close" in {e["action"] for e in denied}
