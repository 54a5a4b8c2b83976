"""The affected-case work queue in the store, over HTTP and the CLI, on SQLite and PostgreSQL.

The pure selection is proven against an independent recomputation in tests/test_queue.py; here
the demo caseload goes through the store (import, queue, items) and must give the same items,
and access, audit, work on items and draft letters are checked. Comments and resolutions are
sealed with their case's data key (haven/store/queuetext.py): nothing of them is stored in the
clear, moved ciphertext is refused, shredded keys read as a placeholder, backups carry them.
"""

import gzip
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from pypdf import PdfReader
from sqlalchemy import select, text, update

from haven.cases import Case
from haven.cases.synthetic import synthetic_caseload
from haven.cli.demo_cmd import EXAMPLE, demo_database
from haven.policy.loader import load_pack
from haven.queue import build
from haven.store import backup, crypto, datakeys, keyops, queuetext, repo
from haven.store import queue as store
from haven.store.db import Database, alembic_config, upgrade
from haven.store.keys import ENV_FILE
from haven.store.models import WorkItem, WorkItemComment
from tests.store.store_helpers import Api, make_case, rows_as_text

WINDOW = {"from": "2015-06-01", "to": "2015-10-01"}


@pytest.fixture(autouse=True)
def _own_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key file per test: shredding an organisation's keys here must not touch other tests'."""
    monkeypatch.setenv(ENV_FILE, str(tmp_path / "keys.json"))


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
    # 7 (14 since issue 14, was 27): see tests/test_queue.py for why. The other 7 were
    # refused on or after 1 October 2015: left out, counted and named.
    assert (q["cases_assessed"], q["items"], q["open"]) == (501, 7, 7)
    assert q["decided_after_change"]["count"] == 7
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


def test_the_same_queue_is_not_made_twice(api: Api) -> None:
    """POST /api/v1/queues again with the same body over the same caseload: 200 with the queue
    made (`existed`), not a second queue with its own copies of the items."""
    api.create("officer", make_case("RU-1"))
    first = new_queue(api)
    assert first["existed"] is False and first["items"] == 1
    again = api.post("/queues", "reviewer", WINDOW)
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["existed"] is True and body["id"] == first["id"]
    assert {k: body[k] for k in first if k != "existed"} == {
        k: v for k, v in first.items() if k != "existed"
    }
    listed = api.get("/queues", "reviewer").json()
    assert [q["id"] for q in listed] == [first["id"]]
    # Another name is another queue; so is a changed caseload.
    named = new_queue(api, body={**WINDOW, "name": "second look"})
    assert named["id"] != first["id"] and named["existed"] is False
    api.create("officer", make_case("RU-2"))
    changed = new_queue(api)
    assert changed["id"] not in (first["id"], named["id"]) and changed["items"] == 2


def test_the_demo_queue_is_the_one_the_reviewer_saves_again(tmp_path: Path) -> None:
    """The demo's 2015 queue is kept under its key: rik saving the same queue opens it."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    pack = load_pack("nl")
    made, _ = demo_database(url, demo_caseload()[:40], pack)
    with Database(url).session() as s:
        rik = repo.actor_by_name(s, "demo", "rik")
        saved = store.save_queue(s, rik, date(2015, 6, 1), date(2015, 10, 1), pack)
        assert saved.existed and saved.items == made
        assert [q.id for q, _, _ in store.list_queues(s, rik)] == [saved.queue.id]


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


def test_an_advocates_queue_covers_only_their_cases(
    queued: tuple[Api, int, dict[str, int]],
) -> None:
    api, _, _ = queued
    r = api.post("/cases/RU-OTHER/share", "officer2", {"username": "advocate"})
    assert r.status_code == 204
    mine = new_queue(api, "advocate")
    # Of the seven stored cases, the advocate may read one: only it is assessed and queued.
    assert (mine["cases_assessed"], mine["items"]) == (1, 1)
    items = api.get(f"/queues/{mine['id']}", "advocate").json()["work_items"]
    assert [i["case"] for i in items] == ["RU-OTHER"]
    # The reviewer sees the advocate's queue too (the organisation's), with the same item.
    whole = api.get(f"/queues/{mine['id']}", "reviewer").json()["work_items"]
    assert [i["case"] for i in whole] == ["RU-OTHER"]


