"""Officers and advocates see only queues, items and counts about the cases they hold
(docs/access-control.md), on the API, the CLI and the web pages, on SQLite and PostgreSQL.
Found by a QA walk: an officer who held no case read the demo queue (200, "cases_assessed":
501, no item), and another officer's queue with that officer's count of cases."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from haven.store.models import User
from tests.store.store_helpers import Api, make_case
from tests.store.test_web_pages import signed_in

WINDOW = {"from": "2015-06-01", "to": "2015-10-01"}


def _caseload(api: Api) -> int:
    """Officer holds three improved refusals, officer2 one; the reviewer's queue holds all."""
    for n in range(1, 4):
        api.create("officer", make_case(f"RU-{n}"))
    api.create("officer2", make_case("RU-OTHER"))
    r = api.post("/queues", "reviewer", WINDOW)
    assert r.status_code == 201 and r.json()["cases_assessed"] == 4, r.text
    qid: int = r.json()["id"]
    return qid


def test_a_queue_with_nothing_of_theirs_does_not_exist_for_them(api: Api) -> None:
    qid = _caseload(api)
    # The advocate holds no case: no queue to list, and this one is not found (as another
    # organisation's is), its items neither.
    assert api.get("/queues", "advocate").json() == []
    r = api.get(f"/queues/{qid}", "advocate")
    assert r.status_code == 404, r.text
    assert "501" not in r.text and "cases_assessed" not in r.text
    items = api.get(f"/queues/{qid}", "reviewer").json()["work_items"]
    for item in items:
        for path in ("", "/letter"):
            r = api.get(f"/queues/{qid}/items/{item['id']}{path}", "advocate")
            assert r.status_code == 404, r.text
    with api.db.session() as s:
        advocate = s.scalar(select(User.id).where(User.username == "advocate"))
    denied = [e for e in api.audit() if e["outcome"] == "denied" and e["user_id"] == advocate]
    assert len(denied) == 1 + 2 * len(items), "every refusal is audited"


def test_no_count_about_cases_they_do_not_hold(api: Api) -> None:
    qid = _caseload(api)
    # Officer2 holds one case of the reviewer's queue: that item, and no count of the
    # organisation's cases.
    (listed,) = api.get("/queues", "officer2").json()
    assert (listed["id"], listed["items"], listed["cases_assessed"]) == (qid, 1, None)
    shown = api.get(f"/queues/{qid}", "officer2").json()
    assert [i["case"] for i in shown["work_items"]] == ["RU-OTHER"]
    assert shown["cases_assessed"] is None and shown["items"] == 1
    # The reviewer sees the organisation's count; officer2's own queue shows theirs.
    assert api.get(f"/queues/{qid}", "reviewer").json()["cases_assessed"] == 4
    own = api.post("/queues", "officer2", {**WINDOW, "name": "mine"}).json()
    assert (own["cases_assessed"], own["items"]) == (1, 1)
    listed_now = {q["id"]: q for q in api.get("/queues", "officer2").json()}
    assert listed_now[own["id"]]["cases_assessed"] == 1
    assert listed_now[qid]["cases_assessed"] is None
    # An officer's own queue with nothing in it is theirs to see (their count: none).
    empty = api.post("/queues", "advocate", {**WINDOW, "name": "empty"}).json()
    assert (empty["cases_assessed"], empty["items"]) == (0, 0)
    assert [q["id"] for q in api.get("/queues", "advocate").json()] == [empty["id"]]
    assert api.get(f"/queues/{empty['id']}", "advocate").status_code == 200
    assert api.get(f"/queues/{empty['id']}", "officer").status_code == 404


def test_the_cli_shows_them_the_same(api: Api, db_url: str, tmp_path: Path) -> None:
    qid = _caseload(api)

    def haven(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "haven", "queue", *args, "--org", "acme"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env={**os.environ, "HAVEN_DATABASE_URL": db_url},
        )

    r = haven("show", str(qid), "--user", "advocate")
    assert r.returncode == 1 and "no queue" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""
    r = haven("list", "--user", "advocate")
    assert r.returncode == 0 and json.loads(r.stdout) == []
    r = haven("show", str(qid), "--user", "officer2")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["cases_assessed"] is None


def test_the_web_pages_show_them_the_same(api: Api) -> None:
    qid = _caseload(api)
    b = signed_in(api, "advocate")
    assert b.get(f"/queues/{qid}").status_code == 404
    listing = b.get("/queues").text
    assert f'href="/queues/{qid}"' not in listing and "cases assessed" not in listing
    b = signed_in(api, "officer2")
    page = b.get(f"/queues/{qid}").text
    assert "RU-OTHER" in page and "RU-1" not in page
    assert "cases assessed" not in page and "1 October 2015, saved" in page
    assert "cases assessed" not in b.get("/queues").text
    b.get("/lang/nl")
    dutch = b.get(f"/queues/{qid}").text
    assert "zaken beoordeeld" not in dutch and "1 oktober 2015, opgeslagen" in dutch
    rik = signed_in(api, "reviewer")
    assert "4 cases assessed" in rik.get(f"/queues/{qid}").text
