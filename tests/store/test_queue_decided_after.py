"""A refusal decided on or after the later date of a queue was decided under the later policy:
the change did not affect it (haven/queue/affected.py). Every door that makes a queue leaves
such cases out, counts and names them with the reason, and never makes a letter for them:
the API, the CLI, the web page (made in the request or by a background job), on SQLite and
PostgreSQL. Found by a QA walk: the demo queue held SYN-0000192, refused in 2022, and its
letter asked for a subsequent application "citing the new policy" of 2015."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.store.store_helpers import Api, make_case
from tests.store.test_web_jobs import _wait
from tests.store.test_web_pages import signed_in

WINDOW = {"from": "2015-06-01", "to": "2015-10-01"}
LATE = ["RU-LATE", "RU-UNDECIDED"]


@pytest.fixture
def caseload(api: Api) -> Api:
    """The core case refused in July 2015 (helped by the change); the same facts refused in
    2022, and lodged in 2016 with no decision date (both after the change); one more of the
    2015 kind held by officer2 (so officer's view differs from the reviewer's)."""
    api.create("officer", make_case("RU-2015"))
    late = {"lodged": "2022-06-01", "decided": "2022-11-16", "status": "removal_scheduled"}
    api.create("officer", make_case("RU-LATE", procedure=late))
    api.create(
        "officer", make_case("RU-UNDECIDED", procedure={"lodged": "2016-01-04", "decided": None})
    )
    api.create("officer2", make_case("RU-OTHER"))
    undecided = api.get("/cases/RU-UNDECIDED", "officer").json()
    assert undecided["case"]["procedure"].get("decided") is None
    return api


def _left(body: dict[str, Any]) -> tuple[int, list[str]]:
    left = body["decided_after_change"]
    assert "on or after 2015-10-01" in left["message"]
    assert "did not affect" in left["message"]
    return left["count"], left["cases"]


def test_the_api_leaves_them_out_and_says_so(caseload: Api) -> None:
    api = caseload
    r = api.post("/queues", "reviewer", WINDOW)
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["cases_assessed"], made["items"]) == (4, 2)
    assert _left(made) == (2, LATE)
    shown = api.get(f"/queues/{made['id']}", "reviewer").json()
    assert [i["case"] for i in shown["work_items"]] == ["RU-2015", "RU-OTHER"]
    assert _left(shown) == (2, LATE)
    (listed,) = api.get("/queues", "reviewer").json()
    assert listed["items"] == 2 and _left(listed) == (2, LATE)
    # Officer2 holds none of the late cases: none is counted for them.
    theirs = api.get(f"/queues/{made['id']}", "officer2").json()
    assert [i["case"] for i in theirs["work_items"]] == ["RU-OTHER"]
    assert _left(theirs) == (0, [])
    # Researchers: counts only, small cells suppressed.
    counts = api.get(f"/queues/{made['id']}/counts", "researcher").json()
    assert counts["items"] == "<5" and counts["decided_after_change"] == "<5"
    assert counts["by_state"] == {"open": "<5"}
    (created,) = [e for e in api.audit() if e["action"] == "queue.create"]
    assert created["detail"]["items"] == ["RU-2015", "RU-OTHER"]
    assert created["detail"]["decided_after"] == LATE


def test_no_item_and_no_letter_for_a_case_decided_after_the_change(caseload: Api) -> None:
    """The left-out cases have no item to open, assign or draft a letter for; and an item whose
    case is decided again after the change (or one made before this rule) gets no letter
    either: 409 with the reason, on the API and the CLI."""
    api = caseload
    qid = api.post("/queues", "reviewer", WINDOW).json()["id"]
    items = api.get(f"/queues/{qid}", "reviewer").json()["work_items"]
    item = next(i["id"] for i in items if i["case"] == "RU-2015")
    assert api.get(f"/queues/{qid}/items/{item}/letter?format=html", "officer").status_code == 200
    # The officer records a new refusal of 2016: the change did not affect that decision.
    current = api.get("/cases/RU-2015", "officer").json()
    data = current["case"]
    data["procedure"]["decided"] = "2016-02-01"
    r = api.put("/cases/RU-2015", "officer", data, headers={"If-Match": f'"{current["version"]}"'})
    assert r.status_code == 200, r.text
    r = api.get(f"/queues/{qid}/items/{item}/letter?format=pdf", "reviewer")
    assert r.status_code == 409, r.text
    (problem,) = r.json()["error"]["problems"]
    assert "decided on 2016-02-01, on or after 2015-10-01" in problem["message"]
    assert "no letter" in problem["message"]
    letters = [e for e in api.audit() if e["action"] == "queue.letter"]
    assert [e["detail"]["format"] for e in letters] == ["html"]  # the one made before
    # Any other item id (the left-out cases' rows among them) is not found.
    for other in range(1, 10):
        if other not in {i["id"] for i in items}:
            r = api.get(f"/queues/{qid}/items/{other}", "reviewer")
            assert r.status_code == 404, (other, r.text)
            r = api.get(f"/queues/{qid}/items/{other}/letter", "reviewer")
            assert r.status_code == 404, (other, r.text)


def _cli(db_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haven", "queue", *args, "--org", "acme"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "HAVEN_DATABASE_URL": db_url},
    )


def test_the_cli_leaves_them_out_and_says_so(caseload: Api, db_url: str, tmp_path: Path) -> None:
    r = _cli(
        db_url,
        tmp_path,
        "create",
        *("--from", "2015-06-01", "--to", "2015-10-01"),
        "--user",
        "reviewer",
    )
    assert r.returncode == 0, r.stderr
    made = json.loads(r.stdout)
    assert made["items"] == 2 and _left(made) == (2, LATE)
    r = _cli(db_url, tmp_path, "show", str(made["id"]), "--user", "officer")
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert [i["case"] for i in shown["work_items"]] == ["RU-2015"]
    assert _left(shown) == (2, LATE)
    r = _cli(db_url, tmp_path, "list", "--user", "reviewer")
    assert r.returncode == 0, r.stderr
    assert _left(json.loads(r.stdout)[0]) == (2, LATE)


def _page_says_so(api: Api, where: str) -> None:
    b = signed_in(api, "reviewer")
    page = b.get(where).text
    assert "RU-2015" in page and "RU-OTHER" in page
    said = " ".join(page.split())
    assert (
        "2 refused cases whose outcome improved are left out: their refusal was decided on or "
        "after 1 October 2015, under the later policy, so the change did not affect them."
    ) in said
    assert "Left out: RU-LATE, RU-UNDECIDED" in said
    assert 'href="/queues/1/items/' in page and "RU-LATE</a>" not in page
    b.get("/lang/nl")
    dutch = " ".join(b.get(where).text.split())
    assert "2 afgewezen zaken waarvan de uitkomst gunstiger werd, zijn buiten beschouwing" in dutch
    assert "op of na 1 oktober 2015 beslist" in dutch
    listing = " ".join(b.get("/queues").text.split())
    assert "Buiten beschouwing gelaten: RU-LATE, RU-UNDECIDED" in listing


def test_the_web_page_leaves_them_out_and_says_so(caseload: Api) -> None:
    b = signed_in(caseload, "reviewer")
    r = b.post("/queues", {"csrf": b.csrf("/queues"), **WINDOW}, False)
    assert r.status_code == 303, r.text[:500]
    _page_says_so(caseload, r.headers["location"])


def test_a_background_job_leaves_them_out_too(caseload: Api) -> None:
    app = caseload.client.app
    assert isinstance(app, FastAPI)
    app.state.jobs.inline_max = 0  # the queue is made by a job
    b = signed_in(caseload, "reviewer")
    r = b.post("/queues", {"csrf": b.csrf("/queues"), **WINDOW}, False)
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/"), r.text[:500]
    where = _wait(b, int(r.headers["location"].rsplit("/", 1)[1]), "done")
    _page_says_so(caseload, where)