@pytest.mark.parametrize(
    ("who", "queues", "counts", "create"),
    [
        ("researcher", 403, 200, 403),
        ("auditor", 403, 403, 403),
        ("admin", 403, 403, 403),
        ("officer", 200, 403, 201),  # a queue over the cases they hold
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
    assert "It supports a human decision and does not make one" in text
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


def test_the_cli_opens_the_queue_made_already(api: Api, db_url: str, tmp_path: Path) -> None:
    """`haven queue create` as the API and the web app: the same queue over the same cases
    is the one made (`existed`, said in words on stderr), in the same JSON with one field
    more; another name is another queue."""
    api.create("officer", make_case("RU-1"))
    made = new_queue(api)
    window = ["--from", WINDOW["from"], "--to", WINDOW["to"], "--user", "reviewer"]
    r = queue_cli(db_url, tmp_path, "create", *window)
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    # The queue the API made (id, counts, the cases left out), now said to exist already.
    assert shown == {**made, "existed": True}
    assert f"queue {made['id']} was made already" in r.stderr
    r = queue_cli(db_url, tmp_path, "create", *window, "--name", "second look")
    assert r.returncode == 0, r.stderr
    named = json.loads(r.stdout)
    assert named["existed"] is False and named["id"] != made["id"] and r.stderr == ""
    assert set(named) == set(made)
    r = queue_cli(db_url, tmp_path, "create", *window, "--name", "second look")
    assert json.loads(r.stdout) == {**named, "existed": True}
    assert [q["id"] for q in api.get("/queues", "reviewer").json()] == [made["id"], named["id"]]


# -- comments and resolutions sealed at rest ---------------------------------------------------

# Free text that must never reach the database, a backup or the audit log in the clear (with
# spaces, so that no base64 ciphertext can contain it by chance).
COMMENT = "Partner Dmitri confirmed: both arrested at the Dyagilev club in 2013"
RESOLUTION = "Ex officio review filed; police detention record attached"
CLI_COMMENT = "Neighbour's testimony: beaten in Kazan for being gay"
CLI_RESOLUTION = "Subsequent application lodged, citing the new policy"
TEXTS = [COMMENT, RESOLUTION, CLI_COMMENT, CLI_RESOLUTION]


def queue_cli(db_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "haven", "queue", *args, "--org", "acme"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "HAVEN_DATABASE_URL": db_url},
    )


def stored_texts(db: Database) -> list[str]:
    """The comment and resolution columns as stored."""
    with db.engine.connect() as conn:
        notes = conn.execute(select(WorkItemComment.text).order_by(WorkItemComment.id))
        done = conn.execute(
            select(WorkItem.resolution)
            .where(WorkItem.resolution.is_not(None))
            .order_by(WorkItem.id)
        )
        return [str(t) for t in [*notes.scalars(), *done.scalars()]]


def texts_of(item: dict[str, Any]) -> tuple[list[str], str | None]:
    return [c["text"] for c in item["comments"]], item["resolution"]


def test_comments_and_resolutions_are_sealed_at_rest(
    queued: tuple[Api, int, dict[str, int]], db_url: str, tmp_path: Path
) -> None:
    api, qid, ids = queued
    one = f"/queues/{qid}/items/{ids['RU-1']}"
    r = api.post(f"{one}/comments", "officer", {"text": COMMENT})
    assert r.status_code == 201 and texts_of(r.json()) == ([COMMENT], None)
    r = api.post(f"{one}/close", "officer", {"resolution": RESOLUTION})
    assert r.status_code == 200 and texts_of(r.json()) == ([COMMENT], RESOLUTION)
    assert texts_of(api.get(one, "officer").json()) == ([COMMENT], RESOLUTION)
    # The CLI writes and reads the same way.
    two = str(ids["RU-2"])
    p = queue_cli(db_url, tmp_path, "comment", str(qid), two, CLI_COMMENT, "--user", "officer")
    assert p.returncode == 0, p.stderr
    assert texts_of(json.loads(p.stdout)) == ([CLI_COMMENT], None)
    p = queue_cli(
        db_url,
        tmp_path,
        "close",
        str(qid),
        two,
        "--resolution",
        CLI_RESOLUTION,
        "--user",
        "officer",
    )
    assert p.returncode == 0, p.stderr
    p = queue_cli(db_url, tmp_path, "show", str(qid), "--user", "officer")
    assert p.returncode == 0, p.stderr
    shown = {i["case"]: texts_of(i) for i in json.loads(p.stdout)["work_items"]}
    assert shown["RU-1"] == ([COMMENT], RESOLUTION)
    assert shown["RU-2"] == ([CLI_COMMENT], CLI_RESOLUTION)
    assert texts_of(api.get(f"/queues/{qid}/items/{two}", "reviewer").json()) == (
        [CLI_COMMENT],
        CLI_RESOLUTION,
    )

    # At rest: envelopes under the case's data key, and no trace of the text in any row.
    stored = stored_texts(api.db)
    assert len(stored) == 4
    for value in stored:
        envelope = json.loads(value)
        assert crypto.is_envelope(envelope) and envelope["kid"] == datakeys.CASE_KID
    dump = rows_as_text(api.db)
    for secret in TEXTS:
        assert secret not in dump, f"{secret!r} stored in the clear"
    if db_url.startswith("sqlite"):
        path = Path(api.db.url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        for secret in TEXTS:
            assert secret.encode() not in raw, f"{secret!r} in the database file"
    # The audit log says that and where, never what (the raw table is in `dump` above).
    log = json.dumps(api.audit())
    assert "queue.comment" in log and "queue.close" in log
    for secret in TEXTS:
        assert secret not in log


def set_raw(db: Database, table: Any, row_id: int, **values: Any) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.id == row_id).values(**values))


