"""`haven cases import` of a file of several thousand rows, as the real CLI on SQLite and
PostgreSQL: every rejected row is reported (in whichever chunk it lies) and
nothing is written; a clean import is stored, one audit entry per batch, and `haven audit
verify` passes after it; ids already stored are conflicts."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, text

from haven.cli import import_check
from haven.store import bulk_import
from haven.store.db import Database
from haven.store.models import AuditEntry, CaseRecord, CaseVersion

HAVEN = [sys.executable, "-m", "haven"]
PASSWORD = "correct horse battery staple"
N = 5000  # one whole batch, over several chunks of checking


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HAVEN_DATABASE_URL": url}
    r = subprocess.run([*HAVEN, *args], capture_output=True, text=True, timeout=300, env=env)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def test_large_import_all_or_nothing_then_audited(db: Database, tmp_path: Path) -> None:
    assert N > 2 * import_check.CHUNK
    assert N == bulk_import.BATCH  # one batch: one audit entry
    good = tmp_path / "cases.jsonl"
    assert (
        _run(db.url, "generate", "--n", str(N), "--seed", "7", "--out", str(good)).returncode == 0
    )
    r = _run(db.url, "users", "add", "ann", "--role", "case_officer", "--org", "alpha",
             "--password", PASSWORD)  # fmt: skip
    assert r.returncode == 0, r.stderr

    lines = good.read_text(encoding="utf-8").splitlines()
    bad = list(lines)
    first = json.loads(lines[0])
    row = json.loads(lines[1])
    row["nationality"] = "ZZ"  # line 2: not a country (first chunk)
    bad[1] = json.dumps(row)
    row = json.loads(lines[2499])
    row["procedure"]["lodged"] = "2015-13-01"  # line 2500: not a date (a middle chunk)
    bad[2499] = json.dumps(row)
    row = json.loads(lines[N - 1])
    row["id"] = first["id"]  # line N: the id of line 1 again (last chunk)
    bad[N - 1] = json.dumps(row)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(bad) + "\n", encoding="utf-8")

    r = _run(db.url, "cases", "import", str(broken), "--org", "alpha", "--user", "ann")
    assert r.returncode != 0
    assert f"rejected 3 of {N} rows; nothing was imported" in r.stderr
    for where in ("line 2: nationality", "line 2500: procedure.lodged", f"line {N}: id"):
        assert where in r.stderr, r.stderr
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == 0
        assert s.scalar(select(func.count()).where(AuditEntry.action == "case.import")) == 0

    r = _run(db.url, "cases", "import", str(good), "--org", "alpha", "--user", "ann")
    assert r.returncode == 0, r.stderr
    assert f"imported {N} cases" in r.stdout
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == N
        assert s.scalar(select(func.count()).select_from(CaseVersion)) == N
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "case.import")))
    assert len(entries) == 1
    assert entries[0].detail is not None
    assert sorted(entries[0].detail["cases"]) == sorted(json.loads(x)["id"] for x in lines)
    verify = _run(db.url, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    if db.url.startswith("postgresql"):  # analysed in the import (autovacuum sets only autoanalyze)
        with db.session() as s:
            query = text(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables"
                " WHERE relname IN ('cases', 'case_access')"
            )
            analysed = {str(name): bool(done) for name, done in s.execute(query)}
            assert analysed == {"cases": True, "case_access": True}
            rows = s.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'cases'"))
            assert rows == N

    # Ids already stored are conflicts, and a new row beside them is not written either.
    again = tmp_path / "again.jsonl"
    fresh = {**first, "id": "NEW-1"}
    again.write_text(f"{json.dumps(fresh)}\n{lines[41]}\n", encoding="utf-8")
    r = _run(db.url, "cases", "import", str(again), "--org", "alpha", "--user", "ann")
    assert r.returncode != 0
    assert "line 2: id" in r.stderr and "already exists in 'alpha' (conflict)" in r.stderr
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == N


def test_a_stored_id_in_a_later_batch_is_a_conflict(db: Database, tmp_path: Path) -> None:
    # The second batch's ids are looked up while the first batch is being written (on
    # PostgreSQL on a connection of its own): a stored id there still rejects the whole file.
    cases = tmp_path / "cases.jsonl"
    assert (
        _run(db.url, "generate", "--n", str(N + 2), "--seed", "8", "--out", str(cases)).returncode
        == 0
    )
    r = _run(db.url, "users", "add", "ann", "--role", "case_officer", "--org", "alpha",
             "--password", PASSWORD)  # fmt: skip
    assert r.returncode == 0, r.stderr
    lines = cases.read_text(encoding="utf-8").splitlines()
    stored = tmp_path / "stored.jsonl"
    stored.write_text(lines[-1] + "\n", encoding="utf-8")
    assert (
        _run(db.url, "cases", "import", str(stored), "--org", "alpha", "--user", "ann").returncode
        == 0
    )

    r = _run(db.url, "cases", "import", str(cases), "--org", "alpha", "--user", "ann")
    assert r.returncode != 0
    assert f"rejected 1 of {N + 2} rows; nothing was imported" in r.stderr
    assert f"line {N + 2}: id" in r.stderr and "(conflict)" in r.stderr
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseRecord)) == 1
        assert s.scalar(select(func.count()).where(AuditEntry.action == "case.import")) == 1
    verify = _run(db.url, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
