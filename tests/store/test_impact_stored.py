"""`haven impact --org --user` over the stored caseload, as the real CLI on SQLite and
PostgreSQL: the same output as `haven impact FILE` on the same cases (bulk imported, so
encrypted), the access rules of listing cases, and one audited bulk read."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from haven.store.db import Database
from haven.store.models import AuditEntry, CaseRecord, CaseVersion

HAVEN = [sys.executable, "-m", "haven"]
PASSWORD = "correct horse battery staple"
DATES = ("--from", "2015-06-01", "--to", "2015-10-01")


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HAVEN_DATABASE_URL": url}
    r = subprocess.run([*HAVEN, *args], capture_output=True, text=True, timeout=300, env=env)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def _ok(url: str, *args: str) -> str:
    r = _run(url, *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture
def stored(db_url: str, tmp_path: Path) -> tuple[str, Path]:
    """400 generated cases imported by `ann`, a case officer of `alpha`."""
    file = tmp_path / "cases.jsonl"
    _ok(db_url, "generate", "--n", "400", "--seed", "11", "--out", str(file))
    for name, role in (("ann", "case_officer"), ("ari", "case_officer"), ("rev", "reviewer")):
        _ok(db_url, "users", "add", name, "--role", role, "--org", "alpha", "--password", PASSWORD)
    _ok(
        db_url,
        "users",
        "add",
        "ros",
        "--role",
        "researcher",
        "--org",
        "alpha",
        "--password",
        PASSWORD,
    )
    _ok(db_url, "cases", "import", str(file), "--org", "alpha", "--user", "ann")
    return db_url, file


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_stored_impact_equals_file_impact(stored: tuple[str, Path], fmt: str) -> None:
    url, file = stored
    from_file = _ok(url, "impact", str(file), *DATES, "--format", fmt)
    for user in ("ann", "rev"):  # the officer who owns them, a reviewer who sees them all
        from_store = _ok(url, "impact", "--org", "alpha", "--user", user, *DATES, "--format", fmt)
        assert from_store == from_file
    assert '"changed": []' not in from_file and len(from_file.splitlines()) > 5
    db = Database(url)
    try:
        with db.session() as s:
            reads = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "case.bulk_read")))
        assert [(e.detail["purpose"], e.detail["returned"]) for e in reads] == [
            ("impact", 400),
            ("impact", 400),
        ]
    finally:
        db.engine.dispose()


def test_stored_impact_follows_access_rules(stored: tuple[str, Path]) -> None:
    url, _ = stored
    # Another officer sees none of ann's cases: an impact over no case.
    other = _ok(url, "impact", "--org", "alpha", "--user", "ari", *DATES, "--format", "json")
    assert '"cases": 0' in other
    denied = _run(url, "impact", "--org", "alpha", "--user", "ros", *DATES)
    assert denied.returncode != 0 and "may not read the stored caseload" in denied.stderr
    unknown = _run(url, "impact", "--org", "beta", "--user", "ann", *DATES)
    assert unknown.returncode == 2 and "no organisation 'beta'" in unknown.stderr


def test_stored_impact_refuses_content_moved_between_cases(stored: tuple[str, Path]) -> None:
    """Bulk decryption checks each row's associated data, as reading one case does: an
    envelope copied over another case's row is refused by name, nothing is printed."""
    url, _ = stored
    db = Database(url)
    try:
        with db.session() as s:
            first, second = s.scalars(select(CaseVersion).order_by(CaseVersion.id).limit(2))
            s.execute(
                update(CaseVersion).where(CaseVersion.id == second.id).values(data=first.data)
            )
            ref = s.scalar(select(CaseRecord.ref).where(CaseRecord.id == second.case_id))
    finally:
        db.engine.dispose()
    r = _run(url, "impact", "--org", "alpha", "--user", "ann", *DATES)
    assert r.returncode != 0 and r.stdout == ""
    assert f"case {ref!r}" in r.stderr and "failed authentication" in r.stderr
