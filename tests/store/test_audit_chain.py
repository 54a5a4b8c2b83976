"""The tamper-evident audit log (issue 7, item 2): every entry is hash-chained to the previous
one of its organisation; `haven audit verify` names each edited, deleted or reordered entry
and exits 1. Tampering is done with raw SQL, on SQLite and on PostgreSQL; the chain stays whole
under concurrent writers (threads and processes) on PostgreSQL."""

import itertools
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError

from haven.store import audit_chain
from haven.store.db import Database, alembic_config, upgrade
from haven.store.models import AuditEntry, AuditHead
from haven.store.repo import audit
from tests.store.store_helpers import Api, make_case

ROOT = Path(__file__).resolve().parents[2]


def verify_cli(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HAVEN_DEBUG", "HAVEN_DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "haven", "audit", "verify", "--db", url, *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )


def raw(db: Database, sql: str, **params: Any) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def acme_entries(db: Database) -> list[AuditEntry]:
    """The entries of organisation acme's chain, in chain order (lane by lane)."""
    with db.session() as s:
        org = s.scalar(text("SELECT id FROM organisations WHERE slug = 'acme'"))
        return list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.chain == org)
                .order_by(AuditEntry.lane, AuditEntry.seq)
            )
        )


@pytest.fixture
def logged(api: Api) -> Api:
    """Some history: a case created, read, listed with a filter and edited."""
    api.create("officer", make_case("CH-1"))
    assert api.get("/cases/CH-1", "officer").status_code == 200
    assert api.get("/cases?nationality=RU", "officer").status_code == 200
    r = api.put("/cases/CH-1", "officer", make_case("CH-1"), headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert api.get("/cases/CH-1", "x.officer").status_code == 404  # a denial, other org
    return api


def test_an_untouched_log_verifies(logged: Api) -> None:
    entries = acme_entries(logged.db)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == audit_chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    r = verify_cli(logged.db.url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "audit log intact" in r.stdout
    report = json.loads(verify_cli(logged.db.url, "--json").stdout)
    assert report["ok"] is True and report["problems"] == []
    assert report["entries"] >= len(entries)


def test_reads_searches_and_denials_are_chained(logged: Api) -> None:
    actions = [(e.action, e.outcome, e.case_ref) for e in acme_entries(logged.db)]
    assert ("case.read", "ok", "CH-1") in actions
    assert ("case.edit", "ok", "CH-1") in actions
    search = [e for e in acme_entries(logged.db) if e.action == "case.list"]
    assert search and search[0].detail["filters"]["nationality"] == "RU"
    with logged.db.session() as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
    assert [(e.case_ref, e.chain) for e in denied] == [("CH-1", denied[0].org_id)]


def test_an_edited_entry_is_named(logged: Api) -> None:
    victim = next(e for e in acme_entries(logged.db) if e.action == "case.read")
    raw(logged.db, "UPDATE audit_log SET case_ref = 'OTHER' WHERE id = :id", id=victim.id)
    r = verify_cli(logged.db.url)
    assert r.returncode == 1
    assert f"entry {victim.id}: edited" in r.stderr
    assert "1 problem(s) found" in r.stderr


def test_an_edited_detail_or_time_is_named(logged: Api) -> None:
    entries = acme_entries(logged.db)
    search = next(e for e in entries if e.action == "case.list")
    raw(logged.db, "UPDATE audit_log SET outcome = 'denied' WHERE id = :id", id=entries[0].id)
    raw(
        logged.db,
        "UPDATE audit_log SET at = :at WHERE id = :id",
        id=search.id,
        at=search.at.replace(year=2001),
    )
    report = json.loads(verify_cli(logged.db.url, "--json").stdout)
    named = {(p["entry"], p["message"].split(":")[0]) for p in report["problems"]}
    assert named == {(entries[0].id, "edited"), (search.id, "edited")}


def test_a_rehashed_edit_still_breaks_the_link_to_the_next_entry(logged: Api) -> None:
    """An attacker who edits an entry and recomputes its hash breaks the next entry's link."""
    entries = acme_entries(logged.db)
    victim, after = entries[1], entries[2]
    with logged.db.session() as s:
        e = s.get(AuditEntry, victim.id)
        assert e is not None
        e.case_ref = "FORGED"
        e.hash = audit_chain.entry_hash(e)
    r = verify_cli(logged.db.url)
    assert r.returncode == 1
    assert f"entry {after.id}: broken link: it does not follow entry {victim.id}" in r.stderr


def test_a_deleted_entry_is_named(logged: Api) -> None:
    entries = acme_entries(logged.db)
    gone, after = entries[2], entries[3]
    raw(logged.db, "DELETE FROM audit_log WHERE id = :id", id=gone.id)
    r = verify_cli(logged.db.url)
    assert r.returncode == 1
    assert f"entry {after.id}: deleted: the entries before it (seq {gone.seq}) are missing" in (
        r.stderr
    )


def test_deleting_the_newest_entries_is_detected(logged: Api) -> None:
    entries = acme_entries(logged.db)
    raw(logged.db, "DELETE FROM audit_log WHERE id >= :id", id=entries[-2].id)
    r = verify_cli(logged.db.url)
    assert r.returncode == 1
    assert (
        f"end of chain: deleted: the chain ends at seq {len(entries) - 2} "
        f"but {len(entries)} entries were written" in r.stderr
    )


def test_swapped_entries_are_named(logged: Api) -> None:
    """Two rows trade places (their ids swapped): each row still matches its own hash."""
    entries = acme_entries(logged.db)
    a, b = entries[1].id, entries[3].id
    raw(logged.db, "UPDATE audit_log SET id = -1 WHERE id = :a", a=a)
    raw(logged.db, "UPDATE audit_log SET id = :a WHERE id = :b", a=a, b=b)
    raw(logged.db, "UPDATE audit_log SET id = :b WHERE id = -1", b=b)
    report = json.loads(verify_cli(logged.db.url, "--json").stdout)
    assert report["ok"] is False
    messages = [(p["entry"], p["message"]) for p in report["problems"]]
    assert any(e == a and m.startswith("reordered") for e, m in messages), messages
    assert not any(m.startswith("edited") for _, m in messages)


def test_swapped_content_is_named(logged: Api) -> None:
    """Two rows trade their content but keep their place: both are named as edited."""
    entries = acme_entries(logged.db)
    a = next(e for e in entries if e.action == "case.create")
    b = next(e for e in entries if e.action == "case.list")
    for one, other in ((a, b), (b, a)):
        raw(
            logged.db,
            "UPDATE audit_log SET action = :action, case_ref = :ref WHERE id = :id",
            action=other.action,
            ref=other.case_ref,
            id=one.id,
        )
    r = verify_cli(logged.db.url)
    assert r.returncode == 1
    assert f"entry {a.id}: edited" in r.stderr and f"entry {b.id}: edited" in r.stderr


def test_a_fork_cannot_be_committed(logged: Api) -> None:
    last = acme_entries(logged.db)[-1]
    with pytest.raises(IntegrityError):
        raw(
            logged.db,
            "INSERT INTO audit_log (at, org_id, action, outcome, detail, chain, seq, prev_hash,"
            " hash) VALUES (:at, :org, 'x', 'ok', '{}', :chain, :seq, :prev, :hash)",
            at=last.at,
            org=last.org_id,
            chain=last.chain,
            seq=last.seq,
            prev=last.prev_hash,
            hash=last.hash,
        )


def test_verify_explains_a_database_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()  # a missing file is refused before (test_cli_admin_walk.py)
    r = verify_cli(f"sqlite:///{tmp_path / 'empty.db'}")
    assert r.returncode == 1
    assert "haven db upgrade" in r.stderr and "Traceback" not in r.stderr


def test_migration_chains_existing_entries(db_url: str) -> None:
    """A database with audit entries from before the chain: 0003 chains them in id order."""
    cfg = alembic_config(db_url)
    command.upgrade(cfg, "0002")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO organisations (slug, name, created_at) VALUES ('o', 'O', :t)"),
            {"t": "2026-01-01 00:00:00"},
        )
        for i in range(5):
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, org_id, action, outcome, case_ref, detail)"
                    " VALUES (:at, :org, 'case.read', 'ok', :ref, :detail)"
                ),
                {
                    "at": f"2026-01-01 00:00:0{i}.123456",
                    "org": None if i == 2 else 1,
                    "ref": f"R{i}",
                    "detail": json.dumps({"n": 1.0, "i": i, "x": ["é"]}),
                },
            )
    engine.dispose()
    upgrade(db_url)
    db = Database(db_url)
    try:
        with db.session() as s:
            report = audit_chain.verify(s)
            heads = {h.chain: h.seq for h in s.scalars(select(AuditHead))}
        assert report.ok, report.findings
        assert report.entries == 5 and heads == {0: 1, 1: 4}
        with db.session() as s:  # new entries continue the migrated chain
            audit(s, _actor(1), "x")
        with db.session() as s:
            report = audit_chain.verify(s)
        assert report.ok, report.findings
        assert report.entries == 6 and report.chains[1][0] == 5
    finally:
        db.engine.dispose()


