"""Impact as a job in the web app (haven/web/jobs.py), over HTTP on SQLite and PostgreSQL:
the page answers at once with a job page, polling shows progress then the result, a second
look is served from the kept result, cancelling and a server restart leave no result."""

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from haven.server import create_app
from haven.store import jobs as store_jobs
from haven.store import queue as store_queue
from haven.store.auth import now
from haven.store.columnar_caseload import StoredImpactStream
from haven.store.models import AuditEntry, Job, User, WorkItem, WorkQueue
from haven.store.repo import Actor
from haven.web import jobs as web_jobs
from tests.store.store_helpers import Api, make_case
from tests.store.test_web_pages import CSRF, Browser, signed_in

URL = "/impact?from=2015-06-01&to=2015-10-01"
CASES = 5


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Jobs read one case per batch and wait at the gate after the first one, so a test sees
    a job half done; the test opens the gate."""
    opened = threading.Event()

    class Gated(StoredImpactStream):
        def __init__(self, *args: Any, on_batch: Any, **kw: Any) -> None:
            def step(n: int) -> None:
                on_batch(n)
                if n == 1:
                    opened.wait(20)

            super().__init__(*args, on_batch=step, **kw)

    monkeypatch.setattr(web_jobs, "JOB_BATCH", 1)
    monkeypatch.setattr(web_jobs, "StoredImpactStream", Gated)
    monkeypatch.setattr(store_queue, "StoredImpactStream", Gated)  # queue jobs read there
    yield opened
    opened.set()


def _officer_with_cases(api: Api) -> Browser:
    for i in range(CASES):
        api.create("officer", make_case(f"RU-J{i}"))
    app = api.client.app
    assert isinstance(app, FastAPI)
    app.state.jobs.inline_max = 0  # every impact is a job
    return signed_in(api)


def _job_id(page: str) -> int:
    found = re.search(r'hx-get="/jobs/(\d+)/progress"', page)
    assert found, page[:2000]
    return int(found.group(1))


def _wait(b: Browser, job_id: int, until: str) -> str:
    for _ in range(200):
        r = b.get(f"/jobs/{job_id}/progress", headers={"HX-Request": "true"})
        if until == "done" and r.status_code == 204:
            return r.headers["HX-Redirect"]
        if until != "done" and until in r.text:
            return r.text
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {until!r}: {r.status_code} {r.text[:500]}")


def _jobs(api: Api) -> list[Job]:
    with api.db.session() as s:
        return list(s.scalars(select(Job).order_by(Job.id)))


def test_impact_is_a_job_with_progress_then_a_kept_result(api: Api, gate: threading.Event) -> None:
    b = _officer_with_cases(api)
    started = time.monotonic()
    page = b.get(URL)
    assert time.monotonic() - started < 1.0  # answers at once, the run goes on behind it
    assert page.status_code == 202
    job_id = _job_id(page.text)
    assert 'aria-live="polite"' in page.text and "<progress" in page.text
    assert re.search(r'<label for="job-progress-\d+">Cases re-assessed</label>', page.text)
    half = _wait(b, job_id, f"1 of {CASES} cases done")
    assert f'max="{CASES}"' in half and 'value="1"' in half
    # The job page itself shows the same progress.
    assert f"1 of {CASES} cases done" in b.get(f"/jobs/{job_id}").text
    gate.set()
    target = _wait(b, job_id, "done")
    assert target == URL

    shown = b.get(target)
    assert shown.status_code == 200 and "Transitions" in shown.text
    assert f"{CASES} cases assessed" in shown.text
    # Again, and the export: the kept result, no new job.
    assert b.get(URL).status_code == 200
    csv = b.get("/impact/export.csv?from=2015-06-01&to=2015-10-01")
    assert csv.status_code == 200 and csv.text.startswith("case_id,status")
    assert [j.state for j in _jobs(api)] == ["done"]
    kept = _jobs(api)[0].result
    assert kept and "RU-J0" not in kept and "refused" not in kept  # sealed
    with api.db.session() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("case.bulk_read") == 1  # one run
    assert actions.count("impact.kept_view") == 3  # three looks: page, page, export

    # Another date pair is another job; an edit of the caseload makes the kept one stale.
    api.create("officer", make_case("RU-NEW"))
    again = b.get(URL)
    assert again.status_code == 202 and _job_id(again.text) != job_id


def test_a_job_is_its_starters_only(api: Api, gate: threading.Event) -> None:
    b = _officer_with_cases(api)
    job_id = _job_id(b.get(URL).text)
    other = signed_in(api, "officer2")
    assert other.get(f"/jobs/{job_id}/progress").status_code == 404
    assert other.get(f"/jobs/{job_id}").status_code == 404
    assert other.get("/jobs/99999999999").status_code == 404
    gate.set()
    _wait(b, job_id, "done")


def test_export_of_a_result_not_kept_yet_goes_to_its_job(api: Api, gate: threading.Event) -> None:
    b = _officer_with_cases(api)
    r = b.get("/impact/export.csv?from=2015-06-01&to=2015-10-01", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    gate.set()
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    _wait(b, job_id, "done")
    csv = b.get("/impact/export.csv?from=2015-06-01&to=2015-10-01")
    assert csv.status_code == 200 and csv.text.startswith("case_id,status")


def test_cancel_leaves_no_result(api: Api, gate: threading.Event) -> None:
    b = _officer_with_cases(api)
    page = b.get(URL).text
    job_id = _job_id(page)
    _wait(b, job_id, f"1 of {CASES} cases done")
    token = CSRF.search(page)
    assert token
    # Without the CSRF token: refused, the job runs on.
    assert b.post(f"/jobs/{job_id}/cancel", {}).status_code in (400, 403)
    r = b.post(f"/jobs/{job_id}/cancel", {"csrf": token.group(1)})
    assert r.status_code == 200
    gate.set()
    assert "was cancelled" in _wait(b, job_id, "was cancelled")
    (job,) = _jobs(api)
    assert job.state == "cancelled" and job.result is None and job.done < CASES
    with api.db.session() as s:
        reads = s.scalar(select(func.count()).where(AuditEntry.action == "case.bulk_read"))
    assert reads == 0  # the run never completed: nothing read is on record as returned
    # The next look starts again rather than showing a cancelled run.
    again = b.get(URL)
    assert again.status_code == 202 and _job_id(again.text) != job_id


def test_jobs_of_a_dead_process_are_interrupted_at_start(api: Api) -> None:
    # A process that has exited: its pid names no process on this host.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    alive = f"{store_jobs.OWNER.rpartition(':')[0]}:{os.getppid()}"
    with api.db.session() as s:
        officer = s.scalars(select(User).where(User.username == "officer")).one()
        for owner in (f"{store_jobs.OWNER.rpartition(':')[0]}:{dead}", alive):
            s.add(
                Job(
                    org_id=officer.org_id,
                    user_id=officer.id,
                    kind="impact",
                    key="k" * 64,
                    params={"from": "2015-06-01", "to": "2015-10-01", "draft": None},
                    state="running",
                    cancel=False,
                    done=3,
                    total=10,
                    owner=owner,
                    result="sealed-half",
                    created_at=now(),
                    beat_at=now(),
                )
            )
    with TestClient(create_app(api.db)):  # a server starting
        pass
    states = [(j.state, j.result) for j in _jobs(api)]
    assert states == [("interrupted", None), ("running", "sealed-half")]
    b = signed_in(api)
    first = _jobs(api)[0].id
    shown = b.get(f"/jobs/{first}").text
    assert "interrupted" in shown and "Nothing of it was kept" in shown


def _start_queue(b: Browser, name: str = "Russia 2015") -> str:
    token = CSRF.search(b.get("/cases").text)
    assert token
    r = b.post(
        "/jobs/queues",
        {"csrf": token.group(1), "from": "2015-06-01", "to": "2015-10-01", "name": name},
        htmx=False,
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def _queues(api: Api) -> tuple[list[WorkQueue], int]:
    with api.db.session() as s:
        return list(s.scalars(select(WorkQueue))), int(
            s.scalar(select(func.count()).select_from(WorkItem)) or 0
        )


def test_saving_a_queue_as_a_job_redirects_to_its_job_page(api: Api, gate: threading.Event) -> None:
    """POST /queues over a caseload that runs as a job answers 303 to the job's own page
    (Post/Redirect/Get: Back and reload do not post the form again), titled for the queue it
    makes, not the impact page's title; in Dutch too."""
    _officer_with_cases(api)
    b = signed_in(api, "reviewer")
    token = b.csrf("/queues")
    r = b.post("/queues", {"csrf": token, "from": "2015-06-01", "to": "2015-10-01"}, False)
    assert r.status_code == 303, r.text[:300]
    where = r.headers["location"]
    assert re.fullmatch(r"/jobs/\d+", where)
    job_id = int(where.rsplit("/", 1)[1])
    page = b.get(where)
    assert page.status_code == 200
    assert "<title>New work queue · Haven</title>" in page.text
    assert "<h1>New work queue</h1>" in page.text and "Impact of a policy change" not in page.text
    b.get("/lang/nl")
    dutch = b.get(where).text
    assert "<title>Nieuwe werkvoorraad · Haven</title>" in dutch
    assert "Gevolgen van een beleidswijziging" not in dutch
    gate.set()
    target = _wait(b, job_id, "done")
    (queue,), _ = _queues(api)
    assert target == f"/queues/{queue.id}"
    assert b.get(where, follow_redirects=False).headers["location"] == target


