"""`haven backup` / `haven restore` (issue 7, item 5): a backup taken while the store is being
written is a consistent prefix of its history (whole transactions only: every case has all its
versions, every audit line its write, the audit chain verifies), on SQLite and PostgreSQL;
restore refuses a non-empty database unless --force, and is all or nothing."""

import gzip
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text

from haven.cases import Case
from haven.policy.pack import Pack
from haven.store import auth, repo
from haven.store import backup as store_backup
from haven.store.access import Role
from haven.store.db import Database, upgrade
from haven.store.repo import Actor
from tests.store.consistency import check_consistent
from tests.store.store_helpers import make_case

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2015, 10, 1)
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


def haven(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HAVEN_DEBUG", "HAVEN_DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "haven", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture
def fresh_url(db_url: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """New empty databases of the same kind as `db_url`, dropped afterwards."""
    made: list[str] = []

    def make() -> str:
        if db_url.startswith("sqlite"):
            return f"sqlite:///{tmp_path / f'restored-{uuid.uuid4().hex[:8]}.db'}"
        name = f"haven_r_{uuid.uuid4().hex}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

    yield make
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def officer(db: Database) -> Actor:
    with db.session() as s:
        org = auth.ensure_org(s, "acme")
        user = auth.add_user(
            s, org, f"w-{uuid.uuid4().hex[:6]}", "correct horse battery", Role.CASE_OFFICER
        )
        return Actor.of(user)


def write_history(db: Database, actor: Actor, pack: Pack, n: int, prefix: str) -> None:
    """Per case: create, edit twice (each its own transaction, as the API does), assess some."""
    for i in range(n):
        ref = f"{prefix}-{i}"
        case = Case.model_validate_json(json.dumps(make_case(ref)))
        with db.session() as s:
            repo.create_case(s, actor, case)
        for v in (1, 2):
            with db.session() as s:
                repo.update_case(s, actor, ref, case, v)
        if i % 3 == 0:
            with db.session() as s:
                repo.assess_and_store(s, actor, ref, AS_OF, pack)


def test_a_backup_taken_while_writing_restores_to_a_consistent_prefix(
    db: Database, pack: Pack, fresh_url: Callable[[], str], tmp_path: Path
) -> None:
    actor = officer(db)
    write_history(db, actor, pack, 3, "BEFORE")
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            i = 0
            while not stop.is_set():
                write_history(db, actor, pack, 1, f"DURING{i}")
                i += 1
        except BaseException as e:
            failures.append(e)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        files = []
        for k in range(2):
            out = tmp_path / f"b{k}.haven-backup"
            r = haven("backup", str(out), "--db", db.url)
            assert r.returncode == 0, r.stderr
            files.append(out)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert failures == []
    final = check_consistent(db.url)

    seen = []
    for out in files:
        assert (out.stat().st_mode & 0o077) == 0, "a backup holds case data: owner-only"
        target = fresh_url()
        r = haven("restore", str(out), "--db", target)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "audit log intact" in r.stdout
        restored = check_consistent(target)
        assert 3 <= restored["cases"] <= final["cases"]
        assert restored["audit"] <= final["audit"]
        seen.append(restored["cases"])
    # the snapshots were taken mid-stream: after some of the writer's cases, before others
    assert seen[-1] > 3 and final["cases"] > seen[0], (seen, final)
    # the restored database works: new writes continue the ids and the audit chain
    db2 = Database(target)
    try:
        write_history(db2, officer(db2), pack, 1, "AFTER")
    finally:
        db2.engine.dispose()
    assert check_consistent(target)["cases"] == restored["cases"] + 1


def test_restore_refuses_a_database_that_is_not_empty(
    db: Database, pack: Pack, fresh_url: Callable[[], str], tmp_path: Path
) -> None:
    write_history(db, officer(db), pack, 2, "A")
    out = tmp_path / "a.bk"
    assert haven("backup", str(out), "--db", db.url).returncode == 0
    target = fresh_url()
    upgrade(target)
    other = Database(target)
    try:
        write_history(other, officer(other), pack, 5, "OTHER")
    finally:
        other.engine.dispose()
    r = haven("restore", str(out), "--db", target)
    assert r.returncode == 1
    assert "not empty" in r.stderr and "--force" in r.stderr
    assert check_consistent(target)["cases"] == 5  # untouched

    r = haven("restore", str(out), "--db", target, "--force")
    assert r.returncode == 0, r.stderr
    assert check_consistent(target)["cases"] == 2


def test_a_truncated_backup_restores_nothing(
    db: Database, pack: Pack, fresh_url: Callable[[], str], tmp_path: Path
) -> None:
    write_history(db, officer(db), pack, 2, "A")
    out = tmp_path / "a.bk"
    assert haven("backup", str(out), "--db", db.url).returncode == 0
    lines = gzip.decompress(out.read_bytes()).decode().splitlines(keepends=True)
    cut = tmp_path / "cut.bk"
    cut.write_bytes(gzip.compress("".join(lines[:-3]).encode()))
    target = fresh_url()
    r = haven("restore", str(cut), "--db", target)
    assert r.returncode == 2
    assert "truncated" in r.stderr and "Traceback" not in r.stderr
    engine = create_engine(target)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 0
    finally:
        engine.dispose()


def test_a_sqlite_backup_restores_into_postgresql(
    db: Database, pack: Pack, fresh_url: Callable[[], str], tmp_path: Path
) -> None:
    """The file is portable: a SQLite store moves to PostgreSQL (and back)."""
    if db.url.startswith("sqlite"):
        pytest.skip("covered by the PostgreSQL variant")
    lite = f"sqlite:///{tmp_path / 'lite.db'}"
    upgrade(lite)
    source = Database(lite)
    try:
        write_history(source, officer(source), pack, 4, "L")
    finally:
        source.engine.dispose()
    out = tmp_path / "lite.bk"
    assert haven("backup", str(out), "--db", lite).returncode == 0
    r = haven("restore", str(out), "--db", db.url, "--force")
    assert r.returncode == 0, r.stderr
    assert check_consistent(db.url)["cases"] == 4
    back = tmp_path / "pg.bk"
    assert haven("backup", str(back), "--db", db.url).returncode == 0
    again = f"sqlite:///{tmp_path / 'again.db'}"
    assert haven("restore", str(back), "--db", again).returncode == 0
    assert check_consistent(again)["cases"] == 4


def test_a_backup_not_forced_keeps_a_file_that_appeared_meanwhile(
    db: Database, tmp_path: Path
) -> None:
    """`haven backup OUT` without --force checks OUT first; a file made at OUT while the
    snapshot was written (another backup to the same name) is kept too, not renamed over."""
    out = tmp_path / "b.gz"
    out.write_bytes(b"earlier")
    with pytest.raises(FileExistsError):
        store_backup.backup(db.url, out, replace=False)
    assert out.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.gz")) == ["b.gz"]
    fresh = tmp_path / "c.gz"
    store_backup.backup(db.url, fresh, replace=False)
    with gzip.open(fresh, "rt") as f:
        assert json.loads(f.readline())["format"]