def _write(url: str, org_id: int, n: int, errors: list[BaseException]) -> None:
    db = Database(url)
    try:
        for i in range(n):
            with db.session() as s:
                audit(s, _actor(org_id), "test.concurrent", i=i)
    except BaseException as e:  # surfaced by the test
        errors.append(e)
    finally:
        db.engine.dispose()


@dataclass(frozen=True)
class _Writer:
    """What audit() reads of an actor: entries of an organisation, without a user."""

    org_id: int
    user_id: None = None


def _actor(org_id: int) -> Any:
    return _Writer(org_id)


WRITER = """
import sys
from haven.store.db import Database
from haven.store.repo import audit
class A:
    user_id = None
    org_id = int(sys.argv[2])
db = Database(sys.argv[1])
for i in range(int(sys.argv[3])):
    with db.session() as s:
        audit(s, A(), "test.process", i=i)
"""


def test_concurrent_writers_do_not_fork_the_chain(api: Api) -> None:
    """Threads of this process and two other processes append to the same chains at once
    (PostgreSQL: the head row lock; SQLite: the writer lock, taken before the head is read)."""
    with api.db.session() as s:
        orgs = [int(i) for i in s.scalars(text("SELECT id FROM organisations ORDER BY id"))]
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_write, args=(api.db.url, orgs[i % 2], 25, errors))
        for i in range(8)
    ]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, api.db.url, str(orgs[i % 2]), "40"],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for p in procs:
        _, stderr = p.communicate(timeout=60)
        assert p.returncode == 0, stderr
    assert errors == []
    with api.db.session() as s:
        report = audit_chain.verify(s)
        written = s.scalar(text("SELECT count(*) FROM audit_log WHERE action LIKE 'test.%'"))
    assert report.ok, report.findings
    assert written == 8 * 25 + 2 * 40
    r = verify_cli(api.db.url)
    assert r.returncode == 0, r.stderr


