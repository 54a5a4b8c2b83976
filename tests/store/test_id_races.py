"""Two writers storing one key at once (PostgreSQL, several server processes or an import
beside the web app): the key is looked up first, and a row stored by another transaction after
that lookup reaches the unique index. A case id, in one case or in a bulk import, and a username
are reported as conflicts naming the field, not as internal errors, and nothing is kept; a case
shared with the same user twice at once is shared once."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from haven.cases import Case
from haven.errors import Conflict
from haven.store import auth, bulk_import, repo
from haven.store.access import Role
from haven.store.db import Database
from haven.store.models import AuditEntry, CaseRecord, CaseVersion
from tests.store.store_helpers import PASSWORD

HAVEN = [sys.executable, "-m", "haven"]
N = bulk_import.BATCH  # the file's second batch holds the raced id
# Only PostgreSQL lets a second writer look up and then wait on the index: SQLite's importer
# holds the write lock from its first statement, so nobody else can store a case meanwhile.
postgres_only = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _waiting_on(db: Database, statement: str, timeout: float = 120) -> None:
    """Until another backend waits on a lock while running `statement` (it has looked the id
    up and now waits for the uncommitted case at the index)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query LIKE :q"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.statements() as s:
            if s.scalar(query, {"q": f"{statement}%"}):
                return
        time.sleep(0.05)
    raise AssertionError(f"no backend waited on a lock in {statement!r} within {timeout} s")


@postgres_only
def test_a_case_created_twice_at_once_is_a_conflict(
    db: Database, example_case: dict[str, Any]
) -> None:
    with db.session() as s:
        org = auth.ensure_org(s, "alpha", "Alpha")
        auth.add_user(s, org, "ann", PASSWORD, Role.CASE_OFFICER)
    with db.session() as s:
        actor = repo.actor_by_name(s, "alpha", "ann")
    case = Case.model_validate_json(json.dumps(example_case))
    raised: list[BaseException] = []

    def second() -> None:
        try:
            with db.session() as s:
                repo.create_case(s, actor, case)
        except BaseException as e:  # handed to the test's thread
            raised.append(e)

    with db.session() as s:
        repo.create_case(s, actor, case)  # written, not yet committed
        other = threading.Thread(target=second)
        other.start()
        _waiting_on(db, "INSERT INTO cases")
    other.join(timeout=60)  # the first committed: the second meets its row at the index
    assert len(raised) == 1 and isinstance(raised[0], Conflict), raised
    assert [(p.where, p.message) for p in raised[0].problems] == [
        ("id", f"case {case.id!r} already exists")
    ]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == 1
        assert s.scalar(select(func.count()).select_from(CaseVersion)) == 1


@postgres_only
def test_an_id_stored_by_another_writer_during_an_import_is_a_conflict(
    db: Database, tmp_path: Path
) -> None:
    env = {**os.environ, "HAVEN_DATABASE_URL": db.url}

    def haven(*args: str) -> subprocess.CompletedProcess[str]:
        r = subprocess.run([*HAVEN, *args], capture_output=True, text=True, timeout=300, env=env)
        assert "Traceback" not in r.stderr, r.stderr
        return r

    cases = tmp_path / "cases.jsonl"
    assert haven("generate", "--n", str(N + 2), "--seed", "9", "--out", str(cases)).returncode == 0
    r = haven("users", "add", "ann", "--role", "case_officer", "--org", "alpha",
              "--password", PASSWORD)  # fmt: skip
    assert r.returncode == 0, r.stderr
    lines = cases.read_text(encoding="utf-8").splitlines()
    raced = Case.model_validate_json(lines[N])  # line N + 1, in the second batch

    with db.session() as s:
        actor = repo.actor_by_name(s, "alpha", "ann")
        repo.create_case(s, actor, raced)  # written, not yet committed: the lookup misses it
        importing = subprocess.Popen(
            [*HAVEN, "cases", "import", str(cases), "--org", "alpha", "--user", "ann"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            _waiting_on(db, 'COPY "cases"')
        except BaseException:
            importing.kill()
            raise
    # Committed: the import's COPY of the second batch meets the case at the index.
    stdout, stderr = importing.communicate(timeout=300)
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    assert importing.returncode == 2, stdout + stderr
    assert f"rejected 1 of {N + 2} rows; nothing was imported" in stderr
    assert f"line {N + 1}: id" in stderr and "during this import (conflict)" in stderr
    with db.session() as s:  # only the other writer's case; no batch of the import kept
        assert list(s.scalars(select(CaseRecord.ref))) == [raced.id]
        assert s.scalar(select(func.count()).where(AuditEntry.action == "case.import")) == 0
    verify = haven("audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


@postgres_only
def test_one_case_shared_with_one_user_twice_at_once(db: Database, example_case: Any) -> None:
    with db.session() as s:
        org = auth.ensure_org(s, "alpha", "Alpha")
        auth.add_user(s, org, "ann", PASSWORD, Role.CASE_OFFICER)
        auth.add_user(s, org, "nadia", PASSWORD, Role.NGO_ADVOCATE)
    with db.session() as s:
        actor = repo.actor_by_name(s, "alpha", "ann")
        repo.create_case(s, actor, Case.model_validate_json(json.dumps(example_case)))
    ref = example_case["id"]
    raised: list[BaseException] = []

    def second() -> None:
        try:
            with db.session() as s:
                repo.share_case(s, actor, ref, "nadia")
        except BaseException as e:  # handed to the test's thread
            raised.append(e)

    with db.session() as s:
        repo.share_case(s, actor, ref, "nadia")
        s.flush()  # written, not yet committed
        other = threading.Thread(target=second)
        other.start()
        _waiting_on(db, "INSERT INTO case_access")
    other.join(timeout=60)
    assert raised == []
    with db.session() as s:
        nadia = repo.actor_by_name(s, "alpha", "nadia")
        assert [r.ref for r in repo.list_cases(s, nadia)[1]] == [ref]
        shares = s.scalars(select(AuditEntry.action).where(AuditEntry.action == "case.share"))
        assert list(shares) == ["case.share", "case.share"]  # both requests are on record


@postgres_only
def test_one_username_added_twice_at_once_is_a_conflict(db: Database) -> None:
    with db.session() as s:
        org = auth.ensure_org(s, "alpha", "Alpha")
    raised: list[BaseException] = []

    def second() -> None:
        try:
            with db.session() as s:
                auth.add_user(s, org, "ann", PASSWORD, Role.REVIEWER)
        except BaseException as e:  # handed to the test's thread
            raised.append(e)

    with db.session() as s:
        auth.add_user(s, org, "ann", PASSWORD, Role.CASE_OFFICER)  # written, not committed
        other = threading.Thread(target=second)
        other.start()
        _waiting_on(db, "INSERT INTO users")
    other.join(timeout=60)
    assert len(raised) == 1 and isinstance(raised[0], Conflict), raised
    assert [p.where for p in raised[0].problems] == ["username"]
    with db.session() as s:
        assert repo.actor_by_name(s, "alpha", "ann").role is Role.CASE_OFFICER