def test_queue_creation_is_a_job_and_is_not_made_twice(api: Api, gate: threading.Event) -> None:
    _officer_with_cases(api)
    b = signed_in(api, "reviewer")
    where = _start_queue(b)
    assert where.startswith("/jobs/")
    job_id = int(where.rsplit("/", 1)[1])
    _wait(b, job_id, f"1 of {CASES} cases done")
    assert _queues(api) == ([], 0)  # nothing written while it runs
    gate.set()
    target = _wait(b, job_id, "done")
    (queue,), items = _queues(api)
    assert target == f"/queues/{queue.id}" and queue.name == "Russia 2015"
    assert queue.cases == CASES and items == CASES  # every refused RU case improved
    # The same queue over the same caseload: the queue made, at once, not a second one.
    assert _start_queue(b) == f"/queues/{queue.id}?existed=1"
    assert len(_queues(api)[0]) == 1
    # Only roles that may create queues.
    assert signed_in(api, "researcher").post("/jobs/queues", {}, htmx=False).status_code in (
        400,
        403,
    )


def test_a_cancelled_queue_job_makes_no_queue(api: Api, gate: threading.Event) -> None:
    _officer_with_cases(api)
    b = signed_in(api, "reviewer")
    page = b.get("/cases").text
    job_id = int(_start_queue(b).rsplit("/", 1)[1])
    _wait(b, job_id, f"1 of {CASES} cases done")
    token = CSRF.search(page)
    assert token
    assert b.post(f"/jobs/{job_id}/cancel", {"csrf": token.group(1)}).status_code == 200
    gate.set()
    _wait(b, job_id, "was cancelled")
    assert _queues(api) == ([], 0)
    with api.db.session() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "queue.create")) == 0


def test_a_job_without_progress_for_long_is_not_waited_on(api: Api) -> None:
    alive = f"{store_jobs.OWNER.rpartition(':')[0]}:{os.getppid()}"
    with api.db.session() as s:
        officer = s.scalars(select(User).where(User.username == "officer")).one()
        for key, beat in (("s" * 64, now() - timedelta(minutes=11)), ("f" * 64, now())):
            s.add(
                Job(
                    org_id=officer.org_id,
                    user_id=officer.id,
                    kind="impact",
                    key=key,
                    params={},
                    state="running",
                    cancel=False,
                    done=1,
                    total=10,
                    owner=alive,
                    created_at=beat,
                    beat_at=beat,
                )
            )
    with api.db.session() as s:
        actor = Actor.of(officer)
        assert store_jobs.find(s, actor, "s" * 64) is None  # stale: a new run starts
        fresh = store_jobs.find(s, actor, "f" * 64)
        assert fresh is not None and fresh.state == "running"
    assert [j.state for j in _jobs(api)] == ["interrupted", "running"]
