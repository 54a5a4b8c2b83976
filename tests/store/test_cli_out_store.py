"""The store's CLI commands that write a file, as the real CLI on SQLite and PostgreSQL: a path
they cannot write is refused naming the option (exit 2), before anything is read, audited or
stored (a research export was registered for a file never written)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
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


def _unprivileged() -> list[str]:
    """How to run the CLI so that file permissions apply to it: as root, without the
    capabilities that override them (setpriv); otherwise as it is."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        # util-linux's setpriv is on every Debian; CI must not pass by not testing this.
        if os.environ.get("CI") == "true":
            pytest.fail("running as root and no setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
        pytest.skip("running as root and no setpriv to drop CAP_DAC_OVERRIDE")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_a_folder_or_file_this_user_may_not_write_is_refused_before_reading(
    api: Api, tmp_path: Path
) -> None:
    """A QA walk: `haven cases export --out` into a folder the user may not write in read every
    case and audited the export (case.list, case.export), then failed on the write. Every store
    command with an output file now asks the system first: exit 2 naming the option in plain
    words, nothing read, nothing audited."""
    api.create("officer", make_case("OUT-1"))
    env = {**os.environ, "HAVEN_DATABASE_URL": api.db.url}
    as_user = _unprivileged()

    def haven(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*as_user, sys.executable, "-m", "haven", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env,
            check=False,
        )

    locked = tmp_path / "locked"
    locked.mkdir()
    kept = locked / "kept.jsonl"  # an existing file the user may not write either
    kept.write_text("earlier\n")
    kept.chmod(0o400)
    locked.chmod(0o500)
    dates = ["--from", "2015-06-01", "--to", "2015-10-01"]
    basis = ["--purpose", "p", "--legal-basis", "GDPR 9(2)(j)", "--dpia", "D-1"]
    memo = ["memo", "OUT-1", "--as-of", "2015-10-01", "--org", "acme", "--user", "officer"]
    runs = [
        ["cases", "export", "--org", "acme", "--user", "reviewer", "--out"],
        ["research", "export", "--org", "acme", "--user", "researcher", *basis, "--out"],
        ["impact", "--org", "acme", "--user", "reviewer", *dates, "--out"],
        ["queue", "letter", "1", "1", "--org", "acme", "--user", "officer", "--out"],
        [*memo, "--out"],
    ]
    before = _audit_entries(api)
    try:
        for args in runs:
            for where, said in (
                (locked / "new.jsonl", f"may not write in the folder {locked}"),
                (kept, "may not write to it"),
            ):
                r = haven(*args, str(where))
                assert r.returncode == 2, (args, r.returncode, r.stderr)
                assert _audit_entries(api) == before, (args, "read and audited, then failed")
                assert f"--out: cannot write {where}: this user {said}" in r.stderr, r.stderr
                assert "internal error" not in r.stderr and "Traceback" not in r.stderr
        # The backup is written beside OUT and renamed over it: the folder must be writable.
        for where in (locked / "b.gz", locked / "sub" / "b.gz", kept):
            r = haven("backup", str(where), "--force")
            assert r.returncode == 2, (where, r.stderr)
            assert f"OUT: cannot write {where}: this user may not write in the folder" in r.stderr
    finally:
        locked.chmod(0o700)
    assert _audit_entries(api) == before
    assert sorted(p.name for p in locked.iterdir()) == ["kept.jsonl"]
    assert kept.read_text() == "earlier\n"