def refusal(api: Api, path: str) -> str:
    r = api.get(path, "officer")
    assert r.status_code == 500, r.text
    assert "Traceback" not in r.text
    message: str = r.json()["error"]["message"]
    return message


def test_sealed_texts_moved_to_another_row_are_refused(
    queued: tuple[Api, int, dict[str, int]], db_url: str, tmp_path: Path
) -> None:
    api, qid, ids = queued
    one, two = (f"/queues/{qid}/items/{ids[ref]}" for ref in ("RU-1", "RU-2"))
    for path, word in ((one, "first"), (one, "second"), (two, "third")):
        assert api.post(f"{path}/comments", "officer", {"text": f"{word} note"}).status_code == 201
    for path, word in ((one, "first"), (two, "second")):
        assert (
            api.post(f"{path}/close", "officer", {"resolution": f"{word} end"}).status_code == 200
        )
    with api.db.engine.connect() as conn:
        notes = conn.execute(select(WorkItemComment.id, WorkItemComment.text)).all()
        ends = {i: r for i, r in conn.execute(select(WorkItem.id, WorkItem.resolution))}
    (a, a_text), (_, b_text), (_, c_text) = sorted(notes)
    i1, i2 = ids["RU-1"], ids["RU-2"]

    # A comment of another item (another case, another key), or of the same item.
    for moved in (c_text, b_text):
        set_raw(api.db, WorkItemComment, a, text=moved)
        message = refusal(api, one)
        assert f"comment {a} of item {i1} in queue {qid} (case 'RU-1')" in message
        assert "failed authentication" in message and "note" not in message
        set_raw(api.db, WorkItemComment, a, text=a_text)
    # A resolution of another item.
    set_raw(api.db, WorkItem, i1, resolution=ends[i2])
    message = refusal(api, one)
    assert f"resolution of item {i1} in queue {qid} (case 'RU-1')" in message
    assert "failed authentication" in message and "end" not in message
    # The CLI refuses too, naming the row, without a traceback.
    r = queue_cli(db_url, tmp_path, "show", str(qid), "--user", "officer")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "failed authentication" in r.stderr and "second end" not in r.stdout + r.stderr
    set_raw(api.db, WorkItem, i1, resolution=ends[i1])
    # Plaintext written around Haven, without the marker of migration 0007.
    set_raw(api.db, WorkItemComment, a, text="planted")
    assert "stored unsealed and unmarked" in refusal(api, one)
    set_raw(api.db, WorkItemComment, a, text=a_text)

    assert texts_of(api.get(one, "officer").json()) == (
        ["first note", "second note"],
        "first end",
    )


def test_shredded_texts_read_as_a_placeholder(
    queued: tuple[Api, int, dict[str, int]], db_url: str, tmp_path: Path
) -> None:
    api, qid, ids = queued
    for ref in ("RU-1", "RU-2"):
        path = f"/queues/{qid}/items/{ids[ref]}"
        assert api.post(f"{path}/comments", "officer", {"text": COMMENT}).status_code == 201
    r = api.post(f"/queues/{qid}/items/{ids['RU-1']}/close", "officer", {"resolution": "x"})
    assert r.status_code == 200
    env = {**os.environ, "HAVEN_DATABASE_URL": db_url}

    def haven(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "haven", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env,
        )

    # Shredding a case deletes its item with its comments; the queue reads on.
    p = haven("cases", "shred", "RU-2", "--org", "acme", "--user", "admin", "--reason", "test")
    assert p.returncode == 0, p.stderr
    items = api.get(f"/queues/{qid}", "reviewer").json()["work_items"]
    assert "RU-2" not in {i["case"] for i in items}
    assert len(stored_texts(api.db)) == 2  # RU-1's comment and resolution only

    # Shredding the organisation's keys: the texts cannot be opened and say so.
    p = haven("keys", "shred", "--org", "acme", "--db", db_url, "--yes")
    assert p.returncode == 0, p.stderr
    r = api.get(f"/queues/{qid}", "reviewer")
    assert r.status_code == 200, r.text
    shown = {i["case"]: texts_of(i) for i in r.json()["work_items"]}
    assert shown["RU-1"] == ([queuetext.SHREDDED], queuetext.SHREDDED)
    assert shown["RU-3"] == ([], None)
    item = api.get(f"/queues/{qid}/items/{ids['RU-1']}", "officer")
    assert item.status_code == 200 and texts_of(item.json()) == ([queuetext.SHREDDED], "[shredded]")
    p = queue_cli(db_url, tmp_path, "show", str(qid), "--user", "officer")
    assert p.returncode == 0, p.stderr
    assert texts_of(json.loads(p.stdout)["work_items"][0]) == (["[shredded]"], "[shredded]")
    # (The case itself is an error naming the missing key, as before.)
    assert api.get("/cases/RU-1", "officer").status_code == 500


