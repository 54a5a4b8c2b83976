"""The same queue asked for twice at once is made once, on SQLite and PostgreSQL: two writers
with connections of their own (two server processes, the CLI beside the web app) both look
the queue's key up, find nothing and re-assess; the second to store it meets the first's row
at the unique key (migration 0014) and answers with that queue, `existed`, making nothing."""

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from haven.policy.loader import load_pack
from haven.store import queue as store
from haven.store import repo
from haven.store.db import Database
from haven.store.keys import ENV_FILE
from haven.store.models import AuditEntry, WorkItem, WorkQueue
from haven.web import jobs as web_jobs
from tests.store.store_helpers import Api, make_case
from tests.store.test_web_jobs import _start_queue, _wait
from tests.store.test_web_pages import signed_in

BEFORE, AFTER = date(2015, 6, 1), date(2015, 10, 1)


@pytest.fixture(autouse=True)
def _own_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_FILE, str(tmp_path / "keys.json"))


@pytest.fixture
def other(api: Api) -> Iterator[Database]:
    """A second writer: an engine and connections of its own, as another process has."""
    db = Database(api.db.url)
    try:
        yield db
    finally:
        db.engine.dispose()


def _counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        queues = s.scalar(select(func.count()).select_from(WorkQueue)) or 0
        items = s.scalar(select(func.count()).select_from(WorkItem)) or 0
        return int(queues), int(items)


def test_two_requests_for_the_same_queue_at_once_make_one(api: Api, other: Database) -> None:
    for n in range(3):
        api.create("officer", make_case(f"RU-{n}"))
    pack = load_pack("nl")
    storing = threading.Event()

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO work_queues"):
            storing.set()

    event.listen(other.engine, "before_cursor_execute", seen)
    second: list[store.Saved | BaseException] = []

    def ask_again() -> None:
        try:
            with other.session() as s:
                reviewer = repo.actor_by_name(s, "acme", "reviewer")
                second.append(store.save_queue(s, reviewer, BEFORE, AFTER, pack))
        except BaseException as e:  # handed to the test's thread
            second.append(e)

    with api.db.session() as s:
        reviewer = repo.actor_by_name(s, "acme", "reviewer")
        first = store.save_queue(s, reviewer, BEFORE, AFTER, pack)  # stored, not committed
        assert not first.existed and first.items == 3
        thread = threading.Thread(target=ask_again)
        thread.start()
        # The second has looked the key up (finding nothing) and now stores its queue.
        assert storing.wait(60), "the second request never came to store its queue"
        time.sleep(0.3)  # at the key (PostgreSQL) or the write lock (SQLite), not past it
    thread.join(timeout=60)
    assert len(second) == 1 and isinstance(second[0], store.Saved), second
    again = second[0]
    assert again.existed and again.queue.id == first.queue.id
    assert (again.items, again.open) == (3, 3)
    assert _counts(api.db) == (1, 3)
    with api.db.session() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("queue.create") == 1 and actions.count("queue.kept_view") == 1


def test_a_queue_job_finds_the_queue_made_while_it_ran(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A web job re-assesses; meanwhile the API makes the same queue: the job ends on that
    queue, said to exist already, and no second queue is made."""
    for n in range(3):
        api.create("officer", make_case(f"RU-{n}"))
    app = api.client.app
    app.state.jobs.inline_max = 0  # type: ignore[attr-defined]
    gate = threading.Event()
    impact = store.queue_impact  # as haven/web/jobs.py calls it

    def gated(*args: Any, **kw: Any) -> Any:
        out = impact(*args, **kw)
        gate.wait(30)
        return out

    monkeypatch.setattr(web_jobs, "queue_impact", gated)
    b = signed_in(api, "reviewer")
    where = _start_queue(b, name="Russia 2015")
    assert where.startswith("/jobs/")
    made = api.post("/queues", "reviewer", {"from": "2015-06-01", "to": "2015-10-01",
                                            "name": "Russia 2015"})  # fmt: skip
    assert made.status_code == 201 and made.json()["existed"] is False, made.text
    gate.set()
    target = _wait(b, int(where.rsplit("/", 1)[1]), "done")
    assert target == f"/queues/{made.json()['id']}?existed=1"
    assert _counts(api.db) == (1, 3)
