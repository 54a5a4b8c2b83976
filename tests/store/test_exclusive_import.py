"""`haven cases import --exclusive`: on PostgreSQL the case tables' foreign keys are dropped in
the import's transaction and added back (checking every row) before it commits. Whatever
happens, the keys are there afterwards and enforce what they enforced before; a busy table
makes the import give up in plain words; on SQLite the option changes nothing."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from haven.store import auth, bulk_import, deferred_keys
from haven.store.access import Role
from haven.store.db import Database
from haven.store.models import AuditEntry, CaseRecord
from haven.store.repo import Actor

HAVEN = [sys.executable, "-m", "haven"]
PASSWORD = "correct horse battery staple"
N = bulk_import.BATCH + 7  # two batches, the second partial

_KEYS = text(
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE contype = 'f' AND conrelid::regclass::text = ANY(:tables) ORDER BY 1, 2"
)


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HAVEN_DATABASE_URL": url}
    r = subprocess.run([*HAVEN, *args], capture_output=True, text=True, timeout=300, env=env)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def _keys(db: Database) -> list[tuple[str, str, str]]:
    with db.session() as s:
        found = s.execute(_KEYS, {"tables": list(deferred_keys.TABLES)}).all()
    return [(str(t), str(n), str(d)) for t, n, d in found]


# The keys are deferred on PostgreSQL only; SQLite's import holds the only write lock anyway.
on_postgresql = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
on_sqlite = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def caseload(db: Database, tmp_path: Path) -> Iterator[Path]:
    file = tmp_path / "cases.jsonl"
    r = _run(db.url, "generate", "--n", str(N), "--seed", "9", "--out", str(file))
    assert r.returncode == 0, r.stderr
    r = _run(db.url, "users", "add", "ann", "--role", "case_officer", "--org", "alpha",
             "--password", PASSWORD)  # fmt: skip
    assert r.returncode == 0, r.stderr
    yield file


@on_postgresql
def test_exclusive_import_stores_everything_and_puts_the_keys_back(
    db: Database, caseload: Path
) -> None:
    before = _keys(db)
    assert len(before) == 7  # what the import writes: cases, keys, versions, access
    r = _run(db.url, "cases", "import", str(caseload), "--org", "alpha", "--user", "ann",
             "--exclusive")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert f"imported {N} cases" in r.stdout
    assert _keys(db) == before
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == N
        assert s.scalar(select(func.count()).where(AuditEntry.action == "case.import")) == 2
    assert _run(db.url, "audit", "verify").returncode == 0
    # The keys enforce again: a version of no case is refused.
    with pytest.raises(IntegrityError), db.session() as s:
        s.execute(text(
            "INSERT INTO case_versions (case_id, version, data, created_at)"
            " VALUES (987654321, 1, '{}', now())"
        ))  # fmt: skip
        s.flush()


@on_postgresql
def test_a_rejected_row_leaves_nothing_and_the_keys_in_place(
    db: Database, caseload: Path, tmp_path: Path
) -> None:
    before = _keys(db)
    lines = caseload.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken.jsonl"
    # the last row repeats the first id: found after the first batch was written
    last = lines[-1].replace(lines[-1].split('"id": "')[1].split('"')[0], "SYN-0000001", 1)
    broken.write_text("\n".join([*lines[:-1], last]) + "\n", encoding="utf-8")
    r = _run(db.url, "cases", "import", str(broken), "--org", "alpha", "--user", "ann",
             "--exclusive")  # fmt: skip
    assert r.returncode != 0
    assert f"rejected 1 of {N} rows; nothing was imported" in r.stderr, r.stderr
    assert _keys(db) == before
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == 0


@on_postgresql
def test_stored_ids_in_two_batches_are_all_conflicts(db: Database, caseload: Path) -> None:
    # The ids are looked up in the import's own session, just before each batch is written:
    # a stored id in the first and in the last batch both reject the file, and both are named.
    lines = caseload.read_text(encoding="utf-8").splitlines()
    stored = caseload.with_name("stored.jsonl")
    stored.write_text(f"{lines[3]}\n{lines[-1]}\n", encoding="utf-8")
    r = _run(db.url, "cases", "import", str(stored), "--org", "alpha", "--user", "ann")
    assert r.returncode == 0, r.stderr
    before = _keys(db)
    r = _run(db.url, "cases", "import", str(caseload), "--org", "alpha", "--user", "ann",
             "--exclusive")  # fmt: skip
    assert r.returncode != 0
    assert f"rejected 2 of {N} rows; nothing was imported" in r.stderr, r.stderr
    assert "line 4: id" in r.stderr and f"line {N}: id" in r.stderr
    assert _keys(db) == before
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == 2


@on_postgresql
def test_a_busy_table_makes_it_give_up_in_words(db: Database, caseload: Path) -> None:
    before = _keys(db)
    reader = db.engine.connect()
    try:
        reader.execute(text("SELECT count(*) FROM cases"))  # holds its lock until rollback
        r = _run(db.url, "cases", "import", str(caseload), "--org", "alpha", "--user", "ann",
                 "--exclusive")  # fmt: skip
    finally:
        reader.rollback()
        reader.close()
    assert r.returncode == 1
    assert "the case tables are in use by other sessions" in r.stderr
    assert "import without --exclusive" in r.stderr
    assert _keys(db) == before
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == 0


@on_postgresql
def test_a_killed_exclusive_import_leaves_the_keys_and_nothing_else(
    db: Database, caseload: Path
) -> None:
    before = _keys(db)
    args = [*HAVEN, "cases", "import", str(caseload), "--org", "alpha", "--user", "ann",
            "--exclusive"]  # fmt: skip
    env = {**os.environ, "HAVEN_DATABASE_URL": db.url}
    proc = subprocess.Popen(args, env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    locked = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND granted"
        " AND mode = 'AccessExclusiveLock' AND relation = 'case_keys'::regclass"
    )
    started = time.monotonic()
    try:
        with db.engine.connect() as conn:
            while not conn.execute(locked).scalar():  # the keys are being dropped or gone
                assert proc.poll() is None, "the import ended before it locked the tables"
                assert time.monotonic() - started < 60
                time.sleep(0.01)
                conn.rollback()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert _keys(db) == before
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == 0


@on_postgresql
def test_the_keys_check_every_row_when_added_back(db: Database) -> None:
    # What makes the deferral safe: adding a key back refuses a row that points at nothing.
    with db.session() as s:
        deferred = deferred_keys.defer(s)
        s.execute(text(
            "INSERT INTO case_keys (case_id, kid, wrapped, created_at)"
            " VALUES (987654321, 'k', '{}', now())"
        ))  # fmt: skip
        with pytest.raises(IntegrityError):
            deferred.check(s)
        s.rollback()
    assert len(_keys(db)) == 7


@on_postgresql
def test_a_commit_without_analyse_still_puts_the_keys_back(db: Database) -> None:
    before = _keys(db)
    with db.session() as s:
        org = auth.ensure_org(s, "alpha", "Alpha")
        actor = Actor.of(auth.add_user(s, org, "ann", PASSWORD, Role.CASE_OFFICER))
    with db.session() as s:  # commits at the end of the block
        importer = bulk_import.Importer(s, actor, 1, {}, exclusive=True)
        dropped = s.execute(_KEYS, {"tables": list(deferred_keys.TABLES)}).all()
        assert dropped == []  # in this transaction
        importer.close()
    assert _keys(db) == before


@on_sqlite
def test_on_sqlite_it_says_it_changes_nothing(db: Database, caseload: Path) -> None:
    r = _run(db.url, "cases", "import", str(caseload), "--org", "alpha", "--user", "ann",
             "--exclusive")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "--exclusive changes nothing on SQLite" in r.stderr
    assert f"imported {N} cases" in r.stdout