def test_an_export_is_audited_and_chained(logged: Api) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HAVEN_DEBUG"}
    env["HAVEN_DATABASE_URL"] = logged.db.url
    done = subprocess.run(
        [sys.executable, "-m", "haven", "cases", "export", "--org", "acme", "--user", "officer"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == "CH-1"
    tail = [(e.action, e.case_ref, e.detail) for e in acme_entries(logged.db)[-3:]]
    assert tail[0][:2] == ("case.list", None)
    assert tail[1][:2] == ("case.read", "CH-1")
    assert tail[2] == ("case.export", None, {"count": 1, "format": "jsonl"})
    assert verify_cli(logged.db.url).returncode == 0


# -- lanes: transactions of one organisation do not wait for each other's audit lines --------

# PostgreSQL only: SQLite has a single writer, so there every write (and every audit line)
# waits for the transaction that holds it, by design.
on_postgresql = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _acme_id(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(text("SELECT id FROM organisations WHERE slug = 'acme'")))


def _read_while_the_head_is_held(api: Api) -> tuple[AuditEntry, AuditEntry]:
    """A transaction of acme holds its chain's head (as during its commit) while an officer
    of acme reads a case over the API. Returns (the holder's entry, the read's entry)."""
    pool = ThreadPoolExecutor(1)
    try:
        with api.db.session() as s:
            audit(s, _actor(_acme_id(api.db)), "test.hold")
            audit_chain.chain_pending(s)  # takes a lane's head lock, as its commit would
            read = pool.submit(api.get, "/cases/CH-1", "officer")
            done, _ = wait([read], timeout=15)
        # Before lanes the read waited here for the holder to commit, however long it took.
        assert done, "the read waited for another transaction's audit head lock"
        assert read.result().status_code == 200
    finally:
        pool.shutdown()
    entries = acme_entries(api.db)
    held = next(e for e in entries if e.action == "test.hold")
    return held, max((e for e in entries if e.action == "case.read"), key=lambda e: e.id)


@on_postgresql
def test_a_read_does_not_wait_for_a_transaction_holding_the_audit_head(logged: Api) -> None:
    held, read = _read_while_the_head_is_held(logged)
    assert held.lane != read.lane
    # The next transaction, alone again, returns to the lowest lane and anchors the other.
    assert logged.get("/cases/CH-1", "officer").status_code == 200
    last = acme_entries(logged.db)
    after = max(last, key=lambda e: e.id)
    assert after.lane == 0 and after.anchors == {str(read.lane): read.seq}
    r = verify_cli(logged.db.url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"chain {read.chain} lane {read.lane}: 1 entries" in r.stdout


@pytest.fixture
def two_lanes(logged: Api) -> tuple[AuditEntry, AuditEntry]:
    """(an entry of lane 1, a later entry of lane 0 whose anchors name it)."""
    _, read = _read_while_the_head_is_held(logged)
    assert logged.get("/cases/CH-1", "officer").status_code == 200
    after = max(acme_entries(logged.db), key=lambda e: e.id)
    assert after.anchors == {str(read.lane): read.seq}
    assert verify_cli(logged.db.url).returncode == 0
    return read, after


@on_postgresql
def test_entries_swapped_between_lanes_are_named(
    logged: Api, two_lanes: tuple[AuditEntry, AuditEntry]
) -> None:
    """Each lane alone still looks in order; the anchor says which was chained first."""
    earlier, later = two_lanes
    raw(logged.db, "UPDATE audit_log SET id = -1 WHERE id = :a", a=earlier.id)
    raw(logged.db, "UPDATE audit_log SET id = :a WHERE id = :b", a=earlier.id, b=later.id)
    raw(logged.db, "UPDATE audit_log SET id = :b WHERE id = -1", b=later.id)
    report = json.loads(verify_cli(logged.db.url, "--json").stdout)
    messages = [(p["entry"], p["message"]) for p in report["problems"]]
    assert any(
        e == later.id and m.startswith(f"reordered: entry {earlier.id} was chained after it")
        for e, m in messages
    ), messages


@on_postgresql
def test_a_lane_deleted_with_its_head_is_named(
    logged: Api, two_lanes: tuple[AuditEntry, AuditEntry]
) -> None:
    """Deleting a whole lane and its head row leaves no gap in any lane: the anchor shows it."""
    gone, anchoring = two_lanes
    raw(
        logged.db,
        "DELETE FROM audit_log WHERE chain = :c AND lane = :l",
        c=gone.chain,
        l=gone.lane,
    )
    raw(
        logged.db,
        "DELETE FROM audit_heads WHERE chain = :c AND lane = :l",
        c=gone.chain,
        l=gone.lane,
    )
    r = verify_cli(logged.db.url)
    assert r.returncode == 1
    assert (
        f"entry {anchoring.id}: deleted: it anchors lane {gone.lane} at seq {gone.seq}, "
        "which is missing" in r.stderr
    )