def test_text_stored_before_sealing_is_read_then_sealed_by_rotation(
    queued: tuple[Api, int, dict[str, int]],
) -> None:
    """A database from before migration 0007: its plaintext is marked, read as it is, and
    sealed by `haven keys rotate`; a database holding sealed text is not downgraded."""
    api, qid, ids = queued
    url, item = api.db.url, ids["RU-1"]
    command.downgrade(alembic_config(url), "0006")
    with api.db.engine.begin() as conn:
        case_id = conn.execute(select(WorkItem.case_id).where(WorkItem.id == item)).scalar_one()
        conn.execute(
            text(
                "INSERT INTO work_item_comments (item_id, case_id, user_id, at, text)"
                " VALUES (:item, :case, NULL, :at, :text)"
            ),
            {"item": item, "case": case_id, "at": date(2026, 1, 2), "text": COMMENT},
        )
        conn.execute(
            text("UPDATE work_items SET state = 'closed', resolution = :r WHERE id = :i"),
            {"r": RESOLUTION, "i": item},
        )
    upgrade(url)
    assert stored_texts(api.db) == [f"plain:{COMMENT}", f"plain:{RESOLUTION}"]
    path = f"/queues/{qid}/items/{item}"
    assert texts_of(api.get(path, "officer").json()) == ([COMMENT], RESOLUTION)

    report = keyops.rotate(api.db, "acme", grace=0, batch=1)
    assert report.sealed_texts == 2
    assert all(crypto.is_envelope(json.loads(t)) for t in stored_texts(api.db))
    assert COMMENT not in rows_as_text(api.db) and RESOLUTION not in rows_as_text(api.db)
    assert texts_of(api.get(path, "officer").json()) == ([COMMENT], RESOLUTION)
    assert keyops.rotate(api.db, "acme", grace=0).sealed_texts == 0

    with pytest.raises(RuntimeError, match="2 work-queue comments or resolutions are sealed"):
        command.downgrade(alembic_config(url), "0006")
    # SQLite commits each later migration's downgrade before 0007 refuses (PostgreSQL rolls
    # the whole downgrade back): upgrade again, and the sealed texts are still there.
    upgrade(url)
    assert texts_of(api.get(path, "officer").json()) == ([COMMENT], RESOLUTION)


def test_a_backup_carries_sealed_texts_and_restores_them(
    queued: tuple[Api, int, dict[str, int]], tmp_path: Path
) -> None:
    api, qid, ids = queued
    path = f"/queues/{qid}/items/{ids['RU-1']}"
    assert api.post(f"{path}/comments", "officer", {"text": COMMENT}).status_code == 201
    assert api.post(f"{path}/close", "officer", {"resolution": RESOLUTION}).status_code == 200
    sealed = stored_texts(api.db)
    out = tmp_path / "haven.backup"
    backup.backup(api.db.url, out)
    with gzip.open(out, "rt", encoding="utf-8") as f:
        content = f.read()
    assert all(json.dumps(t) in content for t in sealed)  # the ciphertext as it is
    assert COMMENT not in content and RESOLUTION not in content

    target = f"sqlite:///{tmp_path / 'restored.db'}"  # from either backend
    _, report = backup.restore(out, target)
    assert report.ok
    restored = Database(target)
    try:
        assert stored_texts(restored) == sealed
        with restored.session() as s:
            actor = repo.actor_by_name(s, "acme", "officer")
            shown = store.item_json(store.read_item(s, actor, qid, ids["RU-1"]))
        assert texts_of(shown) == ([COMMENT], RESOLUTION)
    finally:
        restored.engine.dispose()
