"""The store's CLI commands that write a file, as the real CLI on SQLite and PostgreSQL: a path
they cannot write is refused naming the option (exit 2), before anything is read, audited or
stored (a research export was registered for a file never written)."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from haven.store.models import AuditEntry
from tests.store.store_helpers import Api, make_case


def _audit_entries(api: Api) -> int:
    with api.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_every_store_command_refuses_an_unwritable_out(api: Api, tmp_path: Path) -> None:
    api.create("officer", make_case("OUT-1"))
    env = {**os.environ, "HAVEN_DATABASE_URL": api.db.url}

    def haven(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "haven", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env,
            check=False,
        )

    missing, folder = tmp_path / "nowhere" / "x.out", tmp_path
    dates = ["--from", "2015-06-01", "--to", "2015-10-01"]
    basis = ["--purpose", "p", "--legal-basis", "GDPR 9(2)(j)", "--dpia", "D-1"]
    commands = {
        "--out": [
            ["cases", "export", "--org", "acme", "--user", "reviewer", "--out"],
            ["research", "export", "--org", "acme", "--user", "researcher", *basis, "--out"],
            ["impact", "--org", "acme", "--user", "reviewer", *dates, "--out"],
            ["queue", "letter", "1", "1", "--org", "acme", "--user", "officer", "--out"],
        ],
        # The backup makes its folder: only a directory is refused beforehand.
        "OUT": [["backup"]],
    }
    before = _audit_entries(api)
    for option, runs in commands.items():
        for args in runs:
            for where in (missing, folder) if option == "--out" else (folder,):
                r = haven(*args, str(where))
                assert r.returncode == 2, (args, r.returncode, r.stderr)
                assert f"{option}: cannot write {where}" in r.stderr, (args, r.stderr)
                assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert _audit_entries(api) == before
    # A file that can be written still is.
    out = tmp_path / "cases.jsonl"
    r = haven("cases", "export", "--org", "acme", "--user", "reviewer", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert '"OUT-1"' in out.read_text(encoding="utf-8")
    inside_a_file = tmp_path / "cases.jsonl" / "b.gz"
    r = haven("backup", str(inside_a_file))
    assert r.returncode == 2 and f"OUT: cannot write {inside_a_file}" in r.stderr, r.stderr
