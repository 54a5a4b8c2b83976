"""The real CLI with a database URL it cannot use: exit 2 naming where the URL came from
(`--db`, or HAVEN_DATABASE_URL), in words and without echoing it (a URL may hold a password),
for every command that takes --db; it was `internal error: ArgumentError` (exit 1)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HAVEN = [sys.executable, "-m", "haven"]
BAD = ["not a url", "mysql://x:secret@host/y", "http://example.com"]
WITH_DB = [
    ["audit", "verify"],
    ["audit", "verify", "--json"],
    ["backup", "b.gz"],
    ["restore", "b.gz"],
    ["keys", "generate", "--org", "acme"],
    ["keys", "rotate"],
    ["keys", "status"],
    ["keys", "shred", "--org", "acme", "--yes"],
]


def haven(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HAVEN, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.mark.parametrize("url", BAD)
def test_every_db_option_names_a_url_it_cannot_use(url: str, tmp_path: Path) -> None:
    for args in WITH_DB:
        r = haven(*args, "--db", url, cwd=tmp_path)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert "  --db: " in r.stderr and "internal error" not in r.stderr, (args, r.stderr)
        assert "secret" not in r.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_the_environment_variable_is_named(tmp_path: Path) -> None:
    env = {"HAVEN_DATABASE_URL": "not a url"}
    for args in (
        ["users", "list"],
        ["audit", "verify"],
        ["cases", "export", "--org", "a", "--user", "b"],
    ):
        r = haven(*args, cwd=tmp_path, env=env)
        assert r.returncode == 2, (args, r.stderr)
        assert "  HAVEN_DATABASE_URL: not a database URL" in r.stderr, r.stderr
    # --db wins over the variable, and is named.
    r = haven("audit", "verify", "--db", "mysql://h/d", cwd=tmp_path, env=env)
    assert "  --db: Haven keeps its data in SQLite or PostgreSQL, not mysql" in r.stderr
